#!/usr/bin/env bats
# Stores written by pg-convert open in zarr-python and netCDF-C; Zarr written by
# zarr-python reads in pg-*.

load helpers

setup_file() {
  make_fixtures
  pg-convert "$FIX/sst.nc" -o "$FIX/sst.zarr" --chunks time=12 --compressor blosc:zstd:3:shuffle
  ncgen -4 -o "$FIX/features.nc" "$INTEROP/data/features.cdl"
  pg-convert "$FIX/features.nc" -o "$FIX/features.zarr"
}
setup() { cd "$BATS_TEST_TMPDIR"; }

@test "zarr-python opens the store, consolidated and not, with the netCDF values" {
  $PY - <<'PY'
import os, numpy as np, zarr, netCDF4
fix = os.environ["FIX"]
for opener in (zarr.open_consolidated, zarr.open_group):
    g = opener(f"{fix}/sst.zarr", mode="r")
    with netCDF4.Dataset(f"{fix}/sst.nc") as nc:
        nc.set_auto_maskandscale(False)
        for name in ["sst", "time", "lat", "lon"]:
            assert np.array_equal(g[name][:], nc[name][:], equal_nan=True), name
            assert g[name].attrs["_ARRAY_DIMENSIONS"] == list(nc[name].dimensions)
    assert g["sst"].fill_value == np.float32(-999.9)
PY
}

@test "zarr-python reads strings, char arrays, 64-bit integers and groups" {
  $PY - <<'PY'
import os, numpy as np, zarr
g = zarr.open_consolidated(os.environ["FIX"] + "/features.zarr", mode="r")
assert list(g["names"][:]) == ["première", "", "third one"]
assert g["label"][:].tobytes() == b"alphabeta\x00gamma"
assert g["u64"][0] == np.uint64(18446744073709551615)
assert g["i64"][2] == 9007199254740993
assert list(g["ocean/temp"][1]) == [21, 18]
PY
}

@test "netCDF-C reads the store (ncdump file://...#mode=zarr)" {
  # Debian's netCDF-C 4.9.0 ships no NCZarr codec plugins (it reads compressed chunks
  # as raw bytes), so its data check runs on an uncompressed store.
  pg-convert "$FIX/sst.nc" -o plain.zarr --compressor none
  for v in lat time sst; do
    run ncdump -v $v "file://$PWD/plain.zarr#mode=zarr,file"
    [ "$status" -eq 0 ]
    # netCDF-C prints the fill value as "_" only where it knows it: compare values.
    diff <(ncdump -v $v "$FIX/sst.nc" | sed -n '/^data:/,$p' | sed 's/\b_\b/-999.9/g' | tr -s ', \n' '\n') \
         <(echo "$output" | sed -n '/^data:/,$p' | tr -s ', \n' '\n')
  done
  run ncdump -h "file://$FIX/sst.zarr#mode=zarr,file"
  [ "$status" -eq 0 ]
  [[ "$output" == *"float sst(time, lat, lon)"* ]]
}

@test "Zarr written by xarray/zarr-python converts to the netCDF xarray sees" {
  $PY - <<'PY'
import os, xarray as xr
fix = os.environ["FIX"]
ds = xr.open_dataset(f"{fix}/sst.nc")
ds.to_zarr("xr.zarr", encoding={"sst": {"chunks": (5, 9, 36)}})
ds.to_zarr("xr_nested.zarr", encoding={"sst": {"chunks": (5, 9, 36)}}, consolidated=False)
PY
  pg-convert xr.zarr -o xr.nc
  "$INTEROP/assert_identical.py" xr.zarr xr.nc
  "$INTEROP/assert_identical.py" "$FIX/sst.nc" xr.nc
  pg-convert xr_nested.zarr -o xr_nested.nc
  "$INTEROP/assert_identical.py" xr.zarr xr_nested.nc
}

@test "nested dimension separators and Fortran order from zarr-python" {
  $PY - <<'PY'
import numpy as np, zarr
a = np.arange(6 * 10 * 4, dtype="<f8").reshape(6, 10, 4)
for name, kw in [("nested.zarr", {"dimension_separator": "/"}), ("forder.zarr", {"order": "F"}),
                 ("be.zarr", {"dtype": ">i4"})]:
    g = zarr.open_group(name, mode="w")
    z = g.create_dataset("v", shape=a.shape, chunks=(4, 3, 4), dtype=kw.pop("dtype", a.dtype), **kw)
    z[:] = a
    z.attrs["_ARRAY_DIMENSIONS"] = ["t", "y", "x"]
    zarr.consolidate_metadata(name)
PY
  for s in nested forder be; do
    pg-convert "$s.zarr" -o "$s.nc"
    $PY -c "
import numpy as np, netCDF4
v = netCDF4.Dataset('$s.nc')['v'][:]
assert np.array_equal(v, np.arange(240).reshape(6, 10, 4)), '$s'"
  done
}
