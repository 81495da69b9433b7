# Reference for twohot.rlf: bins found by a linear search.
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import numpy as np
from rlftest import Case, main


def reference(x, support):
    S = len(support)
    lo = np.zeros(len(x), np.int64)
    w_hi = np.zeros(len(x))
    probs = np.zeros((len(x), S))
    for n, xn in enumerate(x):
        k = 0
        for s in range(S):
            if support[s] <= xn:
                k = s
        if S == 1:                       # one bin: all the mass there
            lo[n], probs[n, 0] = 0, 1.0
            continue
        k = min(k, S - 2)
        xc = min(max(float(xn), float(support[0])), float(support[-1]))
        w = (xc - float(support[k])) / (float(support[k + 1]) - float(support[k]))
        lo[n], w_hi[n] = k, w
        probs[n, k] = 1 - w
        probs[n, k + 1] = w
    return {"lo": lo, "w_hi": w_hi.astype(np.float32), "probs": probs.astype(np.float32)}


def case(x, support, note):
    ins = {"x": np.asarray(x, np.float32), "support": np.asarray(support, np.float32)}
    return Case(entry="two_hot", inputs=ins, expect=reference(ins["x"], ins["support"]),
                rtol=1e-5, atol=1e-6, note=note)


def cases():
    rng = np.random.default_rng(5)
    yield case([0.25], [0, 1], "N=1 S=2")
    yield case([-3, 0.5, 7], [1], "S=1: one bin takes all the mass")
    support = np.linspace(-10, 10, 51)
    x = rng.uniform(-12, 12, size=13)
    x[:5] = [-10, 10, 0, -12, 12]    # on the ends, on a bin, outside both ends
    yield case(x, support, "S=51, x on bins and outside the range")
    support = np.sort(rng.normal(size=7) * 3)
    yield case(rng.normal(size=100) * 4, support, "uneven bins S=7")
    yield case(np.array([-1, 0.5, 1, 1.5, 2, 3, 4]), [1, 2, 3], "S=3, x between and on bins")


if __name__ == "__main__":
    main(cases)
