#!/usr/bin/env bash
# Rechunking benchmark: the ERSST-like file (2040 x 180 x 360 float32, netCDF-4 chunks
# 1 x 180 x 360) and its Zarr copy (chunks of 12 months) rechunked to time series
# (time=-1, lat=10, lon=10) by pg-convert (default budget and --memory 128M) and by xarray
# with dask (ds.chunk({...}).to_zarr), with the default compressor (blosc lz4 on both
# sides: from netCDF blosc lz4, from Zarr the input's) and with blosc zstd 3; then the exact median over time of the Zarr copy
# (pg-reduce, xarray's median); side by side: medians, peak memory, ratios.
# usage: scripts/bench/rechunk.sh [RUNS]   (BENCH_DIR to keep the data elsewhere)
source "$(dirname "$0")/common.sh"
[ -d "$dir/sst.zarr" ] || "$bin/pg-convert" "$dir/sst.nc" -o "$dir/sst.zarr" --chunks time=12 --compressor blosc:zstd:3:shuffle
cat > "$dir/xr_rechunk.py" <<'PY'
import sys, dask, numcodecs, xarray as xr
dask.config.set(scheduler="threads", num_workers=2)
src, out, compressor = sys.argv[1:4]
ds = xr.open_zarr(src) if src.endswith(".zarr") else xr.open_dataset(src, chunks={"time": 120})
for v in ds.variables.values():
    v.encoding.pop("chunks", None)
    # "default": xarray's and pg-convert's own, which agree (the Zarr input's compressor,
    # else blosc lz4 5 with shuffle)
    if compressor == "zstd":
        v.encoding["compressor"] = numcodecs.Blosc("zstd", 3, numcodecs.Blosc.SHUFFLE)
ds.chunk({"time": -1, "lat": 10, "lon": 10}).to_zarr(out, mode="w")
PY
cat > "$dir/xr_median.py" <<'PY'
import sys, dask, xarray as xr
dask.config.set(scheduler="threads", num_workers=2)
src, out = sys.argv[1:3]
xr.open_zarr(src).sst.median("time").to_netcdf(out)
PY
ts="--chunks time=-1,lat=10,lon=10"
for comp in default zstd; do
  opt=""
  [ "$comp" = zstd ] && opt="--compressor blosc:zstd:3:shuffle"
  for src in sst.nc sst.zarr; do
    /usr/bin/python3 scripts/bench/measure.py --runs "$runs" --baseline xarray --setup "rm -rf $dir/ts-*; sync" \
      --title "rechunk $src to time series (time=-1, lat=10, lon=10), compressor $comp, 2 cores" \
      "pg-convert=$bin/pg-convert -j2 $dir/$src -o $dir/ts-pg.zarr $ts $opt" \
      "pg-convert --memory 128M=$bin/pg-convert -j2 $dir/$src -o $dir/ts-pg128.zarr $ts $opt --memory 128M" \
      "xarray=/usr/bin/python3 $dir/xr_rechunk.py $dir/$src $dir/ts-xr.zarr $comp"
  done
done
/usr/bin/python3 scripts/bench/measure.py --runs "$runs" --baseline xarray --setup "rm -f $dir/med-*.nc; sync" \
  --title "median over time of sst.zarr (chunks time=12), 2 cores" \
  "pg-reduce=$bin/pg-reduce -j2 $dir/sst.zarr --dim time --op median -o $dir/med-pg.nc" \
  "pg-reduce --memory 128M=$bin/pg-reduce -j2 $dir/sst.zarr --dim time --op median -o $dir/med-pg128.nc --memory 128M" \
  "xarray=/usr/bin/python3 $dir/xr_median.py $dir/sst.zarr $dir/med-xr.nc"
# The same results as xarray's (the runs above removed each other's outputs: made again).
"$bin/pg-convert" -j2 "$dir/sst.zarr" -o "$dir/ts-pg128.zarr" $ts --compressor blosc:zstd:3:shuffle --memory 128M -O
"$bin/pg-reduce" -j2 "$dir/sst.zarr" --dim time --op median -o "$dir/med-pg128.nc" --memory 128M -O
/usr/bin/python3 "$dir/xr_rechunk.py" "$dir/sst.zarr" "$dir/ts-xr.zarr" zstd
/usr/bin/python3 "$dir/xr_median.py" "$dir/sst.zarr" "$dir/med-xr.nc"
/usr/bin/python3 - "$dir" <<'PY'
import sys, xarray as xr
d = sys.argv[1]
xr.testing.assert_allclose(xr.open_dataset(f"{d}/med-xr.nc").sst, xr.open_dataset(f"{d}/med-pg128.nc").sst)
xr.testing.assert_identical(xr.open_zarr(f"{d}/ts-xr.zarr").sst, xr.open_zarr(f"{d}/ts-pg128.zarr").sst)
print("results identical to xarray's (the median allclose)")
PY
