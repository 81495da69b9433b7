# Reference for forward_scan.rlf: the recurrences stepped forward in float64.
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import numpy as np
from rlftest import Case, main


def reference(x, init, reset, decay):
    d = float(np.float32(decay))
    T, B = x.shape
    acc = np.zeros((T, B))
    trace = np.zeros((T, B))
    for b in range(B):
        a, tr = float(init[b]), 0.0
        for t in range(T):
            a = a + x[t, b]
            tr = d * (not reset[t, b]) * tr + x[t, b]
            acc[t, b], trace[t, b] = a, tr
    return {"acc": acc.astype(np.float32), "trace": trace.astype(np.float32)}


def case(rng, T, B, decay=None, note=""):
    ins = {"x": rng.normal(size=(T, B)).astype(np.float32),
           "init": rng.normal(size=B).astype(np.float32) * 5,
           "reset": rng.random((T, B)) < 0.2}
    params = {} if decay is None else {"decay": decay}
    exp = reference(**ins, decay=0.9 if decay is None else decay)
    return Case(entry="forward", inputs=ins, params=params, expect=exp,
                rtol=1e-5, atol=1e-5 * max(1, T) ** 0.5, note=note)


def cases():
    rng = np.random.default_rng(8)
    yield case(rng, 1, 1, note="T=1 B=1: acc = init + x")
    yield case(rng, 13, 7, 0.5, note="T=13 B=7")
    yield case(rng, 100, 3, note="T=100, default decay")
    yield case(rng, 3, 33, 1.0, note="decay 1")
    ins = {"x": np.ones((4, 1), np.float32), "init": np.array([10], np.float32),
           "reset": np.array([[False], [False], [True], [False]])}
    exp = {"acc": np.array([[11], [12], [13], [14]], np.float32),
           "trace": np.array([[1], [1.5], [1], [1.5]], np.float32)}
    yield Case(entry="forward", inputs=ins, params={"decay": 0.5}, expect=exp,
               note="hand-computed")


if __name__ == "__main__":
    main(cases)
