#!/usr/bin/env bats
# Properties of real files from other people, each made here in a small file (ncgen from
# a CDL, or netCDF4-python), checked against xarray and netCDF-C.

load helpers

setup() { cd "$BATS_TEST_TMPDIR"; }

@test "an integer variable with a NaN _FillValue: stored zeros stay data, decoded as xarray decodes them" {
  "$INTEROP/data/make_nan_fill.py" nanfill.nc
  pg-convert nanfill.nc -o nanfill.zarr
  $PY -c "import json; z=json.load(open('nanfill.zarr/v/.zarray')); assert z['fill_value'] is None, z"
  "$INTEROP/assert_identical.py" nanfill.nc nanfill.zarr
  $PY - <<'PY'
import numpy as np, xarray as xr
a, b = xr.open_dataset("nanfill.nc"), xr.open_zarr("nanfill.zarr")
assert b.v.dtype == a.v.dtype == np.float64, (a.v.dtype, b.v.dtype)
assert int(b.v.isnull().sum()) == int(a.v.isnull().sum()) == 0
PY
  pg-convert nanfill.nc -o back.nc
  "$INTEROP/assert_identical.py" nanfill.nc back.nc
  pg-convert nanfill.zarr -o v3.zarr --zarr-format 3
  pg-convert v3.zarr -o v3.nc
  "$INTEROP/assert_identical.py" nanfill.nc v3.nc
}

@test "a char variable with _FillValue \"\": the Zarr fill value xarray itself writes" {
  ncgen -o charfill.nc "$INTEROP/data/charfill.cdl"
  pg-convert charfill.nc -o ours.zarr
  $PY - <<'PY'
import json, xarray as xr
xr.open_dataset("charfill.nc").to_zarr("xr.zarr")
for f in ("ours.zarr", "xr.zarr"):
    z = json.load(open(f + "/c/.zarray"))
    assert z["fill_value"] == "", (f, z["fill_value"])
    assert "_FillValue" not in json.load(open(f + "/c/.zattrs")), f
PY
  "$INTEROP/assert_identical.py" charfill.nc ours.zarr
  pg-convert ours.zarr -o back.nc
  "$INTEROP/assert_identical.py" charfill.nc back.nc
}

@test "NaN and infinite attributes: bare in Zarr metadata, numbers again in netCDF" {
  ncgen -4 -o nf.nc "$INTEROP/data/nonfinite_attrs.cdl"
  pg-convert nf.nc -o nf.zarr
  grep -q '"valid_max": NaN' nf.zarr/v/.zattrs
  grep -q '"gnan": NaN' nf.zarr/.zattrs
  grep -q '"note": "NaN"' nf.zarr/v/.zattrs  # text stays text
  "$INTEROP/assert_identical.py" nf.nc nf.zarr
  $PY -c "import zarr, math; a=zarr.open_group('nf.zarr', mode='r')['v'].attrs; assert math.isnan(a['valid_max']) and a['flags'][1] == math.inf"
  pg-convert nf.zarr -o back.nc
  ncdump -h back.nc | grep -q 'v:valid_max = NaN ;'
  ncdump -h back.nc | grep -q 'v:flags = 1., Infinity, -Infinity ;'
  "$INTEROP/assert_identical.py" nf.nc back.nc
  pg-info --json nf.zarr | $PY -c "import json,sys; j=json.load(sys.stdin); assert j['root']['variables'][0]['attributes']['valid_max'] == 'NaN'"
}

@test "attributes with bytes that are not UTF-8 read as netCDF4-python reads them" {
  "$INTEROP/data/make_nan_fill.py" bad.nc
  pg-convert bad.nc -o bad.zarr
  pg-info --json bad.nc > info.json
  $PY - <<'PY'
import json, xarray as xr
want = xr.open_dataset("bad.nc").attrs["title"]
assert "\ufffd" in want
assert json.load(open("info.json"))["root"]["attributes"]["title"] == want
assert xr.open_zarr("bad.zarr").attrs["title"] == want
PY
  "$INTEROP/assert_identical.py" bad.nc bad.zarr
}

@test "a store written by netCDF-C (NCZarr) converts to netCDF; its bookkeeping stays out, objects stay objects" {
  ncgen -o s.nc "$INTEROP/data/scalar_coords.cdl"
  nccopy s.nc "file://$PWD/nz.zarr#mode=nczarr,file"
  grep -q _NCProperties nz.zarr/.zattrs
  run pg-convert nz.zarr -o nz.nc
  [ "$status" -eq 0 ] || { echo "$output"; return 1; }
  [ -z "$(ls -A . | grep pgtmp || true)" ]
  ncdump -h nz.nc | grep -q "float temp(depth, lon)"
  ! ncdump -h nz.nc | grep -q _NCZARR
  pg-convert nz.zarr -o again.zarr
  $PY -c "import json; a=json.load(open('again.zarr/.zattrs')); assert isinstance(a['_NCZARR_ATTR'], dict), a"
}

