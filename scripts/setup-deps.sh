#!/bin/sh
# scripts/setup-deps.sh: installs the Debian packages the build and the tests
# need, when any is missing. Safe to run again; used by scripts/demo.sh and
# scripts/test.sh.
set -eu
PKGS="cmake ninja-build gcc clang flex bison libffi-dev llvm-dev libdlpack-dev python3 python3-numpy"
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    echo "rlf: installing$missing"
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
fi
