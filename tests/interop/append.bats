#!/usr/bin/env bats
# pg-convert --append-dim: a store grown file by file equals the one-shot conversion and
# xarray's own to_zarr(append_dim="time"); bad appends change nothing.

load helpers

setup_file() {
  make_fixtures
  # A year whose times are in other units (hours since 1900) than the store's.
  $PY - <<'PY'
import os, xarray as xr
fix = os.environ["FIX"]
ds = xr.open_dataset(f"{fix}/parts/sst_1856.nc")
ds.time.encoding.update(units="hours since 1900-01-01", dtype="float64")
ds.to_netcdf(f"{fix}/sst_1856_hours.nc")
PY
}
setup() { cd "$BATS_TEST_TMPDIR"; }

digest() {  # every file of a store, by content
  (cd "$1" && find . -type f ! -name '.zmetadata' | sort | xargs md5sum)
}

@test "appending year by year gives the one-shot store, as xarray sees it; reruns are no-ops" {
  pg-convert "$FIX"/parts/*.nc -o full.zarr --chunks time=5
  pg-convert "$FIX/parts/sst_1854.nc" -o grow.zarr --chunks time=5
  pg-convert "$FIX/parts/sst_1855.nc" -o grow.zarr --append-dim time
  pg-convert "$FIX/sst_1856_hours.nc" -o grow.zarr --append-dim time  # other time units
  "$INTEROP/assert_identical.py" full.zarr grow.zarr
  digest grow.zarr > before
  run pg-convert "$FIX/parts/sst_1855.nc" -o grow.zarr --append-dim time --json
  [ "$status" -eq 0 ]
  [[ "$output" == *'"skipped": true'* ]]
  digest grow.zarr | diff - before
  # zarr-python and xarray read it; its time labels are the store's units
  $PY - <<'PY'
import xarray as xr, zarr
z = zarr.open_group("grow.zarr", mode="r")
assert z["time"].shape == (36,) and z["sst"].shape[0] == 36
full, grow = xr.open_zarr("full.zarr"), xr.open_zarr("grow.zarr")
assert grow.time.encoding["units"] == full.time.encoding["units"], grow.time.encoding
PY
}

@test "xarray appends to our store, and we append to xarray's, with the same result" {
  pg-convert "$FIX/parts/sst_1854.nc" -o ours.zarr --chunks time=5
  $PY - <<'PY'
import os, xarray as xr
fix = os.environ["FIX"]
xr.open_dataset(f"{fix}/parts/sst_1855.nc").to_zarr("ours.zarr", append_dim="time")
xr.open_dataset(f"{fix}/parts/sst_1854.nc").chunk({"time": 5}).to_zarr("theirs.zarr")
xr.open_dataset(f"{fix}/parts/sst_1855.nc").to_zarr("theirs.zarr", append_dim="time")
xr.open_dataset(f"{fix}/parts/sst_1854.nc").chunk({"time": 5}).to_zarr("theirs2.zarr")
PY
  pg-convert "$FIX/parts/sst_1855.nc" -o theirs2.zarr --append-dim time
  "$INTEROP/assert_identical.py" theirs.zarr ours.zarr
  "$INTEROP/assert_identical.py" theirs.zarr theirs2.zarr
}

@test "bad appends: one line, exit 1, the store byte for byte unchanged" {
  pg-convert "$FIX/parts/sst_1854.nc" -o s.zarr --chunks time=5
  digest s.zarr > before
  $PY - <<'PY'
import os, xarray as xr
fix = os.environ["FIX"]
ds = xr.open_dataset(f"{fix}/parts/sst_1855.nc")
ds.rename({"sst": "tos"}).to_netcdf("renamed.nc")
ds.assign_coords(lat=ds.lat + 1).to_netcdf("shifted.nc")
ds.assign(sst=ds.sst.astype("float64")).to_netcdf("retyped.nc")
ds = xr.open_dataset(f"{fix}/parts/sst_1854.nc")
ds.assign(sst=ds.sst + 1).to_netcdf("other.nc")
PY
  # other variables, other coordinates, another type, a gap (1856 after 1854)
  for bad in renamed.nc shifted.nc retyped.nc "$FIX/parts/sst_1856.nc"; do
    run pg-convert "$bad" -o s.zarr --append-dim time
    assert_one_line_error 1
    digest s.zarr | diff - before
  done
  # the year already there but with other values
  run pg-convert other.nc -o s.zarr --append-dim time
  assert_one_line_error 1
  [[ "$output" == *overlaps* ]]
  digest s.zarr | diff - before
  # a gap is allowed when asked for
  pg-convert "$FIX/parts/sst_1856.nc" -o s.zarr --append-dim time --allow-gaps
  $PY -c "import xarray as xr; assert xr.open_zarr('s.zarr').time.size == 24"
  run pg-convert "$FIX/parts/sst_1855.nc" -o nosuch.zarr --append-dim time
  assert_one_line_error 1
  [ ! -e nosuch.zarr ]
  run pg-convert "$FIX/parts/sst_1855.nc" -o s.nc --append-dim time
  assert_one_line_error 1
  run pg-convert "$FIX/parts/sst_1855.nc" -o s.zarr --append-dim time --chunks time=3
  assert_usage_error
}

@test "Zarr v3, sharded: appends and regions write what the one-shot conversion writes" {
  pg-convert "$FIX"/parts/*.nc -o full.zarr --zarr-format 3 --chunks time=6 --shards time=12
  pg-convert "$FIX/parts/sst_1854.nc" -o grow.zarr --zarr-format 3 --chunks time=6 --shards time=12
  pg-convert "$FIX/parts/sst_1855.nc" -o grow.zarr --append-dim time
  pg-convert "$FIX/sst_1856_hours.nc" -o grow.zarr --append-dim time
  data() { (cd "$1" && find sst -type f ! -name zarr.json | sort | xargs md5sum); }
  diff <(data full.zarr) <(data grow.zarr)
  diff <($PY -m json.tool full.zarr/sst/zarr.json) <($PY -m json.tool grow.zarr/sst/zarr.json)
  pg-convert grow.zarr -o grow.nc
  pg-convert full.zarr -o full.nc
  "$INTEROP/assert_identical.py" full.nc grow.nc
  run pg-convert "$FIX/parts/sst_1856.nc" -o grow.zarr --append-dim time --json
  [[ "$output" == *'"skipped": true'* ]]
  pg-convert "$FIX"/parts/*.nc -o lay.zarr --zarr-format 3 --chunks time=6 --shards time=12 --init
  for y in 1854 1855 1856; do pg-convert "$FIX/parts/sst_$y.nc" -o lay.zarr --region time=$y-01:$y-12; done
  diff <(data full.zarr) <(data lay.zarr)
}

@test "an append stopped after its chunks leaves the previous complete store; the rerun completes it" {
  pg-convert "$FIX"/parts/*.nc -o full.zarr --chunks time=5
  pg-convert "$FIX/parts/sst_1854.nc" "$FIX/parts/sst_1855.nc" -o s.zarr --chunks time=5
  cp -r s.zarr before.zarr
  # What a run killed before its metadata leaves: the completed partial chunk (months
  # 20-24) and the chunks past the old end, under the old metadata.
  for k in 4 5 6; do cp full.zarr/sst/$k.0.0 s.zarr/sst/; done
  "$INTEROP/assert_identical.py" before.zarr s.zarr
  pg-convert "$FIX/parts/sst_1856.nc" -o s.zarr --append-dim time
  "$INTEROP/assert_identical.py" full.zarr s.zarr
}

@test "two appends to one store at once: the second waits for the first" {
  pg-convert "$FIX/parts/sst_1854.nc" -o s.zarr --chunks time=5
  pg-convert "$FIX/parts/sst_1855.nc" -o s.zarr --append-dim time &
  pg-convert "$FIX/parts/sst_1855.nc" -o s.zarr --append-dim time
  wait
  pg-convert "$FIX/parts/sst_1854.nc" "$FIX/parts/sst_1855.nc" -o once.zarr --chunks time=5
  "$INTEROP/assert_identical.py" once.zarr s.zarr
}

@test "--init lays out the store, --region writers fill it at once; the union is the one-shot store" {
  pg-convert "$FIX"/parts/*.nc -o full.zarr --chunks time=12
  pg-convert "$FIX"/parts/*.nc -o lay.zarr --chunks time=12 --init
  [ -f lay.zarr/time/0 ] && [ -z "$(ls lay.zarr/sst)" ]   # coordinates, no data chunks
  $PY -c "import xarray as xr; d = xr.open_zarr('lay.zarr'); assert d.sst.shape[0] == 36 and bool(d.sst.isnull().all())"
  digest lay.zarr | grep -v '/sst/' > meta-before
  pg-convert "$FIX/parts/sst_1856.nc" -o lay.zarr --region time=24:36 &
  pg-convert "$FIX/parts/sst_1854.nc" -o lay.zarr --region time=1854-01:1854-12 &
  pg-convert "$FIX/parts/sst_1855.nc" -o lay.zarr --region time=12:24
  wait
  digest lay.zarr | grep -v '/sst/' | diff - meta-before   # metadata and coordinates untouched
  "$INTEROP/assert_identical.py" full.zarr lay.zarr
  diff <(cd full.zarr/sst && md5sum *) <(cd lay.zarr/sst && md5sum *)
  # a region that cuts chunks names the nearest aligned one; a region with other labels is refused
  run pg-convert "$FIX/parts/sst_1855.nc" -o lay.zarr --region time=10:22
  assert_one_line_error 1
  [[ "$output" == *"0:24"* ]]
  run pg-convert "$FIX/parts/sst_1855.nc" -o lay.zarr --region time=24:36
  assert_one_line_error 1
  run pg-convert "$FIX/parts/sst_1855.nc" -o lay.zarr --region time=12:24 --chunks time=3
  assert_usage_error
  run pg-info --region time=0:12 lay.zarr
  assert_usage_error --region
}

@test "--part I/N: N writers (1, 2, 3, 7) at once fill an --init store with the one-shot store; --part auto under Slurm" {
  pg-convert "$FIX/sst.nc" -o full.zarr --chunks time=5,lat=9
  for n in 1 2 3 7; do
    pg-convert "$FIX/sst.nc" -o p$n.zarr --chunks time=5,lat=9 --init
    for i in $(seq 0 $((n - 1))); do pg-convert "$FIX/sst.nc" -o p$n.zarr --part $i/$n & done
    wait
    [ "$(ls p$n.zarr/.pgparts | wc -l)" -eq "$n" ]
    diff -r -x .pgparts full.zarr p$n.zarr
  done
  "$INTEROP/assert_identical.py" "$FIX/sst.nc" p3.zarr
  # a region split in parts; the parts' chunk counts add up
  pg-convert "$FIX"/parts/*.nc -o full12.zarr --chunks time=12
  pg-convert "$FIX"/parts/*.nc -o r.zarr --chunks time=12 --init
  a=$(pg-convert "$FIX/parts/sst_1855.nc" -o r.zarr --region time=12:24 --part 0/2 --json | $PY -c "import json,sys; print(json.load(sys.stdin)['chunks'])")
  b=$(pg-convert "$FIX/parts/sst_1855.nc" -o r.zarr --region time=12:24 --part 1/2 --json | $PY -c "import json,sys; print(json.load(sys.stdin)['chunks'])")
  [ $((a + b)) -eq 1 ]
  # --part auto from a Slurm array's environment
  pg-convert "$FIX/sst.nc" -o s.zarr --chunks time=5,lat=9 --init
  for id in 10 11 12; do
    SLURM_ARRAY_TASK_ID=$id SLURM_ARRAY_TASK_MIN=10 SLURM_ARRAY_TASK_COUNT=3 pg-convert "$FIX/sst.nc" -o s.zarr --part auto
  done
  diff -r -x .pgparts full.zarr s.zarr
}

@test "appends in parts: --append-dim --init, then --part I/N writers (1, 2, 3) give the one-process append byte for byte" {
  pg-convert "$FIX"/parts/*.nc -o full.zarr --chunks time=5,lat=9
  pg-convert "$FIX/parts/sst_1854.nc" "$FIX/parts/sst_1855.nc" -o base.zarr --chunks time=5,lat=9
  cp -r base.zarr one.zarr
  pg-convert "$FIX/sst_1856_hours.nc" -o one.zarr --append-dim time  # one process (24 months: a partial last chunk)
  for n in 1 2 3; do
    cp -r base.zarr p$n.zarr
    # a part before the layout has nowhere to write
    run pg-convert "$FIX/sst_1856_hours.nc" -o p$n.zarr --append-dim time --part 0/$n
    assert_one_line_error 1
    [[ "$output" == *"--init"* ]]
    pg-convert "$FIX/sst_1856_hours.nc" -o p$n.zarr --append-dim time --init
    [ "$(cat p$n.zarr/time/.zarray | $PY -c 'import json,sys; print(json.load(sys.stdin)["shape"][0])')" -eq 36 ]
    for i in $(seq 0 $((n - 1))); do pg-convert "$FIX/sst_1856_hours.nc" -o p$n.zarr --append-dim time --part $i/$n & done
    wait
    [ "$(ls p$n.zarr/.pgparts/time=24:36 | wc -l)" -eq "$n" ]
    diff -r -x .pgparts one.zarr p$n.zarr
  done
  "$INTEROP/assert_identical.py" full.zarr p3.zarr
  # the layout again is a no-op; a part of another N is refused; --json of a part
  digest p3.zarr > before
  pg-convert "$FIX/sst_1856_hours.nc" -o p3.zarr --append-dim time --init
  run pg-convert "$FIX/sst_1856_hours.nc" -o p3.zarr --append-dim time --part 0/2
  assert_one_line_error 1
  [[ "$output" == *"parts of 3"* ]]
  digest p3.zarr | diff - before
  pg-convert "$FIX/sst_1856_hours.nc" -o p3.zarr --append-dim time --part 1/3 --json | $PY -c "
import json, sys
j = json.load(sys.stdin)
assert j['part'] == {'index': 1, 'count': 3} and j['dimension'] == 'time' and j['chunks'] > 0, j"
  digest p3.zarr | diff - before
  # the next year's parts leave their own markers
  pg-convert "$FIX/parts/sst_1854.nc" -o next.zarr --chunks time=5,lat=9
  pg-convert "$FIX/parts/sst_1855.nc" -o next.zarr --append-dim time --init
  for i in 0 1; do pg-convert "$FIX/parts/sst_1855.nc" -o next.zarr --append-dim time --part $i/2; done
  pg-convert "$FIX/sst_1856_hours.nc" -o next.zarr --append-dim time --init
  for i in 0 1 2; do pg-convert "$FIX/sst_1856_hours.nc" -o next.zarr --append-dim time --part $i/3; done
  "$INTEROP/assert_identical.py" full.zarr next.zarr
}

@test "pg-select --init, then --part I/N writers (1, 2, 3): the one-shot selection; a part of another selection is refused" {
  sel=(--sel time=1855-03:1856-10 --isel lat=2:14)
  pg-select "$FIX/sst.nc" "${sel[@]}" -o full.zarr --chunks time=5,lat=4
  for n in 1 2 3; do
    pg-select "$FIX/sst.nc" "${sel[@]}" -o p$n.zarr --chunks time=5,lat=4 --init
    [ ! -e p$n.zarr/sst/0.0.0 ]
    for i in $(seq 0 $((n - 1))); do pg-select "$FIX/sst.nc" "${sel[@]}" -o p$n.zarr --part $i/$n & done
    wait
    diff -r -x .pgparts full.zarr p$n.zarr
  done
  $PY -c "
import xarray as xr
want = xr.open_dataset('$FIX/sst.nc').sel(time=slice('1855-03', '1856-10')).isel(lat=slice(2, 14))
xr.testing.assert_identical(want.load(), xr.open_zarr('p3.zarr').load())
"
  before=$(cd p3.zarr && find . -type f ! -path './.pgparts/*' | sort | xargs md5sum)
  # other times of the same length, other latitudes, options the store decides, --init with --part
  run pg-select "$FIX/sst.nc" --sel time=1854-01:1855-08 --isel lat=2:14 -o p3.zarr --part 0/3
  assert_one_line_error 1
  [[ "$output" == *'coordinate "time" differs'* ]]
  run pg-select "$FIX/sst.nc" --sel time=1855-03:1856-10 --isel lat=0:5 -o p3.zarr --part 0/3
  assert_one_line_error 1
  run pg-select "$FIX/sst.nc" "${sel[@]}" -o p3.zarr --part 0/3 --chunks time=2
  assert_usage_error
  run pg-select "$FIX/sst.nc" "${sel[@]}" -o p3.zarr --part 0/3 --init
  assert_usage_error
  run pg-select "$FIX/sst.nc" "${sel[@]}" -o none.zarr --part 0/3
  assert_one_line_error 1
  [ ! -e none.zarr ]
  [ "$(cd p3.zarr && find . -type f ! -path './.pgparts/*' | sort | xargs md5sum)" = "$before" ]
}

@test "--part: out of range, no part in the environment, N unlike the other parts', no store: one line, exit 2 or 1" {
  pg-convert "$FIX/sst.nc" -o s.zarr --chunks time=5 --init
  run pg-convert "$FIX/sst.nc" -o s.zarr --part 3/3
  assert_usage_error --part
  run env -u SLURM_ARRAY_TASK_ID pg-convert "$FIX/sst.nc" -o s.zarr --part auto
  assert_usage_error --part
  pg-convert "$FIX/sst.nc" -o s.zarr --part 0/3
  run pg-convert "$FIX/sst.nc" -o s.zarr --part 1/4
  assert_one_line_error 1
  [[ "$output" == *"parts of 3"* ]]
  run pg-convert "$FIX/sst.nc" -o missing.zarr --part 0/2
  assert_one_line_error 1
  [ ! -e missing.zarr ]
  run pg-convert "$FIX/sst.nc" -o s.zarr --part 0/2 --init
  assert_usage_error
}

@test "kill -9 at many moments of an append: the store is its old or its new version, and a rerun completes it" {
  # An append of about a quarter of a second (zstd 15, one chunk per month), killed at
  # points spread over it.
  $PY "$SRC/scripts/make-sst.py" big --years 3 --res 0.5 --split --format nc3
  pg-convert big/*.nc -o full.zarr --chunks time=1 --compressor zstd:15
  pg-convert big/sst_1854.nc big/sst_1855.nc -o s.zarr --chunks time=1 --compressor zstd:15
  cp -r s.zarr before.zarr
  killed_before=0
  for delay in 0.01 0.03 0.05 0.07 0.09 0.11 0.13 0.15 0.18 0.21 0.24 0.3; do
    pg-convert big/sst_1856.nc -o s.zarr --append-dim time -j 1 &
    pid=$!
    sleep "$delay"
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    if "$INTEROP/assert_identical.py" before.zarr s.zarr 2>/dev/null; then
      killed_before=$((killed_before + 1))
    else
      "$INTEROP/assert_identical.py" full.zarr s.zarr
    fi
    pg-convert big/sst_1856.nc -o s.zarr --append-dim time
    "$INTEROP/assert_identical.py" full.zarr s.zarr
    rm -rf s.zarr && cp -r before.zarr s.zarr
  done
  [ "$killed_before" -ge 1 ]  # some kills landed before the new metadata
}

@test "noleap and 360_day calendars; an interrupted stream appends nothing" {
  for cal in noleap 360_day; do
    $PY "$SRC/scripts/make-sst.py" "$cal" --years 3 --res 10 --split --format nc3 --calendar "$cal"
    pg-convert "$cal"/*.nc -o "full-$cal.zarr" --chunks time=5
    first=$(ls "$cal"/*.nc | head -1)
    pg-convert "$first" -o "grow-$cal.zarr" --chunks time=5
    for f in $(ls "$cal"/*.nc | tail -n +2); do pg-convert "$f" -o "grow-$cal.zarr" --append-dim time; done
    "$INTEROP/assert_identical.py" "full-$cal.zarr" "grow-$cal.zarr"
  done
  # a different calendar is refused
  run pg-convert "$FIX/parts/sst_1855.nc" -o grow-noleap.zarr --append-dim time
  assert_one_line_error 1
  # a stream cut short: nothing appended
  pg-convert "$FIX/parts/sst_1854.nc" -o s.zarr --chunks time=5
  cp -r s.zarr before.zarr
  pg-convert "$FIX/parts/sst_1855.nc" -o - | head -c 20000 > cut.tar
  run pg-convert - -o s.zarr --append-dim time < cut.tar
  assert_one_line_error 1
  "$INTEROP/assert_identical.py" before.zarr s.zarr
  pg-convert "$FIX/parts/sst_1855.nc" -o - | pg-convert - -o s.zarr --append-dim time
  pg-convert "$FIX/parts/sst_1854.nc" "$FIX/parts/sst_1855.nc" -o once.zarr --chunks time=5
  "$INTEROP/assert_identical.py" once.zarr s.zarr
}
