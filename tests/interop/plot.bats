#!/usr/bin/env bats
# pg-plot draws what xarray's DataArray.plot() draws: the same title, labels, limits and
# colour scale, and each cell's pixel in the colour matplotlib gives its value.

load helpers

setup_file() {
  export FIX="$BATS_FILE_TMPDIR/fix"
  mkdir -p "$FIX"
  $PY "$SRC/scripts/make-sst.py" "$FIX/sst.nc" --years 3 --res 5 --start 1980
  pg-convert "$FIX/sst.nc" -o "$FIX/sst.zarr" --chunks time=7
  $PY - <<'PY'
import os, numpy as np, xarray as xr
fix = os.environ["FIX"]
ds = xr.open_dataset(f"{fix}/sst.nc")
ds.isel(lat=slice(None, None, -1)).to_netcdf(f"{fix}/north.nc")                      # decreasing latitude
ds.assign_coords(lon=(((ds.lon + 180) % 360) - 180)).sortby("lon").to_netcdf(f"{fix}/pm180.nc")
# A field bigger than the picture (averaged down), with a missing block and both signs.
y = np.linspace(-89.9, 89.9, 1500); x = np.linspace(0.05, 359.95, 3000)
v = np.sin(np.radians(y))[:, None] * np.cos(np.radians(x))[None, :] * 10 + 3
v[100:300, 200:900] = np.nan
xr.Dataset({"z": (("lat", "lon"), v.astype("float32"), {"long_name": "Height", "units": "m"})},
           coords={"lat": ("lat", y, {"units": "degrees_north"}), "lon": x}).to_netcdf(f"{fix}/big.nc")
PY
}
setup() { cd "$BATS_TEST_TMPDIR"; }

check() { "$INTEROP/plot_check.py" "$@"; }

@test "the talk's map: --sel time=... --method nearest, from netCDF and Zarr, PNG and SVG" {
  for src in "$FIX/sst.nc" "$FIX/sst.zarr"; do
    pg-plot "$src" --sel time=1982-08-07 --method nearest -o day.png -O --json > day.json
    check map "$src" day.png day.json "ds.sst.sel(time='1982-08-07', method='nearest')"
    pg-plot "$src" --sel time=1982-08-07 --method nearest -o day.svg -O
    check svg "$src" day.svg "ds.sst.sel(time='1982-08-07', method='nearest')"
  done
}

@test "decreasing latitude, -180..180 longitudes, a time-latitude section (dates on y)" {
  pg-plot "$FIX/north.nc" --isel time=5 -o a.png --json > a.json
  check map "$FIX/north.nc" a.png a.json "ds.sst.isel(time=5)"
  pg-plot "$FIX/pm180.nc" --isel time=5 -o b.png --json > b.json
  check map "$FIX/pm180.nc" b.png b.json "ds.sst.isel(time=5)"
  pg-plot "$FIX/sst.nc" --sel lon=182.5 -o c.png --json > c.json
  check map "$FIX/sst.nc" c.png c.json "ds.sst.sel(lon=182.5)"
}

@test "a constant field, dimensions without coordinates, (lon, lat) order, packed integers" {
  $PY - <<'PY'
import numpy as np, xarray as xr
xr.Dataset({"c": (("lat", "lon"), np.full((10, 20), 5.0))}, coords={"lat": np.arange(10.0), "lon": np.arange(20.0)}).to_netcdf("const.nc")
xr.Dataset({"c": (("lon", "lat"), np.random.default_rng(1).random((20, 10)))}, coords={"lat": np.arange(10.0), "lon": np.arange(20.0)}).to_netcdf("swap.nc")
xr.Dataset({"c": (("y", "x"), np.random.default_rng(2).random((20, 10)) - 0.3)}).to_netcdf("nocoord.nc")
v = (np.arange(600).reshape(20, 30) % 50) * 0.1 + 5.0
v[3, 4] = np.nan
d = xr.Dataset({"c": (("y", "x"), v, {"long_name": "packed"})})
d.c.encoding = {"scale_factor": 0.1, "add_offset": 5.0, "_FillValue": np.int16(-1), "dtype": "int16"}
d.to_netcdf("packed.nc")
PY
  for f in const swap nocoord packed; do
    pg-plot $f.nc -o $f.png --json > $f.json
    check map $f.nc $f.png $f.json "ds.c"
  done
}

