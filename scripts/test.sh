#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test: unit tests (ctest), the
# command-line contract (bats, tests/cli) and interoperability with xarray, zarr-python
# and netCDF-C (bats, tests/interop). Ends with "tests: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --test || exit 1
scripts/build.sh || exit 1
export PATH="$PWD/build/bin:$PATH"
export PANGEO_SRC="$PWD"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
passed=0 failed=0
echo "== unit tests"
(cd build && ctest -j2 --output-on-failure) | tee "$log"
p=$(sed -n 's/.*tests passed, \([0-9]*\) tests failed out of \([0-9]*\).*/\2 \1/p' "$log")
if [ -n "$p" ]; then
  set -- $p
  passed=$((passed + $1 - $2)); failed=$((failed + $2))
else
  failed=$((failed + 1))
fi
for suite in tests/cli tests/interop tests/cloud; do
  echo "== $suite"
  bats --formatter tap "$suite" | tee "$log"
  passed=$((passed + $(grep -c '^ok ' "$log"))); failed=$((failed + $(grep -c '^not ok ' "$log")))
  grep -q '^1\.\.' "$log" || failed=$((failed + 1))
done
echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
