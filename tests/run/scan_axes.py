# Reference for scan_axes.rlf: each recurrence stepped along its axis in
# float64 (f32 ones rounded at the end), from the boundary value inwards.
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import numpy as np
from rlftest import Case, main


def scan(x, axis, reverse, step, boundary):
    """y[i] = step(y[i -+ 1], x[i]) along axis, y[-1 or n] = boundary (broadcast
    over the other axes)"""
    x = np.moveaxis(np.asarray(x, np.float64), axis, 0)
    y = np.empty_like(x)
    prev = np.broadcast_to(np.asarray(boundary, np.float64), x.shape[1:])
    order = range(x.shape[0] - 1, -1, -1) if reverse else range(x.shape[0])
    for i in order:
        prev = step(prev, x[i])
        y[i] = prev
    return np.moveaxis(y, 0, axis)


def case3(rng, B, L, A, gamma=None, note=""):
    x = rng.normal(size=(B, L, A)).astype(np.float32)
    h = rng.normal(size=(B, L)).astype(np.float32)
    d = rng.normal(size=(B, L, A))
    g = float(np.float32(0.5 if gamma is None else gamma))
    disc = lambda p, v: v + g * p
    # g2, the guarded running max (x at a = 0), is the scan of max from -inf
    exp = {"r0": scan(x, 0, True, disc, 0.0).astype(np.float32),
           "r1": scan(x, 1, True, disc, 1.0).astype(np.float32),
           "r2": scan(x, 2, True, disc, h).astype(np.float32),
           "f2": scan(d, 2, False, lambda p, v: 0.25 * p + v, 2.0),
           "g2": scan(x, 2, False, np.maximum, -np.inf).astype(np.float32)}
    params = {} if gamma is None else {"gamma": gamma}
    return Case(entry="scan3", inputs={"x": x, "h": h, "d": d}, params=params, expect=exp,
                rtol=1e-5, atol=1e-5, note=note)


def case4(rng, B, L, A, C, note=""):
    x = rng.normal(size=(B, L, A, C))
    half = lambda p, v: 0.5 * p + v
    r3 = scan(x, 3, True, lambda p, v: v - 0.5 * p, x[:, :, :, 0])
    f3 = scan(x, 3, False, lambda p, v: np.float64(np.float32(v)) + 0.75 * p, -1.0)
    exp = {"f0": scan(x, 0, False, half, 1.0), "f1": scan(x, 1, False, half, 1.0),
           "f2": scan(x, 2, False, half, 1.0), "r3": r3, "f3": f3.astype(np.float32)}
    return Case(entry="scan4", inputs={"x": x}, expect=exp, rtol=1e-5, atol=1e-5, note=note)


def cases():
    rng = np.random.default_rng(31)
    yield case3(rng, 1, 1, 1, note="rank 3, all sizes 1")
    yield case3(rng, 2, 3, 7, gamma=0.9, note="rank 3, B=2 L=3 A=7")
    yield case3(rng, 5, 1, 13, note="rank 3, L=1")
    yield case3(rng, 3, 4, 33, note="rank 3, a long last axis")
    yield case4(rng, 1, 1, 1, 1, note="rank 4, all sizes 1")
    yield case4(rng, 2, 3, 4, 5, note="rank 4, B=2 L=3 A=4 C=5")
    yield case4(rng, 3, 1, 2, 13, note="rank 4, L=1, a long last axis")


if __name__ == "__main__":
    main(cases)
