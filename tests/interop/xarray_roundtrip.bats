#!/usr/bin/env bats
# xarray sees the same dataset before and after pg-convert, in both directions.

load helpers

setup_file() {
  make_fixtures
  ncgen -4 -o "$FIX/features.nc" "$INTEROP/data/features.cdl"
  $PY "$SRC/scripts/make-sst.py" "$FIX/sst_noleap.nc" --years 2 --res 10 --calendar noleap
  $PY "$SRC/scripts/make-sst.py" "$FIX/sst_360.nc" --years 2 --res 10 --calendar 360_day --format nc3
}
setup() { cd "$BATS_TEST_TMPDIR"; }

roundtrip() {  # $1 netCDF input; checks nc -> zarr and zarr -> nc
  local n
  n=$(basename "$1")
  pg-convert "$1" -o "$n.zarr"
  "$INTEROP/assert_identical.py" "$1" "$n.zarr"
  pg-convert "$n.zarr" -o "$n.back.nc"
  "$INTEROP/assert_identical.py" "$1" "$n.back.nc"
}

@test "every real file of ferret-datasets" {
  for f in "$FERRET"/*.cdf "$FERRET"/*.nc; do roundtrip "$f"; done
}

@test "generated SST: netCDF-4, netCDF-3 parts, noleap and 360_day calendars" {
  roundtrip "$FIX/sst.nc"
  for f in "$FIX"/parts/*.nc; do roundtrip "$f"; done
  roundtrip "$FIX/sst_noleap.nc"
  roundtrip "$FIX/sst_360.nc"
}

@test "every netCDF-4 type, groups, strings, char arrays, scalars, packed data" {
  roundtrip "$FIX/features.nc"
  $PY - <<'PY'
import os, xarray as xr
original = xr.open_dataset(os.environ["FIX"] + "/features.nc", group="ocean").load()
for other in ["features.nc.zarr", "features.nc.back.nc"]:
    opener = xr.open_zarr if other.endswith(".zarr") else xr.open_dataset
    xr.testing.assert_identical(original, opener(other, group="ocean").load())
PY
}

@test "rechunked and recompressed Zarr -> Zarr keeps what xarray sees" {
  pg-convert "$FIX/sst.nc" -o a.zarr --chunks time=7
  for c in none zlib:5 gzip:1 zstd:3 lz4 bz2:9 blosc:zstd:3:shuffle blosc:lz4hc:9:bitshuffle blosc:zlib:1:noshuffle blosc:blosclz; do
    pg-convert a.zarr -o "b-$c.zarr" --chunks time=5,lat=7 --compressor "$c"
    "$INTEROP/assert_identical.py" "$FIX/sst.nc" "b-$c.zarr"
  done
}

@test "netCDF -> netCDF with compression keeps the data" {
  pg-convert "$FIX/sst.nc" -o z.nc --compressor zlib:4
  "$INTEROP/assert_identical.py" "$FIX/sst.nc" z.nc
  ncdump -hs z.nc | grep -q '_DeflateLevel = 4'
}

@test "CDF5 and netCDF-4 classic-model inputs" {
  f=$(ls "$FIX"/parts/*.nc | head -1)
  nccopy -k cdf5 "$f" cdf5.nc
  nccopy -k nc7 "$f" classic4.nc
  [ "$(ncdump -k cdf5.nc)" = cdf5 ]
  roundtrip "$PWD/cdf5.nc"
  roundtrip "$PWD/classic4.nc"
  pg-info cdf5.nc | grep -q "netCDF-3 CDF5"
}

@test "fixed-width unicode and bytes written by xarray reach netCDF as xarray writes them" {
  $PY - <<'PY'
import numpy as np, xarray as xr
ds = xr.Dataset({"u": ("x", np.array(["ab", "çd", "e"], dtype="<U2")),
                 "s": ("x", np.array([b"abc", b"d", b""], dtype="|S3")),
                 "flag": ("x", np.array([True, False, True]))})
ds.to_zarr("fixed.zarr")
PY
  pg-convert fixed.zarr -o fixed.nc
  "$INTEROP/assert_identical.py" fixed.zarr fixed.nc
}

@test "decoded times equal cftime's in every calendar" {
  for cal in standard gregorian proleptic_gregorian noleap 365_day all_leap 366_day 360_day julian; do
    $PY - "$cal" <<'PY'
import sys, netCDF4, numpy as np
cal = sys.argv[1]
with netCDF4.Dataset(f"t_{cal}.nc", "w") as d:
    d.createDimension("time", None)
    t = d.createVariable("time", "f8", ("time",))
    t.units = "hours since 1580-02-27 06:00:00"
    t.calendar = cal
    t[:] = np.array([0, 30, 24 * 2, 24 * 5000.5, 24 * 150000 + 1.5])
PY
    got=$(pg-info "t_$cal.nc" | sed -n 's/.* time (time) datetime //p')
    want=$($PY -c "
import cftime
v = cftime.num2date([0, 30, 48, 24*5000.5, 24*150000+1.5], 'hours since 1580-02-27 06:00:00', '$cal')
print(' '.join(x.isoformat() if (x.hour, x.minute, x.second) != (0, 0, 0) else x.strftime('%Y-%m-%d') for x in v))")
    [ "$got" = "$want" ] || { echo "$cal: got '$got' want '$want'"; return 1; }
  done
}

@test "netCDF-4 read through raw chunks: zlib, shuffle, edge chunks and unwritten chunks" {
  nccopy -d1 -s -c time/5,lat/7,lon/10 "$FIX/sst.nc" z.nc
  nccopy -d4 -c time/4,lat/18,lon/36 "$FIX/sst.nc" d.nc
  roundtrip "$PWD/z.nc"
  roundtrip "$PWD/d.nc"
  $PY - <<'PY'
import netCDF4, numpy as np
with netCDF4.Dataset("sparse.nc", "w") as d:
    d.createDimension("t", 10); d.createDimension("x", 8)
    v = d.createVariable("v", "f4", ("t", "x"), chunksizes=(2, 4), zlib=True, fill_value=np.float32(-1))
    v[0:2, 0:4] = np.arange(8, dtype="f4").reshape(2, 4)   # the other chunks are never written
PY
  roundtrip "$PWD/sparse.nc"
  pg-reduce z.nc -o zm.nc --dim time
  pg-reduce "$FIX/sst.nc" -o pm.nc --dim time
  "$INTEROP/assert_identical.py" zm.nc pm.nc
}

@test "rechunking across the input's chunks (to time series) reads slabs; same store for any budget or thread count" {
  pg-convert "$FIX/sst.nc" -o small.nc --format netcdf4 --chunks time=1,lat=-1,lon=-1
  pg-convert small.nc -o ts.zarr --chunks time=-1,lat=2,lon=3
  "$INTEROP/assert_identical.py" small.nc ts.zarr
  pg-convert small.nc -o ts-tight.zarr --chunks time=-1,lat=2,lon=3 --memory 20K -j 1
  pg-convert small.nc -o ts-wide.zarr --chunks time=-1,lat=2,lon=3 -j 3
  diff -r ts.zarr ts-tight.zarr
  diff -r ts.zarr ts-wide.zarr
  run pg-convert small.nc -o plan.zarr --chunks time=-1,lat=2,lon=3 --dry-run --json
  echo "$output" | $PY -c "
import json, sys
j = json.load(sys.stdin)
sst = [v for v in j['variables'] if v['path'] == 'sst'][0]
assert sst['chunk_objects'] == 9 * 12, sst   # 18/2 x 36/3 output chunks, each still one object
"
  pg-convert ts.zarr -o back.nc --chunks time=12
  "$INTEROP/assert_identical.py" small.nc back.nc
}

@test "rechunking compressed chunks that no aligned slab fits goes through an intermediate copy, removed after" {
  pg-convert "$FIX/sst.nc" -o c.zarr --chunks time=12   # compressed, 12 x 18 x 36 chunks
  run pg-convert c.zarr -o ts.zarr --chunks time=-1,lat=2,lon=3 --memory 64K -j 2 --dry-run
  [[ "$output" == *"stage 1: "*" -> intermediate chunks "* && "$output" == *"stage 2: "* ]] || { echo "$output"; false; }
  mkdir tmp scratch
  TMPDIR=$PWD/tmp pg-convert c.zarr -o ts.zarr --chunks time=-1,lat=2,lon=3 --memory 64K -j 2
  "$INTEROP/assert_identical.py" c.zarr ts.zarr
  [ -z "$(ls -A tmp)" ]
  # The same store whatever the budget, the place of the copy or the thread count.
  pg-convert c.zarr -o ts-one.zarr --chunks time=-1,lat=2,lon=3
  diff -r ts.zarr ts-one.zarr
  pg-convert c.zarr -o ts-s.zarr --chunks time=-1,lat=2,lon=3 --memory 64K -j 1 --scratch scratch
  diff -r ts.zarr ts-s.zarr
  [ -z "$(ls -A scratch)" ]
  # To netCDF and to sharded Zarr v3 through the copy too.
  pg-convert c.zarr -o ts.nc --chunks time=-1,lat=2,lon=3 --memory 64K
  "$INTEROP/assert_identical.py" c.zarr ts.nc
  pg-convert c.zarr -o ts3.zarr --zarr-format 3 --chunks time=-1,lat=2,lon=3 --shards lat=6,lon=6 --memory 64K
  pg-convert ts3.zarr -o ts3.nc
  "$INTEROP/assert_identical.py" c.zarr ts3.nc
}

@test "a two-stage rechunk of a variable in a group keeps the group and its values" {
  $PY - <<'PY'
import netCDF4, numpy as np
d = netCDF4.Dataset("grp.nc", "w")
d.createDimension("time", 48); d.createDimension("y", 20); d.createDimension("x", 30)
d.createVariable("time", "f8", ("time",))[:] = np.arange(48)
g = d.createGroup("ocean")
v = g.createVariable("temp", "f4", ("time", "y", "x"), zlib=True, complevel=4, chunksizes=(4, 20, 30))
v[:] = np.arange(48 * 20 * 30, dtype="f4").reshape(48, 20, 30)
g.createVariable("depth", "f8", ())[...] = 3.5
d.close()
PY
  run pg-convert grp.nc -o g.zarr --chunks time=-1,y=2,x=3 --memory 64K --dry-run
  [[ "$output" == *"ocean/temp"*"stage 1: "* ]] || { echo "$output"; false; }
  pg-convert grp.nc -o g.zarr --chunks time=-1,y=2,x=3 --memory 64K
  pg-convert grp.nc -o g-one.zarr --chunks time=-1,y=2,x=3
  diff -r g.zarr g-one.zarr
  $PY -c "
import numpy as np, xarray as xr
a = xr.open_dataset('grp.nc', group='ocean'); b = xr.open_zarr('g.zarr', group='ocean')
assert b.temp.encoding['chunks'] == (48, 2, 3), b.temp.encoding
np.testing.assert_array_equal(a.temp.values, b.temp.values)
"
}

@test "an exact median within a small budget rechunks through a copy and matches xarray" {
  pg-convert "$FIX/sst.nc" -o c.zarr --chunks time=12
  mkdir tmp
  TMPDIR=$PWD/tmp pg-reduce c.zarr -o med.nc --dim time --op median --memory 96K -j 2
  [ -z "$(ls -A tmp)" ]
  $PY -c "
import xarray as xr
want = xr.open_zarr('c.zarr').sst.median('time')
got = xr.open_dataset('med.nc').sst
xr.testing.assert_allclose(want, got)
"
  # --scratch names the place of the copy (pg-reduce and pg-groupby as pg-convert)
  mkdir scratch
  pg-groupby c.zarr -o gmed.nc --by time.month --op median --memory 96K --scratch scratch
  [ -z "$(ls -A scratch)" ]
  $PY -c "
import xarray as xr
want = xr.open_zarr('c.zarr').sst.groupby('time.month').median('time')
xr.testing.assert_allclose(want, xr.open_dataset('gmed.nc').sst)
"
  run pg-reduce c.zarr -o bad.nc --dim time --op median --memory 96K --scratch missing-dir
  assert_one_line_error 1
  [[ "$output" == *"missing-dir"* ]] && [ ! -e bad.nc ]
  pg-reduce c.zarr -o med-q.nc --dim time --op quantile:0.9 --memory 96K
  pg-reduce c.zarr -o med-q-one.nc --dim time --op quantile:0.9
  "$INTEROP/assert_identical.py" med-q.nc med-q-one.nc
}
