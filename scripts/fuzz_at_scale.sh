#!/bin/sh
# scripts/fuzz_at_scale.sh [-t SECONDS] [-T TIMEOUT] [-b BUILD_DIR] [FUZZER...]
# Long fuzzing runs of the libFuzzer targets of tests/fuzz/ (default: all of
# them, compile kernels npy), one fuzzer process at a time under `nice -n 10`,
# SECONDS in total (default 3600) split between them (compile 30%, kernels
# 50%, npy 20%, rescaled to the fuzzers chosen). Each starts from its saved
# corpus tests/fuzz/corpus/<name>/, the regression inputs tests/fuzz/crashes/
# and (for .rlf) the repository's programs; a finding is kept in
# BUILD_DIR/fuzz-at-scale/<name>/artifacts/ and the fuzzer restarts for the
# time left. An input running longer than TIMEOUT seconds (default 25: these
# runs share loaded machines) is a finding. Prints progress every minute and
# a summary (seconds, execs, coverage, corpus, findings by kind) per fuzzer;
# then merges what added coverage
# back into the saved corpus, minimised (-merge=1 on edge coverage, without
# hit counts, to keep it small): the saved corpus keeps only inputs that add
# coverage beyond the repository's own programs.
# Exits 1 when there was any finding. Needs a build with the fuzzers
# (scripts/build.sh release, with clang installed).
set -eu
cd "$(dirname "$0")/.."
root=$(pwd)
total=3600
timeout=25
build=build
while getopts t:T:b: o; do
    case $o in
    t) total=$OPTARG ;;
    T) timeout=$OPTARG ;;
    b) build=$OPTARG ;;
    *) echo "usage: $0 [-t SECONDS] [-T TIMEOUT] [-b BUILD_DIR] [FUZZER...]" >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || set -- compile kernels npy
