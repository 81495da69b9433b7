# Reference for math_special.rlf: NumPy in float64 (IEEE semantics), rounded to f32.
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import numpy as np
from rlftest import Case, main

X = [0.0, -0.0, 1.0, -1.0, 0.5, 100.0, -100.0, 200.0, -200.0, 1e30, -1e30,
     np.inf, -np.inf, np.nan]


def reference(x):
    v = x.astype(np.float64)
    with np.errstate(all="ignore"):
        out = {
            "o_log": np.log(v), "o_exp": np.exp(v), "o_recip": 1 / v, "o_sqrt": np.sqrt(v),
            "o_tanh": np.tanh(v),
            "o_sigmoid": np.where(v >= 0, 1 / (1 + np.exp(-v)), np.exp(v) / (1 + np.exp(v))),
        }
        out = {k: a.astype(np.float32) for k, a in out.items()}
    out["o_isnan"] = np.isnan(v)
    return out


def cases():
    x = np.array(X, np.float32)
    yield Case(entry="special", inputs={"x": x}, expect=reference(x), rtol=1e-5, atol=1e-7,
               note="specials")
    for n in (1, 7):
        xr = x[np.random.default_rng(10 + n).permutation(len(x))[:n]]
        yield Case(entry="special", inputs={"x": xr}, expect=reference(xr), rtol=1e-5,
                   atol=1e-7, note="N=%d, shuffled" % n)


if __name__ == "__main__":
    main(cases)