@test "--robust, --vmin/--vmax and --cmap as xarray's robust/vmin/vmax/cmap" {
  pg-plot "$FIX/sst.nc" --isel time=0 -o r.png --robust --json > r.json
  check map "$FIX/sst.nc" r.png r.json "ds.sst.isel(time=0)" --robust
  pg-plot "$FIX/sst.nc" --isel time=0 -o v.png --vmin 5 --vmax 25 --json > v.json
  check map "$FIX/sst.nc" v.png v.json "ds.sst.isel(time=0)" --vmin 5 --vmax 25
  for cmap in plasma coolwarm Blues_r turbo; do
    pg-plot "$FIX/sst.nc" --isel time=0 -o c.png -O --cmap $cmap --json > c.json
    check map "$FIX/sst.nc" c.png c.json "ds.sst.isel(time=0)" --cmap $cmap
  done
}

@test "a field larger than the picture is averaged down within --memory, the limits those of all data" {
  pg-plot "$FIX/big.nc" -o big.png --json --memory 16M -j 2 > big.json
  $PY -c "import json; j = json.load(open('big.json')); assert j['averaged'][0] > 1 and j['averaged'][1] > 1, j"
  check map "$FIX/big.nc" big.png big.json "ds.z"
  pg-plot "$FIX/big.nc" -o small.png --size 300x200 --json > small.json
  check map "$FIX/big.nc" small.png small.json "ds.z"
}

@test "lines: the zonal-mean profile and the Nino 3.4 index (dates on x) through pipes" {
  pg-reduce "$FIX/sst.nc" --dim time,lon -o zonal.nc
  pg-plot zonal.nc -o zonal.png --json > zonal.json
  check line zonal.nc zonal.png zonal.json "ds.sst"
  pg-select "$FIX/sst.zarr" --sel lat=-5:5 --sel lon=190:240 -o - \
    | pg-groupby - --by time.month --anomaly -o - \
    | pg-reduce - --dim lat,lon --weights cos-lat -o - \
    | pg-reduce - --rolling time=3 -o nino34.nc
  pg-plot nino34.nc -o nino34.png --size 1200x400 --json > nino34.json
  check line nino34.nc nino34.png nino34.json "ds.sst"
  pg-plot nino34.nc -o nino34.svg
  check svg nino34.nc nino34.svg "ds.sst"
}

@test "the colormap tables are matplotlib's" {
  $PY - "$SRC/libpangeo/src/ops/colormaps.inc" <<'PY'
import re, sys, matplotlib
text = open(sys.argv[1]).read()
for name, body in re.findall(r'\{"(\w+)",\n((?: "[0-9a-f]+"\n)+)\}', text):
    hexes = "".join(re.findall(r'"([0-9a-f]+)"', body))
    cmap = matplotlib.colormaps[name].resampled(256)
    for i in range(256):
        want = [round(c * 255) for c in cmap(i)[:3]]
        got = [int(hexes[6 * i + k * 2:6 * i + k * 2 + 2], 16) for k in range(3)]
        assert got == want, (name, i, got, want)
print("ok")
PY
}

@test "real files: Levitus, etopo and navy winds maps as xarray draws them" {
  pg-plot "$FERRET/levitus_climatology.cdf" -v TEMP --isel ZAXLEVITR=0 -o lev.png --json > lev.json
  check map "$FERRET/levitus_climatology.cdf" lev.png lev.json "ds.TEMP.isel(ZAXLEVITR=0)"
  pg-plot "$FERRET/etopo60.cdf" -o etopo.png --json > etopo.json
  check map "$FERRET/etopo60.cdf" etopo.png etopo.json "ds.ROSE"
  pg-plot "$FERRET/monthly_navy_winds.cdf" -v UWND --isel TIME=6 -o winds.png --json > winds.json
  check map "$FERRET/monthly_navy_winds.cdf" winds.png winds.json "ds.UWND.isel(TIME=6)"
}
