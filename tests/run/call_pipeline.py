# Reference for call_pipeline.rlf: GAE stepped backwards in float64, then the
# first row doubled.
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import numpy as np
from rlftest import Case, main


def gae(r, v, vn, term, done, gamma, lam):
    T, B = r.shape
    adv = np.zeros((T, B))
    for b in range(B):
        a = 0.0
        for t in reversed(range(T)):
            delta = r[t, b] + gamma * (1 - term[t, b]) * vn[t, b] - v[t, b]
            a = delta + gamma * lam * (1 - done[t, b]) * a
            adv[t, b] = a
    return adv


def cases():
    rng = np.random.default_rng(11)
    for T, B, g in [(1, 1, None), (7, 3, 0.8), (40, 13, None)]:
        ins = {"reward": rng.normal(size=(T, B)).astype(np.float32),
               "value": rng.normal(size=(T, B)).astype(np.float32),
               "value_next": rng.normal(size=(T, B)).astype(np.float32),
               "terminated": rng.random((T, B)) < 0.1,
               "done": rng.random((T, B)) < 0.2}
        gamma = float(np.float32(0.9 if g is None else g))
        adv = gae(*(ins[k] for k in ["reward", "value", "value_next", "terminated", "done"]), gamma, 0.5)
        exp = {"adv": adv.astype(np.float32), "ret": (adv + ins["value"]).astype(np.float32),
               "doubled": (2 * adv[0]).astype(np.float32)}
        yield Case(entry="targets", inputs=ins, params={} if g is None else {"g": g}, expect=exp,
                   rtol=1e-5, atol=1e-5 * T ** 0.5, note=f"T={T} B={B}")


if __name__ == "__main__":
    main(cases)
