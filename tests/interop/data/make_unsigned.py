#!/usr/bin/python3
"""Writes OUT.nc as real files from other people store unsigned and packed integers: netCDF-3
has no unsigned types, so satellite and model products store bytes and shorts signed with
_Unsigned = "true" (and a signed _FillValue); a netCDF-4 product flags unsigned shorts as
signed with _Unsigned = "false"; shorts are packed with and without a mask and an offset."""
import sys

import netCDF4
import numpy as np

out = sys.argv[1]
fmt = sys.argv[2] if len(sys.argv) > 2 else "NETCDF3_CLASSIC"
rng = np.random.default_rng(7)
with netCDF4.Dataset(out, "w", format=fmt) as ds:
    ds.createDimension("time", 6)
    ds.createDimension("x", 5)
    t = ds.createVariable("time", "f8", ("time",))
    t.units = "days since 2000-01-01"
    t[:] = np.arange(6) * 31.0
    def var(name, dtype, fill=None, **attrs):
        v = ds.createVariable(name, dtype, ("time", "x"), fill_value=fill)
        v.set_auto_maskandscale(False)
        for k, a in attrs.items():
            v.setncattr(k, a)
        return v
    raw = rng.integers(-128, 128, (6, 5)).astype("i1")
    raw[0, 0] = -1
    var("flags", "i1", _Unsigned="true")[:] = raw
    var("quality", "i1", np.int8(-1), _Unsigned="true", scale_factor=np.float32(0.5))[:] = raw
    big = rng.integers(-32768, 32768, (6, 5)).astype("i2")
    big[1, 1] = -2
    var("counts", "i2", _Unsigned="true", missing_value=np.int16(-2))[:] = big
    var("temp", "i2", np.int16(-32767), scale_factor=np.float32(0.01), add_offset=np.float32(20))[:] = big // 4
    var("depth", "i2", scale_factor=np.float64(0.1))[:] = big // 8
    if fmt == "NETCDF4":
        var("wide", "u2", np.uint16(65535), _Unsigned="false")[:] = big.view("u2")
