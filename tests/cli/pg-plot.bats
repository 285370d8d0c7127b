#!/usr/bin/env bats
# The pg-plot command-line contract.

load helpers

setup_file() {
  make_fixtures
  pg-convert "$FIX/sst.nc" -o "$FIX/sst.zarr" --chunks time=12
  $PY - <<'PY'
import os, numpy as np, xarray as xr
fix = os.environ["FIX"]
xr.Dataset({"v": (("y", "x"), np.full((3, 4), np.nan))}).to_netcdf(f"{fix}/allnan.nc")
xr.Dataset({"a": ("x", np.arange(4.0)), "b": ("x", np.arange(4.0))}).to_netcdf(f"{fix}/two.nc")
xr.Dataset({"name": ("x", np.array(["ab", "cd", "ef"]))}).to_netcdf(f"{fix}/text.nc")
PY
}
setup() { cd "$BATS_TEST_TMPDIR"; }

is_png() { [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ]; }

@test "a map (2-D after --sel), a line (1-D) and SVG; nothing else left in the directory" {
  pg-plot "$FIX/sst.zarr" --sel time=1855-08-07 --method nearest -o day.png
  is_png day.png
  pg-reduce "$FIX/sst.nc" --dim time,lon -o zonal.nc
  pg-plot zonal.nc -o zonal.png --size 800x300 --dpi 80
  is_png zonal.png
  $PY -c "from PIL import Image; assert Image.open('zonal.png').size == (800, 300)"
  pg-plot "$FIX/sst.nc" --isel time=0 -o day.svg
  $PY -c "import xml.dom.minidom as m; m.parse('day.svg')"
  [ "$(ls -A | sort | tr '\n' ' ')" = "day.png day.svg zonal.nc zonal.png " ]
}

@test "at the end of a pipe, and to stdout with --format" {
  pg-reduce "$FIX/sst.nc" --dim lat,lon -o - | pg-plot - -o series.png
  is_png series.png
  pg-plot "$FIX/sst.nc" --isel time=0 -o - --format png > out.png
  is_png out.png
  pg-plot "$FIX/sst.nc" --isel time=0 -o - --format svg | grep -q '</svg>'
  run pg-plot "$FIX/sst.nc" --isel time=0 -o -
  assert_usage_error "--format"
}

@test "--json describes the picture" {
  pg-plot "$FIX/sst.nc" --sel time=1855-08-15 -o m.png --json > j.json
  $PY - <<'PY'
import json
j = json.load(open("j.json"))
assert j["kind"] == "map" and j["variable"] == "sst" and j["format"] == "png", j
assert j["title"] == "time = 1855-08-15", j["title"]
assert j["x"]["dim"] == "lon" and j["y"]["dim"] == "lat", j
assert j["cmap"] == "RdBu_r" and j["vmin"] == -j["vmax"], j
assert (j["width"], j["height"]) == (640, 480)
assert 0 < j["axes"]["x"] < j["axes"]["x"] + j["axes"]["width"] <= 640
PY
}

@test "options: --robust, --vmin/--vmax, --cmap change the colours; -O replaces" {
  pg-plot "$FIX/sst.nc" --isel time=0 -o a.png --json > a.json
  pg-plot "$FIX/sst.nc" --isel time=0 -o b.png --robust --json > b.json
  pg-plot "$FIX/sst.nc" --isel time=0 -o c.png --vmin 0 --vmax 10 --cmap magma_r --json > c.json
  ! cmp -s a.png b.png
  $PY -c "
import json
a, b, c = (json.load(open(f + '.json')) for f in 'abc')
assert b['vmax'] < a['vmax'] and b['extend'] != 'neither', (a, b)
assert (c['vmin'], c['vmax'], c['cmap']) == (0, 10, 'magma_r') and c['extend'] in ('max', 'both'), c"
  run pg-plot "$FIX/sst.nc" --isel time=0 -o a.png
  assert_one_line_error 1
  [[ "$output" == *"exists (use -O"* ]]
  pg-plot "$FIX/sst.nc" --isel time=1 -o a.png -O
  ! cmp -s a.png b.png
}

@test "bad input: one-line errors, exit 1, no picture, input untouched" {
  sum=$(cat "$FIX/sst.nc" | md5sum)
  check() { # expected-text args...
    local want=$1; shift
    run pg-plot "$@" -o bad.png
    assert_one_line_error 1
    [[ "$output" == *"$want"* ]] || { echo "$output"; return 1; }
    [ ! -e bad.png ]
    [ -z "$(ls -A)" ]
  }
  check 'has 3 dimensions (time=36, lat=18, lon=36)' "$FIX/sst.nc"
  check 'no variable' "$FIX/sst.nc" -v nope
  check 'single value' "$FIX/sst.nc" --isel time=0 --isel lat=3 --isel lon=4
  check 'no finite value' "$FIX/allnan.nc"
  check '2 data variables (a, b): choose one with -v' "$FIX/two.nc"
  check 'unknown colormap "nope"' "$FIX/sst.nc" --isel time=0 --cmap nope
  check 'only numbers can be plotted' "$FIX/text.nc"
  run pg-plot "$FIX/sst.nc" --isel time=0 -o /nonexistent/dir/x.png
  assert_one_line_error 1
  run pg-plot "$FIX/sst.nc" --isel time=0 -o x.jpg
  assert_one_line_error 1
  [[ "$output" == *".png or .svg"* ]]
  run pg-plot "$FIX/sst.nc" --isel time=0 -o x.png --size 12
  assert_usage_error "--size"
  run pg-plot "$FIX/sst.nc" --isel time=0 -o x.png --size 20x20
  assert_one_line_error 1
  run pg-plot "$FIX/sst.nc" --isel time=0 -o "$FIX/sst.nc" -O
  assert_one_line_error 1
  [ "$(cat "$FIX/sst.nc" | md5sum)" = "$sum" ]
  [ -z "$(ls -A)" ]
}

@test "--progress draws a bar on stderr; -q prints nothing" {
  run --separate-stderr pg-plot "$FIX/sst.zarr" --isel time=0 -o p.png --progress
  [ "$status" -eq 0 ]
  [[ "$stderr" == *"plot ["* ]]
  run pg-plot "$FIX/sst.zarr" --isel time=0 -o q.png -q
  [ "$status" -eq 0 ] && [ -z "$output" ]
}
