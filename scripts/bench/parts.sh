#!/usr/bin/env bash
# Partitioned runs on one machine: 2 processes with -j 1 each (--part 0/2 and 1/2, then
# the merge) against 1 process with -j 2 (the overhead of partitioning and merging) and
# 1 process with -j 1 (the speed-up), for the ingest of the 170 yearly files (into a store
# laid out by --init), the time mean and the month climatology of the ERSST-like Zarr
# store, and of a twice as long copy (4080 months) to see how the overhead grows; then the
# bytes of partial results per part.
# usage: scripts/bench/parts.sh [RUNS]   (BENCH_DIR to keep the data elsewhere)
source "$(dirname "$0")/common.sh"
[ -d "$dir/parts" ] || /usr/bin/python3 scripts/make-sst.py "$dir/parts" --years 170 --res 1 --split --format nc3
[ -d "$dir/sst.zarr" ] || "$bin/pg-convert" "$dir/sst.nc" -o "$dir/sst.zarr" --chunks time=12 --compressor blosc:zstd:3:shuffle
files="'$dir/parts/*.nc'"
comp="--compressor blosc:zstd:3:shuffle --chunks time=12"
init="rm -rf $dir/ing-*; $bin/pg-convert $files -o $dir/ing-2.zarr $comp --init; sync"
/usr/bin/python3 scripts/bench/measure.py --runs "$runs" --baseline "1 process -j2" --setup "$init" \
  --title "ingest 170 yearly files -> Zarr (zstd 3, chunks of 12 months)" \
  "1 process -j2=$bin/pg-convert -j2 $files -o $dir/ing-1.zarr $comp" \
  "1 process -j1=$bin/pg-convert -j1 $files -o $dir/ing-1.zarr $comp" \
  "2 parts -j1 (after --init)=$bin/pg-convert -j1 $files -o $dir/ing-2.zarr --part 0/2 & $bin/pg-convert -j1 $files -o $dir/ing-2.zarr --part 1/2; wait"
[ -f "$dir/sst2x.nc" ] || /usr/bin/python3 scripts/make-sst.py "$dir/sst2x.nc" --years 340 --res 1
[ -d "$dir/sst2x.zarr" ] || "$bin/pg-convert" "$dir/sst2x.nc" -o "$dir/sst2x.zarr" --chunks time=12 --compressor blosc:zstd:3:shuffle
for store in sst.zarr sst2x.zarr; do
  for what in "--dim time" "--by time.month"; do
    tool=pg-reduce
    [[ "$what" == --by* ]] && tool=pg-groupby
    /usr/bin/python3 scripts/bench/measure.py --runs "$runs" --baseline "1 process -j2" --setup "rm -rf $dir/red-*" \
      --title "$tool $what of $store (chunks of 12 months)" \
      "1 process -j2=$bin/$tool -j2 $dir/$store $what -o $dir/red-1.nc" \
      "1 process -j1=$bin/$tool -j1 $dir/$store $what -o $dir/red-1.nc" \
      "2 parts -j1 + merge=$bin/$tool -j1 $dir/$store $what -o $dir/red-p0 --part 0/2 & $bin/$tool -j1 $dir/$store $what -o $dir/red-p1 --part 1/2; wait; $bin/$tool --merge $dir/red-p0 $dir/red-p1 -o $dir/red-2.nc"
    "$bin/$tool" -j1 "$dir/$store" $what -o "$dir/red-p0" --part 0/2 -O
    echo "partial result of part 0/2: $(du -sb "$dir/red-p0" | cut -f1) bytes"
  done
done
