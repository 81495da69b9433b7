# Reference for empty_reduce.rlf: each reduction over the selected elements of a row,
# with the documented results for an empty selection.
import math, os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import numpy as np
from rlftest import Case, main


def var(xs, ddof):
    if len(xs) <= ddof:
        return 0.0
    mu = sum(xs) / len(xs)
    return sum((v - mu) ** 2 for v in xs) / (len(xs) - ddof)


def row(xs, ks, idx):
    n = len(xs)
    i32 = np.iinfo(np.int32)
    return {
        "r_sum": sum(xs), "r_count": sum(v > 0 for v in xs),
        "r_mean": sum(xs) / n if n else 0.0, "r_var": var(xs, 0),
        "r_std": math.sqrt(var(xs, 0)), "r_std1": math.sqrt(var(xs, 1)),
        "r_min": min(xs, default=math.inf), "r_max": max(xs, default=-math.inf),
        "r_imin": min(ks, default=i32.max), "r_imax": max(ks, default=i32.min),
        # first index of the extreme value
        "r_argmax": idx[xs.index(max(xs))] if n else -1,
        "r_argmin": idx[xs.index(min(xs))] if n else -1,
        "r_lse": (max(xs) + math.log(sum(math.exp(v - max(xs)) for v in xs))) if n else -math.inf,
        "r_any": any(v > 0 for v in xs), "r_all": all(v > 0 for v in xs),
    }


TYPES = {"r_count": np.int64, "r_imin": np.int32, "r_imax": np.int32, "r_argmax": np.int64,
         "r_argmin": np.int64, "r_any": bool, "r_all": bool}


def reference(x, k, m):
    rows = []
    for b in range(x.shape[0]):
        idx = [j for j in range(x.shape[1]) if m[b, j]]
        rows.append(row([float(x[b, j]) for j in idx], [int(k[b, j]) for j in idx], idx))
    return {name: np.array([r[name] for r in rows], TYPES.get(name, np.float32))
            for name in rows[0]}


def case(x, k, m, note):
    ins = {"x": np.asarray(x, np.float32), "k": np.asarray(k, np.int32),
           "m": np.asarray(m, bool)}
    return Case(entry="masked", inputs=ins, expect=reference(**ins), rtol=1e-5, atol=1e-6,
                note=note)


def cases():
    rng = np.random.default_rng(16)
    yield case([[1.5]], [[3]], [[False]], "B=1 K=1, empty")
    yield case([[-2.0]], [[-3]], [[True]], "B=1 K=1, one element")
    # Row 0 empty, row 1 one element, row 2 ties (2 at j=1 and j=4; -1 at j=0 and j=5,
    # j=3 masked out), row 3 all selected, row 4 all negative (all false, any false).
    x = [[5, 2, 0, 9, 2, -1, 1],
         [3, 1, 4, 1, 5, 9, 2],
         [-1, 2, 0, 9, 2, -1, 1],
         [0.5, 0.25, 1, 2, 4, 8, 16],
         [-1, -2, -3, -4, -5, -6, -7]]
    m = [[0, 0, 0, 0, 0, 0, 0],
         [0, 0, 0, 0, 0, 1, 0],
         [1, 1, 1, 0, 1, 1, 1],
         [1, 1, 1, 1, 1, 1, 1],
         [1, 0, 1, 0, 1, 0, 1]]
    k = np.arange(35).reshape(5, 7) - 17
    yield case(x, k, np.array(m, bool), "empty row, single, ties, full, all negative")
    B, K = 13, 31
    m = rng.random((B, K)) < 0.3
    m[0] = False
    m[1] = True
    yield case(rng.normal(size=(B, K)), rng.integers(-10 ** 9, 10 ** 9, (B, K)), m,
               "random B=13 K=31")


if __name__ == "__main__":
    main(cases)
