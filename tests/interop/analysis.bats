#!/usr/bin/env bats
# pg-select, pg-reduce and pg-groupby give xarray's answers.

load helpers

setup_file() {
  export FIX="$BATS_FILE_TMPDIR/fix"
  mkdir -p "$FIX"
  $PY "$SRC/scripts/make-sst.py" "$FIX/sst.nc" --years 6 --res 5 --start 1980
  pg-convert "$FIX/sst.nc" -o "$FIX/sst.zarr" --chunks time=7
  $PY "$SRC/scripts/make-sst.py" "$FIX/sst_noleap.nc" --years 3 --res 10 --calendar noleap
  $PY "$SRC/scripts/make-sst.py" "$FIX/sst_360.nc" --years 3 --res 10 --calendar 360_day
  $PY - <<'PY'
import os, xarray as xr
fix = os.environ["FIX"]
ds = xr.open_dataset(f"{fix}/sst.nc")
ds.isel(lat=slice(None, None, -1)).to_netcdf(f"{fix}/sst_northfirst.nc")
ds2 = ds.assign_coords(lon=(((ds.lon + 180) % 360) - 180)).sortby("lon")
ds2.to_netcdf(f"{fix}/sst_pm180.nc")
PY
}
setup() { cd "$BATS_TEST_TMPDIR"; }

cmp() { "$INTEROP/compare.py" "$@"; }

@test "the talk's five steps, from netCDF and from Zarr" {
  for src in "$FIX/sst.nc" "$FIX/sst.zarr"; do
    rm -f *.nc
    pg-select "$src" -o s1.nc --sel time=1982-08-07 --method nearest
    cmp "$src" s1.nc "ds.sst.sel(time='1982-08-07', method='nearest')"
    pg-reduce "$src" -o s2.nc --dim time,lon
    cmp "$src" s2.nc "ds.sst.mean(dim=('time', 'lon'))"
    pg-groupby "$src" -o clim.nc --by time.month
    cmp "$src" clim.nc "ds.sst.groupby('time.month').mean(dim='time')"
    pg-groupby "$src" -o anom.nc --by time.month --anomaly
    cmp "$src" anom.nc "ds.sst.groupby('time.month') - ds.sst.groupby('time.month').mean(dim='time')"
    pg-select anom.nc -o box.nc --sel lat=-5:5 --sel lon=190:240
    pg-reduce box.nc -o idx.nc --dim lon,lat
    pg-reduce idx.nc -o nino34.nc --rolling time=3
    cmp "$src" nino34.nc "(ds.sst.groupby('time.month') - ds.sst.groupby('time.month').mean(dim='time')).sel(lat=slice(-5, 5), lon=slice(190, 240)).mean(dim=('lon', 'lat')).rolling(time=3).mean()" --var sst
  done
}

@test "every reduction op over time and over space" {
  for op in mean sum min max std var count median quantile:0.9; do
    pg-reduce "$FIX/sst.zarr" -o "t-$op.nc" --dim time --op "$op"
    pg-reduce "$FIX/sst.nc" -o "s-$op.nc" --dim lat,lon --op "$op"
    case $op in
      quantile:0.9) call="quantile(0.9, dim=" ;;
      *) call="$op(dim=" ;;
    esac
    cmp "$FIX/sst.nc" "t-$op.nc" "ds.sst.${call}'time')"
    cmp "$FIX/sst.nc" "s-$op.nc" "ds.sst.${call}('lat', 'lon'))"
  done
  pg-reduce "$FIX/sst.nc" -o std1.nc --dim time --op std --ddof 1
  cmp "$FIX/sst.nc" std1.nc "ds.sst.std(dim='time', ddof=1)"
  pg-reduce "$FIX/sst.nc" -o nan.nc --dim time --no-skipna
  cmp "$FIX/sst.nc" nan.nc "ds.sst.mean(dim='time', skipna=False)"
}

