#!/usr/bin/env python3
"""tests/docs/selftest.py: check_docs.py itself catches what it must.

    selftest.py --rlfc PATH [--work DIR]

Each tests/docs/cases/*.md starts with `<!-- expect: pass -->` or
`<!-- expect: fail "TEXT" -->`: check_docs.py must accept the first kind,
and reject the second with TEXT in its report. The failing cases are the
kinds of wrong documentation the check exists for (a claim the compiler
does not keep, a wrong stated value, a program that escapes the check).
"""
import argparse
import glob
import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
EXPECT = re.compile(r'<!--\s*expect:\s*(?:(pass)|fail\s+"(.*)")\s*-->')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rlfc", required=True)
    ap.add_argument("--work")
    a = ap.parse_args()
    cases = sorted(glob.glob(os.path.join(HERE, "cases", "*.md")))
    if not cases:
        print("no cases found")
        return 1
    if a.work:   # the rejected cases leave their extracted examples here
        shutil.rmtree(a.work, ignore_errors=True)
        os.makedirs(a.work)
    failed = 0
    for case in cases:
        with open(case, encoding="utf-8") as f:
            m = EXPECT.search(f.readline())
        name = os.path.basename(case)
        if not m:
            print(f"FAIL {name}: the first line must be <!-- expect: pass --> or <!-- expect: fail \"TEXT\" -->")
            failed += 1
            continue
        cmd = [sys.executable, os.path.join(HERE, "check_docs.py"), "--rlfc", a.rlfc]
        cmd += ["--work", a.work] if a.work else []
        cmd.append(case)
        p = subprocess.run(cmd, capture_output=True, text=True, errors="replace", timeout=300)
        if m.group(1):
            ok = p.returncode == 0
            why = "check_docs.py rejected a correct document"
        else:
            ok = p.returncode == 1 and m.group(2) in p.stdout
            why = f"expected check_docs.py to fail with {m.group(2)!r}"
        print(("ok   " if ok else "FAIL ") + name)
        if not ok:
            failed += 1
            print(f"     {why}; it exited {p.returncode} and said:\n" + p.stdout + p.stderr)
    print(f"{len(cases) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
