# Reference for float16.rlf: exact products/sums in float64, rounded once by NumPy.
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import numpy as np
from rlftest import Case, main


def half(h, x):
    hd = h.astype(np.float64)
    with np.errstate(over="ignore"):
        h2 = (hd * 2 + 0.5).astype(np.float16)
    return {"h2": h2, "hx": (hd * x.astype(np.float64)).astype(np.float32)}


def half_sum(h):
    hd = h.astype(np.float64)
    return {"hsum": np.array(hd.sum(), np.float16), "hmean": np.array(hd.mean(), np.float32),
            "hmax": np.array(h.max(), np.float16)}


def cases():
    rng = np.random.default_rng(14)
    # Single roundings on both sides: these compare exactly.
    for N in (1, 7, 1000):
        h = (rng.normal(size=N) * 10).astype(np.float16)
        x = rng.normal(size=N).astype(np.float32)
        yield Case(entry="half", inputs={"h": h, "x": x}, expect=half(h, x), rtol=0, atol=0,
                   note="N=%d" % N)
    # 0.0999755859375 * 2 + 0.5 is a tie between two f16 values (round to even);
    # 65504 * 2 + 0.5 overflows to inf.
    h = np.array([0.1, 65504, -65504, 0, 1e-3, 6e-8, -3.0, 1 / 3], np.float16)
    x = np.array([1e30, 2, -2, 0, 3, 1, 1 / 3, 3], np.float32)
    yield Case(entry="half", inputs={"h": h, "x": x}, expect=half(h, x), rtol=0, atol=0,
               note="ties, overflow, subnormal")
    for N in (1, 13, 1000):
        h = rng.uniform(-4, 4, N).astype(np.float16)
        yield Case(entry="half_sum", inputs={"h": h}, expect=half_sum(h), rtol=2e-3,
                   atol=1e-3, note="N=%d" % N)


if __name__ == "__main__":
    main(cases)
