# Reference for std_distributional.rlf (std.distributional), written from the
# definitions in float64 (h and its inverse in 60-digit decimal arithmetic),
# independently of the .rlf code.
import math, os, sys
from decimal import Decimal, getcontext
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import numpy as np
from rlftest import Case, main

F32 = np.float32
getcontext().prec = 60


def two_hot(x, support):
    z = support.astype(float)
    S = len(z)
    out = np.zeros((len(x), S))
    for n, xv in enumerate(x.astype(float)):
        if math.isnan(xv):
            out[n] = np.nan
            continue
        xc = min(max(xv, z[0]), z[-1])
        if S == 1:
            out[n, 0] = 1
            continue
        i = min(int(np.searchsorted(z, xc, side="right")) - 1, S - 2)
        w = (xc - z[i]) / (z[i + 1] - z[i])
        out[n, i] += 1 - w
        out[n, i + 1] += w
    return out.astype(F32)


def hl_gauss(x, edges, sigma=0.0):
    e = edges.astype(float)
    sigma = float(np.float32(sigma))
    if sigma <= 0:
        sigma = 0.75 * (e[-1] - e[0]) / (len(e) - 1)
    out = np.zeros((len(x), len(e) - 1))
    for n, xv in enumerate(x.astype(float)):
        if math.isnan(xv):
            out[n] = np.nan
            continue
        xc = min(max(xv, e[0]), e[-1])
        cdf = np.array([0.5 * (1 + math.erf((ei - xc) / (sigma * math.sqrt(2)))) for ei in e])
        out[n] = np.diff(cdf) / (cdf[-1] - cdf[0])
    return out.astype(F32)


def h_ref(x, eps):
    eps = Decimal(float(np.float32(eps)))
    out = []
    for v in x.astype(float):
        if math.isnan(v) or math.isinf(v):
            out.append(v)
            continue
        d = Decimal(v)
        s = 1 if d > 0 else -1 if d < 0 else 0
        out.append(float(s * ((abs(d) + 1).sqrt() - 1) + eps * d))
    return np.array(out).astype(F32)


def h_inv_ref(x, eps):
    # rlax signed_parabolic, evaluated with 60 digits (and the eps -> 0 limit |x|).
    e = Decimal(float(np.float32(eps)))
    out = []
    for v in x.astype(float):
        if math.isnan(v) or math.isinf(v):
            out.append(v)
            continue
        d = Decimal(v)
        s = 1 if d > 0 else -1 if d < 0 else 0
        if e == 0:
            z = abs(d) + 1
        else:
            z = (1 + 4 * e * (e + 1 + abs(d))).sqrt() / 2 / e - 1 / (2 * e)
        out.append(float(s * (z * z - 1)))
    return np.array(out).astype(F32)


def categorical_l2_project(z_p, probs, z_q):
    """rlax.categorical_l2_project for one distribution, transcribed to NumPy."""
    vmin, vmax = z_q[0], z_q[-1]
    d_pos = np.concatenate([z_q, [vmin]])[1:]
    d_neg = np.concatenate([[vmax], z_q])[:-1]
    z_p = np.clip(z_p, vmin, vmax)[:, None]
    d_pos = (d_pos - z_q)[None, :]
    d_neg = (z_q - d_neg)[None, :]
    zq = z_q[None, :]
    with np.errstate(divide="ignore"):
        d_neg = np.where(d_neg > 0, 1.0 / d_neg, 0.0)
        d_pos = np.where(d_pos > 0, 1.0 / d_pos, 0.0)
    delta_qp = z_p - zq
    d_sign = (delta_qp >= 0.0).astype(float)
    delta_hat = (d_sign * delta_qp * d_pos) - ((1.0 - d_sign) * delta_qp * d_neg)
    return np.sum(np.clip(1.0 - delta_hat, 0.0, 1.0) * probs[:, None], axis=0)


def project(atoms, probs, support):
    return np.stack([categorical_l2_project(a.astype(float), p.astype(float), support.astype(float))
                     for a, p in zip(atoms, probs)]).astype(F32)


