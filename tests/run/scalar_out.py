# Reference for scalar_out.rlf.
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import numpy as np
from rlftest import Case, main


def reference(x, mask, scale):
    xd, md = x.astype(np.float64), mask.astype(np.float64)
    tok = md.sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        loss = np.float32(scale) * (xd * md).sum() / tok
    n_rows = int(sum((mask[b] > 0).any() for b in range(x.shape[0])))
    return {"tok": np.array(tok, np.float32), "loss": np.array(loss, np.float32),
            "n_rows": np.array(n_rows, np.int64),
            "centered": ((xd - np.float32(loss)) * md).astype(np.float32)}


def case(x, mask, scale=None, note=""):
    ins = {"x": np.asarray(x, np.float32), "mask": np.asarray(mask, np.float32)}
    params = {} if scale is None else {"scale": scale}
    exp = reference(**ins, scale=1.0 if scale is None else scale)
    return Case(entry="masked_loss", inputs=ins, params=params, expect=exp, rtol=1e-5,
                atol=1e-5, note=note)


def cases():
    rng = np.random.default_rng(17)
    yield case([[2.0]], [[1.0]], note="B=1 L=1")
    m = (rng.random((13, 7)) < 0.5).astype(np.float32)
    m[3] = 0
    yield case(rng.normal(size=(13, 7)), m, 0.5, "B=13 L=7, an empty row")
    yield case(rng.normal(size=(4, 300)), rng.random((4, 300)) < 0.9, 2.0, "L=300")
    yield case(rng.normal(size=(3, 5)), np.zeros((3, 5)), note="no tokens: loss is NaN")


if __name__ == "__main__":
    main(cases)
