#!/usr/bin/env bats
# Command-line contract of pg-select, pg-reduce and pg-groupby: bad input gives one
# line, exit 1 or 2, and leaves no output.

load helpers

setup_file() {
  make_fixtures
  $PY - <<'PY'
import os, numpy as np, xarray as xr
fix = os.environ["FIX"]
xr.Dataset({"v": ("x", np.arange(4.0))}, coords={"x": [0.0, 3.0, 1.0, 2.0]}).to_netcdf(f"{fix}/nonmono.nc")
PY
}
setup() { cd "$BATS_TEST_TMPDIR"; }

# Runs a tool that must fail with one line and exit $1, leaving the directory empty.
fails() {
  local want=$1
  shift
  run "$@"
  assert_one_line_error "$want"
  [ -z "$(leftovers .)" ] || { echo "left behind: $(leftovers .)"; return 1; }
}

# Runs a tool whose option $1 is malformed: a usage error (exit 2) naming it, no output.
misused() {
  local option=$1
  shift
  run "$@"
  assert_usage_error "$option"
  [ -z "$(leftovers .)" ] || { echo "left behind: $(leftovers .)"; return 1; }
}

@test "help and version of every tool" {
  for t in pg-select pg-reduce pg-groupby; do
    run "$t" --help
    [ "$status" -eq 0 ]
    [[ "$output" == *"--output"* ]]
    run "$t" --version
    [[ "$output" == "$t "* ]]
    run --separate-stderr "$t"
    [ "$status" -eq 2 ]
  done
}

@test "unknown variable or dimension" {
  fails 1 pg-select "$FIX/sst.nc" -o o.nc --sel depth=10
  fails 1 pg-select "$FIX/sst.nc" -o o.nc --isel depth=0
  fails 1 pg-select "$FIX/sst.nc" -o o.nc --isel lat=0 -v nosuch
  fails 1 pg-reduce "$FIX/sst.nc" -o o.nc --dim depth
  fails 1 pg-reduce "$FIX/sst.nc" -o o.nc --dim time --weights nosuch
  fails 1 pg-reduce "$FIX/sst.nc" -o o.nc --rolling depth=3
  fails 1 pg-groupby "$FIX/sst.nc" -o o.nc --by nosuch
}

@test "a label outside the coordinate's range, or nothing within tolerance" {
  fails 1 pg-select "$FIX/sst.nc" -o o.nc --sel lat=100
  fails 1 pg-select "$FIX/sst.nc" -o o.nc --sel lat=100:120
  fails 1 pg-select "$FIX/sst.nc" -o o.nc --sel time=2100-01-15
  fails 1 pg-select "$FIX/sst.nc" -o o.nc --sel lat=1 --method nearest --tolerance 0.5
  [[ "$output" == *tolerance* ]]
  fails 1 pg-select "$FIX/sst.nc" -o o.nc --isel lat=99
}

@test "unparsable dates and values" {
  fails 1 pg-select "$FIX/sst.nc" -o o.nc --sel time=1982-13-45
  fails 1 pg-select "$FIX/sst.nc" -o o.nc --sel time=banana
  fails 1 pg-select "$FIX/sst.nc" -o o.nc --sel lat=north
}

@test "malformed option values are usage errors (exit 2) naming the option" {
  misused --sel pg-select "$FIX/sst.nc" -o o.nc --sel lat
  misused --isel pg-select "$FIX/sst.nc" -o o.nc --isel lat=north
  misused --isel pg-select "$FIX/sst.nc" -o o.nc --isel lat=::0
  misused --method pg-select "$FIX/sst.nc" -o o.nc --sel lat=1 --method linear
  misused --op pg-reduce "$FIX/sst.nc" -o o.nc --dim time --op mode
  misused --op pg-reduce "$FIX/sst.nc" -o o.nc --dim time --op quantile:2
  misused --rolling pg-reduce "$FIX/sst.nc" -o o.nc --rolling time=x
  misused --memory pg-reduce "$FIX/sst.nc" -o o.nc --dim time --memory lots
  misused --resample pg-groupby "$FIX/sst.nc" -o o.nc --resample time=decade
  misused --op pg-groupby "$FIX/sst.nc" -o o.nc --by time.month --op mode
  misused --compressor pg-select "$FIX/sst.nc" -o o.zarr --isel lat=0 --compressor brotli
  misused --chunks pg-reduce "$FIX/sst.nc" -o o.zarr --dim time --chunks lat=zero
  misused --format pg-reduce "$FIX/sst.nc" -o o.zarr --dim time --format hdf4
}

@test "a slice on a non-monotonic coordinate" {
  fails 1 pg-select "$FIX/nonmono.nc" -o o.nc --sel x=0:2
  [[ "$output" == *non-monotonic* ]]
}

