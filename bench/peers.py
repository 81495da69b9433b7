#!/usr/bin/env python3
"""bench/peers.py: the Python peers of the rlf benchmark, each checked against
the hand-written C reference (bench/ref_gae.c, loaded through ctypes) on the
very inputs it is timed on, before any timing.

Peers (time-major [T, B] float32, the layout they are written for):
  numpy-loop    NumPy, vectorised over B, Python loop over T (GAE; then masked
                whitening as TRL's masked_whiten)
  torch-loop    PyTorch eager, the same loop over T
  numba         @njit loop over T and B (serial), and numba-par (prange over B chunks)
  rlax-jit      rlax.truncated_generalized_advantage_estimation vmapped over B under
                jax.jit on the CPU (rlax's GAE has one discount for the bootstrap and
                the trace cut, so its inputs have terminated = done and
                value_next[t] = value[t+1])
  torch-vec     PyTorch vectorised GRPO / RLOO ([G, K])
  numpy-vec     NumPy vectorised GRPO / RLOO
  rlf-check     (--rlfc) rlfc run --target cpu on the same inputs, both layouts:
                correctness of rlf itself (rlf is timed by rlfc bench, not here)

A peer that cannot be imported is reported as skipped, with the reason.
Output: one JSON object per line on stdout (or --out FILE).
Usage: python3 bench/peers.py --lib bench/build/libref_gae.so --peers numpy,torch
       [--threads N] [--quick] [--min-time S] [--rlfc build/bin/rlfc]
"""
import argparse
import ctypes
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

GAMMA, LAMBDA, EPS_W, EPS_G = 0.99, 0.95, 1e-8, 1e-6
TB_SHAPES = [(128, 8), (2048, 64), (1024, 1024), (8192, 256)]
GK_SHAPES = [(1024, 8), (65536, 16)]
HERE = os.path.dirname(os.path.abspath(__file__))

# ------------------------------------------------------------------ C reference

F32P = ctypes.POINTER(ctypes.c_float)
U8P = ctypes.POINTER(ctypes.c_uint8)


def _p(a, ty):
    assert a.flags.c_contiguous
    return a.ctypes.data_as(ty)


class Ref:
    def __init__(self, path, threads):
        self.lib = ctypes.CDLL(path)
        L = self.lib
        i64, f32, i32 = ctypes.c_int64, ctypes.c_float, ctypes.c_int
        L.ref_set_threads.argtypes = [i32]
        L.ref_gae.argtypes = [i64, i64, F32P, F32P, F32P, U8P, U8P, F32P, F32P, f32, f32, i32]
        L.ref_gae_whiten.argtypes = [i64, i64, F32P, F32P, F32P, U8P, U8P, U8P, F32P, F32P, f32, f32, f32, i32]
        L.ref_grpo.argtypes = [i64, i64, F32P, F32P, f32]
        L.ref_rloo.argtypes = [i64, i64, F32P, F32P]
        L.ref_set_threads(threads)

    def gae(self, d, whiten=False, batch_major=False):
        """d: dict of [T, B] arrays; batch_major runs the [B, T] code on transposed copies"""
        T, B = d["reward"].shape
        conv = (lambda a: np.ascontiguousarray(a.T)) if batch_major else np.ascontiguousarray
        r, v, vn = (conv(d[k]).astype(np.float32) for k in ("reward", "value", "value_next"))
        term, done = (conv(d[k]).astype(np.uint8) for k in ("terminated", "done"))
        adv, ret = np.empty_like(r), np.empty_like(r)
        if whiten:
            mask = conv(d["mask"]).astype(np.uint8)
            self.lib.ref_gae_whiten(T, B, _p(r, F32P), _p(v, F32P), _p(vn, F32P), _p(term, U8P), _p(done, U8P),
                                    _p(mask, U8P), _p(adv, F32P), _p(ret, F32P), GAMMA, LAMBDA, EPS_W, int(batch_major))
        else:
            self.lib.ref_gae(T, B, _p(r, F32P), _p(v, F32P), _p(vn, F32P), _p(term, U8P), _p(done, U8P),
                             _p(adv, F32P), _p(ret, F32P), GAMMA, LAMBDA, int(batch_major))
        if batch_major:
            adv, ret = adv.T, ret.T
        return adv, ret

    def group(self, r, rloo=False):
        r = np.ascontiguousarray(r, dtype=np.float32)
        G, K = r.shape
        adv = np.empty_like(r)
        if rloo:
            self.lib.ref_rloo(G, K, _p(r, F32P), _p(adv, F32P))
        else:
            self.lib.ref_grpo(G, K, _p(r, F32P), _p(adv, F32P), EPS_G)
        return adv


