# Reference for gae.rlf: GAE computed step by step in float64 from the definition.
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import numpy as np
from rlftest import Case, main


def gae(reward, value, value_next, terminated, done, gamma, lam):
    T, B = reward.shape
    g, l = float(np.float32(gamma)), float(np.float32(lam))
    adv = np.zeros((T, B))
    for b in range(B):
        nxt = 0.0
        for t in reversed(range(T)):
            delta = reward[t, b] + g * (not terminated[t, b]) * value_next[t, b] - value[t, b]
            nxt = delta + g * l * (not done[t, b]) * nxt
            adv[t, b] = nxt
    return adv.astype(np.float32), (adv + value).astype(np.float32)


def make(rng, T, B, p_term=0.1, p_trunc=0.1):
    reward = rng.normal(size=(T, B)).astype(np.float32)
    value = rng.normal(size=(T, B)).astype(np.float32)
    # value_next[t] is V of the true successor; it differs from value[t+1] after a done.
    value_next = np.concatenate([value[1:], rng.normal(size=(1, B))]).astype(np.float32)
    terminated = rng.random((T, B)) < p_term
    truncated = (rng.random((T, B)) < p_trunc) & ~terminated
    done = terminated | truncated
    value_next[done] = rng.normal(size=int(done.sum()))
    return dict(reward=reward, value=value, value_next=value_next,
                terminated=terminated, done=done)


def case(rng, T, B, params=None, note="", **kw):
    ins = make(rng, T, B, **kw)
    p = {"gamma": 0.99, "lambda": 0.95}
    p.update(params or {})
    adv, ret = gae(*ins.values(), p["gamma"], p["lambda"])
    return Case(entry="gae", inputs=ins, params=params, expect={"adv": adv, "ret": ret},
                rtol=1e-5, atol=1e-5, note=note)


def cases():
    rng = np.random.default_rng(0)
    yield case(rng, 1, 1, note="T=1 B=1, default params")
    yield case(rng, 7, 13, {"gamma": 0.9, "lambda": 0.8}, note="T=7 B=13")
    yield case(rng, 64, 5, {"gamma": 0.99, "lambda": 1.0}, note="T=64, lambda=1")
    yield case(rng, 13, 3, {"gamma": 0.5, "lambda": 0.0}, note="lambda=0: adv = delta")
    yield case(rng, 9, 4, p_term=0.0, p_trunc=0.5, note="truncations only: all bootstrap")
    yield case(rng, 9, 4, p_term=0.5, p_trunc=0.0, note="terminations only")
    yield case(rng, 5, 2, p_term=0.0, p_trunc=0.0, note="no episode ends")
    # Hand-checked: one truncation at t=0 (bootstraps from value_next 10), then a
    # termination at t=1; gamma=0.5, lambda=1.
    ins = dict(reward=np.array([[1], [2], [4]], np.float32),
               value=np.zeros((3, 1), np.float32),
               value_next=np.array([[10], [20], [40]], np.float32),
               terminated=np.array([[False], [True], [False]]),
               done=np.array([[True], [True], [False]]))
    adv = np.array([[6], [2], [24]], np.float32)   # 1+0.5*10, 2, 4+0.5*40
    yield Case(entry="gae", inputs=ins, params={"gamma": 0.5, "lambda": 1.0},
               expect={"adv": adv, "ret": adv.copy()}, note="hand-computed")


if __name__ == "__main__":
    main(cases)
