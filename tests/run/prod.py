# Reference for prod.rlf: products in float64 (int32 wrapping for integers).
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import numpy as np
from rlftest import Case, main


def cases():
    rng = np.random.default_rng(21)
    for B, K, T in [(1, 1, 1), (7, 5, 13), (3, 13, 4)]:
        x = rng.uniform(0.5, 1.5, (B, K)).astype(np.float32)
        n = rng.integers(-3, 4, (B, K)).astype(np.int32)
        m = rng.random((B, K)) < 0.5
        m[0, :] = False                              # an empty product
        d = rng.uniform(0.8, 1.0, (T, B)).astype(np.float32)
        px = np.prod(x.astype(np.float64), axis=1)
        pm = np.array([np.prod(x[b][m[b]].astype(np.float64)) for b in range(B)])
        pn = np.array([np.prod(n[b].astype(np.int64)) for b in range(B)]).astype(np.int32)
        disc = np.zeros((T, B))
        for t in range(T):
            for b in range(B):
                disc[t, b] = np.prod([float(d[t + j, b]) for j in range(3) if t + j < T])
        yield Case(entry="products", inputs=dict(x=x, n=n, m=m, d=d),
                   expect=dict(px=px.astype(np.float32), pm=pm.astype(np.float32), pn=pn, disc=disc.astype(np.float32)),
                   rtol=1e-6, atol=0, note=f"B={B} K={K} T={T}")


if __name__ == "__main__":
    main(cases)