# ------------------------------------------------------------------- inputs

def gae_inputs(T, B, seed, rlax_style=False):
    """uniform [-1, 1) floats; terminated and done with p = 0.02 (as rlfc bench);
    mask with p = 0.9. rlax_style: terminated = done and value_next[t] = value[t+1]."""
    g = np.random.default_rng(seed)
    values = (g.random((T + 1, B), dtype=np.float32) * 2 - 1)
    d = {
        "reward": g.random((T, B), dtype=np.float32) * 2 - 1,
        "value": np.ascontiguousarray(values[:T]),
        "value_next": g.random((T, B), dtype=np.float32) * 2 - 1,
        "terminated": g.random((T, B)) < 0.02,
        "done": g.random((T, B)) < 0.02,
        "mask": g.random((T, B)) < 0.9,
    }
    if rlax_style:
        d["value_next"] = np.ascontiguousarray(values[1:])
        d["terminated"] = d["done"].copy()
        d["values"] = values
    return d


def group_inputs(G, K, seed):
    g = np.random.default_rng(seed)
    r = (g.random((G, K), dtype=np.float32) * 2 - 1)
    r[::7] = np.round(r[::7])            # some groups with ties, a few identical
    r[::97] = 0.5
    return r


# --------------------------------------------------------------- timing, checks

