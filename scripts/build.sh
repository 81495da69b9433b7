#!/bin/sh
# scripts/build.sh [debug|release|tsan]: configure and build with a CMake preset.
# release (default) builds into build/; debug (ASan + UBSan, IR verifier on)
# into build-debug/; tsan (ThreadSanitizer: rlfc and the concurrency tests
# only) into build-tsan/.
set -eu
cd "$(dirname "$0")/.."
preset="${1:-release}"
sh scripts/setup-deps.sh
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset"
