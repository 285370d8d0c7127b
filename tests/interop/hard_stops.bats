#!/usr/bin/env bats
# Hard stops and hostile input: kill -9 at many moments of a conversion that replaces its
# output (a Zarr directory, a netCDF file); afterwards the target is its previous or its new
# complete version, and the hidden temporaries the kill left go at the next run. Then every
# hostile input of tests/hostile through every tool: clean errors only.
load helpers

setup_file() {
  cd "$BATS_FILE_TMPDIR"
  $PY "$SRC/scripts/make-sst.py" old.nc --years 2 --res 1
  $PY "$SRC/scripts/make-sst.py" new.nc --years 3 --res 1 --start 1900
}

setup() { cd "$BATS_FILE_TMPDIR"; }

# The mean of sst in a dataset, as pg-info --stats --json reports it.
mean_of() {
  pg-info --stats --json "$1" | $PY -c '
import json, sys
print([v["stats"]["mean"] for v in json.load(sys.stdin)["root"]["variables"] if v["name"] == "sst"][0])'
}

kill_points() {  # OUT OPTIONS...: replaces OUT (made from old.nc) by new.nc, killed at many moments
  local out=$1
  shift
  pg-convert old.nc -o "$out" "$@" -O
  local old_mean new_mean
  old_mean=$(mean_of "$out")
  pg-convert new.nc -o "ref-$out" "$@" -O
  new_mean=$(mean_of "ref-$out")
  [ "$old_mean" != "$new_mean" ]
  # Kill points spread over the time a run takes, and a little past it.
  local t0 t1
  t0=$(date +%s.%N)
  pg-convert new.nc -o "$out" "$@" -O -j 1
  t1=$(date +%s.%N)
  pg-convert old.nc -o "$out" "$@" -O
  local seen_old=0 seen_new=0
  for delay in $($PY -c "print(*[round(($t1 - $t0) * k / 14, 3) for k in range(1, 19)])"); do
    pg-convert new.nc -o "$out" "$@" -O -j 1 &
    local pid=$!
    sleep "$delay"
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    local m
    m=$(mean_of "$out")
    if [ "$m" = "$old_mean" ]; then seen_old=$((seen_old + 1)); else [ "$m" = "$new_mean" ]; seen_new=$((seen_new + 1)); fi
    # Back to the old version; the run that does it removes what the kill left.
    pg-convert old.nc -o "$out" "$@" -O
    [ "$(mean_of "$out")" = "$old_mean" ]
    [ -z "$(ls -A | grep -F ".$out.pgtmp-" || true)" ] || { ls -A; false; }
  done
  echo "old $seen_old, new $seen_new" >&3
  [ "$seen_old" -ge 1 ] && [ "$seen_new" -ge 1 ]
}

@test "kill -9 while a Zarr store is replaced: the old or the new store, never a mix; leftovers go at the next run" {
  kill_points out.zarr --compressor zstd:19 --chunks time=1
}

@test "kill -9 while a netCDF file is replaced: the old or the new file; leftovers go at the next run" {
  kill_points out.nc --compressor zlib:9 --chunks time=1
}

@test "temporaries of a process that still runs, or of another host, are left alone" {
  mkdir -p keep && cd keep
  sleep 30 &
  live=$!
  host=$(hostname | tr - _)
  mkdir ".o.zarr.pgtmp-$host-$live-0000abcd" ".o.zarr.pgtmp-otherhost-1-0000abcd" ".o.zarr.pgtmp-$host-999999999-0000abcd"
  pg-convert ../old.nc -o o.zarr
  kill "$live"
  [ -d ".o.zarr.pgtmp-$host-$live-0000abcd" ]
  [ -d ".o.zarr.pgtmp-otherhost-1-0000abcd" ]
  [ ! -e ".o.zarr.pgtmp-$host-999999999-0000abcd" ]
}

@test "a stream spool left by kill -9 goes at the next stream read" {
  mkdir -p spool
  host=$(hostname | tr - _)
  mkdir "spool/pg-stream-$host-999999999-AbCdEf"
  pg-convert old.nc -o - | TMPDIR=$PWD/spool pg-info - >/dev/null
  [ -z "$(ls -A spool)" ]
}