@test "area-weighted means: cos-lat and a weight variable" {
  pg-reduce "$FIX/sst.nc" -o w.nc --dim lat,lon --weights cos-lat
  cmp "$FIX/sst.nc" w.nc "ds.sst.weighted(np.cos(np.deg2rad(ds.lat))).mean(('lat', 'lon'))"
  pg-reduce "$FIX/sst.nc" -o wl.nc --dim lat --weights lat --op sum
  # The terms reach |lat x sst| ~ 2400: xarray's float32 sums carry ~1e-4 of noise there.
  cmp "$FIX/sst.nc" wl.nc "ds.sst.weighted(ds.lat.fillna(0)).sum('lat')" --scale 2400
}

@test "rolling windows: trailing, centred, min-periods, other ops" {
  pg-reduce "$FIX/sst.nc" -o r.nc --rolling time=3
  cmp "$FIX/sst.nc" r.nc "ds.sst.rolling(time=3).mean()"
  pg-reduce "$FIX/sst.nc" -o rc.nc --rolling time=4 --center
  cmp "$FIX/sst.nc" rc.nc "ds.sst.rolling(time=4, center=True).mean()"
  pg-reduce "$FIX/sst.nc" -o rm.nc --rolling time=5 --center --min-periods 2 --op max
  cmp "$FIX/sst.nc" rm.nc "ds.sst.rolling(time=5, center=True, min_periods=2).max()"
  pg-reduce "$FIX/sst.nc" -o rs.nc --rolling lon=3 --op sum
  cmp "$FIX/sst.nc" rs.nc "ds.sst.rolling(lon=3).sum()"
}

@test "groupby season and year, resample month/season/year, other ops" {
  pg-groupby "$FIX/sst.nc" -o seas.nc --by time.season --op max
  cmp "$FIX/sst.nc" seas.nc "ds.sst.groupby('time.season').max(dim='time')"
  pg-groupby "$FIX/sst.zarr" -o year.nc --by time.year --op std
  cmp "$FIX/sst.nc" year.nc "ds.sst.groupby('time.year').std(dim='time')"
  pg-groupby "$FIX/sst.nc" -o ymed.nc --by time.year --op median
  cmp "$FIX/sst.nc" ymed.nc "ds.sst.groupby('time.year').median(dim='time')"
  pg-groupby "$FIX/sst.nc" -o rmon.nc --resample time=month
  cmp "$FIX/sst.nc" rmon.nc "ds.sst.resample(time='MS').mean()"
  pg-groupby "$FIX/sst.nc" -o rseas.nc --resample time=season
  cmp "$FIX/sst.nc" rseas.nc "ds.sst.resample(time='QS-DEC').mean()"
  pg-groupby "$FIX/sst.nc" -o ryear.nc --resample time=year --op min
  cmp "$FIX/sst.nc" ryear.nc "ds.sst.resample(time='AS').min()"
  pg-groupby "$FIX/sst.nc" -o sanom.nc --by time.season --anomaly
  cmp "$FIX/sst.nc" sanom.nc "ds.sst.groupby('time.season') - ds.sst.groupby('time.season').mean('time')"
}

@test "noleap and 360_day calendars" {
  for f in "$FIX/sst_noleap.nc" "$FIX/sst_360.nc"; do
    pg-groupby "$f" -o m.nc --by time.month -O
    cmp "$f" m.nc "ds.sst.groupby('time.month').mean(dim='time')"
    pg-groupby "$f" -o y.nc --resample time=year -O
    cmp "$f" y.nc "ds.sst.resample(time='AS').mean()"
    pg-groupby "$f" -o d.nc --by time.dayofyear -O
    cmp "$f" d.nc "ds.sst.groupby('time.dayofyear').mean(dim='time')"
    pg-select "$f" -o p.nc --sel time=1855-02 -O
    cmp "$f" p.nc "ds.sst.sel(time='1855-02')"
  done
}