@test "time grouping on something that is not time" {
  fails 1 pg-groupby "$FIX/sst.nc" -o o.nc --by lat.month
  [[ "$output" == *"not a CF time"* ]]
  fails 1 pg-groupby "$FERRET/etopo60.cdf" -o o.nc --by time.month
  fails 1 pg-groupby "$FIX/sst.nc" -o o.nc --by time.fortnight
  misused "" pg-groupby "$FIX/sst.nc" -o o.nc
}

@test "option combinations that make no sense are errors" {
  misused --center pg-reduce "$FIX/sst.nc" -o o.nc --dim time --center
  misused --rolling pg-reduce "$FIX/sst.nc" -o o.nc --dim time --rolling time=3
  misused "" pg-reduce "$FIX/sst.nc" -o o.nc
  fails 1 pg-reduce "$FIX/sst.nc" -o o.nc --dim time --op max --weights cos-lat
  misused --by pg-groupby "$FIX/sst.nc" -o o.nc --by time.month --resample time=year
  misused --tolerance pg-select "$FIX/sst.nc" -o o.nc --sel lat=0 --tolerance 1
  fails 1 pg-select "$FIX/sst.nc" --sel lat=0:10
}

@test "outputs are atomic and -O is honoured" {
  pg-reduce "$FIX/sst.nc" -o m.zarr --dim time
  run pg-reduce "$FIX/sst.nc" -o m.zarr --dim time --op max
  assert_one_line_error 1
  pg-reduce "$FIX/sst.nc" -o m.zarr --dim time --op max -O
  [ -z "$(ls -A . | grep pgtmp || true)" ]
}

@test "an output that cannot be written is refused before any data is read" {
  pg-convert "$FIX/sst.nc" -o s.zarr --chunks time=12
  for f in s.zarr/sst/*; do printf garbage > "$f"; done  # reading them would fail
  touch taken.nc
  for run_tool in "pg-reduce s.zarr --dim time --op median" "pg-groupby s.zarr --by time.month" \
                  "pg-reduce s.zarr --op max --rolling time=3"; do
    run $run_tool -o taken.nc
    assert_one_line_error 1
    [[ "$output" == *"taken.nc: output exists"* ]] || { echo "$run_tool: $output"; return 1; }
    run $run_tool -o missing/o.nc
    assert_one_line_error 1
    [[ "$output" == *"missing: no such directory"* ]] || { echo "$run_tool: $output"; return 1; }
  done
  run pg-reduce s.zarr --dim time -o s.zarr
  assert_one_line_error 1
  [[ "$output" == *"same as an input"* ]]
  [ ! -s taken.nc ]
  [ "$(ls -A)" = "$(printf 's.zarr\ntaken.nc')" ]
}

@test "selections read only the chunks they touch" {
  pg-convert "$FIX/sst.nc" -o s.zarr --chunks time=12,lat=6,lon=12
  # Damage every chunk outside the box: the selection must not read them.
  for f in s.zarr/sst/*; do
    case $(basename "$f") in
      0.1.1|0.2.1) ;;
      *) printf garbage > "$f" ;;
    esac
  done
  pg-select s.zarr -o box.nc --isel time=0:12 --sel lat=-25:25 --sel lon=130:230
  run pg-select s.zarr -o all.nc --isel time=0:12
  assert_one_line_error 1
}

@test "an exact median that cannot fit the memory budget says so" {
  fails 1 pg-reduce "$FIX/sst.nc" -o o.nc --dim time --op median --memory 1K
  [[ "$output" == *"memory budget"* ]]
  pg-reduce "$FIX/sst.nc" -o ok.nc --dim time --op median --memory 64M
  [ -f ok.nc ]
}

@test "analysis tools take the output options: --format, --compressor, --chunks, -v" {
  pg-reduce "$FIX/sst.nc" -o m.zarr --dim lat --compressor zstd:5 --chunks time=6
  grep -q '"id": "zstd"' m.zarr/sst/.zarray
  $PY -c "import json; z = json.load(open('m.zarr/sst/.zarray')); assert z['chunks'][0] == 6, z"
  pg-groupby "$FIX/sst.nc" -o c.out --by time.month --format netcdf3
  # The int64 month coordinate needs CDF5, the netCDF-3 variant with 64-bit integers.
  [ "$(ncdump -k c.out)" = "cdf5" ]
  pg-select "$FIX/sst.nc" -o s.nc --isel time=0:3 -v sst
  ncdump -h s.nc | grep -q "float sst(time, lat, lon)"
  pg-groupby "$FIX/sst.nc" -o n.nc --by time.month --no-skipna
  "$SRC/tests/interop/compare.py" "$FIX/sst.nc" n.nc "ds.sst.groupby('time.month').mean('time', skipna=False)"
}
