# Shared set-up of the benchmark scripts (sourced): strict mode, the project root as the
# working directory, RUNS from $1, the data directory and the ERSST-like dataset
# (2040 x 180 x 360 float32, one netCDF-4 file).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
runs=${1:-3}
dir=${BENCH_DIR:-/tmp/pg-bench}
bin=$PWD/build/bin
mkdir -p "$dir"
if [ ! -f "$dir/sst.nc" ]; then
  echo "generating data in $dir ..." >&2
  /usr/bin/python3 scripts/make-sst.py "$dir/sst.nc" --years 170 --res 1
fi