@test "an error while writing names the output the user gave, never the hidden temporary" {
  $PY - <<'PY'
import numpy as np, zarr
g = zarr.open_group("badfill.zarr", mode="w")
a = g.create_dataset("x", data=np.arange(3.0), fill_value=None)
a.attrs["_ARRAY_DIMENSIONS"] = ["x"]
a.attrs["_FillValue"] = "abc"  # text for a float variable: netCDF-C refuses it
zarr.consolidate_metadata("badfill.zarr")
PY
  run pg-convert badfill.zarr -o out.nc
  assert_one_line_error 1
  [[ "$output" == *"out.nc"* && "$output" == *'"x"'* && "$output" == *_FillValue* && "$output" != *pgtmp* ]]
  [ -z "$(ls -A . | grep -v badfill.zarr || true)" ]
}

@test "selections write the coordinates attribute as xarray does" {
  ncgen -o s.nc "$INTEROP/data/scalar_coords.cdl"
  for spec in edges=19 lon=17 depth=6; do
    pg-select s.nc --sel "$spec" --method nearest -o "ours-$spec.nc"
    $PY - "$spec" <<'PY'
import subprocess, sys, xarray as xr
k, v = sys.argv[1].split("=")
xr.open_dataset("s.nc").sel({k: float(v)}, method="nearest").to_netcdf("xr.nc")
def coords(path):
    out = {}
    for line in subprocess.run(["ncdump", "-h", path], capture_output=True, text=True).stdout.splitlines():
        if ":coordinates = " in line:
            name, value = line.strip().split(":coordinates = ")
            out[name or "global"] = set(value.strip(' ;"').split())
    return out
ours, theirs = coords(f"ours-{sys.argv[1]}.nc"), coords("xr.nc")
assert ours == theirs, (ours, theirs)
PY
    "$INTEROP/assert_identical.py" xr.nc "ours-$spec.nc"
  done
}

@test "netCDF-4 enums read as xarray reads them and kept in netCDF-4 output; compounds refused by name, the rest converts" {
  ncgen -4 -o ut.nc "$INTEROP/data/user_types.cdl"
  run pg-convert ut.nc -o all.zarr
  assert_one_line_error 1
  [[ "$output" == *'"o"'* && "$output" == *compound* && "$output" == *obs_t* ]]
  [ ! -e all.zarr ]
  pg-convert ut.nc --drop o -o ut.zarr
  $PY - <<'PY'
import xarray as xr
a = xr.open_dataset("ut.nc", drop_variables=["o"])
b = xr.open_zarr("ut.zarr")
xr.testing.assert_identical(a, b)
assert list(b.c.values) == [0, 2, 1]
PY
  pg-info ut.nc | grep -q "c (t) uint8"
  # netCDF-4 output keeps the enum: its labels, as ncdump prints them
  pg-convert ut.nc --drop o -o back.nc
  ncdump back.nc | grep -q "ubyte enum cloud_t {Clear = 0, Cumulus = 1, Stratus = 2}"
  ncdump back.nc | grep -q "c = Clear, Stratus, Cumulus"
  "$INTEROP/assert_identical.py" back.nc ut.zarr
}

@test "a time coordinate holding netCDF's default fill: missing, not a date millions of years away" {
  ncgen -o tf.nc "$INTEROP/data/time_default_fill.cdl"
  pg-info tf.nc | grep -q "2000-01-15 2000-02-15 NaT"
  run pg-groupby tf.nc --by time.month -o g.nc
  assert_one_line_error 1
  [[ "$output" == *"missing"* ]]
  # xarray refuses to decode such times at all
  run $PY -c "import xarray as xr; xr.open_dataset('tf.nc').time.values"
  [ "$status" -ne 0 ]
}

@test "pg-info: xarray's data size, and what the file takes on disk" {
  ncgen -4 -o s4.nc "$INTEROP/data/scalar_coords.cdl"
  size=$(stat -c %s s4.nc)
  pg-info s4.nc > out
  nbytes=$($PY -c "import xarray as xr; print(xr.open_dataset('s4.nc').nbytes)")
  head -1 out | grep -q "Size: ${nbytes}B" || { cat out; echo "wanted ${nbytes}B"; return 1; }
  want=$($PY -c "import sys; b=int(sys.argv[1]); print(f'{b/1000:.1f}kB' if b >= 1000 else f'{b}B')" "$size")
  grep -q "^Format:      netCDF-4 (s4.nc, $want on disk)" out || { cat out; echo "wanted $want"; return 1; }
}

