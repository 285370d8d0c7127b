#!/usr/bin/env bash
# Ingest benchmark: an ERSST-like monthly SST dataset (float32, 2040 x 180 x 360, NaN over
# land, ~0.5 GB) as 170 yearly netCDF-3 files and as one netCDF-4 file, converted to Zarr
# (blosc zstd 3 shuffle) by pg-convert and by xarray open_mfdataset(...).to_zarr(...) with
# dask on 2 threads; the single file also to netCDF-4 (zlib 1) by nccopy and pg-convert
# (nccopy's own Zarr output is uncompressed in Debian's netCDF-C, and was killed for
# memory on this file). Then the same with the time axis doubled, for pg-convert's memory.
# usage: scripts/bench/convert.sh [RUNS]   (BENCH_DIR to keep the data elsewhere)
source "$(dirname "$0")/common.sh"
[ -d "$dir/parts" ] || /usr/bin/python3 scripts/make-sst.py "$dir/parts" --years 170 --res 1 --split --format nc3
[ -d "$dir/parts2x" ] || /usr/bin/python3 scripts/make-sst.py "$dir/parts2x" --years 340 --res 1 --split --format nc3
cat > "$dir/xr_convert.py" <<'PY'
import sys, dask, numcodecs, xarray as xr
dask.config.set(scheduler="threads", num_workers=2)
ds = xr.open_mfdataset(sys.argv[1], combine="by_coords")
enc = {"sst": {"compressor": numcodecs.Blosc("zstd", 3, numcodecs.Blosc.SHUFFLE)}}
ds.to_zarr(sys.argv[2], mode="w", encoding=enc)
PY
rm_out="rm -rf $dir/out-*"
comp="--compressor blosc:zstd:3:shuffle"
/usr/bin/python3 scripts/bench/measure.py --runs "$runs" --baseline xarray --setup "$rm_out" \
  --title "170 yearly netCDF-3 files -> Zarr (blosc zstd 3 shuffle), 2 cores; xarray = open_mfdataset(...).to_zarr(...), dask 2 threads" \
  "pg-convert=$bin/pg-convert -j2 '$dir/parts/*.nc' -o $dir/out-pg.zarr $comp" \
  "xarray=/usr/bin/python3 $dir/xr_convert.py '$dir/parts/*.nc' $dir/out-xr.zarr"
/usr/bin/python3 scripts/bench/measure.py --runs "$runs" --baseline nccopy --setup "$rm_out" \
  --title "one netCDF-4 file -> Zarr" \
  "pg-convert (blosc zstd)=$bin/pg-convert -j2 $dir/sst.nc -o $dir/out-pg1.zarr $comp" \
  "pg-convert (none)=$bin/pg-convert -j2 $dir/sst.nc -o $dir/out-pg2.zarr --compressor none" \
  "xarray=/usr/bin/python3 $dir/xr_convert.py $dir/sst.nc $dir/out-xr1.zarr" \
  "nccopy=nccopy -k nc4 -d 1 $dir/sst.nc $dir/out-nccopy.nc" \
  "pg-convert -> netCDF-4 zlib 1=$bin/pg-convert -j2 $dir/sst.nc -o $dir/out-pg.nc --compressor zlib:1"
/usr/bin/python3 scripts/bench/measure.py --runs "$runs" --baseline "170 files" --setup "$rm_out" \
  --title "pg-convert memory when the time axis doubles" \
  "170 files=$bin/pg-convert -j2 '$dir/parts/*.nc' -o $dir/out-a.zarr $comp" \
  "340 files=$bin/pg-convert -j2 '$dir/parts2x/*.nc' -o $dir/out-b.zarr $comp"
# The compression alone (numcodecs' blosc zstd 3 shuffle on the same data, yearly slabs,
# one thread): a floor for any tool that writes this store.
/usr/bin/python3 - "$dir/sst.nc" <<'PY'
import sys, time, netCDF4, numcodecs
numcodecs.blosc.set_nthreads(1)
with netCDF4.Dataset(sys.argv[1]) as d:
    d.set_auto_maskandscale(False)
    a = d["sst"][:]
c = numcodecs.Blosc("zstd", 3, numcodecs.Blosc.SHUFFLE)
t = time.perf_counter()
for i in range(0, a.shape[0], 12):
    c.encode(a[i:i + 12])
s = time.perf_counter() - t
print(f"compression alone (numcodecs blosc zstd 3 shuffle): {s:.2f} s on one thread, {s / 2:.2f} s on two cores")
PY
