#!/usr/bin/python3
"""Writes OUT.nc with what real files from other people hold and netCDF-C no longer lets
anyone write: a packed short variable whose _FillValue is a double NaN (xarray-data's
eraint_uvz.nc), and a title with bytes that are not UTF-8 (geocat's pre.8912.mon.nc).
The attribute is written under a name of the same length, then renamed in the header."""
import sys

import netCDF4
import numpy as np

out = sys.argv[1]
with netCDF4.Dataset(out, "w", format="NETCDF3_CLASSIC") as ds:
    ds.createDimension("t", 6)
    v = ds.createVariable("v", "i2", ("t",))
    v.set_auto_maskandscale(False)
    v.setncattr("_FillValuX", np.float64(np.nan))
    v.scale_factor = np.float64(0.5)
    v.add_offset = np.float64(100.0)
    v[:] = np.array([0, 1, -2, 0, 7, 0], dtype="i2")
    ds.title = b"caf\xf8 \xe9t\xe9"
raw = open(out, "rb").read()
assert raw.count(b"_FillValuX") == 1
open(out, "wb").write(raw.replace(b"_FillValuX", b"_FillValue"))
