# Reference for int_arith.rlf: Python integers (floor division and modulo), checked to fit.
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import numpy as np
from rlftest import Case, main


def arr(vals, dt):
    info = np.iinfo(dt)
    assert all(info.min <= v <= info.max for v in vals), "reference overflows %s" % dt
    return np.array(vals, dt)


def reference(a, b, p, q, u, v):
    a, b, p, q, u, v = ([int(x) for x in t] for t in (a, b, p, q, u, v))
    I, L, U = np.int32, np.int64, np.uint8
    ew = lambda f, *xs: [f(*t) for t in zip(*xs)]
    return {
        "a_add": arr(ew(lambda x, y: x + y, a, b), I), "a_sub": arr(ew(lambda x, y: x - y, a, b), I),
        "a_mul": arr(ew(lambda x, y: x * y, a, b), I), "a_div": arr(ew(lambda x, y: x // y, a, b), I),
        "a_mod": arr(ew(lambda x, y: x % y, a, b), I), "a_neg": arr([-x for x in a], I),
        "a_lit": arr([3 * x - 7 for x in a], I), "a_divlit": arr([x // -3 for x in a], I),
        "a_modlit": arr([x % 5 for x in a], I), "a_abs": arr([abs(x) for x in a], I),
        "a_min": arr(ew(min, a, b), I), "a_lt": np.array(ew(lambda x, y: x < y, a, b), bool),
        "p_add": arr(ew(lambda x, y: x + y, p, q), L), "p_mul": arr([x * 3 for x in p], L),
        "p_div": arr(ew(lambda x, y: x // y, p, q), L), "p_mod": arr(ew(lambda x, y: x % y, p, q), L),
        "p_max": arr(ew(max, p, q), L),
        "u_add": arr(ew(lambda x, y: x + y, u, v), U), "u_sub": arr(ew(lambda x, y: x - y, u, v), U),
        "u_mul": arr([x * 2 for x in u], U), "u_div": arr(ew(lambda x, y: x // y, u, v), U),
        "u_mod": arr(ew(lambda x, y: x % y, u, v), U), "u_lit": arr([x + 100 for x in u], U),
    }


def case(a, b, p, q, u, v, note):
    ins = {"a": np.asarray(a, np.int32), "b": np.asarray(b, np.int32),
           "p": np.asarray(p, np.int64), "q": np.asarray(q, np.int64),
           "u": np.asarray(u, np.uint8), "v": np.asarray(v, np.uint8)}
    return Case(entry="ints", inputs=ins, expect=reference(**ins), rtol=0, atol=0, note=note)


def cases():
    rng = np.random.default_rng(15)
    yield case([-7], [2], [-7], [2], [7], [2], "N=1: -7 // 2 = -4, -7 % 2 = 1")
    # Every sign combination for // and %, exact multiples, and |a| < |b|.
    a = [-7, 7, 7, -7, -6, 6, 1, -1, 0, 0, 12345, -12345, 2 ** 28]
    b = [2, -2, 2, -2, 3, -3, 5, 5, 7, -7, -100, 100, 3]
    p = [-7, 7, -7, 7, -2 ** 40, 2 ** 40, -(2 ** 40 + 1), 1, -1, 0, 10 ** 12, -10 ** 12, 5]
    q = [2, -2, -2, 2, 3, -3, 2 ** 20, -9, 9, -1, 7, 7, 5]
    u = [7, 9, 127, 100, 1, 1, 120, 13, 50, 110, 20, 2, 60]
    v = [2, 9, 1, 99, 1, 1, 120, 5, 50, 100, 3, 2, 7]
    yield case(a, b, p, q, u, v, "signs, multiples, N=13")
    N = 200
    b = rng.integers(1, 1000, N) * rng.choice([-1, 1], N)
    q = rng.integers(1, 10 ** 6, N) * rng.choice([-1, 1], N)
    v = rng.integers(1, 60, N)
    u = v + rng.integers(0, 60, N)
    yield case(rng.integers(-10 ** 6, 10 ** 6, N), b, rng.integers(-2 ** 50, 2 ** 50, N), q,
               u, v, "random, N=200")


if __name__ == "__main__":
    main(cases)
