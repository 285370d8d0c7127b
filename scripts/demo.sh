#!/usr/bin/env bash
# The main job on the embedded default: installs what is missing, builds, generates a
# small ERSST-like sample, converts it to Zarr, inspects it, analyses it (a month
# climatology, and the Nino 3.4 index through a pipeline of tools) and draws the talk's
# three pictures.
set -euo pipefail
cd "$(dirname "$0")/.."
# PG_BIN=DIR: run the demo with tools installed there (e.g. /usr/bin from the .deb) instead.
if [[ -n "${PG_BIN:-}" ]]; then
  bin=$PG_BIN
else
  scripts/install-deps.sh
  scripts/build.sh
  bin=build/bin
fi
work=${DEMO_DIR:-$(mktemp -d)}
mkdir -p "$work"
echo "== sample: $work/sst.nc (10 years, 2 degrees)"
/usr/bin/python3 scripts/make-sst.py "$work/sst.nc" --years 10 --start 1980
echo "== pg-convert $work/sst.nc -o $work/sst.zarr"
"$bin/pg-convert" -O "$work/sst.nc" -o "$work/sst.zarr" --chunks time=12 --compressor blosc:zstd:3:shuffle
echo "== pg-info $work/sst.zarr"
"$bin/pg-info" "$work/sst.zarr"
echo "== pg-info --stats $work/sst.zarr"
"$bin/pg-info" --stats "$work/sst.zarr" | sed -n '/Statistics/,$p'
echo "== pg-groupby $work/sst.zarr --by time.month (climatology)"
"$bin/pg-groupby" -O "$work/sst.zarr" -o "$work/clim.nc" --by time.month
"$bin/pg-info" "$work/clim.nc" | sed -n '/Dimensions/,/Data variables/p'
echo "== Nino 3.4 index through pipes: select | anomaly | area mean | 3-month rolling mean"
"$bin/pg-select" "$work/sst.zarr" --sel lat=-5:5 --sel lon=190:240 -o - \
  | "$bin/pg-groupby" - --by time.month --anomaly -o - \
  | "$bin/pg-reduce" - --dim lat,lon --weights cos-lat -o - \
  | "$bin/pg-reduce" - --rolling time=3 -O -o "$work/nino34.nc"
ncdump -v sst "$work/nino34.nc" | sed -n '/^ sst =/,/;/p' | head -4
echo "== the talk's pictures: a day's map, the zonal-mean profile, the Nino 3.4 index (pg-plot)"
scripts/plot-talk.sh "$bin" "$work/sst.zarr" "$work"
echo "outputs in $work"
