"""rlftest: writes the cases of one end-to-end test (tests/run/NAME.py).

A test is tests/run/NAME.rlf plus tests/run/NAME.py. The .py computes expected
outputs with NumPy, independently of the compiler, and is run as

    python3 tests/run/NAME.py OUTDIR

It writes one folder per case:

    OUTDIR/caseK/in/<arg>.npy         one file per pipeline input
    OUTDIR/caseK/expect/<output>.npy  one file per pipeline output (absent for error cases)
    OUTDIR/caseK/case.json            {"entry", "params", "rtol", "atol", "inputs",
                                       "outputs", "expect_error", "note"}

tests/tools/run_e2e.py runs rlfc on each case and compares. A test file looks like

    import os, sys
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
    import numpy as np
    from rlftest import Case, main

    def cases():
        rng = np.random.default_rng(0)
        yield Case(entry="gae", inputs={...}, params={"gamma": 0.9},
                   expect={"adv": adv, "ret": ret}, rtol=1e-5, atol=1e-6)
        yield Case(entry="gae", inputs={...}, expect_error="reward")

    if __name__ == "__main__":
        main(cases)

Expected outputs must carry the dtype the pipeline declares (run_e2e checks dtype,
shape and values). Float outputs compare like np.allclose(got, expect, rtol, atol),
with NaN equal to NaN at the same positions and infinities equal only to themselves;
bool and integer outputs compare exactly.

`expect_error="text"` means: rlfc run must exit 1, print `text` on stderr, and
write no output file.
"""

import json
import os
import re
import shutil
import sys

import numpy as np

__all__ = ["Case", "main", "f32", "f64"]

# dtypes an .rlf signature can name that NumPy can store (bf16 has no NumPy dtype).
_DTYPES = {np.dtype(t) for t in
           ("float16", "float32", "float64", "int32", "int64", "uint8", "bool")}


def f32(x):
    """x rounded to float32 (array or scalar): what an f32 parameter or input holds."""
    return np.asarray(x, dtype=np.float32)


def f64(x):
    """x as float64, for computing a reference in higher precision."""
    return np.asarray(x, dtype=np.float64)


class Case:
    """One call of a pipeline: its inputs, params and expected outputs (or error)."""

    def __init__(self, entry, inputs, params=None, expect=None, rtol=1e-5, atol=1e-6,
                 expect_error=None, note=""):
        if not isinstance(entry, str) or not entry:
            raise ValueError("Case: entry must be a non-empty string")
        if expect_error is None and not expect:
            raise ValueError("Case(%s): give expect={...} or expect_error=..." % entry)
        if expect_error is not None and expect:
            raise ValueError("Case(%s): expect and expect_error are exclusive" % entry)
        if expect_error is not None and (not isinstance(expect_error, str) or not expect_error):
            raise ValueError("Case(%s): expect_error must be a non-empty string" % entry)
        self.entry = entry
        self.inputs = {k: _array(entry, "input", k, v) for k, v in inputs.items()}
        self.params = {k: _param(entry, k, v) for k, v in (params or {}).items()}
        self.expect = {k: _array(entry, "output", k, v) for k, v in (expect or {}).items()}
        self.rtol = float(rtol)
        self.atol = float(atol)
        self.expect_error = expect_error
        self.note = note
        for k in list(self.inputs) + list(self.expect) + list(self.params):
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", k):
                raise ValueError("Case(%s): %r is not an identifier" % (entry, k))


def _array(entry, what, name, v):
    a = np.asarray(v)
    if a.dtype not in _DTYPES:
        raise TypeError("Case(%s): %s %s has dtype %s; use one of %s" % (
            entry, what, name, a.dtype, sorted(str(d) for d in _DTYPES)))
    # Native byte order, C order: what rlfc is sure to read. (Not ascontiguousarray:
    # it turns a rank-0 array into rank 1.)
    return np.array(a, dtype=a.dtype.newbyteorder("="), order="C", copy=True)


def _param(entry, name, v):
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        v = float(v)
        if v != v or v in (float("inf"), float("-inf")):
            raise ValueError("Case(%s): param %s must be finite" % (entry, name))
        return v
    raise TypeError("Case(%s): param %s=%r is not a bool, int or float" % (entry, name, v))


def write_case(case, folder):
    os.makedirs(os.path.join(folder, "in"))
    for k, a in case.inputs.items():
        np.save(os.path.join(folder, "in", k + ".npy"), a, allow_pickle=False)
    if case.expect:
        os.makedirs(os.path.join(folder, "expect"))
        for k, a in case.expect.items():
            np.save(os.path.join(folder, "expect", k + ".npy"), a, allow_pickle=False)
    meta = {
        "entry": case.entry,
        "params": case.params,
        "rtol": case.rtol,
        "atol": case.atol,
        "inputs": list(case.inputs),
        "outputs": list(case.expect),
        "expect_error": case.expect_error,
        "note": case.note,
    }
    with open(os.path.join(folder, "case.json"), "w") as f:
        json.dump(meta, f, indent=1)
        f.write("\n")


def main(cases):
    """Entry point of a test's .py: writes every case yielded by cases() into argv[1]."""
    if len(sys.argv) != 2 or sys.argv[1].startswith("-"):
        sys.stderr.write("usage: %s OUTDIR\n" % sys.argv[0])
        sys.exit(2)
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    # Remove the case folders of an earlier run (only ours: caseN holding a case.json).
    for d in os.listdir(out):
        p = os.path.join(out, d)
        if re.fullmatch(r"case\d+", d) and os.path.isfile(os.path.join(p, "case.json")):
            shutil.rmtree(p)
    n = 0
    for case in cases():
        if not isinstance(case, Case):
            raise TypeError("cases() must yield Case objects, got %r" % (case,))
        write_case(case, os.path.join(out, "case%d" % n))
        n += 1
    if n == 0:
        sys.stderr.write("%s: cases() yielded no case\n" % sys.argv[0])
        sys.exit(1)
    print("wrote %d cases to %s" % (n, out))
