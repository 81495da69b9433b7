# Reference for promotion.rlf: each line computed in the promoted type with NumPy scalars
# (f32 results are correctly rounded f32 operations, so they compare exactly).
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import numpy as np
from rlftest import Case, main

f32 = np.float32


def reference(x, k, m, done):
    out = {k_: [] for k_ in ("x_times_b", "k_plus_b", "one_minus_b", "x_plus_k", "k_div_m",
                             "k_half", "k_lit", "x_lit", "logic", "cmp")}
    for xn, kn, mn, dn in zip(x, k, m, done):
        b = 1 if dn else 0
        out["x_times_b"].append(xn * f32(b))
        out["k_plus_b"].append(int(kn) + b)
        out["one_minus_b"].append(xn * f32(1 - b))
        out["x_plus_k"].append(xn + f32(kn))
        out["k_div_m"].append(f32(kn) / f32(mn))
        out["k_half"].append(f32(kn) / f32(2))
        out["k_lit"].append(int(kn) * 3 - 7)
        out["x_lit"].append(xn * f32(2) + f32(1))
        out["logic"].append((dn and kn > 0) or (not dn and xn < 0))
        out["cmp"].append(kn <= mn)
    types = {"k_plus_b": np.int32, "k_lit": np.int32, "logic": bool, "cmp": bool}
    return {k_: np.array(v, types.get(k_, np.float32)) for k_, v in out.items()}


def case(x, k, m, done, note):
    ins = {"x": np.asarray(x, np.float32), "k": np.asarray(k, np.int32),
           "m": np.asarray(m, np.int32), "done": np.asarray(done, bool)}
    return Case(entry="promote", inputs=ins, expect=reference(**ins), rtol=1e-6, atol=0,
                note=note)


def cases():
    rng = np.random.default_rng(12)
    yield case([1.5], [7], [2], [True], "N=1")
    yield case([-1.25, 0, 3, -0.5, 2.5, 1e6, -7],
               [7, -7, 0, 1, -1, 100000, 3], [2, 2, -3, 1, 4, 7, 3],
               [True, False, True, False, False, True, False], "hand-picked, N=7")
    N = 129
    yield case(rng.normal(size=N) * 100, rng.integers(-10 ** 6, 10 ** 6, N),
               rng.choice([-1, 1], N) * rng.integers(1, 1000, N), rng.random(N) < 0.5,
               "random, N=129")


if __name__ == "__main__":
    main(cases)