@test "a month climatology of the real monthly_navy_winds.cdf" {
  pg-groupby "$FERRET/monthly_navy_winds.cdf" -o clim.nc --by time.month
  for v in UWND VWND; do
    cmp "$FERRET/monthly_navy_winds.cdf" clim.nc "ds.$v.groupby('TIME.month').mean(dim='TIME')"
  done
  pg-reduce "$FERRET/coads_climatology.cdf" -o zonal.nc --dim COADSX
  cmp "$FERRET/coads_climatology.cdf" zonal.nc "ds.SST.mean(dim='COADSX')" --decode-times-false
}

@test "selections by position equal isel" {
  pg-select "$FIX/sst.nc" -o a.nc --isel time=-12: --isel lat=0:36:2
  cmp "$FIX/sst.nc" a.nc "ds.sst.isel(time=slice(-12, None), lat=slice(0, 36, 2))"
  pg-select "$FIX/sst.nc" -o b.nc --isel lon=::-1 --isel time=3
  cmp "$FIX/sst.nc" b.nc "ds.sst.isel(lon=slice(None, None, -1), time=3)"
  pg-select "$FIX/sst.nc" -o c.nc --isel lat=1,5,-1
  cmp "$FIX/sst.nc" c.nc "ds.sst.isel(lat=[1, 5, -1])"
}

@test "selections by label equal sel: slices, lists, partial dates, nearest" {
  pg-select "$FIX/sst.zarr" -o a.nc --sel lat=-12.5:22.5 --sel lon=100:200
  cmp "$FIX/sst.nc" a.nc "ds.sst.sel(lat=slice(-12.5, 22.5), lon=slice(100, 200))"
  pg-select "$FIX/sst.nc" -o b.nc --sel lat=-2.5,2.5,7.5
  cmp "$FIX/sst.nc" b.nc "ds.sst.sel(lat=[-2.5, 2.5, 7.5])"
  pg-select "$FIX/sst.nc" -o c.nc --sel time=1982
  cmp "$FIX/sst.nc" c.nc "ds.sst.sel(time='1982')"
  pg-select "$FIX/sst.nc" -o d.nc --sel time=1981-03:1982-05
  cmp "$FIX/sst.nc" d.nc "ds.sst.sel(time=slice('1981-03', '1982-05'))"
  pg-select "$FIX/sst.nc" -o e.nc --sel lat=-60,0,60 --method nearest --tolerance 2.5
  cmp "$FIX/sst.nc" e.nc "ds.sst.sel(lat=[-60, 0, 60], method='nearest', tolerance=2.5)"
  pg-select "$FIX/sst.nc" -o f.nc --sel time=1982-08-15
  cmp "$FIX/sst.nc" f.nc "ds.sst.sel(time='1982-08-15')"
}

@test "longitudes across 0/360, -180..180 requests, and decreasing latitude" {
  pg-select "$FIX/sst.nc" -o w.nc --sel lon=340:20
  cmp "$FIX/sst.nc" w.nc "xr.concat([ds.sst.sel(lon=slice(340, None)), ds.sst.sel(lon=slice(None, 20))], 'lon')"
  pg-select "$FIX/sst.nc" -o m.nc --sel lon=-20:20
  cmp "$FIX/sst.nc" m.nc "xr.concat([ds.sst.sel(lon=slice(340, None)), ds.sst.sel(lon=slice(None, 20))], 'lon')"
  pg-select "$FIX/sst.nc" -o p.nc --sel lon=-170:-120
  cmp "$FIX/sst.nc" p.nc "ds.sst.sel(lon=slice(190, 240))"
  pg-select "$FIX/sst_pm180.nc" -o q.nc --sel lon=190:240
  cmp "$FIX/sst_pm180.nc" q.nc "ds.sst.sel(lon=slice(-170, -120))"
  pg-select "$FIX/sst_northfirst.nc" -o n.nc --sel lat=5:-5
  cmp "$FIX/sst_northfirst.nc" n.nc "ds.sst.sel(lat=slice(5, -5))"
  pg-select "$FIX/sst_northfirst.nc" -o n2.nc --sel lat=-5:5
  cmp "$FIX/sst_northfirst.nc" n2.nc "ds.sst.sel(lat=slice(5, -5))"
}

