# Reference for std_advantages.rlf (std.advantages), written in float64 from the
# definitions, independently of the .rlf code.
import math, os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import numpy as np
from rlftest import Case, main

F32 = np.float32


def p32(x):
    return float(np.float32(x))


def gae(reward, value, value_next, terminated, done, gamma, lam):
    T, B = reward.shape
    gamma, lam = p32(gamma), p32(lam)
    adv = np.zeros((T, B))
    for b in range(B):
        a = 0.0
        for t in reversed(range(T)):
            boot = 0.0 if terminated[t, b] else gamma * float(value_next[t, b])
            delta = float(reward[t, b]) + boot - float(value[t, b])
            a = delta + (0.0 if done[t, b] else gamma * lam * a)
            adv[t, b] = a
    return adv.astype(F32), (adv + value.astype(float)).astype(F32)


def gae_values(reward, values, done, gamma, lam):
    T, B = reward.shape
    gamma, lam = p32(gamma), p32(lam)
    adv = np.zeros((T, B))
    for b in range(B):
        a = 0.0
        for t in reversed(range(T)):
            boot = 0.0 if done[t, b] else gamma * float(values[t + 1, b])
            delta = float(reward[t, b]) + boot - float(values[t, b])
            a = delta + (0.0 if done[t, b] else gamma * lam * a)
            adv[t, b] = a
    return adv.astype(F32), (adv + values[:-1].astype(float)).astype(F32)


def vtrace_rlax(v_tm1, v_t, r_t, discount_t, rho_tm1, lam, rho_bar, c_bar, pg_rho_bar):
    """rlax.vtrace_td_error_and_advantage for one sequence, transcribed to NumPy
    (with rlax's fixed c threshold 1 made the parameter c_bar)."""
    c_tm1 = np.minimum(c_bar, rho_tm1) * lam
    clipped_rhos = np.minimum(rho_bar, rho_tm1)
    td_errors = clipped_rhos * (r_t + discount_t * v_t - v_tm1)
    errors = np.zeros_like(td_errors)
    acc = 0.0
    for t in reversed(range(len(td_errors))):
        acc = td_errors[t] + discount_t[t] * c_tm1[t] * acc
        errors[t] = acc
    targets_tm1 = errors + v_tm1
    q_bootstrap = np.concatenate([lam * targets_tm1[1:] + (1 - lam) * v_tm1[1:], v_t[-1:]])
    q_estimate = r_t + discount_t * q_bootstrap
    pg_adv = np.minimum(pg_rho_bar, rho_tm1) * (q_estimate - v_tm1)
    return targets_tm1, pg_adv


def vtrace(reward, discount, value, value_next, log_rho, rho_bar=1, c_bar=1, pg_rho_bar=1, lam=1):
    """The definition with V(s_{t+1}) taken from value_next (for any value_next)."""
    T, B = reward.shape
    rho_bar, c_bar, pg_rho_bar, lam = map(p32, (rho_bar, c_bar, pg_rho_bar, lam))
    vs = np.zeros((T, B)); pg = np.zeros((T, B))
    for b in range(B):
        err_next = 0.0
        for t in reversed(range(T)):
            r, d, v, vn = (float(a[t, b]) for a in (reward, discount, value, value_next))
            rho = math.exp(float(log_rho[t, b]))
            td = min(rho_bar, rho) * (r + d * vn - v)
            pg[t, b] = min(pg_rho_bar, rho) * (r + d * (vn + lam * err_next) - v)
            err = td + d * lam * min(c_bar, rho) * err_next
            vs[t, b] = v + err
            err_next = err
    return vs.astype(F32), pg.astype(F32)


def whiten(x, mask, eps):
    xs = x[mask].astype(float)
    y = np.zeros(x.shape)
    if xs.size:
        mu = xs.mean()
        var = ((xs - mu) ** 2).sum() / (xs.size - 1) if xs.size > 1 else 0.0
        y[mask] = (xs - mu) / math.sqrt(var + p32(eps))
    return y.astype(F32)


