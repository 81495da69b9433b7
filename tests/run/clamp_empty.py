# Reference for clamp_empty.rlf: clamp written out as "hi if lo > hi".
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import numpy as np
from rlftest import Case, main


def clamp(x, lo, hi):
    if np.isnan(x):
        return x
    if lo > hi:
        return hi
    return min(max(x, lo), hi)


def case(x, lo, hi, k, support, note):
    ins = {"x": np.asarray(x, np.float32), "lo": np.asarray(lo, np.float32),
           "hi": np.asarray(hi, np.float32), "k": np.asarray(k, np.int64),
           "support": np.asarray(support, np.float32)}
    S = len(support)
    y = np.array([clamp(a, b, c) for a, b, c in zip(ins["x"], ins["lo"], ins["hi"])], np.float32)
    j = np.array([clamp(int(v), 3, S - 2) for v in ins["k"]], np.int64)
    r = np.array([ins["support"][min(max(int(v), 0), S - 1)] for v in j], np.float32)
    return Case(entry="clamp_empty", inputs=ins, expect={"y": y, "j": j, "r": r}, note=note)


def cases():
    rng = np.random.default_rng(11)
    x = rng.normal(size=9) * 3
    lo = rng.normal(size=9)
    hi = lo + rng.normal(size=9)          # about half the ranges are empty
    k = rng.integers(0, 8, size=9)
    yield case(x, lo, hi, k, [10, 20], "S=2: clamp(k, 3, 0) is 0")
    yield case(x, lo, hi, k, [5], "S=1: clamp(k, 3, -1) is -1, kept in by the outer clamp")
    yield case(x, lo, hi, k, np.arange(9) * 1.5, "S=9: an ordinary range 3..7")


if __name__ == "__main__":
    main(cases)
