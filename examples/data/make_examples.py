"""examples/data/make_examples.py: regenerates the bundled inputs of
examples/llm_grpo.rlf (llm_*.npy) and examples/distributional.rlf (dist_*.npy).
The PPO example uses the rollout written by make_data.py."""
import os
import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(2027)


def save(name, arr):
    np.save(os.path.join(here, name + ".npy"), arr)


# LLM GRPO: G = 4 prompts x K = 4 completions x L = 24 tokens, batch-major and
# right-padded. Scores are verifier outcomes in {0, 1}; the last prompt's completions
# all succeed, so their returns differ only by the KL penalty (which GRPO's division
# by the group's standard deviation scales up to unit size).
G, K, L = 4, 4, 24
lengths = rng.integers(6, L + 1, size=(G, K))
mask = np.arange(L)[None, None, :] < lengths[:, :, None]
score = (rng.random((G, K)) < 0.5).astype(np.float32)
score[-1] = 1.0
logp = -rng.exponential(0.7, size=(G, K, L)).astype(np.float32)
ref_logp = (logp + rng.normal(0.0, 0.1, size=(G, K, L))).astype(np.float32)
logp[~mask] = 0.0                     # padding: whatever the model wrote there
ref_logp[~mask] = 0.0
save("llm_score", score)
save("llm_logp", logp)
save("llm_ref_logp", ref_logp)
save("llm_mask", mask)

# HL-Gauss value loss: N = 32 returns, 51 bins over [-10, 10], critic logits. A few
# targets lie outside the support (they are clipped into it).
N, bins = 32, 51
edges = np.linspace(-10.0, 10.0, bins + 1).astype(np.float32)
target = rng.normal(0.0, 4.0, size=N).astype(np.float32)
target[:3] = [25.0, -40.0, 10.0]
logits = rng.normal(0.0, 1.0, size=(N, bins)).astype(np.float32)
save("dist_target", target)
save("dist_edges", edges)
save("dist_logits", logits)

# The LLM batch again, flat and batch-major as trainers hold it: B = G K rows of
# length L with a group id per row, rows in a shuffled order (llm_grpo_ragged.rlf).
perm = rng.permutation(G * K)
save("llm_flat_score", score.reshape(-1)[perm])
save("llm_flat_logp", logp.reshape(G * K, L)[perm])
save("llm_flat_ref_logp", ref_logp.reshape(G * K, L)[perm])
save("llm_flat_mask", mask.reshape(G * K, L)[perm])
save("llm_group", (np.arange(G * K) // K)[perm].astype(np.int32))
