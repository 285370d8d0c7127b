#!/usr/bin/python3
"""Compares a pg-* output with what xarray computes.

usage: compare.py INPUT OUTPUT EXPR [--var NAME] [--decode-times-false]
EXPR is evaluated with `ds` (xarray's view of INPUT), `xr` and `np`, and must give a
DataArray. OUTPUT's variable (NAME, default the DataArray's name) must have the same
dimensions, the same coordinates (names and values) and values within 1e-5 relative or
1e-5 of the input variable's largest magnitude (float64 accumulators differ from
numpy's float32 sums by a few units in the last place).
"""
import argparse
import sys

import numpy as np
import xarray as xr


def open_any(path, **kw):
    if path.rstrip("/").endswith(".zarr"):
        return xr.open_zarr(path, **kw)
    return xr.open_dataset(path, **kw)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("input")
    p.add_argument("output")
    p.add_argument("expr")
    p.add_argument("--var")
    p.add_argument("--decode-times-false", action="store_true")
    p.add_argument("--scale", type=float, help="magnitude for the absolute tolerance (default: the input's)")
    a = p.parse_args()
    kw = {"decode_times": False} if a.decode_times_false else {}
    ds = open_any(a.input, **kw)
    ref = eval(a.expr, {"ds": ds, "xr": xr, "np": np})
    name = a.var or ref.name
    got = open_any(a.output, **kw)[name].load()
    ref = ref.load()
    problems = []
    if tuple(got.dims) != tuple(ref.dims):
        problems.append(f"dims {got.dims} != {ref.dims}")
    for c in ref.coords:
        if c == "quantile" and c not in got.coords:
            problems.append("no quantile coordinate")
            continue
        if c not in got.coords:
            problems.append(f"coordinate {c} missing")
            continue
        rv, gv = ref[c].values, got[c].values
        if rv.shape != gv.shape or not (rv == gv).all() and not np.allclose(rv.astype("f8") if rv.dtype.kind in "fiu" else 0,
                                                                          gv.astype("f8") if gv.dtype.kind in "fiu" else 1,
                                                                          rtol=1e-12, equal_nan=True):
            problems.append(f"coordinate {c}: {gv[:6]} != {rv[:6]}")
    if not problems:
        scale = 1.0
        src = ds[name] if name in ds else None
        if a.scale:
            scale = a.scale
        elif src is not None and src.dtype.kind in "fiu":
            scale = max(float(np.nanmax(np.abs(src.values))), 1e-30)
        r = ref.values.astype("f8")
        g = got.values.astype("f8")
        if r.shape != g.shape:
            problems.append(f"shape {g.shape} != {r.shape}")
        else:
            bad = ~np.isclose(g, r, rtol=1e-5, atol=1e-5 * scale, equal_nan=True)
            if bad.any():
                i = np.argwhere(bad)[0]
                problems.append(f"{int(bad.sum())} values differ, e.g. at {tuple(i)}: {g[tuple(i)]} vs {r[tuple(i)]}")
    if problems:
        print(f"{a.output} vs xarray `{a.expr}`:", *problems, sep="\n  ", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
