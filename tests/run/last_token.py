# Reference for last_token.rlf.
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import numpy as np
from rlftest import Case, main

I64_MIN = np.iinfo(np.int64).min


def reference(score, lens, mask):
    B, L = mask.shape
    last = np.zeros((B, L), np.float32)
    last_idx = np.full(B, I64_MIN, np.int64)
    for b in range(B):
        for l in range(L):
            if l == lens[b] - 1:
                last[b, l] = score[b]
            if mask[b, l]:
                last_idx[b] = l
    return {"last": last, "last_idx": last_idx}


def case(score, lens, mask, note):
    ins = {"score": np.asarray(score, np.float32), "len": np.asarray(lens, np.int32),
           "mask": np.asarray(mask, bool)}
    exp = reference(ins["score"], ins["len"], ins["mask"])
    return Case(entry="last_token", inputs=ins, expect=exp, note=note)


def cases():
    rng = np.random.default_rng(3)
    yield case([2.5], [1], [[True]], "B=1 L=1")
    # Left-aligned masks whose length is len, as in a padded LLM batch.
    B, L = 13, 7
    lens = rng.integers(1, L + 1, size=B)
    mask = np.arange(L)[None, :] < lens[:, None]
    yield case(rng.normal(size=B), lens, mask, "padded rows, B=13 L=7")
    # Arbitrary masks (holes, an empty row) and lengths 0 (no last token) and L.
    B, L = 6, 19
    mask = rng.random((B, L)) < 0.3
    mask[2] = False
    mask[4] = True
    lens = np.array([0, 19, 5, 1, 19, 10])
    yield case(rng.normal(size=B), lens, mask, "holes, an empty row, len 0 and L")
    B, L = 4, 300
    yield case(rng.normal(size=B), rng.integers(0, L + 1, size=B), rng.random((B, L)) < 0.05,
               "long rows")


if __name__ == "__main__":
    main(cases)
