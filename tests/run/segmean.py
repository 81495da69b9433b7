# Reference for segmean.rlf: per-group loops.
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import numpy as np
from rlftest import Case, main


def reference(reward, group, G):
    total = np.zeros(G)
    size = np.zeros(G, np.int64)
    for r, g in zip(reward.astype(float), group):
        if 0 <= g < G:
            total[g] += r
            size[g] += 1
    mu = np.where(size > 0, total / np.maximum(size, 1), 0.0)
    adv = np.array([r - mu[g] if 0 <= g < G else 0.0 for r, g in zip(reward, group)])
    return {"mu": mu.astype(np.float32), "size": size, "total": total.astype(np.float32),
            "adv": adv.astype(np.float32)}


def case(reward, group, G, note):
    ins = {"reward": np.asarray(reward, np.float32), "group": np.asarray(group, np.int32)}
    return Case(entry="segmean", inputs=ins, params={"G": G}, rtol=1e-5, atol=1e-5,
                expect=reference(ins["reward"], ins["group"], G), note=note)


def cases():
    rng = np.random.default_rng(7)
    yield case([3.0], [0], 1, "N=1 G=1")
    yield case(rng.normal(size=13), rng.integers(0, 4, size=13), 4, "N=13 G=4, any order")
    group = rng.integers(0, 7, size=50)
    group[group == 3] = 5
    yield case(rng.normal(size=50), group, 7, "group 3 empty")
    yield case(rng.normal(size=20), rng.integers(-2, 6, size=20), 4,
               "ids -2..5 with G=4: out-of-range ids belong to no group")
    yield case(rng.normal(size=8), np.full(8, 2), 5, "one group holds everything")
    yield case(rng.normal(size=1000), np.sort(rng.integers(0, 37, size=1000)), 37,
               "N=1000 G=37, sorted ids")
    ins = {"reward": np.ones(3, np.float32), "group": np.zeros(3, np.int32)}
    yield Case(entry="segmean", inputs=ins, params={"G": 2**48 + 1}, expect_error="G",
               note="G = 2^48 + 1: above the cap on dimensions, refused before anything runs")
    yield Case(entry="segmean", inputs=ins, params={"G": 2**61 + 1}, expect_error="G",
               note="G = 2^61 + 1: the outputs' sizes would overflow")


if __name__ == "__main__":
    main(cases)
