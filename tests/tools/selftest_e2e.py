#!/usr/bin/env python3
"""selftest_e2e.py: checks run_e2e.py and every tests/run/*.py reference without rlfc.

Runs run_e2e.py with fake_rlfc.py on each test: in oracle mode every case must pass
(so each reference writes well-formed, self-consistent cases); in perturb, crash and
fail modes the harness must report failures and exit 1. Exit 0 if all of that holds.

    python3 tests/tools/selftest_e2e.py [tests/run/NAME.rlf ...]   (default: all)
"""

import glob
import os
import shlex
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
RUN = os.path.join(HERE, "..", "run")


def run(mode, tests, fake):
    env = dict(os.environ, RLF_FAKE_MODE=mode)
    work = os.path.join(os.path.dirname(fake), "work-" + mode)   # removed with fake's folder
    cmd = [sys.executable, os.path.join(HERE, "run_e2e.py"), "--rlfc", fake,
           "--target", "interp", "--work", work] + tests
    p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    return p.returncode, p.stdout.decode("utf-8", "replace")


def main():
    tests = sys.argv[1:] or sorted(glob.glob(os.path.join(RUN, "*.rlf")))
    with tempfile.TemporaryDirectory(prefix="rlf-selftest-") as tmp:
        # fake_rlfc.py runs with this Python (the one that has NumPy), whatever `python3`
        # is on PATH.
        fake = os.path.join(tmp, "rlfc")
        with open(fake, "w") as f:
            f.write("#!/bin/sh\nexec %s %s \"$@\"\n" % (
                shlex.quote(sys.executable), shlex.quote(os.path.join(HERE, "fake_rlfc.py"))))
        os.chmod(fake, 0o755)
        return check(tests, fake)


def check(tests, fake):
    ok = True
    rc, out = run("oracle", tests, fake)
    if rc != 0 or "FAIL" in out:
        print(out)
        print("selftest: oracle mode should pass every case")
        ok = False
    for mode, needles in (("perturb", ("values differ", "dtype")), ("crash", ("SIGSEGV",)),
                          ("fail", ("rlfc failed", "stderr does not contain"))):
        rc, out = run(mode, tests[:1], fake)
        if rc != 1 or not any(n in out for n in needles):
            print(out)
            print("selftest: %s mode should fail with one of %r" % (mode, needles))
            ok = False
    print("selftest_e2e: %s (%d test files)" % ("ok" if ok else "FAILED", len(tests)))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
