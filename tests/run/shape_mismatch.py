# Reference for shape_mismatch.rlf: one good call, then calls the signature rejects.
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import numpy as np
from rlftest import Case, main


def cases():
    rng = np.random.default_rng(18)
    v = rng.normal(size=5).astype(np.float32)
    bo = rng.normal(size=5).astype(np.float32)
    w = rng.normal(size=(5, 3)).astype(np.float32)
    total = (v.astype(np.float64) + bo * w.astype(np.float64).sum(axis=1)).astype(np.float32)
    yield Case(entry="combine", inputs={"obs_value": v, "bonus": bo, "weight": w},
               expect={"total": total}, note="good call")
    yield Case(entry="combine", inputs={"obs_value": v, "bonus": bo[:4], "weight": w},
               expect_error="bonus", note="bonus has B=4, obs_value B=5")
    yield Case(entry="combine", inputs={"obs_value": v, "bonus": bo, "weight": w[:4]},
               expect_error="weight", note="weight has B=4")
    yield Case(entry="combine", inputs={"obs_value": v, "bonus": bo, "weight": w[:, 0]},
               expect_error="weight", note="weight has rank 1")
    yield Case(entry="combine",
               inputs={"obs_value": v, "bonus": bo.astype(np.float64), "weight": w},
               expect_error="bonus", note="bonus is f64")
    yield Case(entry="combine", inputs={"obs_value": v, "weight": w},
               expect_error="bonus", note="bonus missing")


if __name__ == "__main__":
    main(cases)
