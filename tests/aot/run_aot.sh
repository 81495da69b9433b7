#!/bin/sh
# tests/aot/run_aot.sh RLFC SRC_DIR WORK_DIR: builds stdlib/advantages.rlf ahead
# of time, then compiles tests/aot/test_aot.c against the generated header
# twice (shared library; object file + static runtime) and runs both.
# usage: run_aot.sh RLFC SRC_DIR WORK_DIR [RLF_SANITIZE]
set -eu
rlfc="$1"; src="$2"; work="$3"; san="${4:-OFF}"
# a sanitizer build's runtime needs the sanitizer runtimes in the program
extra=""
[ "$san" = "ON" ] && extra="-fsanitize=address,undefined"
rm -rf "$work"; mkdir -p "$work"
"$rlfc" build "$src/stdlib/advantages.rlf" --target cpu -o "$work/out"
cc=${CC:-cc}
$cc -std=c11 -O1 -Wall -Werror -I "$work/out" "$src/tests/aot/test_aot.c" $extra -L "$work/out" -ladvantages -Wl,-rpath,"$work/out" -lm -o "$work/test_shared"
"$work/test_shared"
$cc -std=c11 -O1 -Wall -Werror -I "$work/out" "$src/tests/aot/test_aot.c" "$work/out/advantages.o" "$work/out/librlf_runtime.a" $extra -lm -lpthread -o "$work/test_static"
"$work/test_static"
