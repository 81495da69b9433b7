#!/bin/sh
# scripts/demo.sh: the README's first command. Installs what is needed,
# builds rlfc, and runs GAE from the standard library on the bundled rollout:
# compiled (LLVM JIT, the default target) and on the reference interpreter.
set -eu
cd "$(dirname "$0")/.."
sh scripts/build.sh release
out="${TMPDIR:-/tmp}/rlf-demo"
rm -rf "$out"
d=examples/data
for target in cpu interp; do
    ./build/bin/rlfc run stdlib/advantages.rlf --entry gae \
        --in reward=$d/reward.npy --in value=$d/value.npy --in value_next=$d/value_next.npy \
        --in terminated=$d/terminated.npy --in done=$d/done.npy \
        --param gamma=0.99 --param lambda=0.95 --target $target --out "$out/$target" --time
done
/usr/bin/python3 - "$out" <<'PY'
import sys, numpy as np
out = sys.argv[1]
adv, ret = np.load(out + "/cpu/adv.npy"), np.load(out + "/cpu/ret.npy")
ref = np.load(out + "/interp/adv.npy")
print(f"gae on T x B = {adv.shape[0]} x {adv.shape[1]}: adv mean {adv.mean():+.4f} std {adv.std():.4f}; "
      f"max |cpu - interpreter| = {np.abs(adv - ref).max():g}; wrote {out}/cpu/adv.npy, ret.npy")
PY
