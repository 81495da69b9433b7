# Reference for float64.rlf, in float64 with the math module.
import math, os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import numpy as np
from rlftest import Case, main


def reference(d, x, gamma):
    T, B = d.shape
    x = x.astype(np.float64)
    fun = np.vectorize(lambda v: math.exp(v) + math.sqrt(abs(v)) + math.tanh(v) +
                       math.log1p(abs(v)))(d)
    total = np.array([math.fsum(d[:, b]) for b in range(B)])
    disc = np.zeros((T, B))
    for b in range(B):
        acc = 0.0
        for t in reversed(range(T)):
            acc = d[t, b] + gamma * acc
            disc[t, b] = acc
    return {"lit": d * 0.1, "mixed": d + x, "fun": fun, "total": total, "disc": disc}


def case(rng, T, B, gamma=None, note=""):
    ins = {"d": rng.normal(size=(T, B)) * 2, "x": rng.normal(size=(T, B)).astype(np.float32)}
    params = {} if gamma is None else {"gamma": gamma}
    exp = reference(**ins, gamma=0.99 if gamma is None else gamma)
    return Case(entry="f64ops", inputs=ins, params=params, expect=exp, rtol=1e-12,
                atol=1e-12, note=note)


def cases():
    rng = np.random.default_rng(13)
    yield case(rng, 1, 1, note="T=1 B=1, default gamma")
    yield case(rng, 13, 7, 0.97, note="T=13 B=7")
    yield case(rng, 200, 3, 0.999, note="T=200")


if __name__ == "__main__":
    main(cases)
