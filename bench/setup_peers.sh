#!/bin/sh
# bench/setup_peers.sh: installs what the peer benchmarks (bench/peers.py) use.
#   Debian:  python3-numpy, python3-torch (PyTorch eager), python3-venv, a C compiler
#   PyPI:    numba, jax (CPU) and rlax, into the virtual environment bench/.venv
# Each step may fail on its own (no network, no wheel for this Python): the peers
# it would have provided are then skipped by peers.py with a note, never faked.
# Usage: sh bench/setup_peers.sh            (idempotent; re-running is cheap)
set -u
cd "$(dirname "$0")"
log() { printf 'setup_peers: %s\n' "$*"; }

SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"

need_apt=""
for pkg in python3-numpy python3-venv python3-pip gcc make; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need_apt="$need_apt $pkg"
done
# PyTorch is optional: only Debian's build is used (no download from elsewhere).
if ! dpkg -s python3-torch >/dev/null 2>&1; then
    if apt-cache policy python3-torch 2>/dev/null | grep -q 'Candidate: [0-9]'; then
        need_apt="$need_apt python3-torch"
    else
        log "python3-torch is not in this Debian release: the PyTorch peers will be skipped"
    fi
fi
if [ -n "$need_apt" ]; then
    log "apt-get install$need_apt"
    $SUDO apt-get update -qq >/dev/null 2>&1 || true
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $need_apt >/dev/null 2>&1 \
        || log "apt-get install failed for some of:$need_apt (the peers that need them will be skipped)"
fi

# numba, jax and rlax live in their own environment so that their numpy never
# shadows the Debian numpy that Debian's torch was built against.
VENV=.venv
if [ ! -x "$VENV/bin/python" ]; then
    /usr/bin/python3 -m venv "$VENV" || { log "could not create $VENV: numba and rlax peers will be skipped"; exit 0; }
fi
PIP="$VENV/bin/python -m pip --disable-pip-version-check -q"
have() { "$VENV/bin/python" -c "import $1" >/dev/null 2>&1; }
have numpy || $PIP install 'numpy<2.3' || log "pip: numpy failed"
have numba || $PIP install numba || log "pip: numba failed: the numba peer will be skipped"
have jax || $PIP install 'jax[cpu]' || $PIP install jax jaxlib || log "pip: jax failed: the rlax peer will be skipped"
have rlax || $PIP install rlax || log "pip: rlax failed: the rlax peer will be skipped"
for m in numba jax rlax; do
    if have "$m"; then log "$m: $("$VENV/bin/python" -c "import $m; print(getattr($m, '__version__', '?'))" 2>/dev/null)"
    else log "$m: not available"; fi
done
exit 0
