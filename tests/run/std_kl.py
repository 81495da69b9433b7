# Reference for std_kl.rlf (std.kl), in float64 from the definitions.
import math, os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import numpy as np
from rlftest import Case, main

F32 = np.float32


def estimators(logp, ref_logp):
    d = logp.astype(float) - ref_logp.astype(float)
    return {"kl_k1": d, "kl_k2": 0.5 * d * d, "kl_k3": np.exp(-d) - 1 + d, "kl_abs": np.abs(d)}


def kl_reward(score, logp, ref_logp, mask, beta):
    beta = float(np.float32(beta))
    B, L = logp.shape
    out = np.zeros((B, L))
    for b in range(B):
        idx = [l for l in range(L) if mask[b, l]]
        for l in idx:
            out[b, l] = -beta * (float(logp[b, l]) - float(ref_logp[b, l]))
        if idx:
            out[b, idx[-1]] += float(score[b])
    return out.astype(F32)


def masks(rng, B, L):
    """Right padding, left padding, holes, an empty row and a one-token row."""
    m = np.zeros((B, L), bool)
    for b in range(B):
        n = int(rng.integers(1, L + 1))
        kind = b % 5
        if kind == 0:
            m[b, :n] = True
        elif kind == 1:
            m[b, L - n:] = True
        elif kind == 2:
            m[b] = rng.random(L) < 0.6
        elif kind == 3:
            pass
        else:
            m[b, int(rng.integers(0, L))] = True
    return m


def cases():
    rng = np.random.default_rng(41)
    for B, L in ((1, 1), (7, 13), (13, 7), (4, 64)):
        logp = -rng.exponential(size=(B, L)).astype(F32)
        ref = (logp + rng.normal(scale=0.5, size=(B, L))).astype(F32)
        est = estimators(logp, ref)
        for name, v in est.items():
            yield Case(entry=name, inputs={"logp": logp, "ref_logp": ref}, expect={"kl": v.astype(F32)},
                       rtol=1e-5, atol=1e-6, note="B=%d L=%d" % (B, L))
    # Tiny deltas: k3 ~ delta^2 / 2 must keep its digits (exp(-d) - 1 + d in f32 would be
    # off by ~6e-8 absolute, far more than the 1e-9 allowed here).
    logp = np.array([[-1.0, -2.0, -0.5, -3.0, -0.25, -1.5, -1.25]], F32)
    ref = (logp + np.array([[1e-3, -1e-3, 2e-4, -5e-4, 3e-3, -2e-3, 1e-4]])).astype(F32)
    est = estimators(logp, ref)
    yield Case(entry="kl_k3", inputs={"logp": logp, "ref_logp": ref}, expect={"kl": est["kl_k3"].astype(F32)},
               rtol=1e-3, atol=1e-9, note="tiny deltas keep their digits")
    # Hand-computed: delta = log 2 gives k1 0.6931472, k2 0.2402265, k3 0.5 - 1 + 0.6931472
    # = 0.1931472, abs 0.6931472; delta = -log 2 gives k3 = 2 - 1 - 0.6931472 = 0.3068528.
    logp = np.array([[math.log(0.5), math.log(0.25)]], F32)
    ref = np.array([[math.log(0.25), math.log(0.5)]], F32)
    yield Case(entry="kl_k3", inputs={"logp": logp, "ref_logp": ref},
               expect={"kl": np.array([[0.1931472, 0.3068528]], F32)}, rtol=1e-5, note="hand-computed")
    yield Case(entry="kl_k2", inputs={"logp": logp, "ref_logp": ref},
               expect={"kl": np.array([[0.2402265, 0.2402265]], F32)}, rtol=1e-5, note="hand-computed")

    # --- kl_reward
    for B, L, beta in ((1, 1, 0.05), (7, 13, 0.05), (13, 7, 0.1), (10, 32, 0.02)):
        logp = -rng.exponential(size=(B, L)).astype(F32)
        ref = (logp + rng.normal(scale=0.3, size=(B, L))).astype(F32)
        mask = masks(rng, B, L)
        if B == 1:
            mask[:] = True
        score = rng.normal(size=B).astype(F32)
        params = {} if beta == 0.05 else {"beta": beta}
        yield Case(entry="kl_reward", inputs=dict(score=score, logp=logp, ref_logp=ref, mask=mask),
                   params=params, expect={"reward": kl_reward(score, logp, ref, mask, beta)},
                   rtol=1e-5, atol=1e-6, note="B=%d L=%d beta=%g" % (B, L, beta))
    # Hand-computed, beta 0.5: row 0 masks tokens 0..2 with logp - ref = 0.2, -0.4, 0.6 and
    # score 1: reward = [-0.1, 0.2, -0.3 + 1, 0]; row 1 masks nothing: zeros.
    logp = np.array([[0.2, -0.4, 0.6, 9.0], [1.0, 1.0, 1.0, 1.0]], F32)
    yield Case(entry="kl_reward",
               inputs=dict(score=np.array([1, 5], F32), logp=logp, ref_logp=np.zeros((2, 4), F32),
                           mask=np.array([[True, True, True, False], [False] * 4])),
               params={"beta": 0.5}, expect={"reward": np.array([[-0.1, 0.2, 0.7, 0], [0, 0, 0, 0]], F32)},
               rtol=1e-6, atol=1e-7, note="hand-computed; a row without tokens drops its score")
    # NaN on padding is never read; NaN on a real token stays on that token.
    B, L = 3, 6
    logp = -rng.exponential(size=(B, L)).astype(F32)
    ref = -rng.exponential(size=(B, L)).astype(F32)
    mask = np.ones((B, L), bool); mask[0, 4:] = False
    logp[0, 5] = np.nan; ref[0, 4] = np.nan
    logp[2, 1] = np.nan
    score = rng.normal(size=B).astype(F32)
    exp = kl_reward(score, logp, ref, mask, 0.05)
    want = np.zeros((B, L), bool); want[2, 1] = True
    assert (np.isnan(exp) == want).all()
    yield Case(entry="kl_reward", inputs=dict(score=score, logp=logp, ref_logp=ref, mask=mask),
               expect={"reward": exp}, rtol=1e-5, atol=1e-6, note="NaN on padding ignored, on a token kept there")


if __name__ == "__main__":
    main(cases)
