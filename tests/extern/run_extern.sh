#!/bin/sh
# tests/extern/run_extern.sh RLFC SRC BUILD_INCLUDE WORK [SANITIZE_FLAGS]: builds host.c
# into a shared library, runs extern.rlf on both targets with --extern-lib,
# and checks the results against NumPy; a failing host function must fail the
# run with its message, and a missing library must be a clear error.
set -eu
rlfc="$1"; src="$2"; inc="$3"; work="$4"
# the sanitizer flags the runtime was built with (CMake's RLF_SANITIZE_FLAGS):
# a program linking it needs their runtimes
extra="${5:-}"
rm -rf "$work"; mkdir -p "$work"
${CC:-cc} -shared -fPIC -O1 -Wall -Werror $extra -I "$inc" "$src/tests/extern/host.c" -o "$work/libhost.so"
/usr/bin/python3 - "$work" <<'PY'
import sys, numpy as np
w = sys.argv[1]
rng = np.random.default_rng(3)
np.save(w + "/obs.npy", rng.normal(size=(7, 5)).astype(np.float32))
np.save(w + "/reward.npy", rng.normal(size=7).astype(np.float32))
PY
for t in interp cpu; do
    "$rlfc" run "$src/tests/extern/extern.rlf" --entry values --target $t --extern-lib "$work/libhost.so" \
        --in obs="$work/obs.npy" --in reward="$work/reward.npy" --param gamma=0.25 --out "$work/out-$t"
done
/usr/bin/python3 - "$work" <<'PY'
import sys, numpy as np
w = sys.argv[1]
obs, r = np.load(w + "/obs.npy"), np.load(w + "/reward.npy")
v = ((2 * obs) * np.arange(1, 6, dtype=np.float32)).sum(axis=1)
want = r + np.float32(0.25) * v
for t in ("interp", "cpu"):
    got = np.load(w + "/out-%s/target.npy" % t)
    assert np.allclose(got, want, rtol=1e-5, atol=1e-5), (t, got, want)
print("extern: interp and cpu agree with NumPy")
PY
for t in interp cpu; do
    if "$rlfc" run "$src/tests/extern/extern.rlf" --entry broken --target $t --extern-lib "$work/libhost.so" \
        --in obs="$work/obs.npy" --out "$work/bad-$t" 2>"$work/err-$t"; then echo "broken ran on $t"; exit 1; fi
    grep -q "the model server is down" "$work/err-$t" || { cat "$work/err-$t"; exit 1; }
    if "$rlfc" run "$src/tests/extern/extern.rlf" --entry values --target $t \
        --in obs="$work/obs.npy" --in reward="$work/reward.npy" --out "$work/nolib-$t" 2>"$work/nolib-err-$t"; then echo "ran without the library on $t"; exit 1; fi
    grep -q "extern-lib" "$work/nolib-err-$t" || { cat "$work/nolib-err-$t"; exit 1; }
done
echo "extern: failures reported"
# ahead of time: the generated library calls the program's value_model
"$rlfc" build "$src/tests/extern/extern.rlf" --target cpu -o "$work/aot"
${CC:-cc} -std=c11 -O1 -Wall -Werror $extra -I "$work/aot" "$src/tests/extern/test_extern_aot.c" "$src/tests/extern/host.c" \
    -L "$work/aot" -lextern -Wl,-rpath,"$work/aot" -lm -o "$work/test_extern_aot"
"$work/test_extern_aot"
