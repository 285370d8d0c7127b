#!/usr/bin/env bash
# Analysis benchmark on the ERSST-like dataset of convert.sh (2040 x 180 x 360 float32):
# time mean (uncompressed netCDF-4, netCDF-4 zlib 1 + shuffle as CMIP stores it, Zarr),
# month climatology and the Nino 3.4 index, pg-* against ncra, CDO and xarray with dask
# (2 threads), side by side; then pg-* memory with the time axis doubled.
# usage: scripts/bench/analysis.sh [RUNS]   (BENCH_DIR to keep the data elsewhere)
source "$(dirname "$0")/common.sh"
[ -f "$dir/sst_zlib.nc" ] || nccopy -d1 -s "$dir/sst.nc" "$dir/sst_zlib.nc"
[ -d "$dir/sst.zarr" ] || "$bin/pg-convert" "$dir/sst.nc" -o "$dir/sst.zarr" --chunks time=12 --compressor blosc:zstd:3:shuffle
[ -d "$dir/sst_lz4.zarr" ] || "$bin/pg-convert" "$dir/sst.nc" -o "$dir/sst_lz4.zarr" --chunks time=12
if [ ! -f "$dir/sst2x.nc" ]; then
  /usr/bin/python3 scripts/make-sst.py "$dir/sst2x.nc" --years 340 --res 1
fi
cat > "$dir/xr_analysis.py" <<'PY'
import sys, dask, xarray as xr
dask.config.set(scheduler="threads", num_workers=2)
what, src, out = sys.argv[1:4]
ds = xr.open_dataset(src, chunks={"time": 120})
sst = ds.sst
if what == "mean":
    r = sst.mean("time")
elif what == "clim":
    r = sst.groupby("time.month").mean("time")
else:
    clim = sst.groupby("time.month").mean("time")
    anom = sst.groupby("time.month") - clim
    r = anom.sel(lat=slice(-5, 5), lon=slice(190, 240)).mean(dim=("lon", "lat")).rolling(time=3).mean()
r.to_netcdf(out)
PY
cat > "$dir/pg_nino.sh" <<SH
#!/usr/bin/env bash
set -e
t=\$(mktemp -d)
trap 'rm -rf "\$t"' EXIT
# The pipeline of CLI.md: the box first (anomalies per cell do not depend on other cells).
$bin/pg-select "\$1" -o "\$t/box.nc" --sel lat=-5:5 --sel lon=190:240
$bin/pg-groupby "\$t/box.nc" -o "\$t/anom.nc" --by time.month --anomaly
$bin/pg-reduce "\$t/anom.nc" -o "\$t/idx.nc" --dim lat,lon
$bin/pg-reduce "\$t/idx.nc" -o "\$2" --rolling time=3 -O
SH
chmod +x "$dir/pg_nino.sh"
m="/usr/bin/python3 scripts/bench/measure.py --runs $runs --setup 'rm -f $dir/o-*'"
xr="/usr/bin/python3 $dir/xr_analysis.py"
eval "$m --baseline ncra --title 'time mean, uncompressed netCDF-4 (chunks 1x180x360)'" \
  "'pg-reduce=$bin/pg-reduce $dir/sst.nc -o $dir/o-pg.nc --dim time'" \
  "'ncra=ncra -O $dir/sst.nc $dir/o-ncra.nc'" \
  "'cdo timmean=cdo -s -O timmean $dir/sst.nc $dir/o-cdo.nc'" \
  "'xarray=$xr mean $dir/sst.nc $dir/o-xr.nc'"
eval "$m --baseline ncra --title 'time mean, netCDF-4 zlib 1 + shuffle'" \
  "'pg-reduce=$bin/pg-reduce $dir/sst_zlib.nc -o $dir/o-pg.nc --dim time'" \
  "'ncra=ncra -O $dir/sst_zlib.nc $dir/o-ncra.nc'" \
  "'cdo timmean=cdo -s -O timmean $dir/sst_zlib.nc $dir/o-cdo.nc'"
eval "$m --baseline ncra --title 'time mean from Zarr (blosc zstd 3 and blosc lz4 5, chunks 12x180x360) vs ncra on uncompressed netCDF-4'" \
  "'pg-reduce zstd=$bin/pg-reduce $dir/sst.zarr -o $dir/o-pg.nc --dim time'" \
  "'pg-reduce lz4=$bin/pg-reduce $dir/sst_lz4.zarr -o $dir/o-pg2.nc --dim time'" \
  "'ncra=ncra -O $dir/sst.nc $dir/o-ncra.nc'"
eval "$m --baseline 'cdo ymonmean' --title 'month climatology, uncompressed netCDF-4'" \
  "'pg-groupby=$bin/pg-groupby $dir/sst.nc -o $dir/o-pg.nc --by time.month'" \
  "'cdo ymonmean=cdo -s -O ymonmean $dir/sst.nc $dir/o-cdo.nc'" \
  "'xarray=$xr clim $dir/sst.nc $dir/o-xr.nc'"
eval "$m --baseline xarray --title 'Nino 3.4 index (anomaly, box, area mean, 3-month rolling mean)'" \
  "'pg-* pipeline=$dir/pg_nino.sh $dir/sst.nc $dir/o-pg.nc'" \
  "'xarray=$xr nino $dir/sst.nc $dir/o-xr.nc'"
eval "$m --baseline '2040 months' --title 'pg-* peak memory with the time axis doubled'" \
  "'2040 months=$bin/pg-reduce $dir/sst.nc -o $dir/o-a.nc --dim time'" \
  "'4080 months=$bin/pg-reduce $dir/sst2x.nc -o $dir/o-b.nc --dim time'" \
  "'clim 2040=$bin/pg-groupby $dir/sst.nc -o $dir/o-c.nc --by time.month'" \
  "'clim 4080=$bin/pg-groupby $dir/sst2x.nc -o $dir/o-d.nc --by time.month'" \
  "'nino 2040=$dir/pg_nino.sh $dir/sst.nc $dir/o-e.nc'" \
  "'nino 4080=$dir/pg_nino.sh $dir/sst2x.nc $dir/o-f.nc'"