@test "results do not depend on the thread count" {
  pg-groupby "$FIX/sst.zarr" -o a.zarr --by time.month -j 1
  pg-groupby "$FIX/sst.zarr" -o b.zarr --by time.month -j 3 --memory 100K
  diff -r a.zarr b.zarr
}

@test "groupby a variable's values; hourly data by hour and resampled by day" {
  $PY - <<'PY'
import os, numpy as np, pandas as pd, xarray as xr
fix = os.environ["FIX"]
ds = xr.open_dataset(f"{fix}/sst.nc")
ds.assign(band=("lat", (np.abs(ds.lat.values) // 30).astype("i4"))).to_netcdf("banded.nc")
t = pd.date_range("2000-01-01", periods=24 * 10, freq="H")
h = xr.Dataset({"v": (("time", "x"), np.random.default_rng(0).normal(size=(240, 3)).astype("f4"))},
               coords={"time": t, "x": [0.0, 1.0, 2.0]})
h.to_netcdf("hourly.nc")
PY
  pg-groupby banded.nc -o b.nc --by band
  cmp banded.nc b.nc "ds.sst.groupby(ds.band).mean()"
  pg-groupby hourly.nc -o h.nc --by time.hour --op var
  cmp hourly.nc h.nc "ds.v.groupby('time.hour').var()"
  pg-groupby hourly.nc -o d.nc --resample time=day --op max
  cmp hourly.nc d.nc "ds.v.resample(time='D').max()"
  pg-groupby hourly.nc -o dd.nc --by time.day
  cmp hourly.nc dd.nc "ds.v.groupby('time.day').mean()"
}

@test "open-ended slices on a decreasing coordinate read as xarray reads them" {
  pg-select "$FIX/sst_northfirst.nc" -o a.nc --sel lat=20:
  cmp "$FIX/sst_northfirst.nc" a.nc "ds.sst.sel(lat=slice(20, None))"
  pg-select "$FIX/sst_northfirst.nc" -o b.nc --sel lat=:-30
  cmp "$FIX/sst_northfirst.nc" b.nc "ds.sst.sel(lat=slice(None, -30))"
}

@test "coordinates listed in a global \"coordinates\" attribute are coordinates everywhere, as xarray decodes them" {
  $PY - <<'PY'
import netCDF4, numpy as np, pandas as pd, xarray as xr
t = pd.date_range("2000-01-01", periods=24, freq="MS")
rng = np.random.default_rng(3)
ds = xr.Dataset({"sst": (("time", "y", "x"), rng.random((24, 3, 4)).astype("f4")),
                 "lat2d": (("y", "x"), rng.random((3, 4)))}, coords={"time": t})
ds.to_netcdf("gc.nc")
with netCDF4.Dataset("gc.nc", "a") as n:
    n.setncattr("coordinates", "lat2d")
assert "lat2d" in xr.open_dataset("gc.nc").coords
PY
  run pg-info gc.nc
  [ "$status" -eq 0 ]
  [[ "$(sed -n '/^Coordinates:/,/^Data variables:/p' <<<"$output")" == *"lat2d"* ]]
  [[ "$output" != *"coordinates:"* ]]
  pg-reduce gc.nc --dim time -o mean.nc
  cmp gc.nc mean.nc "ds.sst.mean('time')"
  pg-groupby gc.nc --by time.month -o clim.nc
  cmp gc.nc clim.nc "ds.sst.groupby('time.month').mean()"
  pg-select gc.nc --isel time=3 -o one.nc
  cmp gc.nc one.nc "ds.sst.isel(time=3)"
  pg-convert gc.nc -o gc.zarr
  $PY -c "
import xarray as xr
for f in ('mean.nc', 'clim.nc', 'one.nc'):
    assert 'lat2d' in xr.open_dataset(f).coords, f
xr.testing.assert_identical(xr.open_dataset('gc.nc').load(), xr.open_zarr('gc.zarr').load())
"
}

@test "booleans (bytes with dtype = \"bool\" in netCDF, |b1 in Zarr): reductions, groups and types as xarray's" {
  $PY - <<'PY'
import numpy as np, pandas as pd, xarray as xr
rng = np.random.default_rng(1)
t = pd.date_range("2000-01-01", periods=24, freq="MS")
ds = xr.Dataset({"flag": (("time", "x"), rng.random((24, 3)) > 0.5), "v": (("time", "x"), rng.random((24, 3)))},
                coords={"x": [1.0, 2.0, 3.0], "time": t})
ds.to_netcdf("b.nc")
ds.to_zarr("b.zarr")
PY
  for f in b.nc b.zarr; do
    for op in max min sum mean count; do pg-reduce $f --dim time --op $op -o $f-$op.nc; done
    pg-groupby $f --by time.season --op max -o $f-season.nc
    pg-info $f | grep -q "flag (time, x) bool"
  done
  $PY - <<'PY'
import xarray as xr
for f in ["b.nc", "b.zarr"]:
    ds = xr.open_zarr(f) if f.endswith(".zarr") else xr.open_dataset(f)
    wants = {op: getattr(ds, op)("time") for op in ["max", "min", "sum", "mean", "count"]}
    wants["season"] = ds.groupby("time.season").max("time")
    for name, want in wants.items():
        got = xr.open_dataset(f"{f}-{name}.nc")
        xr.testing.assert_allclose(want, got)
        assert got.flag.dtype == want.flag.dtype, (f, name, got.flag.dtype, want.flag.dtype)
PY
}

@test "data variables without the reduced dimension (a grid mapping scalar, a static field, labels): what xarray's reductions make of them" {
  $PY - <<'PY'
import numpy as np, pandas as pd, xarray as xr
rng = np.random.default_rng(3)
t = pd.date_range("2000-01-01", periods=12, freq="MS")
field = rng.random((12, 4, 5)).astype("f4")
field[:, 0, 0] = np.nan  # the first cell has no value: numpy's quantile then keeps float32
ds = xr.Dataset(
    {"sst": (("time", "lat", "lon"), field),
     "area": (("lat", "lon"), rng.random((4, 5)), {"units": "m2", "long_name": "cell area"}),
     "mask": (("lat", "lon"), np.where(rng.random((4, 5)) > 0.3, 1.0, np.nan).astype("f4")),
     "crs": ((), np.int32(0), {"grid_mapping_name": "latitude_longitude"}),
     "label": (("lon",), np.array([b"a", b"bb", b"", b"ccc", b"d"]))},
    coords={"time": t, "lat": np.arange(4.0), "lon": np.arange(5.0)})
ds.to_netcdf("static.nc")
PY
  for op in mean max sum count std var median quantile:0.3; do pg-reduce static.nc --dim time --op $op -o "s-$op.nc"; done
  pg-reduce static.nc --dim time --op std --ddof 1 -o s-std1.nc
  $PY - <<'PY'
import xarray as xr
ds = xr.open_dataset("static.nc")
num = ds.drop_vars("label")  # xarray's std and var fail on byte strings
wants = {"mean": ds.mean("time"), "max": ds.max("time"), "sum": ds.sum("time"), "count": ds.count("time"),
         "std": num.std("time"), "var": num.var("time"), "median": ds.median("time"),
         "quantile:0.3": ds.quantile(0.3, "time"), "std1": num.std("time", ddof=1)}
for op, want in wants.items():
    got = xr.open_dataset(f"s-{op}.nc")
    for v in want.variables:
        assert got[v].dtype == want[v].dtype, (op, v, got[v].dtype, want[v].dtype)
        assert got[v].attrs == want[v].attrs, (op, v, got[v].attrs, want[v].attrs)
        xr.testing.assert_allclose(want[v].load(), got[v].load())
    static = [v for v in want.data_vars if "time" not in ds[v].dims]  # to the bit (sst's means sum in double)
    xr.testing.assert_identical(want[static].drop_vars("quantile", errors="ignore"),
                                got[static].drop_vars("quantile", errors="ignore"))
PY
}

@test "groupby and resample give data variables without the grouped dimension the group dimension, as xarray does" {
  $PY - <<'PY'
import numpy as np, pandas as pd, xarray as xr
rng = np.random.default_rng(3)
t = pd.date_range("2000-01-01", periods=24, freq="MS")
ds = xr.Dataset({"sst": (("time", "lat"), rng.random((24, 4)).astype("f4")),
                 "area": (("lat",), rng.random(4), {"units": "m2"}), "crs": ((), np.int32(0), {"gm": "x"}),
                 "mask": (("lat",), np.array([1, np.nan, 1, 1], "f4"))},
                coords={"time": t, "lat": np.arange(4.0)})
ds.to_netcdf("g.nc")
PY
  for op in mean count std max; do pg-groupby g.nc --by time.season --op $op -o "g-$op.nc"; done
  pg-groupby g.nc --resample time=season -o r.nc
  $PY - <<'PY'
import xarray as xr
ds = xr.open_dataset("g.nc")
wants = {f"g-{op}.nc": getattr(ds.groupby("time.season"), op)("time") for op in ["mean", "count", "std", "max"]}
wants["r.nc"] = ds.resample(time="QS-DEC").mean()
for f, want in wants.items():
    got = xr.open_dataset(f)
    for v in ["area", "crs", "mask"]:
        assert (got[v].dims, got[v].dtype, got[v].attrs) == (want[v].dims, want[v].dtype, want[v].attrs), (f, v, got[v], want[v])
        xr.testing.assert_identical(want[v], got[v])
    xr.testing.assert_allclose(want, got)
PY
}

@test "quantiles and medians are xarray's to the bit: numpy's interpolation, and the type numpy's nanquantile gives" {
  $PY - <<'PY'
import os, xarray as xr
ds = xr.open_dataset(os.environ["FIX"] + "/sst.nc")
land = ds.copy()
land["sst"] = ds.sst.where(ds.lat > -80)  # the first cell has no value: float32 quantiles
land.to_netcdf("land.nc")
sea = ds.copy()
sea["sst"] = ds.sst.fillna(0)  # every cell has values: float64 quantiles
sea.to_netcdf("sea.nc")
PY
  for f in land sea; do
    pg-reduce $f.nc --dim time --op quantile:0.3 -o $f-q.nc
    pg-reduce $f.nc --dim lat --op median -o $f-med.nc
    pg-groupby $f.nc --by time.month --op quantile:0.9 -o $f-gq.nc
    pg-groupby $f.nc --resample time=year --op median -o $f-rmed.nc
  done
  $PY - <<'PY'
import xarray as xr
for f in ["land", "sea"]:
    ds = xr.open_dataset(f + ".nc")
    wants = {"q": ds.quantile(0.3, "time"), "med": ds.median("lat"),
             "gq": ds.groupby("time.month").quantile(0.9, "time"), "rmed": ds.resample(time="AS").median()}
    for name, want in wants.items():
        got = xr.open_dataset(f"{f}-{name}.nc")
        assert got.sst.dtype == want.sst.dtype, (f, name, got.sst.dtype, want.sst.dtype)
        xr.testing.assert_identical(want.sst.drop_vars("quantile", errors="ignore"),
                                    got.sst.drop_vars("quantile", errors="ignore"))
PY
}
