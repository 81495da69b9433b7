#!/bin/sh
# tests/concurrent/run_concurrent_aot.sh RLFC SRC_DIR WORK_DIR [FLAGS...]:
# builds stdlib/advantages.rlf ahead of time with RLFC, links
# test_concurrent_aot.c with the object file and the runtime library next to
# RLFC, and runs it. FLAGS: the sanitizer flags of the build (the runtime
# library was compiled with them, so the program needs their runtimes).
set -eu
rlfc="$1"; src="$2"; work="$3"
shift 3
rm -rf "$work"; mkdir -p "$work"
"$rlfc" build "$src/stdlib/advantages.rlf" --target cpu -o "$work/out"
cc=${CC:-cc}
$cc -std=gnu11 -O1 -g -Wall -Werror "$@" -I "$work/out" "$src/tests/concurrent/test_concurrent_aot.c" \
    "$work/out/advantages.o" "$work/out/librlf_runtime.a" -lm -lpthread -o "$work/test_concurrent_aot"
"$work/test_concurrent_aot"
