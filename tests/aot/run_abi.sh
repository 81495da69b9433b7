#!/bin/sh
# tests/aot/run_abi.sh RLFC SRC_DIR WORK_DIR [SANITIZE_FLAGS]: builds
# tests/aot/abi.rlf ahead of time and runs tests/aot/test_abi.c against it:
# the argument checks of the C ABI, then RLF_NUM_THREADS with good and bad
# values. The test is compiled with nothing but the output folder on the
# include path, and the DLPack header it uses must be the one rlfc wrote there.
set -eu
rlfc="$1"; src="$2"; work="$3"
# the sanitizer flags the runtime was built with (CMake's RLF_SANITIZE_FLAGS):
# a program linking it needs their runtimes
extra="${4:-}"
rm -rf "$work"; mkdir -p "$work"
"$rlfc" build "$src/tests/aot/abi.rlf" --target cpu -o "$work/out"
cc=${CC:-cc}
# -H lists every header used: dlpack.h must come from the output folder
$cc -std=c11 -O1 -Wall -Werror -H -I "$work/out" "$src/tests/aot/test_abi.c" $extra "$work/out/abi.o" "$work/out/librlf_runtime.a" \
    -lm -lpthread -o "$work/test_abi" 2> "$work/headers.txt" || { cat "$work/headers.txt"; exit 1; }
used=$(grep 'dlpack\.h$' "$work/headers.txt" | sed 's/^\.* *//')
if [ "$used" != "$work/out/dlpack/dlpack.h" ]; then
    echo "FAIL: the generated header used DLPack from '$used', not from $work/out/dlpack/dlpack.h"; exit 1
fi
env -u RLF_NUM_THREADS "$work/test_abi"
for v in 1 3 300 abc 0 -3 4x " 2" ""; do
    RLF_NUM_THREADS="$v" "$work/test_abi" threads || { echo "FAIL: RLF_NUM_THREADS='$v'"; exit 1; }
done
echo "abi: ok"
