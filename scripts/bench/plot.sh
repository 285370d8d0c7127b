#!/usr/bin/env bash
# Quick-look pictures: pg-plot against xarray's DataArray.plot() (matplotlib, Agg, saved
# as PNG at the same 640x480) and gdal_translate -of PNG -scale (a grey raster, no axes),
# side by side: one day's map of the ERSST-like dataset (180 x 360), and a 3600 x 7200
# float32 field (100 MB, netCDF-4 chunks 360 x 720) drawn whole.
# usage: scripts/bench/plot.sh [RUNS]   (BENCH_DIR to keep the data elsewhere)
source "$(dirname "$0")/common.sh"
command -v gdal_translate >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends gdal-bin >/dev/null
if [ ! -f "$dir/field.nc" ]; then
  /usr/bin/python3 - "$dir/field.nc" <<'PY'
import sys, numpy as np, netCDF4
with netCDF4.Dataset(sys.argv[1], "w") as ds:
    ds.createDimension("lat", 3600); ds.createDimension("lon", 7200)
    la = ds.createVariable("lat", "f8", ("lat",)); la[:] = np.linspace(-89.975, 89.975, 3600)
    la.units = "degrees_north"
    lo = ds.createVariable("lon", "f8", ("lon",)); lo[:] = np.linspace(0.025, 359.975, 7200)
    lo.units = "degrees_east"
    v = ds.createVariable("z", "f4", ("lat", "lon"), chunksizes=(360, 720))
    v.long_name = "synthetic field"; v.units = "1"
    x = np.radians(np.linspace(0, 360, 7200))
    for i in range(0, 3600, 360):
        y = np.radians(np.linspace(-90, 90, 3600)[i:i + 360])
        v[i:i + 360] = (np.cos(3 * y)[:, None] * np.sin(5 * x)[None, :]).astype("f4")
PY
fi
cat > "$dir/xr_plot.py" <<'PY'
import sys, matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt, xarray as xr
src, out = sys.argv[1:3]
ds = xr.open_dataset(src)
da = ds[sys.argv[3]]
if "time" in da.dims:
    da = da.sel(time="1982-08-07", method="nearest")
da.plot()
plt.savefig(out, dpi=100)
PY
m="/usr/bin/python3 scripts/bench/measure.py --runs $runs --setup 'rm -f $dir/o-*'"
eval "$m --baseline xarray --title 'one day map (180 x 360), 640x480 PNG'" \
  "'pg-plot=$bin/pg-plot $dir/sst.nc --sel time=1982-08-07 --method nearest -o $dir/o-pg.png'" \
  "'xarray=/usr/bin/python3 $dir/xr_plot.py $dir/sst.nc $dir/o-xr.png sst'" \
  "'gdal_translate=gdal_translate -q -of PNG -scale -b 1 NETCDF:$dir/sst.nc:sst $dir/o-gdal.png'"
eval "$m --baseline xarray --title '3600 x 7200 float32 field (100 MB), 640x480 PNG'" \
  "'pg-plot=$bin/pg-plot $dir/field.nc -o $dir/o-pg.png'" \
  "'pg-plot --memory 64M=$bin/pg-plot $dir/field.nc -o $dir/o-pg64.png --memory 64M'" \
  "'xarray=/usr/bin/python3 $dir/xr_plot.py $dir/field.nc $dir/o-xr.png z'" \
  "'gdal_translate=gdal_translate -q -of PNG -scale -outsize 640 480 NETCDF:$dir/field.nc:z $dir/o-gdal.png'"
