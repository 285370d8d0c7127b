#!/usr/bin/env bash
# The main job on the embedded default: installs what is missing, builds, generates a
# small ERSST-like sample, converts it to Zarr, and inspects and summarises the store.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
work=${DEMO_DIR:-$(mktemp -d)}
bin=build/bin
echo "== sample: $work/sst.nc (10 years, 2 degrees)"
/usr/bin/python3 scripts/make-sst.py "$work/sst.nc" --years 10
echo "== pg-convert $work/sst.nc -o $work/sst.zarr"
"$bin/pg-convert" -O "$work/sst.nc" -o "$work/sst.zarr" --chunks time=12 --compressor blosc:zstd:3:shuffle
echo "== pg-info $work/sst.zarr"
"$bin/pg-info" "$work/sst.zarr"
echo "== pg-info --stats $work/sst.zarr"
"$bin/pg-info" --stats "$work/sst.zarr" | sed -n '/Statistics/,$p'
