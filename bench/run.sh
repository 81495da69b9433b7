#!/bin/sh
# bench/run.sh: the rlf benchmark suite, everything measured in one run (float32).
#   rlf      rlfc bench (in-process, random inputs, warm-up then the median of
#            repeats) on gae and gae_whiten, T x B = 128x8, 2048x64, 1024x1024,
#            8192x256, time-major and batch-major; grpo / rloo at G x K = 1024x8,
#            65536x16; everything with all threads, then again with one thread
#   C        bench/ref_gae.c (hand-written, -O3 -march=native, pthreads): the same
#            cases, each run right before its rlf twin so that both see the same
#            machine; and the copy-bandwidth probe that defines the floor
#   peers    bench/peers.py: NumPy and PyTorch loops over T, numba, rlax under
#            jax.jit, PyTorch / NumPy vectorised GRPO and RLOO; each one, and rlf,
#            checked against the C reference before it is timed
#   A/B      bench/ab.sh: rlfc build output and the C reference called alternately
#            in one process, the steadiest ratio when other jobs share the machine
#   compile  the JIT of each pipeline of stdlib/advantages.rlf (rlfc run --time),
#            and rlfc build of the whole file
# Writes the raw numbers to bench/results/<date>.json and prints the tables.
#
# Usage: sh bench/run.sh [--quick] [--no-peers] [--threads N]
#   --quick     the two small shapes only (a smoke test)
#   --no-peers  rlf and C only
#   --threads   threads for rlf, C and the threaded peers (default RLF_NUM_THREADS,
#               else all cores)
# Set-up of the peers (once): sh bench/setup_peers.sh
set -eu
cd "$(dirname "$0")/.."
cmd="sh bench/run.sh${*:+ $*}"
quick=0 peers=1 threads="${RLF_NUM_THREADS:-$(nproc)}"
while [ $# -gt 0 ]; do
    case "$1" in
    --quick) quick=1 ;;
    --no-peers) peers=0 ;;
    --threads) threads="$2"; shift ;;
    *) echo "usage: sh bench/run.sh [--quick] [--no-peers] [--threads N]" >&2; exit 2 ;;
    esac
    shift
done
export RLF_NUM_THREADS="$threads"
# Ask for priority over background jobs (builds, test runs) where allowed; the
# load average is recorded at the start and the end of the run either way.
renice -n -15 $$ >/dev/null 2>&1 || true
PY=/usr/bin/python3
say() { printf 'bench: %s\n' "$*" >&2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# ---- build: the compiler (release) and the C reference. The run uses a copy of
# rlfc, so that a rebuild during the run cannot swap the binary under it.
if [ ! -x build/bin/rlfc ]; then sh scripts/build.sh release >/dev/null
else cmake --build build >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; exit 1; }; fi
mkdir -p "$work/rlf/bin" "$work/rlf/lib"
cp build/bin/rlfc "$work/rlf/bin/"
cp build/lib/librlf_runtime.a "$work/rlf/lib/"          # rlfc build links it
[ -d build/include ] && cp -r build/include "$work/rlf/"
RLFC="$work/rlf/bin/rlfc"
export RLF_STDLIB="$PWD/stdlib"
sh bench/build_ref.sh
REF=bench/build/ref_gae

raw="$work/raw.jsonl"
: >"$raw"
mkdir -p bench/results
out="bench/results/$(date +%Y-%m-%d)$([ "$quick" = 1 ] && echo -quick || true).json"

# ---- the machine, and how busy it is (other processes distort every number)
$PY - "$threads" "$RLFC" >>"$raw" <<'EOF'
import json, os, platform, subprocess, sys
def sh(*a):
    try: return subprocess.run(a, capture_output=True, text=True).stdout.strip()
    except OSError: return ""
