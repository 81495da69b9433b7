#!/bin/sh
# tests/aot/run_concurrent.sh RLFC SRC_DIR WORK_DIR [RLF_SANITIZE]: builds
# stdlib/advantages.rlf ahead of time and runs tests/aot/test_concurrent.c
# (four threads calling it at once) with the default thread count and with 3.
set -eu
rlfc="$1"; src="$2"; work="$3"; san="${4:-OFF}"
extra=""
[ "$san" = "ON" ] && extra="-fsanitize=address,undefined"
rm -rf "$work"; mkdir -p "$work"
"$rlfc" build "$src/stdlib/advantages.rlf" --target cpu -o "$work/out"
cc=${CC:-cc}
$cc -std=c11 -O1 -Wall -Werror -I "$work/out" "$src/tests/aot/test_concurrent.c" $extra "$work/out/advantages.o" "$work/out/librlf_runtime.a" \
    -lm -lpthread -o "$work/test_concurrent"
env -u RLF_NUM_THREADS "$work/test_concurrent"
RLF_NUM_THREADS=3 "$work/test_concurrent"
