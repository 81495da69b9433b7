#!/usr/bin/env python3
"""tests/tools/check_errors.py: golden diagnostics.

Each tests/errors/*.rlf is a program rlfc must reject. A trailing comment
`# error: TEXT` on a line says: rlfc reports an error on that line whose
message contains TEXT. Every annotated error must be reported, and every
reported error must be annotated, so a file pins down exactly what the user
sees. `rlfc check` must exit 1, never crash, and print FILE:LINE:COL headers.

usage: check_errors.py --rlfc PATH DIR_OR_FILES...
"""
import argparse, os, re, subprocess, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from proc import error_lines, match_errors  # noqa: E402

ANN = re.compile(r"#\s*error:\s*(?P<text>.+?)\s*$")


def check(rlfc, path):
    want = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for no, line in enumerate(f, 1):
            m = ANN.search(line)
            if m:
                want.append((no, m.group("text")))
    p = subprocess.run([rlfc, "check", path], capture_output=True, text=True, errors="replace", timeout=60)
    problems = []
    if p.returncode < 0 or p.returncode not in (0, 1):
        problems.append(f"rlfc crashed or exited {p.returncode}:\n{p.stderr}")
        return problems
    if "internal error" in p.stderr or "runtime error" in p.stderr or "AddressSanitizer" in p.stderr:
        problems.append(f"internal error or sanitizer report:\n{p.stderr}")
    if p.returncode != 1:
        problems.append("rlfc check accepted the program (exit 0); it must be rejected")
    got = error_lines(p.stderr, path)
    problems += match_errors(got, want)
    if not want and not got:
        problems.append("no annotations and no errors")
    if problems:
        problems.append("rlfc said:\n" + p.stderr)
    return problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rlfc", required=True)
    ap.add_argument("paths", nargs="+")
    a = ap.parse_args()
    files = []
    for p in a.paths:
        if os.path.isdir(p):
            files += sorted(os.path.join(p, f) for f in os.listdir(p) if f.endswith(".rlf"))
        else:
            files.append(p)
    if not files:
        print("no error tests found"); return 1
    failed = 0
    for f in files:
        probs = check(a.rlfc, f)
        if probs:
            failed += 1
            print(f"FAIL {f}")
            for pr in probs:
                print("   " + pr.replace("\n", "\n   "))
        else:
            print(f"PASS {f}")
    print(f"{len(files) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
