# Reference for std_returns.rlf (std.returns): every return written as the backward
# loop of its definition, in float64, independently of the .rlf code.
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import numpy as np
from rlftest import Case, main

F32 = np.float32


def p32(x):
    """A parameter as the pipeline sees it (rounded to f32), as a float64."""
    return float(np.float32(x))


def discounted(reward, discount, bootstrap):
    T, B = reward.shape
    out = np.zeros((T, B))
    for b in range(B):
        g = float(bootstrap[b])
        for t in reversed(range(T)):
            g = float(reward[t, b]) + float(discount[t, b]) * g
            out[t, b] = g
    return out.astype(F32)


def lambda_ret(reward, discount, value_next, lam):
    # rlax.lambda_returns: G[T-1] = r + d * v; G[t] = r + d * ((1 - l) v[t] + l G[t+1])
    T, B = reward.shape
    lam = p32(lam)
    out = np.zeros((T, B))
    for b in range(B):
        g = None
        for t in reversed(range(T)):
            r, d, v = float(reward[t, b]), float(discount[t, b]), float(value_next[t, b])
            g = r + d * v if g is None else r + d * ((1 - lam) * v + lam * g)
            out[t, b] = g
    return out.astype(F32)


def td_lambda(reward, value_next, terminated, done, gamma, lam):
    # TorchRL td_lambda_return_estimate (rolling gamma), step by step: the bootstrap of a
    # terminated step is 0; after a done the next estimate is the next value itself.
    T, B = reward.shape
    gamma, lam = p32(gamma), p32(lam)
    out = np.zeros((T, B))
    for b in range(B):
        nv = [0.0 if terminated[t, b] else float(value_next[t, b]) for t in range(T)]
        g = nv[T - 1]
        for t in reversed(range(T)):
            if done[t, b]:
                g = nv[t]
            g = float(reward[t, b]) + gamma * ((1 - lam) * nv[t] + lam * g)
            out[t, b] = g
    return out.astype(F32)


def reward_to_go(reward, done, gamma):
    T, B = reward.shape
    gamma = p32(gamma)
    out = np.zeros((T, B))
    for b in range(B):
        g = 0.0
        for t in reversed(range(T)):
            g = float(reward[t, b]) + (0.0 if done[t, b] else gamma * g)
            out[t, b] = g
    return out.astype(F32)


def rollout(rng, T, B, p_term=0.1, p_trunc=0.1):
    reward = rng.normal(size=(T, B)).astype(F32)
    value_next = rng.normal(size=(T, B)).astype(F32)
    terminated = rng.random((T, B)) < p_term
    done = terminated | (rng.random((T, B)) < p_trunc)
    return reward, value_next, terminated, done


# rlax multistep_test.py vectors (two sequences of 5 steps; rlax rows are sequences,
# here they are the columns of [T, B]). Worked by hand for sequence 0 of
# discounted_returns with bootstrap 3: t=4: 1 + 0.8*3 = 3.4; t=3: 0 + 0.5*3.4 = 1.7;
# t=2: -1 + 1*1.7 = 0.7; t=1: 0.9*0.7 = 0.63; t=0: 1 + 0.5*0.63 = 1.315. And of
# lambda_returns (lambda 0.75) at t=3: 0.5 * (0.25*(-5) + 0.75*3.4) = 0.65.
RLAX_R = np.array([[1.0, 0.0, -1.0, 0.0, 1.0], [0.5, 0.8, -0.7, 0.0, 2.1]])
RLAX_D = np.array([[0.5, 0.9, 1.0, 0.5, 0.8], [0.9, 0.5, 0.3, 0.8, 0.7]])
RLAX_V = np.array([[3.0, 1.0, 5.0, -5.0, 3.0], [-1.7, 1.2, 2.3, 2.2, 2.7]])
RLAX_DISCOUNTED = np.array([[1.315, 0.63, 0.7, 1.7, 3.4],
                            [1.33592, 0.9288, 0.2576, 3.192, 3.99]])
RLAX_LAMBDA = np.array([[1.6460547, 0.72281253, 0.7375001, 0.6500001, 3.4],
                        [0.7866317, 0.9913063, 0.1101501, 2.834, 3.99]])


