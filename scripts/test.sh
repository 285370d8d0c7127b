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
source scripts/test-count.sh
echo "== unit tests"
run_ctest build
for suite in tests/cli tests/interop tests/cloud; do
  echo "== $suite"
  run_bats "$suite"
done
echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
