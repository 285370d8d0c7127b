#!/usr/bin/env bats
# Every tool within its --memory budget: peak resident memory (GNU time's %M) at most the
# budget plus the documented 40 MiB, plus for reductions a few times their output's size
# (the result arrays they build), on data three times the budget; and the same answers.

load helpers

setup_file() {
  export BIG="$BATS_FILE_TMPDIR/big"
  mkdir -p "$BIG"
  $PY "$SRC/scripts/make-sst.py" "$BIG/sst.nc" --years 30 --res 1   # 360 x 180 x 360 float32, 93 MB
  pg-convert "$BIG/sst.nc" -o "$BIG/sst.zarr" --chunks time=12       # compressed, 12 x 180 x 360
}
setup() { cd "$BATS_TEST_TMPDIR"; }

BUDGET_MIB=32
# within EXTRA_MIB CMD...: runs CMD with --memory 32M, fails when its peak RSS is over
# budget + 40 MiB + EXTRA_MIB.
within() {
  local extra=$1
  shift
  /usr/bin/time -f %M -o rss.txt "$@" --memory ${BUDGET_MIB}M >out.txt
  local kib limit
  kib=$(tail -1 rss.txt)
  limit=$(((BUDGET_MIB + 40 + extra) * 1024))
  echo "peak ${kib} KiB, limit ${limit} KiB: $*"
  [ "$kib" -le "$limit" ]
}

@test "rechunking to time series within the budget: in place from netCDF, in two stages from compressed Zarr" {
  within 0 pg-convert "$BIG/sst.nc" -o ts.zarr --chunks time=-1,lat=10,lon=10
  within 0 pg-convert "$BIG/sst.zarr" -o ts2.zarr --chunks time=-1,lat=10,lon=10
  within 0 pg-convert "$BIG/sst.zarr" -o back.nc --chunks time=-1,lat=10,lon=10
  "$INTEROP/assert_identical.py" "$BIG/sst.nc" ts2.zarr
  "$INTEROP/assert_identical.py" "$BIG/sst.nc" back.nc
  diff -r ts.zarr ts2.zarr
}

@test "an exact median over time within the budget matches xarray" {
  within 2 pg-reduce "$BIG/sst.zarr" --dim time --op median -o med.nc
  $PY -c "
import xarray as xr
want = xr.open_zarr('$BIG/sst.zarr').sst.median('time')
xr.testing.assert_allclose(want, xr.open_dataset('med.nc').sst)
"
}

@test "means, groupby, anomalies, rolling windows, selections and statistics within the budget" {
  within 2 pg-reduce "$BIG/sst.zarr" --dim time -o mean.nc
  within 24 pg-groupby "$BIG/sst.zarr" --by time.month -o clim.nc
  # the anomaly holds the climatology (12 x 180 x 360 float64, 6 MiB) and decodes each chunk
  # to float64 on the way: a few times the statistic's size on top
  within 40 pg-groupby "$BIG/sst.zarr" --by time.month --anomaly -o anom.zarr
  within 0 pg-reduce "$BIG/sst.zarr" --rolling time=3 -o roll.zarr
  within 0 pg-select "$BIG/sst.zarr" --sel lat=-30:30 -o sel.zarr
  within 0 pg-info --stats "$BIG/sst.zarr"
}

@test "kill -9 in the middle of a two-stage rechunk leaves no intermediate copy and no output" {
  mkdir tmp
  TMPDIR=$PWD/tmp pg-convert "$BIG/sst.zarr" -o ts.zarr --chunks time=-1,lat=10,lon=10 --memory 16M -j 1 \
    --compressor blosc:zstd:9:shuffle &
  pid=$!
  sleep 0.5
  kill -0 $pid   # still at work
  kill -9 $pid
  wait $pid || true
  [ -z "$(ls -A tmp)" ]
  [ ! -e ts.zarr ]
}

@test "pg-plot averages a 2-D field three times the budget down to the picture within it" {
  $PY - "$BIG/field.nc" <<'PY'
import sys, numpy as np, netCDF4
with netCDF4.Dataset(sys.argv[1], "w") as ds:
    ds.createDimension("lat", 4000); ds.createDimension("lon", 6000)
    lat = ds.createVariable("lat", "f8", ("lat",)); lat[:] = np.linspace(-90, 90, 4000)
    lon = ds.createVariable("lon", "f8", ("lon",)); lon[:] = np.linspace(0, 360, 6000, endpoint=False)
    v = ds.createVariable("z", "f4", ("lat", "lon"), chunksizes=(250, 1500))
    for i in range(0, 4000, 500):
        v[i:i + 500] = (np.arange(i, i + 500)[:, None] % 97 + np.arange(6000)[None, :] % 89).astype("f4")
PY
  within 0 pg-plot "$BIG/field.nc" -o field.png --json
  $PY -c "import json; j = json.load(open('out.txt')); assert j['averaged'] == [9, 10] and j['vmin'] == 0 and j['vmax'] == 184, j"
}
