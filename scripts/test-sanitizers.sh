#!/usr/bin/env bash
# The tree built with AddressSanitizer + UndefinedBehaviorSanitizer (build-asan/), and on it:
# the unit tests and fuzz regressions (ctest), the command-line suite (tests/cli) and every
# hostile input (tests/hostile) through every tool. Any sanitizer report (memory error,
# undefined behaviour, leak) fails the run. Ends with "sanitizer tests: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --test || exit 1
build=${ASAN_BUILD:-build-asan}
cmake -S . -B "$build" -DPANGEO_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null || exit 1
cmake --build "$build" -j2 2>&1 | grep -E "error|warning: unused" ; [ "${PIPESTATUS[0]}" -eq 0 ] || exit 1
# Reports end the process with exit 86; leaks are reports too.
export ASAN_OPTIONS=${ASAN_OPTIONS:-exitcode=86:detect_leaks=1:max_allocation_size_mb=4096:handle_abort=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-exitcode=86:halt_on_error=1:print_stacktrace=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-exitcode=86:suppressions=$PWD/tests/lsan.supp:print_suppressions=0}
export PG_BIN=$PWD/$build/bin PANGEO_SRC=$PWD
source scripts/test-count.sh
echo "== unit tests and fuzz regressions (sanitized)"
run_ctest "$build"
echo "== tests/cli (sanitized)"
run_bats tests/cli
echo "== hostile inputs (sanitized)"
if tests/hostile/run.sh "$PG_BIN" --quick --timeout 120; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
echo "sanitizer tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
