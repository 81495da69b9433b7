# Reference for math_f32.rlf: Python's math module in float64, rounded to f32.
import math, os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import numpy as np
from rlftest import Case, main


def ew(f, *args):
    return np.array([f(*map(float, a)) for a in zip(*args)], np.float32)


def reference(x, y, p, u, lo, hi):
    lo, hi = float(np.float32(lo)), float(np.float32(hi))
    sign = lambda v: (v > 0) - (v < 0)
    return {
        "o_exp": ew(math.exp, x), "o_log": ew(math.log, p), "o_log1p": ew(math.log1p, u),
        "o_expm1": ew(math.expm1, x), "o_sqrt": ew(math.sqrt, p),
        "o_rsqrt": ew(lambda v: 1 / math.sqrt(v), p), "o_tanh": ew(math.tanh, x),
        "o_sigmoid": ew(lambda v: 1 / (1 + math.exp(-v)), x), "o_erf": ew(math.erf, x),
        "o_abs": ew(abs, x), "o_sign": ew(sign, x), "o_floor": ew(math.floor, x),
        "o_ceil": ew(math.ceil, x), "o_min": ew(min, x, y), "o_max": ew(max, x, y),
        "o_pow": ew(math.pow, p, y), "o_cube": ew(lambda v: v ** 3, x),
        "o_clamp": ew(lambda v: min(max(v, lo), hi), x),
    }


def case(x, y, p, u, params=None, note=""):
    ins = {k: np.asarray(v, np.float32) for k, v in
           (("x", x), ("y", y), ("p", p), ("u", u))}
    pr = {"lo": -0.5, "hi": 1.5}
    pr.update(params or {})
    return Case(entry="math", inputs=ins, params=params, expect=reference(**ins, **pr),
                rtol=1e-5, atol=1e-7, note=note)


def cases():
    rng = np.random.default_rng(9)
    yield case([0.5], [-1], [2], [0.25], note="N=1, default lo/hi")
    N = 13
    yield case(rng.uniform(-8, 8, N), rng.uniform(-3, 3, N), rng.uniform(1e-3, 100, N),
               rng.uniform(-0.99, 5, N), {"lo": -2.0, "hi": 0.25}, note="N=13")
    special_x = [0, 1, -1, 2.5, -2.5, 3, -3, 0.5, -0.5, 1e-4, -3e-5, 1e-6, 7.999, -7.25]
    N = len(special_x)
    yield case(special_x, rng.uniform(-3, 3, N), [1, 1e-6, 4, 0.25, 1 + 1e-6] + [3.5] * (N - 5),
               [1e-6, -1e-5, 0, 1, -0.5] + [2.0] * (N - 5),
               note="integers, halves, tiny values")
    N = 1000
    yield case(rng.uniform(-10, 10, N), rng.uniform(-4, 4, N), rng.uniform(1e-4, 1e3, N),
               rng.uniform(-0.999, 100, N), note="N=1000")


if __name__ == "__main__":
    main(cases)
