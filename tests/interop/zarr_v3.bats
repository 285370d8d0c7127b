#!/usr/bin/env bats
# Zarr v3 written by pg-convert, with and without sharding, read back by zarrita (npm),
# and v2 -> v3 -> netCDF round trips checked with xarray.

load helpers

setup_file() {
  make_fixtures
  export NODE_PATH="$("$SRC/scripts/install-npm-tools.sh")"
  ncgen -4 -o "$FIX/features.nc" "$INTEROP/data/features.cdl"
}
setup() { cd "$BATS_TEST_TMPDIR"; }

# Every numeric variable of the v3 store equals the netCDF file's stored values.
zarrita_equals() {  # $1 netCDF, $2 v3 store
  ln -sfn "$NODE_PATH" node_modules
  cp "$INTEROP/zarrita_read.mjs" .
  $PY - "$1" "$2" <<'PY'
import json, subprocess, sys
import netCDF4, numpy as np
nc, store = sys.argv[1], sys.argv[2]
with netCDF4.Dataset(nc) as d:
    d.set_auto_maskandscale(False)
    for name, v in d.variables.items():
        if v.dtype.kind not in "fiu" or v.ndim == 0:
            continue
        out = subprocess.run(["node", "zarrita_read.mjs", store, "/" + name], capture_output=True, text=True)
        assert out.returncode == 0, (name, out.stderr[-500:])
        got = json.loads(out.stdout)
        want = np.asarray(v[:])
        assert list(got["shape"]) == list(want.shape), (name, got["shape"], want.shape)
        assert np.array_equal(np.array(got["data"], dtype="f8"), want.astype("f8").ravel(), equal_nan=True), name
PY
}

@test "v3 without sharding, several compressors, read by zarrita" {
  for c in none blosc:zstd:3:shuffle zstd:5 gzip:4; do
    pg-convert "$FIX/sst.nc" -o "v3-${c//:/_}.zarr" --zarr-format 3 --chunks time=7,lat=9 --compressor "$c"
    zarrita_equals "$FIX/sst.nc" "v3-${c//:/_}.zarr"
  done
}

@test "v3 with sharding, read by zarrita; one object per shard" {
  pg-convert "$FIX/sst.nc" -o sh.zarr --zarr-format 3 --chunks time=3,lat=6,lon=12 --shards time=12,lat=18,lon=36
  zarrita_equals "$FIX/sst.nc" sh.zarr
  [ "$(find sh.zarr/sst/c -type f | wc -l)" -eq 3 ]
  pg-info --json sh.zarr | $PY -c "
import json, sys
v = [v for v in json.load(sys.stdin)['root']['variables'] if v['name'] == 'sst'][0]
assert v['encoding']['chunks'] == [12, 18, 36] and v['encoding']['inner_chunks'] == [3, 6, 12], v['encoding']"
  pg-info sh.zarr | grep -q "shards 12x18x36, chunks 3x6x12"
}

@test "v2 -> v3 -> netCDF gives back what xarray saw in the original" {
  pg-convert "$FIX/sst.nc" -o v2.zarr --chunks time=5
  pg-convert v2.zarr -o v3.zarr --zarr-format 3 --shards time=20
  pg-convert v3.zarr -o back.nc
  "$INTEROP/assert_identical.py" "$FIX/sst.nc" back.nc
  pg-convert "$FIX/features.nc" -o f3.zarr --zarr-format 3 --drop label
  pg-convert f3.zarr -o f3.nc
  "$INTEROP/assert_identical.py" "$FIX/features.nc" f3.nc --vars b,d,i,i64,names,packed,scalar,u64,ub,ui,us,x,time
  for f in "$FERRET"/levitus_climatology.cdf "$FERRET"/monthly_navy_winds.cdf; do
    pg-convert "$f" -o ferret.zarr --zarr-format 3 --shards "$(basename "$f" | grep -q navy && echo TIME=48 || echo ZAXLEVITR=20)" -O
    pg-convert ferret.zarr -o ferret.nc -O
    "$INTEROP/assert_identical.py" "$f" ferret.nc
  done
}

@test "analysis reads sharded v3 directly" {
  pg-convert "$FIX/sst.nc" -o sh.zarr --zarr-format 3 --chunks time=3 --shards time=12
  pg-groupby sh.zarr -o clim.nc --by time.month
  "$INTEROP/compare.py" "$FIX/sst.nc" clim.nc "ds.sst.groupby('time.month').mean('time')"
}

@test "corrupt shard index, truncated shard, bad crc32c: one line naming the shard" {
  pg-convert "$FIX/sst.nc" -o sh.zarr --zarr-format 3 --chunks time=3 --shards time=12
  shard=sh.zarr/sst/c/1/0/0
  size=$(stat -c %s $shard)
  cp $shard orig
  printf '\xff' | dd of=$shard bs=1 seek=$((size - 6)) conv=notrunc 2>/dev/null
  run pg-convert sh.zarr -o x.nc
  assert_one_line_error 1
  [[ "$output" == *"sst/c/1/0/0"* && "$output" == *crc32c* ]]
  head -c $((size / 2)) orig > $shard
  run pg-convert sh.zarr -o x.nc
  assert_one_line_error 1
  [[ "$output" == *"sst/c/1/0/0"* ]]
  printf 'junk' > $shard
  run pg-reduce sh.zarr --dim time -o x.nc
  assert_one_line_error 1
  [ ! -e x.nc ]
}

@test "shard options are checked" {
  run pg-convert "$FIX/sst.nc" -o a.zarr --shards time=12
  assert_usage_error --shards
  run pg-convert "$FIX/sst.nc" -o a.zarr --zarr-format 3 --shards depth=12
  assert_one_line_error 1
  run pg-convert "$FIX/sst.nc" -o a.zarr --zarr-format 4
  assert_usage_error --zarr-format
  run pg-convert "$FIX/sst.nc" -o - --zarr-format 3
  assert_one_line_error 1
}

@test "a v3 store grown with --append-dim reads in zarrita as the joined files" {
  pg-convert "$FIX/parts/sst_1854.nc" -o grown.zarr --zarr-format 3 --chunks time=6 --shards time=12
  pg-convert "$FIX/parts/sst_1855.nc" -o grown.zarr --append-dim time
  pg-convert "$FIX/parts/sst_1854.nc" "$FIX/parts/sst_1855.nc" -o joined.nc
  zarrita_equals joined.nc grown.zarr
}
