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