def cases():
    rng = np.random.default_rng(67)

    # --- two_hot / two_hot_decode
    sup51 = np.linspace(-10, 10, 51).astype(F32)
    x = rng.uniform(-12, 12, size=13).astype(F32)
    x[:6] = [-10, 10, 0, -12, 12, 1e30]
    uneven = np.sort(rng.normal(size=7) * 3).astype(F32)
    for xs, sup, note in ((np.array([0.25], F32), np.array([0, 1], F32), "N=1 S=2"),
                          (x, sup51, "S=51, x on atoms, at the ends and far outside"),
                          ((rng.normal(size=100) * 4).astype(F32), uneven, "uneven support S=7"),
                          (np.array([-1, 0.5, 1, 1.5, 2, 3, 4], F32), np.array([1, 2, 3], F32), "S=3"),
                          (np.array([-3, 0, 7], F32), np.array([2.5], F32), "S=1: all mass on the atom")):
        p = two_hot(xs, sup)
        assert np.allclose(p.sum(axis=1), 1, atol=1e-6)
        yield Case(entry="two_hot", inputs={"x": xs, "support": sup}, expect={"probs": p},
                   rtol=1e-5, atol=1e-6, note=note)
        back = np.clip(xs.astype(float), sup[0], sup[-1]).astype(F32)
        yield Case(entry="two_hot_decode", inputs={"probs": p, "support": sup}, expect={"x": back},
                   rtol=1e-5, atol=1e-5, note="decodes two_hot: " + note)
    xs = np.array([1.0, np.nan, -0.5], F32)
    p = two_hot(xs, sup51)
    yield Case(entry="two_hot", inputs={"x": xs, "support": sup51}, expect={"probs": p},
               rtol=1e-5, atol=1e-6, note="NaN x gives a NaN row only")
    probs = rng.dirichlet(np.ones(13), size=7).astype(F32)
    sup13 = np.sort(rng.normal(size=13)).astype(F32)
    yield Case(entry="two_hot_decode", inputs={"probs": probs, "support": sup13},
               expect={"x": (probs.astype(float) @ sup13.astype(float)).astype(F32)},
               rtol=1e-5, atol=1e-6, note="any distribution, N=7 S=13")

    # --- hl_gauss / hl_gauss_decode
    edges = np.linspace(-5, 5, 52).astype(F32)            # 51 bins of width 0.196
    x = rng.uniform(-4, 4, size=13).astype(F32)
    x[:3] = [0, -5, 5]
    yield Case(entry="hl_gauss", inputs={"x": x, "edges": edges}, expect={"probs": hl_gauss(x, edges)},
               rtol=1e-4, atol=2e-6, note="51 bins, default sigma (0.75 bin width)")
    far = np.array([1e6, -1e6, 1e30, -1e30, np.inf, -np.inf, 5.0001], F32)
    p = hl_gauss(far, edges)
    assert np.isfinite(p).all() and np.allclose(p.sum(axis=1), 1, atol=1e-6)
    yield Case(entry="hl_gauss", inputs={"x": far, "edges": edges}, expect={"probs": p},
               rtol=1e-4, atol=2e-6, note="targets far outside and infinite: finite, sum to 1")
    uneven_e = np.sort(rng.uniform(-2, 3, size=8)).astype(F32)
    x = rng.uniform(-3, 4, size=7).astype(F32)
    for sigma in (0.0, 0.1, 0.5, 3.0):
        p = hl_gauss(x, uneven_e, sigma)
        assert np.allclose(p.sum(axis=1), 1, atol=1e-6)
        yield Case(entry="hl_gauss", inputs={"x": x, "edges": uneven_e}, params={"sigma": sigma},
                   expect={"probs": p}, rtol=1e-4, atol=2e-6, note="uneven edges E=8, sigma=%g" % sigma)
    yield Case(entry="hl_gauss", inputs={"x": np.array([-9, 0.3, 9], F32), "edges": np.array([0, 1], F32)},
               expect={"probs": np.ones((3, 1), F32)}, rtol=1e-6, note="one bin: probability 1")
    # Hand-computed, edges -1, 0, 1 and sigma 1/sqrt(2) (so erf((e - x)/1)): x = 0 gives
    # bins erf(0) - erf(-1) = erf(1) - erf(0) = 0.8427008, each half of the mass: 0.5, 0.5.
    yield Case(entry="hl_gauss", inputs={"x": np.array([0.0], F32), "edges": np.array([-1, 0, 1], F32)},
               params={"sigma": 1 / math.sqrt(2)}, expect={"probs": np.array([[0.5, 0.5]], F32)},
               rtol=1e-6, note="hand-computed symmetric case")
    xs = np.array([0.5, np.nan], F32)
    yield Case(entry="hl_gauss", inputs={"x": xs, "edges": edges}, expect={"probs": hl_gauss(xs, edges)},
               rtol=1e-4, atol=2e-6, note="NaN x gives a NaN row only")
    probs = rng.dirichlet(np.ones(7), size=13).astype(F32)
    centres = 0.5 * (uneven_e[:-1].astype(float) + uneven_e[1:])
    yield Case(entry="hl_gauss_decode", inputs={"probs": probs, "edges": uneven_e},
               expect={"x": (probs.astype(float) @ centres).astype(F32)}, rtol=1e-5, atol=1e-6,
               note="N=13, 7 bins")
    x = rng.uniform(-4, 4, size=7).astype(F32)
    p = hl_gauss(x, edges, 0.05)                            # narrow: decodes close to x
    yield Case(entry="hl_gauss_decode", inputs={"probs": p, "edges": edges},
               expect={"x": (p.astype(float) @ (0.5 * (edges[:-1].astype(float) + edges[1:]))).astype(F32)},
               rtol=1e-5, atol=1e-5, note="decodes hl_gauss")

    # --- h_transform / h_inverse
    x = np.concatenate([rng.normal(size=13) * 10, [0, -0.0, 1e-30, -1e-20, 1e-7, 1, -1, 1.0001,
                        1e4, -1e6, 1e12, 3e30, np.inf, -np.inf]]).astype(F32)
    yield Case(entry="h_transform", inputs={"x": x}, expect={"y": h_ref(x, 1e-3)}, rtol=2e-6, atol=0,
               note="default eps, tiny to huge |x| and +-inf (relative error only)")
    fin = x[np.isfinite(x)]                                # eps 0: 0 * inf would be NaN
    yield Case(entry="h_transform", inputs={"x": fin}, params={"eps": 0.0}, expect={"y": h_ref(fin, 0.0)},
               rtol=2e-6, atol=0, note="eps 0")
    y = np.concatenate([rng.normal(size=13) * 10, [0, 1e-30, -1e-20, 1e-7, 1, -1, 0.9999, 1e3,
                        -1e5, 1e15, np.inf, -np.inf]]).astype(F32)
    yield Case(entry="h_inverse", inputs={"x": y}, expect={"y": h_inv_ref(y, 1e-3)}, rtol=4e-6, atol=0,
               note="default eps, tiny to huge |x| and +-inf (relative error only)")
    yield Case(entry="h_inverse", inputs={"x": y}, params={"eps": 0.0}, expect={"y": h_inv_ref(y, 0.0)},
               rtol=4e-6, atol=0, note="eps 0 (rlax's form would divide by 0)")
    yield Case(entry="h_inverse", inputs={"x": y}, params={"eps": 0.1}, expect={"y": h_inv_ref(y, 0.1)},
               rtol=4e-6, atol=0, note="eps 0.1")
    xs = np.array([np.nan, 2.0], F32)
    yield Case(entry="h_inverse", inputs={"x": xs}, expect={"y": h_inv_ref(xs, 1e-3)}, rtol=4e-6,
               note="NaN stays NaN")
    # round trip: h_inverse(h(x)) = x, checked on the reference side
    x = (rng.normal(size=7) * 100).astype(F32)
    assert np.allclose(h_inv_ref(h_ref(x, 1e-3), 1e-3), x, rtol=1e-5)

    # --- symlog / symexp
    x = np.concatenate([rng.normal(size=13) * 5, [0, 1e-30, -1e-8, 1, -1, 1e30, -3e38, np.inf,
                        -np.inf, np.nan]]).astype(F32)
    sl = (np.sign(x.astype(float)) * np.log1p(np.abs(x.astype(float)))).astype(F32)
    yield Case(entry="symlog", inputs={"x": x}, expect={"y": sl}, rtol=2e-6, atol=0,
               note="tiny to huge, +-inf, NaN")
    x = np.concatenate([rng.normal(size=13) * 5, [0, 1e-30, -1e-8, 1, -1, 80, -88, 100, np.inf,
                        -np.inf, np.nan]]).astype(F32)
    with np.errstate(over="ignore"):
        se = (np.sign(x.astype(float)) * np.expm1(np.abs(x.astype(float)))).astype(F32)
    yield Case(entry="symexp", inputs={"x": x}, expect={"y": se}, rtol=2e-6, atol=0,
               note="tiny (expm1 keeps digits), overflow to inf, NaN")

    # --- categorical_projection
    support = np.linspace(-10, 10, 51).astype(F32)
    for N, P in ((1, 1), (7, 13), (13, 7)):
        atoms = (rng.normal(size=(N, P)) * 6).astype(F32)
        probs = rng.dirichlet(np.ones(P), size=N).astype(F32)
        out = project(atoms, probs, support)
        assert np.allclose(out.sum(axis=1), probs.astype(float).sum(axis=1), atol=1e-6)
        yield Case(entry="categorical_projection", inputs=dict(atoms=atoms, probs=probs, support=support),
                   expect={"out": out}, rtol=1e-5, atol=1e-6, note="rlax reference N=%d P=%d Q=51" % (N, P))
    # Bellman target of C51: atoms r + gamma z on the same support, some beyond the ends.
    z = np.linspace(-5, 5, 11).astype(F32)
    r = rng.normal(size=(6, 1)) * 3
    atoms = (r + 0.9 * z[None, :]).astype(F32)
    probs = rng.dirichlet(np.ones(11), size=6).astype(F32)
    yield Case(entry="categorical_projection", inputs=dict(atoms=atoms, probs=probs, support=z),
               expect={"out": project(atoms, probs, z)}, rtol=1e-5, atol=1e-6, note="C51 target, P=Q=11")
    yield Case(entry="categorical_projection", inputs=dict(atoms=np.tile(z, (3, 1)), probs=probs[:3], support=z),
               expect={"out": probs[:3].copy()}, rtol=1e-6, atol=1e-7, note="atoms on the support: identity")
    uneven = np.sort(rng.normal(size=7)).astype(F32)
    atoms = (rng.normal(size=(5, 13)) * 2).astype(F32)
    probs = rng.dirichlet(np.ones(13), size=5).astype(F32)
    yield Case(entry="categorical_projection", inputs=dict(atoms=atoms, probs=probs, support=uneven),
               expect={"out": project(atoms, probs, uneven)}, rtol=1e-5, atol=1e-6, note="uneven support Q=7")
    # Hand-computed: atoms 0.25 (p 0.4) and 3 (p 0.6) onto support 0, 1, 2: 0.25 splits
    # 0.75 / 0.25 between 0 and 1, 3 clips to 2: out = [0.3, 0.1, 0.6].
    yield Case(entry="categorical_projection",
               inputs=dict(atoms=np.array([[0.25, 3]], F32), probs=np.array([[0.4, 0.6]], F32),
                           support=np.array([0, 1, 2], F32)),
               expect={"out": np.array([[0.3, 0.1, 0.6]], F32)}, rtol=1e-6, note="hand-computed")
    atoms = rng.normal(size=(3, 4)).astype(F32)
    probs = rng.dirichlet(np.ones(4), size=3).astype(F32)
    atoms[1, 2] = np.nan
    out = project(atoms, probs, z)
    out[1] = np.nan                       # rlax's clip keeps NaN; the row is NaN
    yield Case(entry="categorical_projection", inputs=dict(atoms=atoms, probs=probs, support=z),
               expect={"out": out}, rtol=1e-5, atol=1e-6, note="a NaN atom gives a NaN row only")


if __name__ == "__main__":
    main(cases)
