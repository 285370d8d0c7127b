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
