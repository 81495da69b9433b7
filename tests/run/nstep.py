# Reference for nstep.rlf: the n-step return with explicit loops in float64.
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import numpy as np
from rlftest import Case, main

N = 3


def reference(reward, value, gamma):
    g = float(np.float32(gamma))
    T, B = reward.shape
    ret = np.zeros((T, B))
    window = np.zeros((T, B), np.int64)
    for t in range(T):
        for b in range(B):
            for j in range(N):
                if t + j < T:
                    ret[t, b] += g ** j * reward[t + j, b]
                    window[t, b] += 1
            if t + N < T:
                ret[t, b] += g ** N * value[t + N, b]
    return {"ret": ret.astype(np.float32), "window": window}


def case(rng, T, B, gamma=None, note=""):
    ins = {"reward": rng.normal(size=(T, B)).astype(np.float32),
           "value": rng.normal(size=(T, B)).astype(np.float32)}
    params = {} if gamma is None else {"gamma": gamma}
    exp = reference(ins["reward"], ins["value"], 0.99 if gamma is None else gamma)
    return Case(entry="nstep", inputs=ins, params=params, expect=exp, note=note)


def cases():
    rng = np.random.default_rng(2)
    yield case(rng, 1, 1, note="T=1: one reward, no bootstrap")
    yield case(rng, 2, 3, 0.5, note="T=2 < N")
    yield case(rng, 3, 1, 0.9, note="T=N: no bootstrap anywhere")
    yield case(rng, 4, 2, 0.9, note="T=N+1: bootstrap only at t=0")
    yield case(rng, 13, 7, 0.97, note="T=13 B=7")
    yield case(rng, 50, 5, note="default gamma")
    ins = {"reward": np.ones((5, 1), np.float32), "value": np.full((5, 1), 10, np.float32)}
    exp = {"ret": np.array([[1.75 + 1.25], [1.75 + 1.25], [1.75], [1.5], [1]], np.float32),
           "window": np.array([[3], [3], [3], [2], [1]], np.int64)}
    yield Case(entry="nstep", inputs=ins, params={"gamma": 0.5}, expect=exp,
               note="hand-computed, gamma=0.5")


if __name__ == "__main__":
    main(cases)
