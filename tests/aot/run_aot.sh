#!/bin/sh
# tests/aot/run_aot.sh RLFC SRC_DIR WORK_DIR: builds stdlib/advantages.rlf ahead
# of time, then compiles tests/aot/test_aot.c against the generated header
# twice (shared library; object file + static runtime) and runs both.
# usage: run_aot.sh RLFC SRC_DIR WORK_DIR [SANITIZE_FLAGS]
set -eu
rlfc="$1"; src="$2"; work="$3"
# the sanitizer flags the runtime was built with (CMake's RLF_SANITIZE_FLAGS):
# a program linking it needs their runtimes
extra="${4:-}"
rm -rf "$work"; mkdir -p "$work"
"$rlfc" build "$src/stdlib/advantages.rlf" --target cpu -o "$work/out"
cc=${CC:-cc}
$cc -std=c11 -O1 -Wall -Werror -I "$work/out" "$src/tests/aot/test_aot.c" $extra -L "$work/out" -ladvantages -Wl,-rpath,"$work/out" -lm -o "$work/test_shared"
"$work/test_shared"
$cc -std=c11 -O1 -Wall -Werror -I "$work/out" "$src/tests/aot/test_aot.c" "$work/out/advantages.o" "$work/out/librlf_runtime.a" $extra -lm -lpthread -o "$work/test_static"
"$work/test_static"
