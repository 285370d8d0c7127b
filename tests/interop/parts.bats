#!/usr/bin/env bats
# Partitioned runs: N parts (--part I/N) and their merge (--merge) give, bit for bit, what
# one process gives, for N = 1, 2, 3, 7; bad merges are one-line errors that write nothing.

load helpers

setup_file() {
  make_fixtures
  make_big_fixture
}
setup() { cd "$BATS_TEST_TMPDIR"; }

# parted TOOL ARGS...: the one-process result and the merges of 1, 2, 3 and 7 parts agree bit for bit
parted() {
  local tool=$1
  shift
  $tool "$BIG/sst.zarr" "$@" -o one.nc
  for n in 1 2 3 7; do
    for i in $(seq 0 $((n - 1))); do $tool "$BIG/sst.zarr" "$@" -o p$n-$i.part --part $i/$n -j 1 & done
    wait
    $tool --merge p$n-*.part -o m$n.nc
    same_bits one.nc m$n.nc
  done
}

@test "pg-reduce in parts: mean, std over time, a weighted mean, the exact median; merges are the one-process result" {
  parted pg-reduce --dim time
  # a part writes the largest nodes of the merge tree within its batches: one each for 2 parts
  [ "$(ls p2-0.part/sst/b | wc -l)" -eq 1 ] && [ "$(ls p2-1.part/sst/b | wc -l)" -eq 1 ]
  [ "$(ls p7-3.part/sst/b | wc -l)" -le 6 ]
  $PY -c "
import xarray as xr
xr.testing.assert_allclose(xr.open_zarr('$BIG/sst.zarr').sst.mean('time'), xr.open_dataset('m7.nc').sst)
"
  rm -rf ./*
  parted pg-reduce --dim time --op std --ddof 1
  rm -rf ./*
  parted pg-reduce --dim lat,lon --weights cos-lat
  rm -rf ./*
  parted pg-reduce --dim time --op median
}

@test "pg-groupby in parts: month climatology, yearly maxima; --part auto from MPI and Kubernetes environments" {
  parted pg-groupby --by time.month
  $PY -c "
import xarray as xr
want = xr.open_zarr('$BIG/sst.zarr').sst.groupby('time.month').mean('time')
xr.testing.assert_allclose(want, xr.open_dataset('m3.nc').sst)
"
  rm -rf ./*
  parted pg-groupby --resample time=year --op max
  rm -rf ./*
  pg-groupby "$BIG/sst.zarr" --by time.season -o one.nc
  OMPI_COMM_WORLD_RANK=0 OMPI_COMM_WORLD_SIZE=2 pg-groupby "$BIG/sst.zarr" --by time.season -o a.part --part auto
  JOB_COMPLETION_INDEX=1 PG_PART_COUNT=2 pg-groupby "$BIG/sst.zarr" --by time.season -o b.part --part auto
  pg-groupby --merge b.part a.part -o m.nc
  same_bits one.nc m.nc
}

@test "pg-info --stats in parts: merges of 1, 2, 3, 7 parts print what one process prints; bad merges are one line" {
  pg-info --stats "$BIG/sst.zarr" > one.txt
  pg-info --stats --json "$BIG/sst.zarr" > one.json
  for n in 1 2 3 7; do
    for i in $(seq 0 $((n - 1))); do pg-info --stats "$BIG/sst.zarr" --part $i/$n -o s$n-$i.part -j 1 & done
    wait
    pg-info --merge s$n-*.part | diff - one.txt
    pg-info --merge s$n-*.part --json | diff - one.json
  done
  # the one-process statistics are xarray's
  $PY -c "
import json, numpy as np, xarray as xr
s = {v['name']: v['stats'] for v in json.load(open('one.json'))['root']['variables']}['sst']
x = xr.open_zarr('$BIG/sst.zarr').sst.values.astype('float64')
assert s['count'] == np.isfinite(x).sum() and s['nan_count'] == np.isnan(x).sum(), s
assert np.isclose(s['mean'], np.nanmean(x), rtol=1e-12) and s['min'] == np.nanmin(x) and s['max'] == np.nanmax(x), s
"
  run pg-info --merge s3-0.part s3-1.part
  assert_one_line_error 1
  [[ "$output" == *"part 2 of 3 is missing"* ]]
  pg-reduce "$BIG/sst.zarr" --dim time -o r.part --part 0/1
  run pg-info --merge r.part
  assert_one_line_error 1
  [[ "$output" == *"pg-reduce"* ]]
  run pg-reduce --merge s1-0.part -o x.nc
  assert_one_line_error 1
  [ ! -e x.nc ]
  run pg-info "$BIG/sst.zarr" --part 0/2 -o y.part
  assert_usage_error --part
  run pg-info --stats "$BIG/sst.zarr" --part 0/2
  assert_one_line_error 1
  run pg-info --stats "$BIG/sst.zarr" -o y.part
  assert_usage_error
  [ ! -e y.part ]
  # an existing partial result is replaced only with -O
  run pg-info --stats "$BIG/sst.zarr" --part 0/1 -o s1-0.part
  assert_one_line_error 1
  [[ "$output" == *"-O"* ]]
  pg-info --stats "$BIG/sst.zarr" --part 0/1 -o s1-0.part -O
  pg-info --merge s1-0.part | diff - one.txt
  # a damaged block (its first chunk NaN, then negative) is one line, never a crash
  for bad in nan -3; do
    rm -rf bad.part && cp -r s2-1.part bad.part
    $PY -c "
import numcodecs, numpy as np
f = 'bad.part/stats/x/1'
b = np.frombuffer(numcodecs.Blosc().decode(open(f, 'rb').read()), dtype='<f8').copy()
b[0] = float('$bad')
open(f, 'wb').write(numcodecs.Blosc('lz4', 1, numcodecs.Blosc.SHUFFLE).encode(b))"
    run pg-info --merge s2-0.part bad.part
    assert_one_line_error 1
    [[ "$output" == *"another input"* ]]
  done
}

@test "bad merges: a missing or repeated part, parts of another N, command or tool, options beside --merge" {
  for i in 0 1 2; do pg-reduce "$BIG/sst.zarr" --dim time -o r$i.part --part $i/3; done
  pg-reduce "$BIG/sst.zarr" --dim lat -o lat0.part --part 0/3
  pg-reduce "$BIG/sst.zarr" --dim time -o four.part --part 1/4
  run pg-reduce --merge r0.part r1.part -o x.nc
  assert_one_line_error 1
  [[ "$output" == *"part 2 of 3 is missing"* ]]
  run pg-reduce --merge r0.part r1.part r1.part r2.part -o x.nc
  assert_one_line_error 1
  [[ "$output" == *"part 1 given twice"* ]]
  run pg-reduce --merge r0.part four.part r2.part -o x.nc
  assert_one_line_error 1
  run pg-reduce --merge lat0.part r1.part r2.part -o x.nc
  assert_one_line_error 1
  [[ "$output" == *"another command"* ]]
  run pg-groupby --merge r0.part r1.part r2.part -o x.nc
  assert_one_line_error 1
  [[ "$output" == *"pg-reduce"* ]]
  run pg-reduce --merge "$BIG/sst.zarr" -o x.nc
  assert_one_line_error 1
  run pg-reduce --merge r0.part r1.part r2.part --dim time -o x.nc
  assert_usage_error
  run pg-reduce "$BIG/sst.zarr" --rolling time=3 --part 0/2 -o x.part
  assert_usage_error
  run pg-groupby "$BIG/sst.zarr" --by time.month --anomaly --part 0/2 -o x.part
  assert_usage_error
  run pg-reduce "$BIG/sst.zarr" --dim time --part 2/2 -o x.part
  assert_usage_error --part
  [ ! -e x.nc ] && [ ! -e x.part ]
  # a part stopped before its end has no pgpartial.json: the merge names it
  mkdir half.part
  run pg-reduce --merge r0.part half.part r2.part -o x.nc
  assert_one_line_error 1
  [[ "$output" == *"half.part"* ]]
  # a part written by another version of the partial format: rerun it
  cp -r r2.part old.part
  $PY -c "
import json
m = json.load(open('old.part/pgpartial.json')); m['format'] = 'pg-partial 1'
json.dump(m, open('old.part/pgpartial.json', 'w'))"
  run pg-reduce --merge r0.part r1.part old.part -o x.nc
  assert_one_line_error 1
  [[ "$output" == *"another version"*"run the part again"* ]]
  # a batch whose cells lie outside the output (a damaged or foreign part) is refused
  region=$(ls r1.part/sst/b/*/region.json | head -1)
  $PY -c "
import json, sys
m = json.load(open('$region')); m['start'][0] = 10**6
json.dump(m, open('$region', 'w'))"
  run pg-reduce --merge r0.part r1.part r2.part -o x.nc
  assert_one_line_error 1
  [[ "$output" == *"outside the output"* ]]
  [ ! -e x.nc ]
}
