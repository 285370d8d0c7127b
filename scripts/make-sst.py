#!/usr/bin/python3
"""Writes an ERSST-like monthly SST dataset (float32 time x lat x lon, NaN over land).

usage: make-sst.py OUT [--years N] [--res DEG] [--start YEAR] [--split DIR] [--format nc4|nc3]
                       [--calendar CAL]
OUT is one netCDF file; with --split, one file per year is written into DIR instead
(named sst_YYYY.nc). Values are deterministic: a seasonal cycle on a latitude profile,
with a slow trend, so that means and climatologies have known shapes.
"""
import argparse
import datetime
import os

import netCDF4
import numpy as np


def day_number(y, m, d, calendar):
    if calendar in ("standard", "gregorian", "proleptic_gregorian"):
        return float((datetime.date(y, m, d) - datetime.date(1800, 1, 1)).days)
    import cftime
    return float(cftime.date2num(cftime.datetime(y, m, d, calendar=calendar), "days since 1800-01-01", calendar))


def field(years, res, start, calendar="standard"):
    lat = np.arange(-90 + res / 2, 90, res)
    lon = np.arange(res / 2, 360, res)
    nt = 12 * years
    t = np.arange(nt)
    month = t % 12
    la, lo = np.meshgrid(np.deg2rad(lat), np.deg2rad(lon), indexing="ij")
    base = 28 * np.cos(la) ** 2 - 1.5
    land = (np.sin(2 * lo) * np.cos(3 * la) > 0.55) | (np.abs(lat)[:, None] > 80) & np.ones_like(lo, bool)
    sst = np.empty((nt, lat.size, lon.size), dtype=np.float32)
    for i in range(nt):
        season = 3 * np.sin(2 * np.pi * (month[i] / 12.0)) * np.sin(la)
        trend = 0.01 * i / 12.0
        s = base + season + trend + 0.3 * np.sin(lo * 5 + i * 0.7)
        s = np.where(land, np.nan, s)
        sst[i] = s.astype(np.float32)
    # Mid-month times, days since 1800-01-01, as ERSST stores them.
    times = []
    for i in range(nt):
        y, m = start + i // 12, i % 12 + 1
        times.append(day_number(y, m, 15, calendar))
    return lat, lon, np.array(times, dtype=np.float64), sst


def write(path, lat, lon, times, sst, fmt, calendar):
    kind = "NETCDF4" if fmt == "nc4" else "NETCDF3_64BIT_OFFSET"
    with netCDF4.Dataset(path, "w", format=kind) as ds:
        ds.title = "ERSST-like synthetic monthly sea surface temperature"
        ds.Conventions = "CF-1.6"
        ds.createDimension("time", None)
        ds.createDimension("lat", lat.size)
        ds.createDimension("lon", lon.size)
        vt = ds.createVariable("time", "f8", ("time",))
        vt.units = "days since 1800-01-01"
        vt.calendar = calendar
        vt.long_name = "time"
        vt.axis = "T"
        vla = ds.createVariable("lat", "f4", ("lat",))
        vla.units = "degrees_north"
        vla.long_name = "Latitude"
        vlo = ds.createVariable("lon", "f4", ("lon",))
        vlo.units = "degrees_east"
        vlo.long_name = "Longitude"
        kw = {}
        if fmt == "nc4":
            kw["chunksizes"] = (1, lat.size, lon.size)
        vs = ds.createVariable("sst", "f4", ("time", "lat", "lon"), fill_value=np.float32(-999.9), **kw)
        vs.units = "degC"
        vs.long_name = "Extended reconstructed sea surface temperature"
        vs.missing_value = np.float32(-999.9)
        vla[:] = lat
        vlo[:] = lon
        vt[:] = times
        vs[:] = np.ma.masked_invalid(sst)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("--years", type=int, default=10)
    p.add_argument("--res", type=float, default=2.0)
    p.add_argument("--start", type=int, default=1854)
    p.add_argument("--split", action="store_true", help="OUT is a directory of yearly files")
    p.add_argument("--format", choices=["nc4", "nc3"], default="nc4")
    p.add_argument("--calendar", default="standard")
    a = p.parse_args()
    lat, lon, times, sst = field(a.years, a.res, a.start, a.calendar)
    if a.split:
        os.makedirs(a.out, exist_ok=True)
        for y in range(a.years):
            s = slice(12 * y, 12 * y + 12)
            write(os.path.join(a.out, f"sst_{a.start + y}.nc"), lat, lon, times[s], sst[s], a.format, a.calendar)
    else:
        write(a.out, lat, lon, times, sst, a.format, a.calendar)


if __name__ == "__main__":
    main()
