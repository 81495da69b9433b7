# Reference for reductions.rlf, written element by element in float64.
import math, os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import numpy as np
from rlftest import Case, main


def reference(reward, mask, logits, q, valid):
    G, K = reward.shape
    mu = np.zeros(G)
    sd = np.zeros(G)
    for g in range(G):
        xs = [float(x) for x in reward[g]]
        mu[g] = sum(xs) / K
        if K > 1:
            sd[g] = math.sqrt(sum((x - mu[g]) ** 2 for x in xs) / (K - 1))
    tok = sum(float(x) for x in mask.ravel())
    lse = np.zeros(logits.shape[0])
    for n, row in enumerate(logits.astype(np.float64)):
        m = row.max()
        lse[n] = -math.inf if m == -math.inf else m + math.log(np.exp(row - m).sum())
    best = np.full(q.shape[0], -1, np.int64)
    for b in range(q.shape[0]):
        for a in range(q.shape[1]):
            if valid[b, a] and (best[b] < 0 or q[b, a] > q[b, best[b]]):
                best[b] = a
    return dict(mu=mu.astype(np.float32), sd=sd.astype(np.float32),
                tok=np.array(tok, np.float32), lse=lse.astype(np.float32), best=best)


def make(rng, G, K, B, L, N, I, A, offset=0.0, scale=1.0, ties=False, p_valid=0.7):
    reward = (offset + rng.normal(size=(G, K))).astype(np.float32)
    mask = (rng.random((B, L)) < 0.6).astype(np.float32)
    logits = (scale * rng.normal(size=(N, I))).astype(np.float32)
    q = rng.normal(size=(B, A))
    if ties:
        q = np.round(q)
    valid = rng.random((B, A)) < p_valid
    return dict(reward=reward, mask=mask, logits=logits, q=q.astype(np.float32), valid=valid)


def case(ins, note, rtol=1e-5, atol=1e-5):
    return Case(entry="stats", inputs=ins, expect=reference(**ins), rtol=rtol, atol=atol,
                note=note)


def cases():
    rng = np.random.default_rng(1)
    yield case(make(rng, 1, 1, 1, 1, 1, 1, 1, p_valid=1.0), "all sizes 1 (std of K=1 is 0)")
    yield case(make(rng, 7, 13, 13, 7, 5, 51, 18), "odd sizes")
    yield case(make(rng, 3, 2, 4, 33, 9, 3, 7, ties=True, p_valid=0.5),
               "K=2; ties in q: argmax takes the first valid maximum")
    yield case(make(rng, 5, 8, 2, 1000, 4, 17, 5, scale=300.0),
               "logits up to ~1000: logsumexp must not overflow; 2000-term sum")
    ins = make(rng, 2, 64, 3, 5, 2, 4, 3, offset=1e4, p_valid=0.0)
    yield case(ins, "reward around 1e4 with std 1: E[x^2]-E[x]^2 fails this; no valid q",
               rtol=1e-2, atol=1e-2)
    ins = make(rng, 2, 3, 2, 2, 3, 4, 2)
    ins["logits"][1, :] = -np.inf
    ins["logits"][2, 1] = -np.inf
    yield case(ins, "logsumexp of a row of -inf is -inf; one -inf entry is ignored")


if __name__ == "__main__":
    main(cases)
