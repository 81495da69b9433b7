"""tests/tools/proc.py: what the test drivers (run_e2e.py, tests/cli, tests/diff)
share about running rlfc: recognising sanitizer reports, naming how a process
ended, and quoting the end (or start) of its output."""
import re
import signal

SANITIZER = re.compile(r"ERROR: (AddressSanitizer|LeakSanitizer|MemorySanitizer|ThreadSanitizer)"
                       r"|\.[ch]:\d+:\d+: runtime error: ")


def describe_rc(rc):
    """'exit status 1', 'killed by signal SIGSEGV', or 'timed out' (rc None)"""
    if rc is None:
        return "timed out"
    if rc < 0:
        try:
            return "killed by signal %s" % signal.Signals(-rc).name
        except ValueError:
            return "killed by signal %d" % -rc
    return "exit status %d" % rc


def tail(text, n=12, keep="end", width=None):
    """the last (or first) n lines of text, indented and marked as quoted"""
    lines = text.rstrip("\n").splitlines()
    if len(lines) > n:
        lines = ["..."] + lines[-n:] if keep == "end" else lines[:n] + ["... (%d more lines)" % (len(lines) - n)]
    return "\n".join("    | " + (l[:width] if width else l) for l in lines)


HDR = re.compile(r"^(?P<file>[^:\n]+):(?P<line>\d+):(?P<col>\d+): (?P<level>error|warning|note): (?P<msg>.*)$")


def error_lines(stderr, path):
    """(line, message) of every error rlfc printed; line -1 for another file"""
    import os
    got = []
    for line in stderr.splitlines():
        m = HDR.match(line)
        if m and m.group("level") == "error":
            same = os.path.abspath(m.group("file")) == os.path.abspath(path)
            got.append((int(m.group("line")) if same else -1, m.group("msg")))
    return got


def match_errors(got, want, label="line"):
    """problems: each wanted (line, text) needs an error on that line containing
    text, and every error must be wanted"""
    problems, left = [], list(got)
    for no, text in want:
        hit = next((g for g in left if g[0] == no and text in g[1]), None)
        if hit is None:
            problems.append(f"{label} {no}: expected an error containing {text!r}")
        else:
            left.remove(hit)
    problems += [f"{label} {no}: unexpected error: {msg}" for no, msg in left]
    return problems


def worst_index(bad, finite, diff, tol):
    """Flat index of the worst mismatch: the first NaN/inf mismatch, else the
    largest excess of diff over tol (arrays of one shape; bad has a True)."""
    import numpy as np
    nonfinite_bad = bad & ~finite
    if nonfinite_bad.any():
        return int(np.flatnonzero(nonfinite_bad.ravel())[0])
    return int(np.argmax(np.where(bad, diff - tol, -np.inf).ravel()))
