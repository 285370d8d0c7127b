#!/usr/bin/python3
"""Checks that xarray sees the same dataset in two files/stores (netCDF or Zarr).

usage: assert_identical.py ORIGINAL CONVERTED [--vars a,b]
Exit 0 when xarray.testing.assert_identical holds, 1 with the difference otherwise.
Where xarray cannot decode the original's times (e.g. a year-0 reference date), both
sides are opened with decode_times=False, as a user would.
"""
import sys

import xarray as xr


def open_any(path, **kw):
    if path.rstrip("/").endswith(".zarr"):
        return xr.open_zarr(path, **kw)
    return xr.open_dataset(path, **kw)


def main():
    a, b = sys.argv[1], sys.argv[2]
    keep = None
    if len(sys.argv) > 4 and sys.argv[3] == "--vars":
        keep = sys.argv[4].split(",")
    try:
        da = open_any(a)
        kw = {}
    except ValueError:
        kw = {"decode_times": False}
        da = open_any(a, **kw)
    db = open_any(b, **kw)
    if keep:
        da = da[keep]
    da.load()
    db.load()
    xr.testing.assert_identical(da, db)


if __name__ == "__main__":
    try:
        main()
    except AssertionError as e:
        print(f"not identical: {e}", file=sys.stderr)
        sys.exit(1)
