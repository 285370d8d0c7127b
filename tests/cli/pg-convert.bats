#!/usr/bin/env bats
# The pg-convert command-line contract.

load helpers

setup_file() { make_fixtures; }
setup() { cd "$BATS_TEST_TMPDIR"; }

@test "help, version and usage errors" {
  run pg-convert --help
  [ "$status" -eq 0 ]
  [[ "$output" == *"--compressor"* ]]
  run pg-convert --version
  [ "$status" -eq 0 ]
  [[ "$output" == "pg-convert "* ]]
  run --separate-stderr pg-convert
  [ "$status" -eq 2 ]
  run --separate-stderr pg-convert "$FIX/sst.nc" -o x.zarr --no-such-option
  [ "$status" -eq 2 ]
  [ ! -e x.zarr ]
}

@test "netCDF to Zarr with chunks and compressor" {
  run pg-convert "$FIX/sst.nc" -o out.zarr --chunks time=12,lat=-1,lon=-1 --compressor blosc:zstd:3:shuffle
  [ "$status" -eq 0 ]
  [ -z "$output" ]
  grep -q '"cname": "zstd"' out.zarr/sst/.zarray
  grep -q '"clevel": 3' out.zarr/sst/.zarray
  $PY -c "import json; z=json.load(open('out.zarr/sst/.zarray')); assert z['chunks']==[12,18,36], z['chunks']"
  [ -f out.zarr/.zmetadata ]
  [ -z "$(ls -A . | grep pgtmp || true)" ]
}

@test "default compressor is zarr-python's blosc lz4 5 shuffle" {
  pg-convert "$FIX/sst.nc" -o d.zarr
  $PY -c "
import json; c=json.load(open('d.zarr/sst/.zarray'))['compressor']
assert c=={'id':'blosc','cname':'lz4','clevel':5,'shuffle':1,'blocksize':0}, c"
}

@test "--no-consolidated writes no .zmetadata" {
  pg-convert "$FIX/sst.nc" -o n.zarr --no-consolidated
  [ ! -e n.zarr/.zmetadata ]
  [ -f n.zarr/.zgroup ]
}

@test "a .zmetadata cut short is passed over: the store reads from its arrays' own metadata" {
  pg-convert "$FIX/sst.nc" -o a.zarr --chunks time=12
  cp -r a.zarr intact.zarr
  : > a.zarr/.zmetadata
  pg-convert a.zarr -o empty.nc
  printf '{"metadata": {".zgroup": {"zarr_fo' > a.zarr/.zmetadata
  pg-convert a.zarr -o cut.nc
  # What xarray reads from the intact store.
  "$SRC/tests/interop/assert_identical.py" intact.zarr empty.nc
  "$SRC/tests/interop/assert_identical.py" intact.zarr cut.nc
  # Nothing else to read: the .zmetadata error, one line, exit 1, no output.
  mkdir only.zarr && printf '{"meta' > only.zarr/.zmetadata
  run pg-convert only.zarr -o only.nc
  [ "$status" -eq 1 ]
  [ "${#lines[@]}" -eq 1 ]
  [[ "$output" == *"only.zarr: .zmetadata: invalid JSON"* ]]
  [ ! -e only.nc ]
}

@test "-v keeps a variable and its coordinates; --drop removes" {
  pg-convert "$FIX/sst.nc" -o v.zarr -v sst
  [ -d v.zarr/sst ] && [ -d v.zarr/time ] && [ -d v.zarr/lat ]
  pg-convert "$FIX/sst.nc" -o d.zarr --drop sst
  [ ! -e d.zarr/sst ] && [ -d d.zarr/lat ]
  run pg-convert "$FIX/sst.nc" -o e.zarr -v nosuch
  assert_one_line_error 1
  [[ "$output" == *nosuch* ]]
  [ ! -e e.zarr ]
}

@test "existing output without -O is an error and stays untouched; -O replaces it" {
  mkdir keep.zarr && echo precious > keep.zarr/file
  run pg-convert "$FIX/sst.nc" -o keep.zarr
  assert_one_line_error 1
  [[ "$output" == *"-O"* ]]
  [ "$(cat keep.zarr/file)" = precious ]
  pg-convert "$FIX/sst.nc" -o keep.zarr -O
  [ ! -e keep.zarr/file ]
  [ -f keep.zarr/.zgroup ]
  [ -z "$(ls -A . | grep pgtmp || true)" ]
}

@test "missing input: one line, exit 1, nothing written" {
  run pg-convert nosuch.nc -o out.zarr
  assert_one_line_error 1
  [[ "$output" == *nosuch.nc* ]]
  [ -z "$(leftovers .)" ]
}

