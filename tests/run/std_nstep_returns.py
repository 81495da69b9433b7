# Reference for n_step_returns: rlax.n_step_bootstrapped_returns (lambda = 1)
# transcribed to NumPy: pad rewards with 0, discounts with 1 and values with the
# last value, then work backwards n times.
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import numpy as np
from rlftest import Case, main


def rlax_nstep(r, d, v, n):
    T = r.shape[0]
    pad = min(n - 1, T)
    targets = np.concatenate([v[n - 1:], np.repeat(v[-1:], pad, axis=0)])
    rp = np.concatenate([r, np.zeros((n - 1,) + r.shape[1:])])
    dp = np.concatenate([d, np.ones((n - 1,) + d.shape[1:])])
    vp = np.concatenate([v, np.repeat(v[-1:], n - 1, axis=0)])
    for i in reversed(range(n)):
        targets = rp[i:i + T] + dp[i:i + T] * targets[:T]
        _ = vp
    return targets


def cases():
    rng = np.random.default_rng(9)
    # hand-checked: T = 3, n = 2, d = 0.5: G[0] = 1 + .5*2 + .25*v[1]; v = [10, 20, 30]
    r = np.array([[1.0], [2.0], [3.0]], np.float32)
    d = np.full((3, 1), 0.5, np.float32)
    v = np.array([[10.0], [20.0], [30.0]], np.float32)
    want = np.array([[1 + 1 + 0.25 * 20], [2 + 1.5 + 0.25 * 30], [3 + 0.5 * 30]], np.float32)
    assert np.allclose(rlax_nstep(r.astype(np.float64), d.astype(np.float64), v.astype(np.float64), 2), want)
    yield Case(entry="n_step_returns", inputs=dict(reward=r, discount=d, value_next=v), params=dict(n=2),
               expect=dict(ret=want), rtol=1e-6, atol=1e-6, note="hand-checked")
    for T, B, n in [(1, 1, 1), (13, 7, 3), (5, 2, 8), (40, 3, 5)]:
        r = rng.normal(size=(T, B)).astype(np.float32)
        d = (0.9 * (rng.random((T, B)) > 0.1)).astype(np.float32)
        v = rng.normal(size=(T, B)).astype(np.float32)
        want = rlax_nstep(r.astype(np.float64), d.astype(np.float64), v.astype(np.float64), n)
        yield Case(entry="n_step_returns", inputs=dict(reward=r, discount=d, value_next=v), params=dict(n=n),
                   expect=dict(ret=want.astype(np.float32)), rtol=1e-5, atol=1e-5, note=f"T={T} B={B} n={n}")


if __name__ == "__main__":
    main(cases)