def rollout(rng, T, B, p_term=0.1, p_trunc=0.1):
    reward = rng.normal(size=(T, B)).astype(F32)
    value = rng.normal(size=(T, B)).astype(F32)
    value_next = np.concatenate([value[1:], rng.normal(size=(1, B))]).astype(F32)
    terminated = rng.random((T, B)) < p_term
    done = terminated | (rng.random((T, B)) < p_trunc)
    value_next[done] = rng.normal(size=int(done.sum()))
    return dict(reward=reward, value=value, value_next=value_next, terminated=terminated, done=done)


def cases():
    rng = np.random.default_rng(23)

    # --- gae
    for T, B, g, lam, pt, pr in ((1, 1, 0.99, 0.95, 0.0, 0.0), (7, 13, 0.9, 0.8, 0.1, 0.1),
                                 (13, 7, 0.99, 0.95, 0.2, 0.2), (64, 3, 0.99, 1.0, 0.05, 0.05),
                                 (9, 4, 0.5, 0.0, 0.3, 0.3), (9, 4, 0.99, 0.95, 0.0, 0.5),
                                 (9, 4, 0.99, 0.95, 0.5, 0.0)):
        ins = rollout(rng, T, B, pt, pr)
        adv, ret = gae(*ins.values(), g, lam)
        yield Case(entry="gae", inputs=ins, params={"gamma": g, "lambda": lam},
                   expect={"adv": adv, "ret": ret}, atol=1e-5,
                   note="T=%d B=%d gamma=%g lambda=%g term=%g trunc=%g" % (T, B, g, lam, pt, pr))
    # Hand-computed, gamma 0.5, lambda 1, value 0: rewards 1, 2, 4, value_next 10, 20, 40;
    # truncated at t=0 (bootstraps 10, cuts the trace), terminated at t=1 (no bootstrap):
    # adv = [1 + 0.5*10, 2, 4 + 0.5*40] = [6, 2, 24].
    hand = dict(reward=np.array([[1], [2], [4]], F32), value=np.zeros((3, 1), F32),
                value_next=np.array([[10], [20], [40]], F32),
                terminated=np.array([[False], [True], [False]]),
                done=np.array([[True], [True], [False]]))
    six = np.array([[6], [2], [24]], F32)
    yield Case(entry="gae", inputs=hand, params={"gamma": 0.5, "lambda": 1.0},
               expect={"adv": six, "ret": six.copy()}, note="hand-computed truncation vs termination")
    # NaN: a NaN reward in the second episode of column 0 stays there; a NaN value_next
    # on a terminated step (column 1) is never read.
    ins = rollout(rng, 8, 2, 0.0, 0.0)
    ins["done"][3, 0] = True
    ins["reward"][5, 0] = np.nan
    ins["terminated"][2, 1] = ins["done"][2, 1] = True
    ins["value_next"][2, 1] = np.nan
    adv, ret = gae(*ins.values(), 0.9, 0.8)
    want = np.zeros((8, 2), bool); want[4:6, 0] = True
    assert (np.isnan(adv) == want).all()
    yield Case(entry="gae", inputs=ins, params={"gamma": 0.9, "lambda": 0.8},
               expect={"adv": adv, "ret": ret}, atol=1e-5, note="NaN stays in its episode")

    # --- gae_values
    for T, B, g, lam in ((1, 1, 0.99, 0.95), (7, 13, 0.9, 0.8), (13, 7, 0.99, 0.95), (33, 2, 0.95, 1.0)):
        reward = rng.normal(size=(T, B)).astype(F32)
        values = rng.normal(size=(T + 1, B)).astype(F32)
        done = rng.random((T, B)) < 0.15
        adv, ret = gae_values(reward, values, done, g, lam)
        # the same as gae with value = values[:T], value_next = values[1:], terminated = done
        adv2, _ = gae(reward, values[:-1], values[1:], done, done, g, lam)
        assert np.allclose(adv, adv2, atol=1e-5)
        yield Case(entry="gae_values", inputs=dict(reward=reward, values=values, done=done),
                   params={"gamma": g, "lambda": lam}, expect={"adv": adv, "ret": ret}, atol=1e-5,
                   note="T=%d B=%d" % (T, B))
    # Hand-computed, gamma 0.5, lambda 0.5: values 0, 8, 4, 2; rewards 1, 1, 1; done after
    # t=1: delta = [1 + 4 - 0, 1 - 8, 1 + 1 - 4] = [5, -7, -2]; adv[2] = -2, adv[1] = -7,
    # adv[0] = 5 + 0.25*(-7) = 3.25.
    yield Case(entry="gae_values",
               inputs=dict(reward=np.ones((3, 1), F32), values=np.array([[0], [8], [4], [2]], F32),
                           done=np.array([[False], [True], [False]])),
               params={"gamma": 0.5, "lambda": 0.5},
               expect={"adv": np.array([[3.25], [-7], [-2]], F32), "ret": np.array([[3.25], [1], [2]], F32)},
               note="hand-computed")

    # --- vtrace
    # rlax's formulation (value_next[t] = value[t+1] inside the sequence).
    for T, B, params in ((1, 1, {}), (7, 13, {}), (13, 7, {"lambda": 0.9}),
                         (20, 3, {"rho_bar": 1.5, "c_bar": 0.8, "pg_rho_bar": 1.2, "lambda": 0.7})):
        reward = rng.normal(size=(T, B)).astype(F32)
        value = rng.normal(size=(T, B)).astype(F32)
        value_next = np.concatenate([value[1:], rng.normal(size=(1, B))]).astype(F32)
        discount = (0.99 * (rng.random((T, B)) > 0.1)).astype(F32)
        log_rho = rng.normal(scale=0.7, size=(T, B)).astype(F32)
        pr = dict(rho_bar=1.0, c_bar=1.0, pg_rho_bar=1.0, lam=1.0)
        pr.update({("lam" if k == "lambda" else k): v for k, v in params.items()})
        vs = np.zeros((T, B)); pg = np.zeros((T, B))
        for b in range(B):
            vs[:, b], pg[:, b] = vtrace_rlax(value[:, b].astype(float), value_next[:, b].astype(float),
                                             reward[:, b].astype(float), discount[:, b].astype(float),
                                             np.exp(log_rho[:, b].astype(float)),
                                             p32(pr["lam"]), p32(pr["rho_bar"]), p32(pr["c_bar"]),
                                             p32(pr["pg_rho_bar"]))
        ins = dict(reward=reward, discount=discount, value=value, value_next=value_next, log_rho=log_rho)
        yield Case(entry="vtrace", inputs=ins, params=params,
                   expect={"vs": vs.astype(F32), "pg_adv": pg.astype(F32)}, rtol=1e-4, atol=1e-5,
                   note="rlax formulation T=%d B=%d %s" % (T, B, params))
    # value_next differs from value[t+1] (truncations): the definition's reference.
    T, B = 11, 5
    ins = rollout(rng, T, B, 0.0, 0.2)
    ins = dict(reward=ins["reward"], discount=np.full((T, B), 0.95, F32), value=ins["value"],
               value_next=ins["value_next"], log_rho=rng.normal(scale=0.5, size=(T, B)).astype(F32))
    vs, pg = vtrace(*ins.values(), rho_bar=1.2, lam=0.95)
    yield Case(entry="vtrace", inputs=ins, params={"rho_bar": 1.2, "lambda": 0.95},
               expect={"vs": vs, "pg_adv": pg}, rtol=1e-4, atol=1e-5, note="value_next != value[t+1]")
    # Hand-computed, T=2: reward 1, 2; discount 0.5; value 0; value_next 0, 4;
    # rho = 2, 0.5. td[1] = 0.5*(2 + 0.5*4) = 2, err[1] = 2; td[0] = 1*(1 + 0) = 1,
    # err[0] = 1 + 0.5*1*2 = 2; vs = [2, 2].
    # pg_adv[1] = 0.5*(2 + 0.5*4) = 2; pg_adv[0] = 1*(1 + 0.5*(0 + 2)) = 2.
    ins = dict(reward=np.array([[1], [2]], F32), discount=np.full((2, 1), 0.5, F32),
               value=np.zeros((2, 1), F32), value_next=np.array([[0], [4]], F32),
               log_rho=np.log(np.array([[2.0], [0.5]])).astype(F32))
    yield Case(entry="vtrace", inputs=ins, expect={"vs": np.array([[2], [2]], F32),
                                                   "pg_adv": np.array([[2], [2]], F32)},
               note="hand-computed")
    # On-policy (log_rho = 0) with lambda 1 and discount gamma: vs is the discounted
    # return bootstrapped from value_next[T-1] (n-step Bellman target).
    T, B = 6, 2
    reward = rng.normal(size=(T, B)).astype(F32)
    value = rng.normal(size=(T, B)).astype(F32)
    value_next = np.concatenate([value[1:], rng.normal(size=(1, B))]).astype(F32)
    ret = np.zeros((T, B)); g = value_next[-1].astype(float)
    for t in reversed(range(T)):
        g = reward[t] + p32(0.9) * g
        ret[t] = g
    ins = dict(reward=reward, discount=np.full((T, B), 0.9, F32), value=value,
               value_next=value_next, log_rho=np.zeros((T, B), F32))
    yield Case(entry="vtrace", inputs=ins, expect={"vs": ret.astype(F32),
                                                   "pg_adv": (ret - value).astype(F32)},
               atol=1e-5, note="on-policy: vs = discounted return")

    # --- whiten
    for T, B, p in ((1, 1, 1.0), (7, 13, 1.0), (13, 7, 0.6), (50, 4, 0.3)):
        x = (3 + 2 * rng.normal(size=(T, B))).astype(F32)
        mask = rng.random((T, B)) < p
        yield Case(entry="whiten", inputs=dict(x=x, mask=mask), expect={"y": whiten(x, mask, 1e-8)},
                   rtol=1e-4, atol=1e-5, note="T=%d B=%d p(mask)=%g" % (T, B, p))
    x = (1000 + rng.normal(size=(9, 3))).astype(F32)
    yield Case(entry="whiten", inputs=dict(x=x, mask=np.ones((9, 3), bool)), params={"eps": 1e-5},
               expect={"y": whiten(x, np.ones((9, 3), bool), 1e-5)}, rtol=1e-3, atol=1e-3,
               note="large offset, eps=1e-5")
    x = rng.normal(size=(4, 3)).astype(F32)
    one = np.zeros((4, 3), bool); one[2, 1] = True
    yield Case(entry="whiten", inputs=dict(x=x, mask=one), expect={"y": np.zeros((4, 3), F32)},
               rtol=0, atol=0, note="one masked element: 0")
    yield Case(entry="whiten", inputs=dict(x=x, mask=np.zeros((4, 3), bool)),
               expect={"y": np.zeros((4, 3), F32)}, rtol=0, atol=0, note="nothing masked: 0")
    x = rng.normal(size=(5, 4)).astype(F32)
    mask = rng.random((5, 4)) < 0.7
    mask[0, 0] = False; x[0, 0] = np.nan
    yield Case(entry="whiten", inputs=dict(x=x, mask=mask), expect={"y": whiten(x, mask, 1e-8)},
               rtol=1e-4, atol=1e-5, note="NaN on an unmasked element is ignored")
    mask[0, 0] = True
    y = whiten(x, mask, 1e-8)
    assert (np.isnan(y) == mask).all()
    yield Case(entry="whiten", inputs=dict(x=x, mask=mask), expect={"y": y},
               note="NaN on a masked element reaches every masked output only")


if __name__ == "__main__":
    main(cases)