@test "metadata of an unexpected form (an old Zarr v3 draft): one line naming the store key, no library jargon" {
  mkdir -p draft.zarr/a
  echo '{"zarr_format": 3, "node_type": "group"}' > draft.zarr/zarr.json
  echo '{"zarr_format": 3, "node_type": "array", "shape": ["four"], "data_type": "int32",
         "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [4]}},
         "codecs": [{"name": "bytes"}], "fill_value": 0}' > draft.zarr/a/zarr.json
  run pg-info draft.zarr
  assert_one_line_error 1
  [[ "$output" == *"a/zarr.json"* && "$output" != *json.exception* ]]
  printf '{"zarr_format": 2}' > draft.zarr/.zgroup
  printf '{"zarr_format": 2, "shape": [2], "chunks": [2], "compressor": null, "fill_value": 0, "order": "C", "filters": null}' \
    > draft.zarr/.zarray
  rm draft.zarr/zarr.json
  run pg-info draft.zarr
  assert_one_line_error 1
  [[ "$output" == *".zarray"* && "$output" != *json.exception* ]]
}

@test "unsigned integers stored signed (_Unsigned) and packed shorts: the values and types xarray decodes, in every tool" {
  "$INTEROP/data/make_unsigned.py" u3.nc
  "$INTEROP/data/make_unsigned.py" u4.nc NETCDF4
  for f in u3 u4; do
    for op in mean max min sum std; do pg-reduce $f.nc --dim time --op $op -o $f-$op.nc; done
    pg-reduce $f.nc --dim x,time --op median -o $f-median.nc
    pg-groupby $f.nc --by time.season -o $f-season.nc
    pg-select $f.nc --sel time=2000-03-01:2000-05-31 -o $f-sel.nc
    pg-convert $f.nc -o $f.zarr
    pg-info $f.nc > $f.info
  done
  $PY - <<'PY'
import numpy as np, xarray as xr
for f in ["u3", "u4"]:
    ds = xr.open_dataset(f + ".nc")
    assert ds.flags.dtype == np.uint8 and int(ds.flags.max()) > 127, ds.flags.dtype
    wants = {op: getattr(ds, op)("time") for op in ["mean", "max", "min", "sum", "std"]}
    wants["median"] = ds.drop_vars("time").median(["x", "time"])
    wants["season"] = ds.groupby("time.season").mean("time")
    wants["sel"] = ds.sel(time=slice("2000-03-01", "2000-05-31"))
    for name, want in wants.items():
        got = xr.open_dataset(f"{f}-{name}.nc")
        xr.testing.assert_allclose(want, got)
        if name in ("max", "min", "sel"):  # unpacked as xarray unpacks (float32 steps): to the bit
            xr.testing.assert_equal(want, got)
        for v in want.data_vars:
            assert got[v].dtype == want[v].dtype, (f, name, v, got[v].dtype, want[v].dtype)
    xr.testing.assert_identical(ds, xr.open_zarr(f + ".zarr"))
    info = open(f + ".info").read()
    for v in ds.data_vars:
        line = next(l for l in info.splitlines() if l.strip().startswith(v + " "))
        assert f") {ds[v].dtype} " in line, (v, ds[v].dtype, line)
    assert f"Size: {ds.nbytes}B" in info, info.splitlines()[0]
PY
}

@test "time units as other producers write them: every form xarray decodes gives xarray's dates" {
  $PY - <<'PY'
import netCDF4, numpy as np
days = [0, 0.25, 1.5, 2, 7.75, 30, 31.5, 400]  # each case writes them in its own unit
cases = [("msec since 2000-01-01", None, 8.64e7), ("millisec since 2000-01-01", None, 8.64e7),
         ("microsecs since 2000-01-01", None, 8.64e10), ("days since 2000-1-1 12", None, 1),
         ("hours since 1990-01-01T06", None, 24), ("days since 2000-1-1 12", "noleap", 1),
         ("days since 2000-01-01 00:00:00 GMT", None, 1), ("days since 1970-1-1 00:00:00 -6:00", None, 1),
         ("months since 2000-01-01", "360_day", 1 / 30), ("common_years since 2000-01-01", "noleap", 1 / 365),
         ("hrs since 2000-01-01", None, 24), ("days since 1-1-1", "julian", 1)]
for i, (units, calendar, per_day) in enumerate(cases):
    with netCDF4.Dataset(f"t{i}.nc", "w") as nc:
        nc.createDimension("time", 8)
        t = nc.createVariable("time", "f8", ("time",))
        t.units = units
        if calendar:
            t.calendar = calendar
        t[:] = np.array(days) * per_day
        v = nc.createVariable("v", "f4", ("time",))
        v[:] = np.arange(8.0)
PY
  for f in t*.nc; do
    pg-groupby $f --by time.hour -o $f-hour.nc
    pg-groupby $f --by time.dayofyear -o $f-doy.nc
  done
  $PY - <<'PY'
import glob, xarray as xr
for f in sorted(glob.glob("t*.nc")):
    if "-" in f:
        continue
    ds = xr.open_dataset(f)
    for by, name in [("time.hour", "hour"), ("time.dayofyear", "doy")]:
        want = ds.groupby(by).mean("time")
        got = xr.open_dataset(f"{f}-{name}.nc")
        try:
            xr.testing.assert_allclose(want, got)
        except AssertionError:
            print(f, ds.time.attrs, ds.time.encoding.get("units"), by)
            raise
PY
}
