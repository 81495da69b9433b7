#!/usr/bin/env python3
"""fake_rlfc.py: a stand-in for `rlfc run`, used only to test run_e2e.py itself.

It does not compile anything: it finds the case folder from --out (run_e2e passes
CASE/got-TARGET) and answers from the case's own expectations. RLF_FAKE_MODE picks
the behaviour:
  oracle   (default) copy expect/*.npy to --out; for an expect_error case print the
           expected text on stderr and exit 1
  perturb  like oracle, but change one value (or the dtype) of the first output
  crash    die of SIGSEGV
  fail     exit 1 with an unrelated message
Tests: tests/tools/selftest_e2e.py.
"""

import json
import os
import shutil
import signal
import sys

import numpy as np


def main(argv):
    if len(argv) < 2 or argv[1] != "run":
        sys.stderr.write("fake_rlfc: only `run` is supported\n")
        return 1
    if "--out" not in argv:
        sys.stderr.write("fake_rlfc: --out missing\n")
        return 1
    out = argv[argv.index("--out") + 1]
    mode = os.environ.get("RLF_FAKE_MODE", "oracle")
    if mode == "crash":
        os.kill(os.getpid(), signal.SIGSEGV)
    if mode == "fail":
        sys.stderr.write("fake_rlfc: error: something unrelated\n")
        return 1
    case = os.path.dirname(os.path.abspath(out))
    with open(os.path.join(case, "case.json")) as f:
        meta = json.load(f)
    if meta["entry"] != argv[argv.index("--entry") + 1]:
        sys.stderr.write("fake_rlfc: --entry does not match case.json\n")
        return 1
    if meta["expect_error"] is not None:
        sys.stderr.write("fake_rlfc: error: %s\n" % meta["expect_error"])
        return 1
    os.makedirs(out, exist_ok=True)
    for i, o in enumerate(meta["outputs"]):
        src = os.path.join(case, "expect", o + ".npy")
        dst = os.path.join(out, o + ".npy")
        if mode == "perturb" and i == 0:
            a = np.load(src)
            if a.size == 0 or a.dtype == np.bool_:
                a = a.astype(np.int64)       # a dtype mismatch
            else:
                a = a.copy()
                a.flat[a.size // 2] += 1
            np.save(dst, a)
        else:
            shutil.copyfile(src, dst)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