case $build in /*) ;; *) build="$root/$build" ;; esac

share() { case $1 in compile) echo 30 ;; kernels) echo 50 ;; npy) echo 20 ;; *) echo 0 ;; esac; }
ext() { case $1 in npy) echo npy ;; *) echo rlf ;; esac; }
weights=0
for f in "$@"; do
    [ "$(share "$f")" -gt 0 ] || { echo "fuzz_at_scale: unknown fuzzer '$f' (compile, kernels, npy)" >&2; exit 2; }
    [ -x "$build/bin/fuzz_$f" ] || { echo "fuzz_at_scale: $build/bin/fuzz_$f is missing: build first" >&2; exit 2; }
    weights=$((weights + $(share "$f")))
done

out="$build/fuzz-at-scale"
summary=""
found_any=0
for f in "$@"; do
    secs=$((total * $(share "$f") / weights))
    exe="$build/bin/fuzz_$f"
    e=$(ext "$f")
    dir="$out/$f"
    rm -rf "$dir"
    mkdir -p "$dir/corpus" "$dir/seeds" "$dir/artifacts" "$dir/base"
    # seeds other than the saved corpus: the regression inputs and, for .rlf,
    # every program of the repository
    for s in tests/fuzz/crashes/*."$e"; do [ -f "$s" ] && cp "$s" "$dir/seeds/"; done
    if [ "$e" = rlf ]; then cp tests/run/*.rlf tests/errors/*.rlf stdlib/*.rlf "$dir/seeds/"; fi
    cp "$dir"/seeds/* tests/fuzz/corpus/"$f"/* "$dir/corpus/" 2>/dev/null || true
    echo "fuzz_at_scale: $f for ${secs}s from $(ls "$dir/corpus" | wc -l) seeds"

    start=$(date +%s)
    left=$secs
    execs=0
    runs=0
    while [ "$left" -gt 0 ]; do
        runs=$((runs + 1))
        log="$dir/run$runs.log"
        nice -n 10 "$exe" -max_total_time="$left" -timeout="$timeout" -rss_limit_mb=2048 \
            -dict="$root/tests/fuzz/$e.dict" -artifact_prefix="$dir/artifacts/" \
            -print_final_stats=1 "$dir/corpus" >"$log" 2>&1 &
        pid=$!
        while kill -0 "$pid" 2>/dev/null; do
            i=0
            while [ $i -lt 60 ] && kill -0 "$pid" 2>/dev/null; do sleep 1; i=$((i + 1)); done
            last=$(grep -a 'cov:' "$log" | tail -n 1 | sed 's/ MS:.*//; s/  */ /g')
            kill -0 "$pid" 2>/dev/null && echo "  [$f $(($(date +%s) - start))s/${secs}s] $last"
        done
        rc=0
        wait "$pid" || rc=$?
        n=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
        execs=$((execs + ${n:-0}))
        if [ "$rc" -ne 0 ]; then
            echo "  [$f] FINDING (exit $rc), log: $log"
            grep -a -E '^==[0-9]+==ERROR|runtime error|^SUMMARY|fuzz_[a-z]*: |internal error|Test unit written' "$log" | head -n 6 | sed 's/^/    /'
            # an input of the corpus that fails would fail every restart: drop it
            for a in "$dir"/artifacts/[!s]*; do
                for c in "$dir"/corpus/*; do cmp -s "$a" "$c" && rm -f "$c"; done
            done
        fi
        left=$((secs - ($(date +%s) - start)))
    done
    elapsed=$(($(date +%s) - start))
    cov=$(grep -a 'cov:' "$dir"/run*.log | tail -n 1 | sed -n 's/.*\(cov: [0-9]*\).*\(ft: [0-9]*\).*/\1 \2/p')
    # slow-unit-* files only report the slowest input so far
    findings=$(ls "$dir/artifacts" | grep -v '^slow-unit-' | wc -l)
    kinds=$(ls "$dir/artifacts" | grep -v '^slow-unit-' | sed 's/-.*//' | sort | uniq -c | awk '{printf " %s %s", $1, $2}')
    [ "$findings" -eq 0 ] || found_any=1

    # minimised merge: first what the repository's programs already cover,
    # then the saved corpus and the new inputs; what the second step adds is
    # the new saved corpus
    nice -n 10 "$exe" -merge=1 -use_counters=0 -rss_limit_mb=2048 -timeout="$timeout" "$dir/base" "$dir/seeds" >"$dir/merge1.log" 2>&1 || true
    ls "$dir/base" | sort >"$dir/base.list"
    nice -n 10 "$exe" -merge=1 -use_counters=0 -rss_limit_mb=2048 -timeout="$timeout" "$dir/base" "$root/tests/fuzz/corpus/$f" "$dir/corpus" >"$dir/merge2.log" 2>&1 || true
    before=$(ls "tests/fuzz/corpus/$f" | wc -l)
    new="$dir/saved"
    mkdir -p "$new"
    ls "$dir/base" | sort | comm -13 "$dir/base.list" - | while read -r x; do cp "$dir/base/$x" "$new/"; done
    if [ "$(ls "$new" | wc -l)" -gt 0 ]; then
        rm -rf "tests/fuzz/corpus/$f"
        cp -r "$new" "tests/fuzz/corpus/$f"
    fi
    after=$(ls "tests/fuzz/corpus/$f" | wc -l)
    size=$(($(cat "tests/fuzz/corpus/$f"/* | wc -c) / 1024))
    line="$f: ${elapsed}s, $execs execs in $runs run(s), $cov, saved corpus $before -> $after files (${size} KB), findings: $findings${kinds:+ (}${kinds# }${kinds:+)}"
    echo "fuzz_at_scale: $line"
    summary="$summary$line
"
done
echo "fuzz_at_scale: summary"
printf '%s' "$summary" | sed 's/^/  /'
[ "$found_any" -eq 0 ] || { echo "fuzz_at_scale: findings are in $out/*/artifacts/"; exit 1; }
