#!/usr/bin/env bash
#
# Copyright (c) 2026 mlcloud developers
# Distributed under the Boost Software License, Version 1.0.
#
# Builds the benchmarks in Release (the `bench` CMake preset), runs them and prints one table:
# metric | mlcloud | peer | ratio | target. See docs/performance.md.
#
#   tests/bench/run.sh                                   # everything, 2 GiB transfers
#   MLCLOUD_BENCH_ONLY="sigv4 s3" tests/bench/run.sh     # a subset: sigv4 transport s3 logs compile bot
#   MLCLOUD_BENCH_SIZE_MB=64 MLCLOUD_BENCH_JOBS=50 MLCLOUD_BENCH_QUICK=1 tests/bench/run.sh   # a smoke run
#
# Environment: MLCLOUD_BENCH_BUILD_DIR (default build/bench), MLCLOUD_BENCH_SIZE_MB (2048),
# MLCLOUD_BENCH_ROUNDS (1, transfers), MLCLOUD_BENCH_JOBS (1000), MLCLOUD_BENCH_QUICK (shorter
# SigV4 and transport loops), MLCLOUD_BENCH_NO_BUILD=1 (use the existing build), MLCLOUD_BENCH_DROP_CACHES=1
# (as root: drop the page cache before each timed transfer, see docs/performance.md).
set -euo pipefail

source_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build_dir=${MLCLOUD_BENCH_BUILD_DIR:-$source_dir/build/bench}
only=${MLCLOUD_BENCH_ONLY:-sigv4 transport s3 logs compile bot}
quick=${MLCLOUD_BENCH_QUICK:-0}
python=${PYTHON:-python3}

wants() { [[ " $only " == *" $1 "* ]]; }
# Runs one of the Python benchmark drivers in tests/bench, its lines added to the table's log;
# a driver that fails is reported and the others still run.
run_script() {
    local script=$1
    shift
    "$python" "$source_dir/tests/bench/$script" "$@" | tee -a "$log" || echo "== $(basename "$script") failed"
}

targets=()
wants sigv4 && targets+=(bench_sigv4)
wants transport && targets+=(bench_transport)
wants s3 && targets+=(s3_sink bench_s3_transfer)
wants logs && targets+=(bench_runpod_logs)
wants bot && targets+=(bench_bot mlcloud-bot)

if [[ ${MLCLOUD_BENCH_NO_BUILD:-0} != 1 && ${#targets[@]} -gt 0 ]]; then
    if [[ ! -f $build_dir/CMakeCache.txt ]]; then
        if [[ $build_dir == "$source_dir/build/bench" ]]; then
            (cd "$source_dir" && cmake --preset bench >/dev/null)
        else
            cmake -S "$source_dir" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DMLCLOUD_BUILD_TESTS=ON \
                -DMLCLOUD_BUILD_EXAMPLES=ON -DMLCLOUD_BUILD_BENCHMARKS=ON >/dev/null
        fi
    fi
    cmake --build "$build_dir" -j2 --target "${targets[@]}"
fi

log=$(mktemp "${TMPDIR:-/tmp}/mlcloud-bench.XXXXXX")
trap 'rm -f "$log"' EXIT
bench=$build_dir/tests/bench

echo "== machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
if wants sigv4; then
    echo "== SigV4"
    if [[ $quick == 1 ]]; then args=(0.3 3); else args=(1 5); fi
    "$bench/auth/bench_sigv4" "${args[@]}" | tee -a "$log" || echo "== bench_sigv4 failed"
fi
if wants transport; then
    echo "== transport"
    if [[ $quick == 1 ]]; then args=(2000 1); else args=(20000 3); fi
    "$bench/net/bench_transport" "${args[@]}" | tee -a "$log" || echo "== bench_transport failed"
fi
if wants s3; then
    echo "== S3 transfers"
    run_script s3/transfer_bench.py --build-dir "$build_dir"
fi
if wants logs; then
    echo "== following logs"
    run_script runpod/logs_bench.py --build-dir "$build_dir" --source-dir "$source_dir"
fi
if wants compile; then
    echo "== compile times"
    run_script compile/compile_bench.py --source-dir "$source_dir"
fi

if wants bot; then
    echo "== the bot (database in /dev/shm)"
    if [[ $quick == 1 ]]; then args=(1000 50); else args=(4000 100); fi
    "$bench/bot/bench_bot" "$build_dir/examples/telegram_bot/mlcloud-bot" "${args[@]}" /dev/shm | tee -a "$log" \
        || echo "== bench_bot failed"
fi

echo
echo "== load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| metric | mlcloud | peer | ratio | target |"
echo "|---|---|---|---|---|"
awk -F'|' '/^RESULT\|/ { printf "| %s | %s | %s | %s | %s |\n", $2, $3, $4, $5, $6 }' "$log"
