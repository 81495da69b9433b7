#!/bin/sh
# scripts/diff_at_scale.sh: the random differential tester (tests/diff) at
# scale: N programs (default 100000), each run on the interpreter, the cpu
# target at -O0 and at -O2 and compared, in chunks of tests/diff/run_diff.py
# with a progress line per chunk and a summary at the end: programs, passed,
# mismatches, crashes (signals, sanitizer reports, internal errors,
# timeouts), other failed runs, generator rejections, wall and CPU time.
#
#   sh scripts/diff_at_scale.sh [-n COUNT] [-s FIRST_SEED] [-c CHUNK] [-j JOBS]
#                               [-r RLFC] [-w WORK] [--check-only] [--resume]
#
# -r build-debug/bin/rlfc is the sanitizer run (UBSan and ASan halt on the
# first report unless UBSAN_OPTIONS / ASAN_OPTIONS say otherwise).
# --check-only only compiles each program to kernels (`rlfc emit --kernels`,
# a hundred programs per process): a sweep for generator bugs, and with the
# debug build for sanitizer reports in the frontend and passes, at about a
# hundredth of the cost. --resume skips the chunks WORK
# already has results for. Each chunk logs to WORK/chunk-SEED.log and keeps
# its failing cases in WORK/chunk-SEED/seed-N/ (with repro.sh); the summary
# lists their seeds. Start it in the background on a shared machine:
#
#   nohup nice -n 10 sh scripts/diff_at_scale.sh -w build/diff-scale > build/diff-scale.log 2>&1 &
#
# Exit status 0 only if every program passed. The CI version is the ctest
# diff.random (tests/diff/CMakeLists.txt).
set -eu
cd "$(dirname "$0")/.."

count=100000 first=1 chunk=500 jobs=2 rlfc=build/bin/rlfc work=build/diff-scale check= resume=
while [ $# -gt 0 ]; do
    case "$1" in
    -n) count=$2; shift 2 ;;
    -s) first=$2; shift 2 ;;
    -c) chunk=$2; shift 2 ;;
    -j) jobs=$2; shift 2 ;;
    -r) rlfc=$2; shift 2 ;;
    -w) work=$2; shift 2 ;;
    --check-only) check=--check-only; shift ;;
    --resume) resume=1; shift ;;
    -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
    *) echo "diff_at_scale.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
done

# a Python with NumPy: $PYTHON, else the first python3 on PATH that has it, else the system one
py=${PYTHON:-}
if [ -z "$py" ]; then
    for c in python3 /usr/bin/python3; do
        if "$c" -c 'import numpy' 2>/dev/null; then py=$c; break; fi
    done
fi
[ -n "$py" ] || { echo "diff_at_scale.sh: no python3 with NumPy (set PYTHON)" >&2; exit 2; }
[ -x "$rlfc" ] || { echo "diff_at_scale.sh: no rlfc at $rlfc (build first: sh scripts/build.sh)" >&2; exit 2; }
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
mkdir -p "$work"
start=$(date +%s)
last=$((first + count - 1))

# sums the results of the chunks in [first, last]; $1 = progress | final
summary() {
    "$py" - "$work" "$first" "$last" "$start" "$1" <<'EOF'
import glob, json, os, sys, time
work, first, last, start, mode = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
counts, seeds, lost = {}, {}, []
done = 0
for f in sorted(glob.glob(os.path.join(work, "chunk-*.json"))):
    s0 = int(os.path.basename(f)[6:-5])
    if not first <= s0 <= last:
        continue
    with open(f) as fh:
        r = json.load(fh)
    if r.get("lost"):
        lost.append(s0)
        continue
    done += r["count"]
    for k, v in r["counts"].items():
        counts[k] = counts.get(k, 0) + v
    for k, v in r["seeds"].items():
        seeds.setdefault(k, []).extend(v)
wall = time.time() - start
total = last - first + 1
rate = done / wall if wall > 0 else 0.0
line = "%d/%d programs: %d passed, %d mismatches, %d crashes, %d other failures, %d generator rejections" % (
    done, total, counts.get("pass", 0), counts.get("mismatch", 0), counts.get("crash", 0),
    counts.get("error", 0), counts.get("reject", 0))
if mode == "progress":
    eta = (total - done) / rate if rate > 0 else 0
    print("[%s] %s; %.0f s, %.2f programs/s, about %.0f min left" % (
        time.strftime("%H:%M:%S"), line, wall, rate, eta / 60), flush=True)
    sys.exit(0)
print("diff_at_scale: %s (seeds %d..%d) in %.0f s wall, %.2f programs/s" % (line, first, last, wall, rate))
for k, name in (("mismatch", "mismatches"), ("crash", "crashes"), ("error", "other failures"),
                ("reject", "generator rejections")):
    if seeds.get(k):
        print("    %s: seeds %s" % (name, " ".join(map(str, sorted(seeds[k])))))
if lost:
    print("    chunks whose run_diff.py gave no results (see their logs): %s" % " ".join(map(str, lost)))
sys.exit(1 if lost or done < total or any(counts.get(k) for k in ("mismatch", "crash", "error", "reject")) else 0)
EOF
}

echo "diff_at_scale: seeds $first..$last, chunks of $chunk, -j $jobs, rlfc $rlfc${check:+, check only}; work $work"
seed=$first
while [ "$seed" -le "$last" ]; do
    n=$chunk
    [ $((seed + n - 1)) -le "$last" ] || n=$((last - seed + 1))
    res="$work/chunk-$seed.json"
    if [ -n "$resume" ] && [ -f "$res" ]; then seed=$((seed + n)); continue; fi
    "$py" tests/diff/run_diff.py --rlfc "$rlfc" --seed "$seed" --count "$n" -j "$jobs" $check \
        --work "$work/chunk-$seed" --results "$res.tmp" > "$work/chunk-$seed.log" 2>&1 || true
    if [ -f "$res.tmp" ]; then
        mv "$res.tmp" "$res"
        # a chunk that passed leaves nothing behind but its summary
        rmdir "$work/chunk-$seed" 2>/dev/null || true
    else
        echo '{"lost": true}' > "$res"
    fi
    summary progress
    seed=$((seed + n))
done
times > "$work/times.txt"
echo "CPU time of the runs (user, system): $(sed -n 2p "$work/times.txt")"
summary final
