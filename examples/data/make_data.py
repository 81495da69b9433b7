"""examples/data/make_data.py: regenerates the bundled example rollouts
(a small PPO batch, T x B = 128 x 8, with terminations and truncations)."""
import os
import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(2026)
T, B = 128, 8
reward = rng.normal(0.0, 1.0, (T, B)).astype(np.float32)
value = rng.normal(0.0, 1.0, (T, B)).astype(np.float32)
value_next = np.concatenate([value[1:], rng.normal(0.0, 1.0, (1, B)).astype(np.float32)])
terminated = rng.random((T, B)) < 0.02
truncated = rng.random((T, B)) < 0.01
done = terminated | truncated
# after a reset the successor's value belongs to a new episode: value_next is
# the value of the true successor state, so redraw it where the episode ended
value_next[done] = rng.normal(0.0, 1.0, int(done.sum())).astype(np.float32)
for name, arr in dict(reward=reward, value=value, value_next=value_next, terminated=terminated, done=done).items():
    np.save(os.path.join(here, name + ".npy"), arr)
