# Reference for std_baselines.rlf (std.baselines): per-group loops in float64 written
# from the definitions, independently of the .rlf code.
import math, os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import numpy as np
from rlftest import Case, main

F32 = np.float32


def grpo(reward, eps=1e-6):
    eps = float(np.float32(eps))
    out = np.zeros(reward.shape)
    for g, row in enumerate(reward.astype(float)):
        K = len(row)
        if K == 1 or np.all(row == row[0]):
            continue                          # std 0: exactly 0
        mu = row.sum() / K
        sd = math.sqrt(((row - mu) ** 2).sum() / (K - 1))
        out[g] = (row - mu) / (sd + eps)
    return out.astype(F32)


def dr_grpo(reward):
    r = reward.astype(float)
    return (r - r.mean(axis=1, keepdims=True)).astype(F32)


def rloo(reward):
    G, K = reward.shape
    out = np.zeros((G, K))
    if K > 1:
        for g in range(G):
            for k in range(K):
                others = [float(reward[g, j]) for j in range(K) if j != k]
                out[g, k] = float(reward[g, k]) - sum(others) / (K - 1)
    return out.astype(F32)


def cases():
    rng = np.random.default_rng(31)
    shapes = ((1, 1), (1, 4), (7, 13), (13, 7), (5, 1), (64, 16))

    # --- grpo
    for G, K in shapes:
        r = rng.normal(size=(G, K)).astype(F32)
        yield Case(entry="grpo", inputs={"reward": r}, expect={"adv": grpo(r)}, rtol=1e-5, atol=1e-5,
                   note="G=%d K=%d" % (G, K))
    # Hand-computed: rewards 1, 2, 3, 4 have mean 2.5 and std (ddof 1) sqrt(5/3) = 1.2909944,
    # so adv = +-0.3872983, +-1.1618950 (eps 1e-6 moves the 7th digit).
    yield Case(entry="grpo", inputs={"reward": np.array([[1, 2, 3, 4]], F32)},
               expect={"adv": np.array([[-1.1618950, -0.3872983, 0.3872983, 1.1618950]], F32)},
               rtol=1e-5, note="hand-computed")
    yield Case(entry="grpo", inputs={"reward": np.array([[0.0, 1.0, 1.0, 1.0]], F32)}, params={"eps": 0.0},
               expect={"adv": np.array([[-1.5, 0.5, 0.5, 0.5]], F32)}, rtol=1e-6,
               note="hand-computed binary rewards, eps 0: mean 0.75, std 0.5")
    # Identical rewards (values whose mean is not exact in floating point) and K = 1:
    # exactly 0, with and without eps.
    same = np.array([[0.1] * 7, [1 / 3] * 7, [1e6 + 0.1] * 7, [-2.7] * 7, [0.0] * 7], F32)
    yield Case(entry="grpo", inputs={"reward": same}, expect={"adv": np.zeros(same.shape, F32)},
               rtol=0, atol=0, note="identical rewards give exactly 0")
    yield Case(entry="grpo", inputs={"reward": same}, params={"eps": 0.0},
               expect={"adv": np.zeros(same.shape, F32)}, rtol=0, atol=0,
               note="identical rewards give exactly 0 with eps 0 (no 0/0)")
    one = rng.normal(size=(9, 1)).astype(F32)
    yield Case(entry="grpo", inputs={"reward": one}, params={"eps": 0.0},
               expect={"adv": np.zeros((9, 1), F32)}, rtol=0, atol=0, note="K=1 gives exactly 0")
    big = (1000 + rng.normal(size=(6, 8))).astype(F32)
    big[2] = big[2, 0]
    yield Case(entry="grpo", inputs={"reward": big}, expect={"adv": grpo(big)}, rtol=1e-4, atol=1e-4,
               note="offset 1000, one identical group")
    r = rng.normal(size=(4, 5)).astype(F32)
    r[1, 3] = np.nan
    exp = grpo(r)
    exp[1] = np.nan
    yield Case(entry="grpo", inputs={"reward": r}, expect={"adv": exp}, rtol=1e-5, atol=1e-5,
               note="a NaN reward makes its own group NaN only")

    # --- dr_grpo
    for G, K in shapes:
        r = rng.normal(size=(G, K)).astype(F32)
        yield Case(entry="dr_grpo", inputs={"reward": r}, expect={"adv": dr_grpo(r)}, atol=1e-6,
                   note="G=%d K=%d" % (G, K))
    yield Case(entry="dr_grpo", inputs={"reward": same}, expect={"adv": np.zeros(same.shape, F32)},
               rtol=0, atol=0, note="identical rewards give exactly 0")

    # --- rloo
    for G, K in shapes:
        r = rng.normal(size=(G, K)).astype(F32)
        yield Case(entry="rloo", inputs={"reward": r}, expect={"adv": rloo(r)}, atol=1e-5,
                   note="G=%d K=%d" % (G, K))
    # Hand-computed: 1, 2, 3, 4 -> 1 - 3, 2 - 8/3, 3 - 7/3, 4 - 2.
    yield Case(entry="rloo", inputs={"reward": np.array([[1, 2, 3, 4]], F32)},
               expect={"adv": np.array([[-2, -2 / 3, 2 / 3, 2]], F32)}, atol=1e-6, note="hand-computed")
    yield Case(entry="rloo", inputs={"reward": one}, expect={"adv": np.zeros((9, 1), F32)},
               rtol=0, atol=0, note="K=1 gives exactly 0")
    yield Case(entry="rloo", inputs={"reward": same}, expect={"adv": np.zeros(same.shape, F32)},
               rtol=0, atol=0, note="identical rewards give exactly 0")
    r = rng.normal(size=(3, 4)).astype(F32)
    r[2, 0] = np.nan
    exp = rloo(r)
    exp[2] = np.nan
    yield Case(entry="rloo", inputs={"reward": r}, expect={"adv": exp}, atol=1e-5,
               note="a NaN reward makes its own group NaN only")

    # --- remax
    for B in (1, 7, 13):
        r = rng.normal(size=B).astype(F32)
        gr = rng.normal(size=B).astype(F32)
        yield Case(entry="remax", inputs={"reward": r, "greedy_reward": gr},
                   expect={"adv": (r.astype(float) - gr).astype(F32)}, note="B=%d" % B)


if __name__ == "__main__":
    main(cases)
