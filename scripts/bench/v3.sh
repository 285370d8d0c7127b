#!/usr/bin/env bash
# Zarr v3 sharding benchmark on the ERSST-like dataset: the time mean and the month
# climatology read from Zarr v2 (chunks 12x180x360) and from sharded Zarr v3 with the
# same inner chunks (shards of 240 months), side by side; and the number of objects
# pg-upload sends for each store.
# usage: scripts/bench/v3.sh [RUNS]
source "$(dirname "$0")/common.sh"
rm -rf "$dir/sst.zarr" "$dir/sst_v3.zarr"
[ -d "$dir/sst.zarr" ] || "$bin/pg-convert" "$dir/sst.nc" -o "$dir/sst.zarr" --chunks time=12 --compressor blosc:zstd:3:shuffle
[ -d "$dir/sst_v3.zarr" ] || "$bin/pg-convert" "$dir/sst.nc" -o "$dir/sst_v3.zarr" --zarr-format 3 --chunks time=12 \
  --shards time=240 --compressor blosc:zstd:3:shuffle
/usr/bin/python3 scripts/bench/measure.py --runs "$runs" --baseline "v2 mean" --setup "rm -f $dir/o-*" \
  --title "reading Zarr v2 vs sharded Zarr v3 (same 12x180x360 inner chunks, blosc zstd 3)" \
  "v2 mean=$bin/pg-reduce $dir/sst.zarr -o $dir/o-1.nc --dim time" \
  "v3 sharded mean=$bin/pg-reduce $dir/sst_v3.zarr -o $dir/o-2.nc --dim time" \
  "v2 climatology=$bin/pg-groupby $dir/sst.zarr -o $dir/o-3.nc --by time.month" \
  "v3 sharded climatology=$bin/pg-groupby $dir/sst_v3.zarr -o $dir/o-4.nc --by time.month"
for s in sst.zarr sst_v3.zarr; do
  n=$("$bin/pg-upload" "$dir/$s" s3://bucket/x --dry-run --json --anon | /usr/bin/python3 -c "import json,sys; print(json.load(sys.stdin)['objects'])")
  echo "pg-upload would send $n objects for $s"
done
