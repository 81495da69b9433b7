#!/bin/sh
# bench/build_ref.sh: builds the C reference (bench/ref_gae.c) into bench/build/:
#   ref_gae        the timing program (JSON lines)
#   libref_gae.so  the same functions for bench/peers.py's correctness checks
# Same flags as bench/CMakeLists.txt; CC defaults to cc.
set -eu
cd "$(dirname "$0")"
CC="${CC:-cc}"
FLAGS="-std=c11 -O3 -march=native -fno-trapping-math -fopenmp-simd -Wall -Wextra"
mkdir -p build
$CC $FLAGS -DREF_MAIN ref_gae.c -o build/ref_gae -lm -lpthread
$CC $FLAGS -fPIC -shared ref_gae.c -o build/libref_gae.so -lm -lpthread