@test "hostile inputs through every tool: clean one-line errors, no crash, hang or bare library text" {
  run "$SRC/tests/hostile/run.sh" "$PG_BIN" --quick --timeout 60
  echo "$output" | head -40
  [ "$status" -eq 0 ]
}

@test "a library call that does not return in time: one line naming the file, exit 1, no output left" {
  # 3000 variables: opening takes HDF5 far longer than the 0.01 s allowed here.
  $PY -c "
import netCDF4
with netCDF4.Dataset('many.nc', 'w') as ds:
    ds.createDimension('x', 4)
    for i in range(3000):
        ds.createVariable(f'v{i}', 'f4', ('x',))
"
  PG_LIBRARY_TIMEOUT=0.01 run pg-convert many.nc -o many.zarr
  assert_one_line_error 1
  [[ "$output" == *"many.nc: opening the file: no answer"*"0.01 s"* ]]
  [ ! -e many.zarr ]
  [ -z "$(ls -A | grep -F .many.zarr.pgtmp || true)" ]
  run pg-info many.nc  # the default limit is ample
  [ "$status" -eq 0 ]
}

@test "FIFOs and devices are refused as inputs and as chunks, at once" {
  mkfifo fifo.nc
  run timeout 10 pg-info fifo.nc
  assert_one_line_error 1
  [[ "$output" == *"not a regular file"* ]]
  pg-convert old.nc -o links.zarr --chunks time=12 -O
  chunk=$(cd links.zarr/sst && ls | grep -v '^\.' | head -1)
  rm "links.zarr/sst/$chunk" && ln -s /dev/zero "links.zarr/sst/$chunk"
  run timeout 10 pg-info --stats links.zarr
  assert_one_line_error 1
  [[ "$output" == *"not a regular file"* ]]
  rm "links.zarr/sst/$chunk" && mkfifo "links.zarr/sst/$chunk"
  run timeout 10 pg-reduce links.zarr --dim time -o r.nc
  assert_one_line_error 1
}

@test "sizes from metadata that cannot fit: one line naming the array and what it needs, before any allocation" {
  mkdir -p huge.zarr/a
  echo '{"zarr_format": 2}' > huge.zarr/.zgroup
  echo '{"_ARRAY_DIMENSIONS": ["y", "x"]}' > huge.zarr/a/.zattrs
  echo '{"zarr_format": 2, "shape": [1000000000, 1000000000], "chunks": [1000000, 1000000], "dtype": "<f4",
         "compressor": null, "fill_value": 0, "filters": null, "order": "C"}' > huge.zarr/a/.zarray
  pg-info huge.zarr >/dev/null  # the metadata alone is fine
  for cmd in "pg-info --stats huge.zarr" "pg-convert huge.zarr -o h.zarr" "pg-select huge.zarr --isel x=0 -o h.nc" \
             "pg-reduce huge.zarr --dim x --memory 100M -o h.nc"; do
    run bash -c "ulimit -v 8000000; $cmd"
    assert_one_line_error 1
    [[ "$output" == *'"a"'* && "$output" == *"needs "*"MiB, more than the "* && "$output" == *"raise --memory"* ]] ||
      { echo "$cmd: $output"; false; }
  done
  # 10^24 elements or 2^40 chunks: refused when the store is opened
  sed -i 's/1000000000, 1000000000/1000000000000, 1000000000000/' huge.zarr/a/.zarray
  run pg-info huge.zarr
  assert_one_line_error 1
  [[ "$output" == *"more than 2^60 elements"* ]]
  echo '{"zarr_format": 2, "shape": [1099511627776, 1, 1], "chunks": [1, 1, 1], "dtype": "<f4",
         "compressor": null, "fill_value": 0, "filters": null, "order": "C"}' > huge.zarr/a/.zarray
  echo '{"_ARRAY_DIMENSIONS": ["t", "y", "x"]}' > huge.zarr/a/.zattrs
  run timeout 20 pg-info --stats huge.zarr
  assert_one_line_error 1
  [[ "$output" == *"chunks (at most 2^32 are supported)"* ]]
}
