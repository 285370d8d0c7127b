#!/usr/bin/env bash
# Builds the libFuzzer harnesses of tests/fuzz with clang (ASan + UBSan, in build-fuzz/) and
# runs each for SECONDS (default 60), seeded from ../shared/corpus, the test data and the
# hostile inputs of tests/hostile. Crashes are kept in build-fuzz/crashes/HARNESS/; copy each
# into tests/fuzz/regressions/HARNESS/ once fixed (ctest replays those in every build).
# Prints executions and crashes per harness.
#
# usage: scripts/fuzz.sh [SECONDS] [HARNESS...]    (JOBS=N harnesses at a time, default 2)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
build=${FUZZ_BUILD:-build-fuzz}
jobs=${JOBS:-2}
harnesses=("$@")
[ ${#harnesses[@]} -gt 0 ] || harnesses=(zarr_v2 zarr_v3 codecs tar_stream netcdf3_header cf_time specs s3_xml json)
scripts/install-deps.sh --fuzz >&2
if [ ! -f "$build/CMakeCache.txt" ]; then
  CC=clang CXX=clang++ cmake -S . -B "$build" -DPANGEO_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
cmake --build "$build" -j2 --target $(printf 'fuzz_%s ' "${harnesses[@]}") >/dev/null

# Seeds: small real inputs of each kind.
seeds=$build/seeds
corpus=../shared/corpus
if [ ! -d "$seeds" ]; then
  mkdir -p "$seeds"
  /usr/bin/python3 tests/fuzz/make_seeds.py "$seeds" "$corpus"
fi

mkdir -p "$build/crashes" "$build/work"
run_one() {
  local h=$1 dir=$build/work/$1
  mkdir -p "$dir/corpus" "$build/crashes/$h"
  local log=$build/work/$h.log
  # -rss_limit_mb: a harness that needs more than 2 GiB has found an unbounded allocation.
  "$build/fuzz/fuzz_$h" "$dir/corpus" "$seeds/$h" "tests/fuzz/regressions/$h" -max_total_time="$seconds" \
    -rss_limit_mb=2048 -timeout=25 -max_len=262144 -artifact_prefix="$build/crashes/$h/" -print_final_stats=1 \
    >"$log" 2>&1 || true
  local execs crashes
  execs=$(grep -m1 "stat::number_of_executed_units" "$log" | awk '{print $2}')
  crashes=$(ls "$build/crashes/$h" | wc -l)
  if [ "$crashes" -gt 0 ]; then
    printf '%-16s %12s executions, then a crash (kept in %s)\n' "$h" "${execs:-?}" "$build/crashes/$h"
  else
    printf '%-16s %12s executions in %ss, no crash\n' "$h" "${execs:-?}" "$seconds"
  fi
}
export -f run_one
export build seconds seeds
printf '%s\n' "${harnesses[@]}" | xargs -P "$jobs" -I{} bash -c 'run_one {}'
