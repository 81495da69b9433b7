# Reference for casts.rlf: C cast semantics written out per element.
import math, os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import numpy as np
from rlftest import Case, main


def reference(xf, xd, xi, xl, xu, xb, xh):
    N = len(xf)
    trunc = lambda v, dt: np.array([math.trunc(float(a)) for a in v], dt)
    nz = lambda v: np.array([a != 0 for a in v], bool)
    return {
        "f_from_d": xd.astype(np.float32), "f_from_i": xi.astype(np.float32),
        "f_from_l": xl.astype(np.float32), "f_from_u": xu.astype(np.float32),
        "f_from_b": np.where(xb, 1, 0).astype(np.float32), "f_from_h": xh.astype(np.float32),
        "f_from_idx": np.arange(N, dtype=np.float32),
        "d_from_f": xf.astype(np.float64), "d_from_i": xi.astype(np.float64),
        "d_from_l": xl.astype(np.float64), "d_from_b": np.where(xb, 1.0, 0.0),
        "i_from_f": trunc(xf, np.int32), "i_from_d": trunc(xd, np.int32),
        "i_from_l": np.array([int(a) for a in xl], np.int32),
        "i_from_u": xu.astype(np.int32), "i_from_b": np.where(xb, 1, 0).astype(np.int32),
        "l_from_f": trunc(xf, np.int64), "l_from_d": trunc(xd, np.int64),
        "l_from_i": xi.astype(np.int64), "l_from_u": xu.astype(np.int64),
        "b_from_f": nz(xf), "b_from_d": nz(xd), "b_from_i": nz(xi), "b_from_l": nz(xl),
        "b_from_u": nz(xu),
    }


def case(xf, xd, xi, xl, xu, xb, xh, note):
    ins = {"xf": np.asarray(xf, np.float32), "xd": np.asarray(xd, np.float64),
           "xi": np.asarray(xi, np.int32), "xl": np.asarray(xl, np.int64),
           "xu": np.asarray(xu, np.uint8), "xb": np.asarray(xb, bool),
           "xh": np.asarray(xh, np.float16)}
    return Case(entry="casts", inputs=ins, expect=reference(**ins), rtol=0, atol=0, note=note)


def cases():
    rng = np.random.default_rng(11)
    yield case([-2.7], [3.9], [-5], [7], [200], [True], [0.5], "N=1")
    # Fractions of both signs (truncation toward zero), zeros, exact large values:
    # 2**24 + 1 in f64 and i64 rounds to 2**24 in f32; 2**40 in f64 fits i64.
    xf = [-2.7, 2.7, -0.5, 0.5, 0.0, -0.0, 1e6, -1e9, 3.0, -3.0, 0.999, 123456.75, 1.5]
    xd = [-2.7, 2.7, -0.5, 0.5, 0.0, 2.0 ** 24 + 1, -1e9, 3.0, -3.0, 2.0 ** 30,
          -0.999, 1e-300, 1.5]
    xi = [-5, 0, 5, 2 ** 31 - 1, -2 ** 31, 16777217, 1, -1, 7, 100, -100, 2 ** 24, 0]
    xl = [-5, 0, 5, 2 ** 31 - 1, -2 ** 31, 2 ** 24 + 1, 1, -1, 7, 100, -100, 2 ** 24, 0]
    xu = [0, 1, 255, 128, 7, 0, 254, 3, 2, 1, 0, 100, 99]
    xb = [True, False, True, True, False, False, True, False, True, False, True, False, True]
    xh = [0.5, -0.5, 65504, -65504, 0, 1.0009765625, 3.14, -2.0, 1e-3, 100, 7, -7, 0.1]
    yield case(xf, xd, xi, xl, xu, xb, xh, "edge values, N=13")
    N = 300
    yield case(rng.uniform(-1e4, 1e4, N), rng.uniform(-1e9, 1e9, N),
               rng.integers(-2 ** 31, 2 ** 31, N), rng.integers(-2 ** 31, 2 ** 31, N),
               rng.integers(0, 256, N), rng.random(N) < 0.5, rng.uniform(-100, 100, N),
               "random, N=300")


if __name__ == "__main__":
    main(cases)
