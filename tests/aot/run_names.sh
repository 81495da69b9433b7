#!/bin/sh
# tests/aot/run_names.sh RLFC SRC_DIR WORK_DIR [SANITIZE_FLAGS]: the C names of
# `rlfc build`. Builds tests/aot/names.rlf (C and C++ keywords and header
# names as rlf names), compiles tests/aot/test_names.c against it as C11 and
# as C++ with -Wall -Werror and runs both; then checks that pipelines whose
# C names collide (with each other or with the runtime's) are refused with a
# message naming both.
set -eu
rlfc="$1"; src="$2"; work="$3"
# the sanitizer flags the runtime was built with (CMake's RLF_SANITIZE_FLAGS):
# a program linking it needs their runtimes
extra="${4:-}"
rm -rf "$work"; mkdir -p "$work"
"$rlfc" build "$src/tests/aot/names.rlf" --target cpu -o "$work/out"
cc=${CC:-cc}; cxx=${CXX:-c++}
$cc -std=c11 -O1 -Wall -Wextra -Werror -I "$work/out" "$src/tests/aot/test_names.c" $extra "$work/out/names.o" "$work/out/librlf_runtime.a" \
    -lm -lpthread -o "$work/test_names_c"
"$work/test_names_c"
$cxx -x c++ -std=c++17 -O1 -Wall -Wextra -Werror -I "$work/out" "$src/tests/aot/test_names.c" -x none $extra "$work/out/names.o" \
    "$work/out/librlf_runtime.a" -lm -lpthread -o "$work/test_names_cxx"
"$work/test_names_cxx"

# refused: FILE CONTENT EXPECTED-MESSAGE
refused() {
    printf '%s\n' "$2" > "$work/$1.rlf"
    if "$rlfc" build "$work/$1.rlf" --target cpu -o "$work/$1" 2> "$work/$1.err"; then
        echo "FAIL: $1.rlf was built"; exit 1
    fi
    grep -qF "$3" "$work/$1.err" || { echo "FAIL: $1.rlf: expected '$3', got:"; cat "$work/$1.err"; exit 1; }
}
refused clash 'pipeline gae(x: f32[N]) -> (y: f32[N]) { y[n] = x[n] }
pipeline gae_params(x: f32[N]) -> (y: f32[N]) { y[n] = x[n] }' \
    "pipelines 'gae' and 'gae_params' cannot be built together: the C params struct of 'gae' and the function of 'gae_params' are both named rlf_gae_params"
refused clash2 'pipeline g(x: f32[N]) -> (y: f32[N]) { y[n] = x[n] }
pipeline g_params_default(x: f32[N]) -> (y: f32[N]) { y[n] = x[n] }' \
    "the C defaults function of 'g' and the function of 'g_params_default' are both named rlf_g_params_default"
refused runtime 'pipeline num_threads(x: f32[N]) -> (y: f32[N]) { y[n] = x[n] }' \
    "pipeline 'num_threads' cannot be built: its C function rlf_num_threads is a name of the runtime"
refused runtime2 'pipeline error(x: f32[N]) -> (y: f32[N]) { y[n] = x[n] }' \
    "its C function rlf_error is a name of the runtime"
echo "names: ok"
