#!/usr/bin/env bats
# The pg-info command-line contract.

load helpers

setup_file() {
  make_fixtures
  pg-convert "$FIX/sst.nc" -o "$FIX/sst.zarr" --chunks time=12
}
setup() { cd "$BATS_TEST_TMPDIR"; }

@test "summary of netCDF and Zarr: dimensions, coordinates with decoded times, variables" {
  for x in "$FIX/sst.nc" "$FIX/sst.zarr"; do
    run pg-info "$x"
    [ "$status" -eq 0 ]
    [[ "$output" == *"Dimensions:  (lat: 18, lon: 36, time: 36)"* ]]
    [[ "$output" == *"* time"*"1854-01-15"*"1856-12-15"* ]]
    [[ "$output" == *"sst"*"(time, lat, lon) float32"* ]]
  done
}

@test "--cdl matches ncdump -h for the real ferret files" {
  for f in "$FERRET"/*.cdf "$FERRET"/*.nc; do
    n=$(basename "$f"); n=${n%.*}
    diff <(ncdump -h "$f" | sed "1s/.*/netcdf $n {/") <(pg-info --cdl "$f")
  done
}

@test "--json follows the documented schema" {
  pg-info --json "$FIX/sst.zarr" > j.json
  $PY - <<'PY'
import json
j = json.load(open("j.json"))
assert j["format"] == "Zarr v2"
names = [v["name"] for v in j["root"]["variables"]]
assert set(names) == {"lat", "lon", "sst", "time"}, names
sst = [v for v in j["root"]["variables"] if v["name"] == "sst"][0]
assert sst["shape"] == [36, 18, 36] and sst["dimensions"] == ["time", "lat", "lon"]
assert sst["encoding"]["chunks"] == [12, 18, 36]
assert sst["attributes"]["units"] == "degC"
PY
}

@test "--stats equals numpy on xarray's decoded values" {
  for x in "$FIX/sst.nc" "$FIX/sst.zarr" "$FERRET/coads_climatology.cdf"; do
    pg-info --stats --json "$x" > s.json
    $PY - "$x" <<'PY'
import json, sys
import numpy as np, xarray as xr
x = sys.argv[1]
ds = xr.open_zarr(x, decode_times=False) if x.endswith(".zarr") else xr.open_dataset(x, decode_times=False)
j = json.load(open("s.json"))
for v in j["root"]["variables"]:
    a = ds[v["name"]].values.astype("f8")
    s = v["stats"]
    nan = int(np.isnan(a).sum())
    assert s["nan_count"] == nan, (v["name"], s, nan)
    if nan < a.size:
        for key, ref in [("min", np.nanmin(a)), ("max", np.nanmax(a)), ("mean", np.nanmean(a))]:
            assert abs(s[key] - ref) <= 1e-9 * max(1, abs(ref)), (v["name"], key, s[key], ref)
PY
  done
}

@test "--stats shows CF times as dates of their calendar, as xarray does; --json names the library" {
  run pg-info --stats "$FIX/sst.nc"
  [[ "$output" == *"time"*"1854-01-15"*"1856-12-15"* ]]
  pg-info --stats --json "$FIX/sst.nc" > s.json
  $PY - "$FIX/sst.nc" <<'PY'
import json, sys, xarray as xr
j = json.load(open("s.json"))
t = xr.open_dataset(sys.argv[1]).time
s = next(v["stats"] for v in j["root"]["variables"] if v["name"] == "time")
assert s["min_date"] == str(t.min().values)[:10] and s["max_date"] == str(t.max().values)[:10], s
assert j["library"]["version"] == "0.1.0" and "netCDF-C" in j["library"]["components"], j["library"]
PY
}

@test "--stats on a store reports objects, sizes, ratio and missing chunks" {
  cp -r "$FIX/sst.zarr" m.zarr
  rm m.zarr/sst/1.0.0
  run pg-info --stats m.zarr
  [ "$status" -eq 0 ]
  [[ "$output" == *"missing chunks  1"* ]]
  pg-info --stats --json m.zarr | $PY -c "
import json,sys; s=json.load(sys.stdin)['store']
assert s['missing_chunks']==1 and s['objects']>0 and s['ratio']>1, s"
}

@test "bad input: one line, exit 1" {
  run pg-info nosuch.nc
  assert_one_line_error 1
  echo junk > j.nc
  run pg-info j.nc
  assert_one_line_error 1
  run --separate-stderr pg-info
  [ "$status" -eq 2 ]
}