@test "a file that is not netCDF: one line, exit 1, nothing written" {
  echo "hello" > text.nc
  run pg-convert text.nc -o out.zarr
  assert_one_line_error 1
  [[ "$output" == *text.nc* ]]
  [ "$(leftovers .)" = text.nc ]
}

@test "truncated netCDF-4 and netCDF-3 files: one line, exit 1, nothing written" {
  head -c 20000 "$FIX/sst.nc" > cut4.nc
  run pg-convert cut4.nc -o out4.zarr
  assert_one_line_error 1
  [ ! -e out4.zarr ]
  f3=$(ls "$FIX"/parts/*.nc | head -1)
  head -c 3000 "$f3" > cut3.nc
  run pg-convert cut3.nc -o out3.zarr
  assert_one_line_error 1
  [ ! -e out3.zarr ]
  [ -z "$(ls -A . | grep -v '^cut' || true)" ]
}

@test "corrupt chunk: one line naming the chunk, exit 1, nothing written" {
  pg-convert "$FIX/sst.nc" -o c.zarr --chunks time=12
  printf 'garbage-not-blosc' > c.zarr/sst/1.0.0
  run pg-convert c.zarr -o c.nc
  assert_one_line_error 1
  [[ "$output" == *'sst/1.0.0'* ]]
  [ ! -e c.nc ]
  [ -z "$(ls -A . | grep pgtmp || true)" ]
}

@test "unknown codec: one line naming it, exit 1" {
  pg-convert "$FIX/sst.nc" -o u.zarr --no-consolidated
  sed -i 's/"id": "blosc"/"id": "mystery-codec"/' u.zarr/sst/.zarray
  run pg-convert u.zarr -o u.nc
  assert_one_line_error 1
  [[ "$output" == *mystery-codec* ]]
  [ ! -e u.nc ]
}

@test "inputs are never modified" {
  cp -r "$FIX/sst.nc" in.nc
  before=$(sha256sum in.nc)
  pg-convert in.nc -o a.zarr
  pg-convert a.zarr -o b.nc
  tar -cf - a.zarr | sha256sum > a.sum
  pg-convert a.zarr -o c.zarr --compressor zstd:5
  [ "$before" = "$(sha256sum in.nc)" ]
  [ "$(cat a.sum)" = "$(tar -cf - a.zarr | sha256sum)" ]
}

@test "an output that is an input (however spelt) is refused by every tool, parts and merges too; the input stays" {
  cp -r "$FIX/sst.nc" in.nc
  pg-convert in.nc -o in.zarr
  before=$(sha256sum in.nc)
  zbefore=$(tar -cf - in.zarr | sha256sum)
  for cmd in "pg-convert in.nc -o ./in.nc -O" "pg-convert in.zarr -o in.zarr/ -O" "pg-reduce in.nc --dim time -o in.nc -O" \
             "pg-groupby in.nc --by time.month -o $PWD/in.nc -O" "pg-select in.zarr --isel time=0 -o in.zarr -O" \
             "pg-plot in.nc -v sst --isel time=0 --format png -o in.nc -O" "pg-info in.nc --stats --part 0/1 -o in.nc -O" \
             "pg-reduce in.nc --dim time --part 0/1 -o ./in.nc -O" "pg-groupby in.zarr --by time.month --part 0/1 -o in.zarr -O"; do
    run --separate-stderr $cmd
    [ "$status" -eq 1 ] || { echo "$cmd: $status"; false; }
    [[ "$stderr" == *"output is the same as an input"* ]] || { echo "$cmd: $stderr"; false; }
    [ "$(echo "$stderr" | wc -l)" -eq 1 ]
  done
  [ "$before" = "$(sha256sum in.nc)" ]
  [ "$zbefore" = "$(tar -cf - in.zarr | sha256sum)" ]
  # A merge does not replace one of its partial results either.
  pg-reduce in.nc --dim time --part 0/1 -o p0.zarr
  run --separate-stderr pg-reduce --merge p0.zarr -o p0.zarr -O
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"output is the same as an input"* ]]
  [ -f p0.zarr/pgpartial.json ]
  # Standard output is never an input: a pipe from standard input to standard output works.
  pg-convert in.nc -o - | pg-select - --isel time=0 -o - | pg-convert - -o one.zarr
  [ -f one.zarr/.zmetadata ]
}

@test "many files joined along time in coordinate order, given in any order" {
  files=$(ls "$FIX"/parts/*.nc | sort -r)
  pg-convert $files -o joined.zarr
  pg-convert "$FIX/parts/sst_*.nc" -o glob.zarr
  $PY - <<PY
import xarray as xr
a = xr.open_mfdataset("$FIX/parts/*.nc", combine="by_coords").load()
for z in ["joined.zarr", "glob.zarr"]:
    b = xr.open_zarr(z).load()
    xr.testing.assert_identical(a, b)
PY
}

@test "inconsistent inputs name the two files" {
  f=($(ls "$FIX"/parts/*.nc))
  run pg-convert "${f[0]}" "${f[0]}" -o dup.zarr
  assert_one_line_error 1
  [[ "$output" == *overlap* ]]
  [ ! -e dup.zarr ]
  $PY - "${f[1]}" other.nc <<'PY'
import sys, netCDF4
src, dst = sys.argv[1], sys.argv[2]
import shutil; shutil.copy(src, dst)
with netCDF4.Dataset(dst, "a") as d:
    d["sst"].units = "K"
PY
  run pg-convert "${f[0]}" other.nc -o mixed.zarr
  assert_one_line_error 1
  [[ "$output" == *"${f[0]}"* && "$output" == *other.nc* && "$output" == *units* ]]
  [ ! -e mixed.zarr ]
}

@test "--dry-run prints the plan and writes nothing" {
  run pg-convert "$FIX/sst.nc" -o plan.zarr --dry-run --chunks time=12
  [ "$status" -eq 0 ]
  [[ "$output" == *"sst"* && "$output" == *"12x18x36"* && "$output" == *"peak memory"* ]]
  [ ! -e plan.zarr ]
  run pg-convert "$FIX/sst.nc" -o plan.zarr --dry-run --json
  echo "$output" | $PY -c "import json,sys; j=json.load(sys.stdin); assert j['objects']>0 and j['bytes']>0"
}

@test "results do not depend on the thread count" {
  pg-convert "$FIX/sst.nc" -o j1.zarr -j 1 --chunks time=5
  pg-convert "$FIX/sst.nc" -o j4.zarr -j 4 --chunks time=5 --memory 64K
  diff -r j1.zarr j4.zarr
}

@test "malformed option values are usage errors (exit 2) naming the option; values the data refutes exit 1" {
  run pg-convert "$FIX/sst.nc" -o x.zarr --compressor brotli
  assert_usage_error --compressor
  run pg-convert "$FIX/sst.nc" -o x.zarr --chunks time=zero
  assert_usage_error --chunks
  run pg-convert "$FIX/sst.nc" -o x.zarr --memory lots
  assert_usage_error --memory
  run pg-convert "$FIX/sst.nc" -o x.zarr --zarr-format 4
  assert_usage_error --zarr-format
  run pg-convert "$FIX/sst.nc" -o x.zarr --format hdf4
  assert_usage_error --format
  run pg-convert "$FIX/sst.nc" -o x.zarr --shards time=none
  assert_usage_error --shards
  run pg-convert "$FIX/sst.nc" -o x.zarr --chunks depth=3
  assert_one_line_error 1
  run pg-convert "$FIX/sst.nc" -o x.unknown
  assert_one_line_error 1
  run pg-convert "$FIX/sst.nc" -o x.nc --compressor zstd
  assert_one_line_error 1
  [ -z "$(leftovers .)" ]
}

@test "netCDF-3 output on request" {
  pg-convert "$FIX/sst.nc" -o three.nc --format netcdf3
  [ "$(ncdump -k three.nc)" = "64-bit offset" ]
}

@test "a killed run leaves no complete-looking store" {
  $PY "$SRC/scripts/make-sst.py" big.nc --years 40 --res 1
  pg-convert big.nc -o big.zarr --compressor bz2:9 -j 1 --no-progress &
  pid=$!
  sleep 1
  kill -INT "$pid"
  wait "$pid" && st=0 || st=$?
  [ "$st" -eq 130 ] || [ "$st" -eq 0 ]
  if [ "$st" -eq 130 ]; then [ ! -e big.zarr ]; fi
  [ -z "$(ls -A . | grep pgtmp || true)" ]
}

@test "--scratch that cannot hold the intermediate copy: one line, nothing written" {
  pg-convert "$FIX/sst.nc" -o c.zarr --chunks time=12
  run pg-convert c.zarr -o ts.zarr --chunks time=-1,lat=2,lon=3 --memory 64K --scratch "$BATS_TEST_TMPDIR/missing"
  assert_one_line_error 1
  [[ "$output" == *"missing"* ]]
  [ ! -e ts.zarr ]
}

@test "the default memory budget is bounded and shown in --help" {
  run pg-convert --help
  [[ "$output" == *"--memory"*"2G"* ]]
  [[ "$output" == *"--scratch"* ]]
  # pg-info writes nothing, so it has no place for copies
  run pg-info --scratch /tmp "$FIX/sst.nc"
  [ "$status" -eq 2 ]
}