def cache(i):
    try:
        t = open(f"/sys/devices/system/cpu/cpu0/cache/index{i}/size").read().strip()
        return int(t[:-1]) * 1024 if t.endswith("K") else int(t)
    except (OSError, ValueError):
        return None
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
mem = next((int(l.split()[1]) // 1024 for l in open("/proc/meminfo") if l.startswith("MemTotal")), 0)
print(json.dumps({"machine": {"cpu": cpu, "cores": os.cpu_count(), "threads_used": int(sys.argv[1]), "mem_mib": mem,
      "l2_bytes": cache(2), "l3_bytes": cache(3), "kernel": platform.release(), "cc": sh("cc", "--version").split("\n")[0],
      "rlf_commit": sh("git", "describe", "--always", "--dirty"),
      "rlfc_sha256": sh("sha256sum", sys.argv[2]).split(" ")[0], "loadavg_start": os.getloadavg()[0]}}))
EOF

if [ "$quick" = 1 ]; then
    TB="128x8 2048x64"; GK="1024x8"
else
    TB="128x8 2048x64 1024x1024 8192x256"; GK="1024x8 65536x16"
fi

say "copy bandwidth"
$REF --probe --threads "$threads" >>"$raw"

# ---- C and rlf, case by case
pair() {  # FILE ENTRY DIMS LAYOUT THREADS
    $REF "$2" --dims "$3" --layout "$4" --threads "$5" >>"$raw" \
        || echo "{\"impl\": \"c\", \"pipeline\": \"$2\", \"dims\": \"$3\", \"layout\": \"$4\", \"error\": \"ref_gae failed\"}" >>"$raw"
    if RLF_NUM_THREADS="$5" "$RLFC" bench "$1" --entry "$2" --dims "$3" --layout "$4" --json >"$work/one" 2>"$work/err"; then
        sed 's/^{/{"impl": "rlf", /' "$work/one" >>"$raw"
    else
        msg=$(head -c 300 "$work/err" | tr '\n"' "  ")
        echo "{\"impl\": \"rlf\", \"pipeline\": \"$2\", \"dims\": \"$3\", \"layout\": \"$4\", \"threads\": $5, \"error\": \"rlfc bench failed: $msg\"}" >>"$raw"
    fi
}
# All threads, then one thread: on a machine shared with other jobs the
# one-thread numbers are the steadier ones (a fork-join waits for its slowest thread).
THREADS="$threads"
[ "$threads" != 1 ] && THREADS="$threads 1"
for th in $THREADS; do
    say "C reference and rlf ($th thread(s))"
    for s in $TB; do
        d="T=${s%x*},B=${s#*x}"
        for layout in time-major batch-major; do
            pair stdlib/advantages.rlf gae "$d" "$layout" "$th"
            pair bench/gae_whiten.rlf gae_whiten "$d" "$layout" "$th"
        done
    done
    for s in $GK; do
        pair stdlib/baselines.rlf grpo "G=${s%x*},K=${s#*x}" time-major "$th"
        pair stdlib/baselines.rlf rloo "G=${s%x*},K=${s#*x}" time-major "$th"
    done
done

# ---- the same comparison in one process: rlfc build output and the C reference
# called alternately (bench/ab.sh), steadier than separate processes on a busy machine
for th in $THREADS; do
    say "A/B in one process ($th thread(s))"
    if [ "$quick" = 1 ]; then
        for p in gae gae_whiten; do
            for layout in time-major batch-major; do
                RLFC="$RLFC" sh bench/ab.sh "$th" "$p" 2048 64 "$layout" 2>/dev/null >>"$raw" || true
            done
        done
    else
        RLFC="$RLFC" sh bench/ab.sh "$th" 2>"$work/ab.err" >>"$raw" \
            || echo "{\"impl\": \"ab\", \"error\": \"bench/ab.sh failed: $(head -c 200 "$work/ab.err" | tr '\n"' '  ')\"}" >>"$raw"
    fi
done

# ---- compile latency: JIT of each pipeline of stdlib/advantages.rlf, rlfc build of the file
say "compile latency"
$PY - "$work/in" <<'EOF'
import os, sys, numpy as np
d = sys.argv[1]; os.makedirs(d, exist_ok=True)
g = np.random.default_rng(0); T, B = 64, 8
f = lambda *s: (g.random(s, dtype=np.float32) * 2 - 1)
for k in ("reward", "value", "value_next", "discount", "log_rho", "x"): np.save(f"{d}/{k}.npy", f(T, B))
np.save(f"{d}/values.npy", f(T + 1, B))
for k in ("terminated", "done", "mask"): np.save(f"{d}/{k}.npy", g.random((T, B)) < 0.1)
EOF
I="$work/in"
jit_ms() {  # ENTRY ARGS...: five runs, one "jit" record each
    e="$1"; shift
    for _ in 1 2 3 4 5; do
        "$RLFC" run stdlib/advantages.rlf --entry "$e" "$@" --target cpu --out "$work/o" --time 2>&1 >/dev/null \
            | sed -n 's/^rlfc: jit \([0-9.]*\) ms$/\1/p' \
            | while read -r ms; do echo "{\"impl\": \"rlf\", \"kind\": \"jit\", \"file\": \"stdlib/advantages.rlf\", \"entry\": \"$e\", \"ms\": $ms}"; done
    done >>"$raw"
}
jit_ms gae --in reward=$I/reward.npy --in value=$I/value.npy --in value_next=$I/value_next.npy --in terminated=$I/terminated.npy --in done=$I/done.npy
jit_ms gae_values --in reward=$I/reward.npy --in values=$I/values.npy --in done=$I/done.npy
jit_ms vtrace --in reward=$I/reward.npy --in discount=$I/discount.npy --in value=$I/value.npy --in value_next=$I/value_next.npy --in log_rho=$I/log_rho.npy
jit_ms whiten --in x=$I/x.npy --in mask=$I/mask.npy
if "$RLFC" --help 2>/dev/null | grep -q '^  build '; then
    for _ in 1 2 3; do
        t0=$($PY -c 'import time; print(time.time())')
        if "$RLFC" build stdlib/advantages.rlf --target cpu -o "$work/aot" >/dev/null 2>&1; then
            $PY -c "import time, json; print(json.dumps({'impl': 'rlf', 'kind': 'build', 'file': 'stdlib/advantages.rlf', 'ms': (time.time() - $t0) * 1e3}))" >>"$raw"
        fi
    done
fi

# ---- peers (each checked against the C reference first); rlf checked the same way
if [ "$peers" = 1 ]; then
    q=$([ "$quick" = 1 ] && echo --quick || true)
    say "correctness of rlf; NumPy and PyTorch peers"
    $PY bench/peers.py --lib bench/build/libref_gae.so --threads "$threads" --peers numpy,torch --rlfc "$RLFC" $q >>"$raw"
    if [ -x bench/.venv/bin/python ]; then
        say "numba and rlax peers"
        bench/.venv/bin/python bench/peers.py --lib bench/build/libref_gae.so --threads "$threads" --peers numba,rlax $q >>"$raw"
    else
        echo '{"impl": "numba", "skipped": "bench/.venv missing: run sh bench/setup_peers.sh"}' >>"$raw"
        echo '{"impl": "rlax", "skipped": "bench/.venv missing: run sh bench/setup_peers.sh"}' >>"$raw"
    fi
fi

say "copy bandwidth, again"
$REF --probe --threads "$threads" >>"$raw"
$PY -c 'import json, os; print(json.dumps({"loadavg_end": os.getloadavg()[0]}))' >>"$raw"
$PY bench/report.py "$raw" --json-out "$out" --command "$cmd"
say "raw numbers: $out"
