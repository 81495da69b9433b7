# Reference for clip_const.rlf.
import math, os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import numpy as np
from rlftest import Case, main

EPS, NBINS = 0.2, 5


def ppo(logp, logp_old, adv):
    lo, hi = float(np.float32(1 - EPS)), float(np.float32(1 + EPS))
    loss, clipped = [], []
    for lp, lpo, a in zip(logp.astype(float), logp_old.astype(float), adv.astype(float)):
        r = math.exp(lp - lpo)
        rc = min(max(r, lo), hi)
        loss.append(-min(r * a, rc * a))
        clipped.append(r < lo or r > hi)
    return {"loss": np.array(loss, np.float32), "clipped": np.array(clipped, bool)}


def softmax(logits):
    x = logits.astype(np.float64)
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return {"p": (e / e.sum(axis=1, keepdims=True)).astype(np.float32),
            "centers": ((np.arange(NBINS) + 0.5) / NBINS).astype(np.float32)}


def ppo_case(rng, N, spread, note):
    logp_old = rng.normal(size=N).astype(np.float32) - 2
    ins = {"logp": (logp_old + spread * rng.normal(size=N)).astype(np.float32),
           "logp_old": logp_old, "adv": rng.normal(size=N).astype(np.float32)}
    return Case(entry="ppo", inputs=ins, expect=ppo(**ins), rtol=1e-5, atol=1e-6, note=note)


def cases():
    rng = np.random.default_rng(6)
    yield ppo_case(rng, 1, 0.1, "N=1")
    yield ppo_case(rng, 13, 0.3, "N=13, both sides of the clip range")
    yield ppo_case(rng, 257, 1.0, "N=257")
    ins = {"logp": np.zeros(3, np.float32), "logp_old": np.zeros(3, np.float32),
           "adv": np.array([1, -1, 0], np.float32)}
    yield Case(entry="ppo", inputs=ins, note="ratio 1: loss = -adv, nothing clipped",
               expect={"loss": np.array([-1, 1, 0], np.float32),
                       "clipped": np.zeros(3, bool)})
    for M in (1, 7):
        logits = rng.normal(size=(M, NBINS)).astype(np.float32) * 3
        yield Case(entry="softmax_bins", inputs={"logits": logits}, expect=softmax(logits),
                   rtol=1e-5, atol=1e-7, note="M=%d" % M)
    yield Case(entry="softmax_bins", inputs={"logits": np.zeros((3, 4), np.float32)},
               expect_error="logits", note="second dim 4 is not NBINS = 5")


if __name__ == "__main__":
    main(cases)
