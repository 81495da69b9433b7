# Reference for grpo_ragged, written from the formula: per group g, mean and
# std (ddof = 1) of its rewards; adv = (r - mean) / (std + eps), and exactly 0
# where the group's std is 0 (one member, or identical rewards).
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import numpy as np
from rlftest import Case, main


def ref(reward, group, G, eps):
    r = reward.astype(np.float64)
    adv = np.zeros_like(r)
    for g in range(G):
        idx = np.nonzero(group == g)[0]
        if len(idx) == 0:
            continue
        mu = r[idx].mean()
        sd = r[idx].std(ddof=1) if len(idx) > 1 else 0.0
        adv[idx] = 0.0 if sd == 0 else (r[idx] - mu) / (sd + eps)
    return adv.astype(np.float32)


def cases():
    rng = np.random.default_rng(5)
    # hand-checked: groups {0: [1, 3]}, {1: [5]}, {2: empty}, {3: [2, 2, 2]}
    reward = np.array([1, 5, 3, 2, 2, 2], np.float32)
    group = np.array([0, 1, 0, 3, 3, 3], np.int32)
    # group 0: mean 2, std sqrt(2) -> (-1, 1) / (1.41421356 + 1e-6)
    yield Case(entry="grpo_ragged", inputs=dict(reward=reward, group=group), params=dict(G=4),
               expect=dict(adv=ref(reward, group, 4, np.float32(1e-6))), rtol=1e-5, atol=1e-6, note="hand-checked")
    for N, G in [(1, 1), (13, 5), (1000, 37), (4096, 512)]:
        reward = rng.normal(size=N).astype(np.float32)
        group = rng.integers(0, G, N).astype(np.int32)
        yield Case(entry="grpo_ragged", inputs=dict(reward=reward, group=group), params=dict(G=G, eps=1e-4),
                   expect=dict(adv=ref(reward, group, G, np.float32(1e-4))), rtol=1e-4, atol=1e-5, note=f"N={N} G={G}")
    bad = np.array([0, 2], np.int32)
    yield Case(entry="grpo_ragged", inputs=dict(reward=np.ones(2, np.float32), group=bad), params=dict(G=2),
               expect_error="group", note="a group id outside 0..G")


if __name__ == "__main__":
    main(cases)
