#!/bin/sh
# scripts/test.sh: the README's second command and what CI runs. Installs what
# is needed, builds the sanitizer (debug) preset and runs the whole suite
# under it, then builds the release preset and runs it again, then the tsan
# preset (ThreadSanitizer: rlfc and the concurrency tests only, under a
# minute).
set -eu
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)
for preset in debug release tsan; do
    sh scripts/build.sh "$preset"
    ctest --preset "$preset" -j "$jobs"
done