def time_it(fn, min_time, max_reps=200, min_reps=3):
    fn()                                  # warm-up (JIT compilation, caches, allocator)
    t0 = time.perf_counter()
    fn()
    one = time.perf_counter() - t0
    n = int(min_time / max(one, 1e-7))
    n = max(min_reps, min(max_reps, n))
    ts = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    ts.sort()
    return ts[len(ts) // 2], ts[0], n


def check(name, got, want, atol, rtol=1e-4):
    got = np.asarray(got, dtype=np.float32)
    want = np.asarray(want, dtype=np.float32)
    if got.shape != want.shape:
        raise AssertionError(f"{name}: shape {got.shape} != reference {want.shape}")
    bad = ~np.isclose(got, want, atol=atol, rtol=rtol)
    err = float(np.max(np.abs(got.astype(np.float64) - want))) if got.size else 0.0
    if bad.any():
        i = np.unravel_index(np.argmax(bad), bad.shape)
        raise AssertionError(f"{name}: {int(bad.sum())} of {bad.size} differ from the C reference "
                             f"(first at {tuple(int(x) for x in i)}: {got[i]} vs {want[i]}; max abs err {err:.3g})")
    return err


def dims_tb(T, B):
    return f"T={T}, B={B}"


def dims_gk(G, K):
    return f"G={G}, K={K}"


# ---------------------------------------------------------------------- peers

def np_whiten(adv, mask):
    """TRL masked_whiten (mean, unbiased var over masked elements), 0 off the mask"""
    m = mask.astype(np.float32)
    n = m.sum()
    mu = (adv * m).sum() / n
    c = adv - mu
    var = (c * c * m).sum() / n * (n / (n - 1))
    return np.where(mask, c / np.sqrt(var + np.float32(EPS_W)), np.float32(0)).astype(np.float32)


def make_numpy():
    g, gl, z = np.float32(GAMMA), np.float32(GAMMA * LAMBDA), np.float32(0)

    def gae(d, whiten=False):
        r, v, vn, term, done = d["reward"], d["value"], d["value_next"], d["terminated"], d["done"]
        T, B = r.shape
        delta = r + np.where(term, z, g * vn) - v
        adv = np.empty_like(r)
        last = np.zeros(B, np.float32)
        for t in range(T - 1, -1, -1):
            last = delta[t] + np.where(done[t], z, gl * last)
            adv[t] = last
        ret = adv + v
        if whiten:
            adv = np_whiten(adv, d["mask"])
        return adv, ret

    def grpo(r):
        dev = r - r[:, :1]
        mu = dev.mean(axis=1, keepdims=True)
        sd = dev.std(axis=1, ddof=1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(sd == 0, np.float32(0), (dev - mu) / (sd + np.float32(EPS_G))).astype(np.float32)

    def rloo(r):
        K = r.shape[1]
        dev = r - r[:, :1]
        return ((dev - dev.mean(axis=1, keepdims=True)) * np.float32(K / (K - 1))).astype(np.float32)

    return gae, grpo, rloo


def make_torch(threads):
    import torch
    torch.set_num_threads(threads)
    g, gl = GAMMA, GAMMA * LAMBDA

    def to_t(d):
        return {k: torch.from_numpy(np.ascontiguousarray(a)) for k, a in d.items()}

    def whiten(adv, mask):
        # TRL masked_whiten: masked_mean, masked_var with Bessel's correction
        m = mask.to(adv.dtype)
        n = m.sum()
        mean = (adv * m).sum() / n
        c = adv - mean
        var = (c * c * m).sum() / n * (n / (n - 1))
        return torch.where(mask, c * torch.rsqrt(var + EPS_W), torch.zeros_like(adv))

    def gae(d, whiten_=False):
        r, v, vn, term, done = d["reward"], d["value"], d["value_next"], d["terminated"], d["done"]
        T, B = r.shape
        delta = r + (g * vn).masked_fill_(term, 0.0) - v
        adv = torch.empty_like(r)
        last = torch.zeros(B, dtype=r.dtype)
        for t in range(T - 1, -1, -1):
            last = delta[t] + (gl * last).masked_fill_(done[t], 0.0)
            adv[t] = last
        ret = adv + v
        if whiten_:
            adv = whiten(adv, d["mask"])
        return adv, ret

    def grpo(r):
        dev = r - r[:, :1]
        mu = dev.mean(dim=1, keepdim=True)
        sd = dev.std(dim=1, keepdim=True)          # unbiased
        return torch.where(sd == 0, torch.zeros_like(dev), (dev - mu) / (sd + EPS_G))

    def rloo(r):
        K = r.shape[1]
        dev = r - r[:, :1]
        return (dev - dev.mean(dim=1, keepdim=True)) * (K / (K - 1))

    return torch, to_t, gae, grpo, rloo


def make_numba(threads):
    import numba
    from numba import njit, prange
    numba.set_num_threads(threads)
    f0 = np.float32(0)

    @njit(cache=False)
    def gae_serial(r, v, vn, term, done, gamma, gl, adv, ret):
        T, B = r.shape
        for t in range(T - 1, -1, -1):
            for b in range(B):
                nv = f0 if term[t, b] else gamma * vn[t, b]
                na = f0
                if t + 1 < T and not done[t, b]:
                    na = gl * adv[t + 1, b]
                a = r[t, b] + nv - v[t, b] + na
                adv[t, b] = a
                ret[t, b] = a + v[t, b]

    @njit(cache=False, parallel=True)
    def gae_par(r, v, vn, term, done, gamma, gl, adv, ret, nchunks):
        T, B = r.shape
        for c in prange(nchunks):
            b0 = B * c // nchunks
            b1 = B * (c + 1) // nchunks
            for t in range(T - 1, -1, -1):
                for b in range(b0, b1):
                    nv = f0 if term[t, b] else gamma * vn[t, b]
                    na = f0
                    if t + 1 < T and not done[t, b]:
                        na = gl * adv[t + 1, b]
                    a = r[t, b] + nv - v[t, b] + na
                    adv[t, b] = a
                    ret[t, b] = a + v[t, b]

    @njit(cache=False)
    def whiten(adv, mask, eps):
        T, B = adv.shape
        s = 0.0
        n = 0
        for t in range(T):
            for b in range(B):
                if mask[t, b]:
                    s += adv[t, b]
                    n += 1
        mu = s / n
        q = 0.0
        for t in range(T):
            for b in range(B):
                if mask[t, b]:
                    q += (adv[t, b] - mu) ** 2
        inv = np.float32(1.0 / np.sqrt(q / (n - 1) + eps))
        muf = np.float32(mu)
        for t in range(T):
            for b in range(B):
                adv[t, b] = (adv[t, b] - muf) * inv if mask[t, b] else f0

    def run(d, whiten_=False, parallel=False):
        r = d["reward"]
        adv, ret = np.empty_like(r), np.empty_like(r)
        args = (r, d["value"], d["value_next"], d["terminated"], d["done"], np.float32(GAMMA),
                np.float32(GAMMA * LAMBDA), adv, ret)
        if parallel:
            gae_par(*args, threads)
        else:
            gae_serial(*args)
        if whiten_:
            whiten(adv, d["mask"], EPS_W)
        return adv, ret

    return numba.__version__, run


def make_rlax():
    import jax
    import jax.numpy as jnp
    import rlax
    jax.config.update("jax_platforms", "cpu")

    gae_b = jax.vmap(rlax.truncated_generalized_advantage_estimation, in_axes=(1, 1, None, 1), out_axes=1)

    def f(r, disc, values):
        adv = gae_b(r, disc, LAMBDA, values)
        return adv, adv + values[:-1]

    def fw(r, disc, values, mask):
        adv, ret = f(r, disc, values)
        m = mask.astype(adv.dtype)
        n = m.sum()
        mean = (adv * m).sum() / n
        c = adv - mean
        var = (c * c * m).sum() / n * (n / (n - 1))
        return jnp.where(mask, c * jax.lax.rsqrt(var + EPS_W), 0.0), ret

    jf, jfw = jax.jit(f), jax.jit(fw)

    def prep(d):
        disc = np.where(d["done"], np.float32(0), np.float32(GAMMA)).astype(np.float32)
        return tuple(jax.device_put(a) for a in (d["reward"], disc, d["values"], d["mask"]))

    def run(args, whiten_=False):
        out = jfw(*args) if whiten_ else jf(*args[:3])
        return jax.block_until_ready(out)

    return f"jax {jax.__version__}, rlax {getattr(rlax, '__version__', '?')}", prep, run


# ------------------------------------------------------------------------ main

class Out:
    def __init__(self, path):
        self.f = open(path, "a") if path else sys.stdout

    def __call__(self, **kw):
        self.f.write(json.dumps(kw) + "\n")
        self.f.flush()


def bench_gae_peer(out, ref, impl, version, shapes, runner, min_time, threads, seed0, rlax_style=False, prep=None):
    """runner(inputs, whiten) -> (adv, ret) as numpy-convertible"""
    for si, (T, B) in enumerate(shapes):
        d = gae_inputs(T, B, seed0 + si, rlax_style=rlax_style)
        x = prep(d) if prep else d
        for whiten in (False, True):
            pipe = "gae_whiten" if whiten else "gae"
            want = ref.gae(d, whiten=whiten)
            try:
                got = runner(x, whiten)
                e1 = check(f"{impl} {pipe} adv", np.asarray(got[0]), want[0], atol=2e-4 if whiten else 1e-4)
                e2 = check(f"{impl} {pipe} ret", np.asarray(got[1]), want[1], atol=1e-4)
            except AssertionError as e:
                out(impl=impl, pipeline=pipe, dims=dims_tb(T, B), layout="time-major", error=str(e))
                continue
            med, best, n = time_it(lambda: runner(x, whiten), min_time)
            out(impl=impl, version=version, pipeline=pipe, dims=dims_tb(T, B), layout="time-major", threads=threads,
                median_s=med, best_s=best, repeats=n, bytes=T * B * (23 if whiten else 22),
                check=f"ok, max abs err {max(e1, e2):.2g}")


def bench_group_peer(out, ref, impl, version, shapes, grpo, rloo, min_time, threads, conv=lambda a: a, back=np.asarray):
    for si, (G, K) in enumerate(shapes):
        r = group_inputs(G, K, 100 + si)
        x = conv(r)
        for pipe, fn in (("grpo", grpo), ("rloo", rloo)):
            want = ref.group(r, rloo=pipe == "rloo")
            try:
                e = check(f"{impl} {pipe}", back(fn(x)), want, atol=1e-5)
            except AssertionError as ex:
                out(impl=impl, pipeline=pipe, dims=dims_gk(G, K), layout="row-major", error=str(ex))
                continue
            med, best, n = time_it(lambda: fn(x), min_time)
            out(impl=impl, version=version, pipeline=pipe, dims=dims_gk(G, K), layout="row-major", threads=threads,
                median_s=med, best_s=best, repeats=n, bytes=G * K * 8, check=f"ok, max abs err {e:.2g}")


def rlf_check(out, ref, rlfc, shapes_tb, shapes_gk):
    """rlfc run --target cpu on .npy inputs, both layouts, against the C reference"""
    root = os.path.dirname(HERE)
    with tempfile.TemporaryDirectory() as tmp:
        for (T, B) in shapes_tb:
            d = gae_inputs(T, B, 7)
            for whiten in (False, True):
                pipe = "gae_whiten" if whiten else "gae"
                src = os.path.join(HERE, "gae_whiten.rlf") if whiten else os.path.join(root, "stdlib", "advantages.rlf")
                names = ["reward", "value", "value_next", "terminated", "done"] + (["mask"] if whiten else [])
                for bm in (False, True):
                    layout = "batch-major" if bm else "time-major"
                    args = [rlfc, "run", src, "--entry", pipe, "--target", "cpu", "--out", os.path.join(tmp, "o")]
                    for k in names:
                        p = os.path.join(tmp, k + ".npy")
                        np.save(p, np.asfortranarray(d[k]) if bm else d[k])
                        args += ["--in", f"{k}={p}"]
                    res = subprocess.run(args, capture_output=True, text=True)
                    if res.returncode != 0:
                        out(impl="rlf", pipeline=pipe, dims=dims_tb(T, B), layout=layout,
                            error=f"rlfc run failed: {res.stderr.strip()[:400]}")
                        continue
                    want = ref.gae(d, whiten=whiten, batch_major=bm)
                    try:
                        e1 = check(f"rlf {pipe} adv", np.load(os.path.join(tmp, "o", "adv.npy")), want[0], atol=2e-4 if whiten else 1e-4)
                        e2 = check(f"rlf {pipe} ret", np.load(os.path.join(tmp, "o", "ret.npy")), want[1], atol=1e-4)
                        out(impl="rlf", kind="check", pipeline=pipe, dims=dims_tb(T, B), layout=layout,
                            check=f"ok, max abs err {max(e1, e2):.2g}")
                    except AssertionError as e:
                        out(impl="rlf", kind="check", pipeline=pipe, dims=dims_tb(T, B), layout=layout, error=str(e))
        for (G, K) in shapes_gk:
            r = group_inputs(G, K, 8)
            p = os.path.join(tmp, "reward.npy")
            np.save(p, r)
            for pipe in ("grpo", "rloo"):
                res = subprocess.run([rlfc, "run", os.path.join(root, "stdlib", "baselines.rlf"), "--entry", pipe,
                                      "--target", "cpu", "--in", f"reward={p}", "--out", os.path.join(tmp, "g")],
                                     capture_output=True, text=True)
                if res.returncode != 0:
                    out(impl="rlf", pipeline=pipe, dims=dims_gk(G, K), layout="row-major",
                        error=f"rlfc run failed: {res.stderr.strip()[:400]}")
                    continue
                try:
                    e = check(f"rlf {pipe}", np.load(os.path.join(tmp, "g", "adv.npy")), ref.group(r, rloo=pipe == "rloo"), atol=1e-5)
                    out(impl="rlf", kind="check", pipeline=pipe, dims=dims_gk(G, K), layout="row-major", check=f"ok, max abs err {e:.2g}")
                except AssertionError as ex:
                    out(impl="rlf", kind="check", pipeline=pipe, dims=dims_gk(G, K), layout="row-major", error=str(ex))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lib", default=os.path.join(HERE, "build", "libref_gae.so"))
    ap.add_argument("--peers", default="numpy,torch,numba,rlax")
    ap.add_argument("--threads", type=int, default=int(os.environ.get("RLF_NUM_THREADS", "0") or 0) or os.cpu_count())
    ap.add_argument("--min-time", type=float, default=0.3)
    ap.add_argument("--quick", action="store_true", help="the two small shapes only")
    ap.add_argument("--rlfc", help="also check rlf (rlfc run --target cpu) against the C reference")
    ap.add_argument("--out")
    a = ap.parse_args()
    out = Out(a.out)
    ref = Ref(a.lib, a.threads)
    tb = TB_SHAPES[:2] if a.quick else TB_SHAPES
    gk = GK_SHAPES[:1] if a.quick else GK_SHAPES
    peers = [p for p in a.peers.split(",") if p]

    if a.rlfc:
        rlf_check(out, ref, a.rlfc, [(128, 8), (257, 33), (1024, 1024)], [(1024, 8), (333, 16)])

    for peer in peers:
        try:
            if peer == "numpy":
                gae, grpo, rloo = make_numpy()
                ver = f"numpy {np.__version__}"
                bench_gae_peer(out, ref, "numpy-loop", ver, tb, lambda d, w: gae(d, w), a.min_time, 1, 10)
                bench_group_peer(out, ref, "numpy-vec", ver, gk, grpo, rloo, a.min_time, 1)
            elif peer == "torch":
                torch, to_t, gae, grpo, rloo = make_torch(a.threads)
                ver = f"torch {torch.__version__}"
                bench_gae_peer(out, ref, "torch-loop", ver, tb, lambda d, w: tuple(x.numpy() for x in gae(d, w)),
                               a.min_time, a.threads, 10, prep=to_t)
                bench_group_peer(out, ref, "torch-vec", ver, gk, grpo, rloo, a.min_time, a.threads,
                                 conv=torch.from_numpy, back=lambda t: t.numpy())
            elif peer == "numba":
                ver, run = make_numba(a.threads)
                bench_gae_peer(out, ref, "numba", f"numba {ver}", tb, lambda d, w: run(d, w), a.min_time, 1, 10)
                bench_gae_peer(out, ref, "numba-par", f"numba {ver}", tb, lambda d, w: run(d, w, parallel=True),
                               a.min_time, a.threads, 10)
            elif peer == "rlax":
                ver, prep, run = make_rlax()
                bench_gae_peer(out, ref, "rlax-jit", ver, tb, run, a.min_time, a.threads, 10, rlax_style=True, prep=prep)
            else:
                out(impl=peer, skipped=f"unknown peer '{peer}'")
        except ImportError as e:
            out(impl=peer, skipped=f"not installed ({e})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
