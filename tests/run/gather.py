# Reference for gather.rlf, with expected failures for out-of-range actions.
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import numpy as np
from rlftest import Case, main


def case(q, action, note):
    q = np.asarray(q, np.float32)
    action = np.asarray(action, np.int32)
    B = q.shape[0]
    q_act = np.array([q[b, action[b]] for b in range(B)], np.float32)
    greedy = np.array([q[b, action[b]] >= q[b].max() for b in range(B)], bool)
    return Case(entry="q_act", inputs={"q": q, "action": action},
                expect={"q_act": q_act, "is_greedy": greedy}, rtol=0, atol=0, note=note)


def cases():
    rng = np.random.default_rng(4)
    yield case([[1.5]], [0], "B=1 A=1")
    q = rng.normal(size=(13, 7))
    a = rng.integers(0, 7, size=13)
    a[0], a[1] = 0, 6
    a[2] = np.argmax(q[2])
    yield case(q, a, "B=13 A=7, actions 0 and A-1")
    yield case(rng.normal(size=(64, 18)), rng.integers(0, 18, size=64), "B=64 A=18")
    q = rng.normal(size=(5, 4)).astype(np.float32)
    yield Case(entry="q_act", inputs={"q": q, "action": np.array([0, 1, 4, 2, 3], np.int32)},
               expect_error="action", note="action == A is out of range")
    yield Case(entry="q_act", inputs={"q": q, "action": np.array([0, -1, 1, 2, 3], np.int32)},
               expect_error="action", note="negative action")


if __name__ == "__main__":
    main(cases)
