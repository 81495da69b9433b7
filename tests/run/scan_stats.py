# Reference for scan_stats.rlf: the scans in float32 step by step, in the order
# the IR evaluates them; the statistics of those float32 values two-pass in
# float64 (the definition), then rounded to float32.
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import numpy as np
from rlftest import Case, main

f32 = np.float32


def stat(x, m, kind, ddof=0):
    v = x[m].astype(np.float64)
    n = v.size
    if kind == "sum":
        return f32(v.sum())
    mean = v.sum() / n if n else 0.0
    if kind == "mean":
        return f32(mean)
    var = ((v - mean) ** 2).sum() / (n - ddof) if n > ddof else 0.0
    return f32(np.sqrt(var) if kind == "std" else var)


def stats_case(rng, T, B, p_mask=0.7, offset=0.0, zero=False, note=""):
    reward = rng.normal(size=(T, B)).astype(f32) + f32(offset)
    value = rng.normal(size=(T, B)).astype(f32)
    if zero:
        reward[:] = 0
        value[:] = 0
    done = rng.random((T, B)) < 0.1
    mask = rng.random((T, B)) < p_mask
    g, l, eps = f32(0.99), f32(0.95), f32(1e-8)
    gl = g * l
    adv = np.zeros((T, B), f32)
    for b in range(B):
        nxt = f32(0)
        for t in reversed(range(T)):
            s = f32(0) if done[t, b] else gl * nxt
            nxt = (reward[t, b] - value[t, b]) + s
            adv[t, b] = nxt
    mu = stat(adv, mask, "mean")
    sd = stat(adv, mask, "std", 1)
    two = adv * f32(2) + value
    v0 = stat(two, np.ones_like(mask), "var")
    total = stat(adv, mask, "sum")
    y = np.where(mask, (adv - mu) / (sd + eps), f32(0)).astype(f32)
    return Case(entry="stats", inputs=dict(reward=reward, value=value, done=done, mask=mask),
                expect=dict(adv=adv, mu=np.array(mu, f32), sd=np.array(sd, f32), v0=np.array(v0, f32),
                            total=np.array(total, f32), y=y),
                rtol=2e-5, atol=2e-5, note=note)


def rows_case(rng, B, T, p_mask=0.7, note=""):
    x = rng.normal(size=(B, T)).astype(f32)
    mask = rng.random((B, T)) < p_mask
    acc = np.zeros((B, T), f32)
    for b in range(B):
        prev = f32(0)
        for t in range(T):
            prev = x[b, t] + f32(0.5) * prev
            acc[b, t] = prev
    return Case(entry="rows", inputs=dict(x=x, mask=mask),
                expect=dict(acc=acc, mu=np.array(stat(acc, mask, "mean"), f32),
                            var_a=np.array(stat(acc, mask, "var"), f32)),
                rtol=2e-5, atol=2e-5, note=note)


def cases():
    rng = np.random.default_rng(7)
    yield stats_case(rng, 1, 1, note="one element")
    yield stats_case(rng, 7, 13, note="7x13")
    yield stats_case(rng, 100, 33, note="100x33: several chunks and lane groups")
    yield stats_case(rng, 70, 9, p_mask=1.0, note="mask all true")
    yield stats_case(rng, 12, 5, p_mask=0.0, note="mask all false: mean, std 0")
    yield stats_case(rng, 12, 5, p_mask=0.05, note="sparse mask: columns without a masked value")
    yield stats_case(rng, 30, 8, zero=True, note="all advantages 0: std exactly 0, y 0")
    yield stats_case(rng, 65, 17, offset=1e4, note="large offset, unit spread (shifted sums)")
    yield rows_case(rng, 1, 1, note="forward scan along axis 1, one element")
    yield rows_case(rng, 9, 131, note="forward scan along axis 1")
    yield rows_case(rng, 16, 64, p_mask=0.3, note="forward scan along axis 1, sparse mask")


if __name__ == "__main__":
    main(cases)
