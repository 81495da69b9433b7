# Reference for std_shaping.rlf (std.shaping), in float64 from the definitions.
import math, os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import numpy as np
from rlftest import Case, main

F32 = np.float32


def sigmoid(z):
    return 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z))


def par(reward, ref_reward):
    B, M = ref_reward.shape
    return np.array([sum(sigmoid(float(reward[b]) - float(ref_reward[b, m])) for m in range(M)) / M
                     for b in range(B)]).astype(F32)


def shaping(reward, phi, phi_next, terminated, gamma):
    g = float(np.float32(gamma))
    out = np.zeros(reward.shape)
    for i in np.ndindex(reward.shape):
        nxt = 0.0 if terminated[i] else g * float(phi_next[i])
        out[i] = float(reward[i]) + nxt - float(phi[i])
    return out.astype(F32)


def cases():
    rng = np.random.default_rng(53)
    for B, M in ((1, 1), (7, 13), (13, 7), (5, 1)):
        r = rng.normal(size=B).astype(F32)
        ref = rng.normal(size=(B, M)).astype(F32)
        yield Case(entry="par", inputs={"reward": r, "ref_reward": ref}, expect={"shaped": par(r, ref)},
                   rtol=1e-5, atol=1e-6, note="B=%d M=%d" % (B, M))
    # Hand-computed: reward 0 against references 0, log 3, -log 3: (0.5 + 0.25 + 0.75) / 3 = 0.5.
    yield Case(entry="par", inputs={"reward": np.zeros(1, F32),
                                    "ref_reward": np.array([[0, math.log(3), -math.log(3)]], F32)},
               expect={"shaped": np.array([0.5], F32)}, rtol=1e-6, note="hand-computed")
    # Saturation: differences of +-200 give 1 and 0, never NaN.
    yield Case(entry="par", inputs={"reward": np.array([100, -100], F32),
                                    "ref_reward": np.array([[-100, -100], [100, 100]], F32)},
               expect={"shaped": np.array([1, 0], F32)}, rtol=0, atol=1e-30, note="saturates without NaN")

    for T, B, g in ((1, 1, 0.99), (7, 13, 0.9), (13, 7, 0.99)):
        ins = dict(reward=rng.normal(size=(T, B)).astype(F32), phi=rng.normal(size=(T, B)).astype(F32),
                   phi_next=rng.normal(size=(T, B)).astype(F32), terminated=rng.random((T, B)) < 0.2)
        params = {} if g == 0.99 else {"gamma": g}
        yield Case(entry="potential_shaping", inputs=ins, params=params,
                   expect={"shaped": shaping(*ins.values(), g)}, atol=1e-6, note="T=%d B=%d" % (T, B))
    # Hand-computed, gamma 0.5: r 1, phi 2, phi_next 4 gives 1 + 2 - 2 = 1; terminated gives
    # 1 - 2 = -1 whatever phi_next holds (NaN here).
    yield Case(entry="potential_shaping",
               inputs=dict(reward=np.ones((2, 1), F32), phi=np.full((2, 1), 2, F32),
                           phi_next=np.array([[4], [np.nan]], F32), terminated=np.array([[False], [True]])),
               params={"gamma": 0.5}, expect={"shaped": np.array([[1], [-1]], F32)}, rtol=0, atol=0,
               note="hand-computed; a terminal successor's phi_next is not read")


if __name__ == "__main__":
    main(cases)
