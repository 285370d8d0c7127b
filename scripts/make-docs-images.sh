#!/usr/bin/env bash
# Draws the talk's three pictures from the sample into docs/ (shown in the README):
# the SST map of one day, the zonal-and-time mean profile and the Nino 3.4 index.
# Usage: scripts/make-docs-images.sh [BIN_DIR]   (default build/bin)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-build/bin}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 scripts/make-sst.py "$work/sst.nc" --years 10 --start 1980
"$bin/pg-convert" -q "$work/sst.nc" -o "$work/sst.zarr" --chunks time=12
scripts/plot-talk.sh "$bin" "$work/sst.zarr" docs
