#!/usr/bin/env bash
# Append benchmark: one more year appended to a 170-year Zarr store (ERSST-like, 2040 x
# 180 x 360 float32, blosc zstd 3, chunks of 12 months) with pg-convert --append-dim and
# with xarray's to_zarr(append_dim="time") (dask, 2 threads), against converting that one
# year alone: an append should cost what its new data costs, not what the store holds.
# usage: scripts/bench/append.sh [RUNS]   (BENCH_DIR to keep the data elsewhere)
source "$(dirname "$0")/common.sh"
[ -d "$dir/parts" ] || /usr/bin/python3 scripts/make-sst.py "$dir/parts" --years 170 --res 1 --split --format nc3
[ -d "$dir/next" ] || /usr/bin/python3 scripts/make-sst.py "$dir/next" --years 171 --res 1 --split --format nc3
last=$(ls "$dir/next"/*.nc | tail -1)
comp="--compressor blosc:zstd:3:shuffle"
[ -d "$dir/base.zarr" ] || "$bin/pg-convert" "$dir"/parts/*.nc -o "$dir/base.zarr" --chunks time=12 $comp
cat > "$dir/xr_append.py" <<'PY'
import sys, dask, xarray as xr
dask.config.set(scheduler="threads", num_workers=2)
xr.open_dataset(sys.argv[1], chunks={"time": 12}).to_zarr(sys.argv[2], append_dim="time")
PY
reset="rm -rf $dir/a-pg.zarr $dir/a-xr.zarr $dir/one.zarr && cp -r $dir/base.zarr $dir/a-pg.zarr && cp -r $dir/base.zarr $dir/a-xr.zarr"
/usr/bin/python3 scripts/bench/measure.py --runs "$runs" --baseline "convert one year" --setup "$reset" \
  --title "one year appended to a 170-year Zarr store vs converting that year alone (blosc zstd 3, 2 cores)" \
  "pg-convert --append-dim=$bin/pg-convert -j2 $last -o $dir/a-pg.zarr --append-dim time" \
  "xarray append_dim=/usr/bin/python3 $dir/xr_append.py $last $dir/a-xr.zarr" \
  "convert one year=$bin/pg-convert -j2 $last -o $dir/one.zarr --chunks time=12 $comp"