def cases():
    rng = np.random.default_rng(11)
    r, d, v = (a.T.astype(F32).copy() for a in (RLAX_R, RLAX_D, RLAX_V))

    # --- discounted_returns
    boot = v[-1].copy()
    exp = discounted(r, d, boot)
    assert np.allclose(exp, RLAX_DISCOUNTED.T, rtol=1e-6), "reference disagrees with rlax"
    yield Case(entry="discounted_returns", inputs=dict(reward=r, discount=d, bootstrap=boot),
               expect={"ret": RLAX_DISCOUNTED.T.astype(F32)}, note="rlax test vector")
    for T, B in ((1, 1), (7, 13), (13, 7), (64, 3)):
        rw = rng.normal(size=(T, B)).astype(F32)
        dc = (0.99 * (rng.random((T, B)) > 0.1)).astype(F32)     # some zero discounts
        bs = rng.normal(size=B).astype(F32)
        yield Case(entry="discounted_returns", inputs=dict(reward=rw, discount=dc, bootstrap=bs),
                   expect={"ret": discounted(rw, dc, bs)}, note="T=%d B=%d" % (T, B))
    # NaN reward at (3, 1): the discount is data (0 * NaN is NaN, as in rlax), so it
    # reaches every earlier step of column 1 and nothing else.
    rw = rng.normal(size=(6, 3)).astype(F32)
    dc = np.full((6, 3), 0.9, F32)
    rw[3, 1] = np.nan
    exp = discounted(rw, dc, np.zeros(3, F32))
    want = np.zeros((6, 3), bool); want[:4, 1] = True
    assert (np.isnan(exp) == want).all()
    yield Case(entry="discounted_returns", inputs=dict(reward=rw, discount=dc, bootstrap=np.zeros(3, F32)),
               expect={"ret": exp}, note="NaN reaches only earlier steps of its column")

    # --- lambda_returns
    exp = lambda_ret(r, d, v, 0.75)
    assert np.allclose(exp, RLAX_LAMBDA.T, rtol=1e-6), "reference disagrees with rlax"
    yield Case(entry="lambda_returns", inputs=dict(reward=r, discount=d, value_next=v),
               params={"lambda": 0.75}, expect={"ret": RLAX_LAMBDA.T.astype(F32)},
               note="rlax test vector, lambda 0.75")
    yield Case(entry="lambda_returns", inputs=dict(reward=r, discount=d, value_next=v),
               expect={"ret": discounted(r, d, v[-1])},
               note="default lambda 1 = discounted returns bootstrapped from value_next[T-1]")
    td0 = (r.astype(float) + d.astype(float) * v.astype(float)).astype(F32)
    yield Case(entry="lambda_returns", inputs=dict(reward=r, discount=d, value_next=v),
               params={"lambda": 0.0}, expect={"ret": td0}, note="lambda 0 = one-step targets")
    for T, B, lam in ((1, 1, 0.9), (7, 13, 0.95), (13, 7, 0.5)):
        rw, vn, _, _ = rollout(rng, T, B)
        dc = (0.99 * (rng.random((T, B)) > 0.1)).astype(F32)
        yield Case(entry="lambda_returns", inputs=dict(reward=rw, discount=dc, value_next=vn),
                   params={"lambda": lam}, expect={"ret": lambda_ret(rw, dc, vn, lam)},
                   note="T=%d B=%d lambda=%g" % (T, B, lam))

    # --- td_lambda
    for T, B, g, lam, pt, pr in ((1, 1, 0.99, 0.95, 0.0, 0.0), (1, 4, 0.9, 0.8, 0.5, 0.5),
                                 (7, 13, 0.99, 0.95, 0.1, 0.1), (13, 7, 0.9, 0.5, 0.2, 0.2),
                                 (40, 2, 0.97, 1.0, 0.05, 0.05), (9, 5, 0.5, 0.0, 0.3, 0.3)):
        rw, vn, term, done = rollout(rng, T, B, pt, pr)
        yield Case(entry="td_lambda", inputs=dict(reward=rw, value_next=vn, terminated=term, done=done),
                   params={"gamma": g, "lambda": lam},
                   expect={"ret": td_lambda(rw, vn, term, done, g, lam)},
                   rtol=1e-5, atol=1e-5, note="T=%d B=%d gamma=%g lambda=%g" % (T, B, g, lam))
    # Hand-computed, gamma = lambda = 0.5, reward 1, 2, 4 and value_next 10, 20, 40.
    # Truncated at t=0, terminated at t=1: G[2] = 4 + 0.5*40 = 24; G[1] = 2 (no bootstrap);
    # G[0] = 1 + 0.5*10 = 6 (bootstraps from value_next, the trace is cut).
    # Without any end: G[1] = 2 + 0.5*(0.5*20 + 0.5*24) = 13; G[0] = 1 + 0.5*(5 + 6.5) = 6.75.
    hand = dict(reward=np.array([[1], [2], [4]], F32), value_next=np.array([[10], [20], [40]], F32))
    yield Case(entry="td_lambda",
               inputs=dict(hand, terminated=np.array([[False], [True], [False]]),
                           done=np.array([[True], [True], [False]])),
               params={"gamma": 0.5, "lambda": 0.5}, expect={"ret": np.array([[6], [2], [24]], F32)},
               note="hand-computed: truncation bootstraps, termination does not")
    yield Case(entry="td_lambda",
               inputs=dict(hand, terminated=np.zeros((3, 1), bool), done=np.zeros((3, 1), bool)),
               params={"gamma": 0.5, "lambda": 0.5}, expect={"ret": np.array([[6.75], [13], [24]], F32)},
               note="hand-computed: no episode end")
    # td_lambda is gae's ret when value[t+1] = value_next[t] inside episodes: check the
    # reference against an independent GAE loop on such data.
    T, B = 12, 4
    rw, _, term, done = rollout(rng, T, B, 0.1, 0.1)
    value = rng.normal(size=(T, B)).astype(F32)
    vn = np.concatenate([value[1:], rng.normal(size=(1, B))]).astype(F32)
    vn[done] = rng.normal(size=int(done.sum()))
    adv = np.zeros((T, B))
    for b in range(B):
        a = 0.0
        for t in reversed(range(T)):
            delta = rw[t, b] + p32(0.9) * (0 if term[t, b] else vn[t, b]) - value[t, b]
            a = delta + (0 if done[t, b] else p32(0.9) * p32(0.8) * a)
            adv[t, b] = a
    exp = td_lambda(rw, vn, term, done, 0.9, 0.8)
    assert np.allclose(exp, adv + value, rtol=1e-5, atol=1e-5)
    yield Case(entry="td_lambda", inputs=dict(reward=rw, value_next=vn, terminated=term, done=done),
               params={"gamma": 0.9, "lambda": 0.8}, expect={"ret": exp}, atol=1e-5,
               note="agrees with GAE + value")
    # NaN: a NaN reward in the second episode of a column stays there; a NaN
    # value_next on a terminated step is never read.
    rw = np.ones((6, 2), F32); vn = np.ones((6, 2), F32)
    term = np.zeros((6, 2), bool); done = np.zeros((6, 2), bool)
    done[2, 0] = True; rw[4, 0] = np.nan
    term[1, 1] = done[1, 1] = True; vn[1, 1] = np.nan
    exp = td_lambda(rw, vn, term, done, 0.9, 0.8)
    want = np.zeros((6, 2), bool); want[3:5, 0] = True
    assert (np.isnan(exp) == want).all()
    yield Case(entry="td_lambda", inputs=dict(reward=rw, value_next=vn, terminated=term, done=done),
               params={"gamma": 0.9, "lambda": 0.8}, expect={"ret": exp},
               note="NaN stays in its episode; a terminated step ignores value_next")

    # --- reward_to_go
    for T, B, g in ((1, 1, 1.0), (7, 13, 0.99), (13, 7, 0.5), (50, 2, 1.0)):
        rw, _, _, done = rollout(rng, T, B, 0.1, 0.1)
        params = {} if g == 1.0 else {"gamma": g}
        yield Case(entry="reward_to_go", inputs=dict(reward=rw, done=done), params=params,
                   expect={"ret": reward_to_go(rw, done, g)}, atol=1e-5,
                   note="T=%d B=%d gamma=%g" % (T, B, g))
    # Hand-computed, gamma = 0.5: rewards 1, 2, 4, 8 with an end after t=1:
    # G = [1 + 0.5*2, 2, 4 + 0.5*8, 8] = [2, 2, 8, 8].
    yield Case(entry="reward_to_go",
               inputs=dict(reward=np.array([[1], [2], [4], [8]], F32),
                           done=np.array([[False], [True], [False], [False]])),
               params={"gamma": 0.5}, expect={"ret": np.array([[2], [2], [8], [8]], F32)},
               note="hand-computed")
    rw = np.ones((5, 2), F32); done = np.zeros((5, 2), bool)
    done[1, 0] = True; rw[3, 0] = np.nan
    exp = reward_to_go(rw, done, 0.9)
    want = np.zeros((5, 2), bool); want[2:4, 0] = True
    assert (np.isnan(exp) == want).all()
    yield Case(entry="reward_to_go", inputs=dict(reward=rw, done=done), params={"gamma": 0.9},
               expect={"ret": exp}, note="NaN stays in its episode")


if __name__ == "__main__":
    main(cases)
