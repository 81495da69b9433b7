#!/bin/sh
# bench/ab.sh: rlf against the C reference in one process (bench/ab_gae.c), the
# steadiest comparison on a busy machine. Builds the pipelines ahead of time with
# rlfc build and links them with the C reference; prints one JSON line per case.
# Usage: sh bench/ab.sh [threads]                    the standard cases
#        sh bench/ab.sh THREADS PIPELINE T B [LAYOUT]  one case
# RLFC names the compiler (default build/bin/rlfc).
set -eu
cd "$(dirname "$0")/.."
RLFC="${RLFC:-build/bin/rlfc}"
[ -x "$RLFC" ] || sh scripts/build.sh release >/dev/null
[ -x bench/build/ref_gae ] || sh bench/build_ref.sh
out=bench/build/ab
rm -rf "$out"
mkdir -p "$out"
for f in stdlib/advantages.rlf stdlib/baselines.rlf bench/gae_whiten.rlf; do
    "$RLFC" build "$f" --target cpu -o "$out" >/dev/null
done
cc -std=c11 -O2 -Wall -Wextra -I"$out" bench/ab_gae.c -o "$out/ab_gae" \
    -L"$out" -ladvantages -lbaselines -lgae_whiten -Lbench/build -lref_gae \
    -Wl,-rpath,"$PWD/$out:$PWD/bench/build" -lm -lpthread
th="${1:-${RLF_NUM_THREADS:-$(nproc)}}"
if [ $# -ge 4 ]; then
    "$out/ab_gae" "$2" "$3" "$4" "$th" "${5:-time-major}"
    exit
fi
for s in 128x8 2048x64 1024x1024 8192x256; do
    for layout in time-major batch-major; do
        for p in gae gae_whiten; do "$out/ab_gae" "$p" "${s%x*}" "${s#*x}" "$th" "$layout"; done
    done
done
for s in 1024x8 65536x16; do
    for p in grpo rloo; do "$out/ab_gae" "$p" "${s%x*}" "${s#*x}" "$th"; done
done
