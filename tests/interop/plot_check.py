#!/usr/bin/python3
"""Checks a pg-plot picture against xarray's own plot of the same data (matplotlib, Agg).

  plot_check.py map  INPUT PICTURE.png JSON EXPR [--robust] [--vmin V --vmax V] [--cmap C]
  plot_check.py line INPUT PICTURE.png JSON EXPR
  plot_check.py svg  INPUT PICTURE.svg EXPR

EXPR is evaluated with `ds` the input opened by xarray (e.g. "ds.sst.isel(time=0)").
map: title, axis and colorbar labels, limits, vmin/vmax and colormap as xarray decides
them; then each cell's pixel (at its centre) has the colour matplotlib gives its value, or
is white where the value is missing. Cells averaged down by pg-plot (JSON "averaged") are
compared with xarray's coarsen(...).mean() of the same blocks.
line: labels and limits; each point's pixel lies on the line (its colour within 2 pixels).
svg: well-formed XML whose text elements hold the title and labels.
"""
import json
import sys
import xml.dom.minidom

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import xarray as xr  # noqa: E402
from PIL import Image  # noqa: E402


def fail(msg):
    print("MISMATCH:", msg)
    sys.exit(1)


def same(a, b, what, tol=1e-6):
    if isinstance(a, str) or isinstance(b, str):
        if a != b:
            fail(f"{what}: ours {a!r}, xarray {b!r}")
        return
    if not np.isclose(a, b, rtol=tol, atol=tol):
        fail(f"{what}: ours {a!r}, xarray {b!r}")


def time_limit(value):
    """A JSON date (ours) or matplotlib date number as days since 1970-01-01."""
    if isinstance(value, str):
        return (np.datetime64(value) - np.datetime64("1970-01-01")) / np.timedelta64(1, "D")
    return value


def main():
    mode, src = sys.argv[1], sys.argv[2]
    ds = xr.open_dataset(src) if not src.endswith(".zarr") else xr.open_zarr(src)
    if mode == "svg":
        da = eval(sys.argv[4], {"ds": ds, "np": np})
        doc = xml.dom.minidom.parse(sys.argv[3])
        texts = [t.firstChild.data for t in doc.getElementsByTagName("text") if t.firstChild]
        ax = plt.figure().gca()
        da.plot(ax=ax)
        wanted = [ax.get_title(), *ax.get_xlabel().split("\n"), *ax.get_ylabel().split("\n")]
        if da.ndim == 2:
            wanted += plt.gcf().axes[-1].get_ylabel().split("\n")
        for w in wanted:
            if w and w not in texts:
                fail(f"text {w!r} not in the SVG ({texts})")
        print("svg ok:", wanted)
        return
    pic, ours = sys.argv[3], json.load(open(sys.argv[4]))
    da = eval(sys.argv[5], {"ds": ds, "np": np})
    kwargs = {}
    rest = sys.argv[6:]
    while rest:
        k = rest.pop(0)
        if k == "--robust":
            kwargs["robust"] = True
        elif k in ("--vmin", "--vmax"):
            kwargs[k[2:]] = float(rest.pop(0))
        elif k == "--cmap":
            kwargs["cmap"] = rest.pop(0)
    fig = plt.figure()
    ax = fig.gca()
    artist = da.plot(ax=ax, **kwargs)
    same(ours["title"], ax.get_title(), "title")
    same(ours["x"]["label"], ax.get_xlabel(), "x label")
    img = np.asarray(Image.open(pic).convert("RGB")).astype(int)
    box = ours["axes"]
    x0, y0, w, h = box["x"], box["y"], box["width"], box["height"]
    # The spines frame the axes box.
    for px, py in [(x0 - 1, y0 + h // 2), (x0 + w, y0 + h // 2), (x0 + w // 2, y0 - 1), (x0 + w // 2, y0 + h)]:
        if img[py, px].sum() > 3 * 60:
            fail(f"no spine at pixel ({px}, {py}): {img[py, px]}")
    xt = da[ours["x"]["dim"]].dtype.kind == "M"
    xl = [time_limit(v) for v in ours["x"]["limits"]] if xt else ours["x"]["limits"]
    xlo, xhi = ax.get_xlim()
    same(xl[0], xlo, "x limit (low)", 1e-3)
    same(xl[1], xhi, "x limit (high)", 1e-3)

    def xpix(v):
        return x0 + (v - xl[0]) / (xl[1] - xl[0]) * w

    if mode == "map":
        same(ours["y"]["label"], ax.get_ylabel(), "y label")
        cbar_ax = fig.axes[-1]
        same(ours["label"], cbar_ax.get_ylabel(), "colorbar label")
        ylo, yhi = ax.get_ylim()
        yt = da[ours["y"]["dim"]].dtype.kind == "M"
        yl = [time_limit(v) for v in ours["y"]["limits"]] if yt else ours["y"]["limits"]
        same(yl[0], ylo, "y limit (low)", 1e-3)
        same(yl[1], yhi, "y limit (high)", 1e-3)
        norm, cmap = artist.norm, artist.cmap
        same(ours["vmin"], norm.vmin, "vmin")
        same(ours["vmax"], norm.vmax, "vmax")
        same(ours["cmap"], cmap.name, "colormap")
        fy, fx = ours["averaged"]
        ydim, xdim = ours["y"]["dim"], ours["x"]["dim"]
        data = da.transpose(ydim, xdim)
        if fy > 1 or fx > 1:
            data = data.coarsen({ydim: fy, xdim: fx}, boundary="pad").mean()
        vals = data.values
        # Cell centres from the oracle's edges (xarray's interval breaks of each block).
        def edges(c, f):
            if c.dtype.kind == "M":
                c = mdates.date2num(c)
            c = np.asarray(c, dtype=float)
            mids = (c[1:] + c[:-1]) / 2
            e = np.concatenate([[c[0] - (c[1] - c[0]) / 2], mids, [c[-1] + (c[-1] - c[-2]) / 2]])
            return np.append(e[::f], e[-1]) if (len(c) % f) else e[::f]
        ye, xe = edges(da[ydim].values, fy), edges(da[xdim].values, fx)
        lut = (cmap(np.linspace(0, 1, cmap.N))[:, :3] * 255).round().astype(int)
        checked = bad = 0
        step_y = max(1, vals.shape[0] // 40)
        step_x = max(1, vals.shape[1] // 40)
        for i in range(0, vals.shape[0], step_y):
            for j in range(0, vals.shape[1], step_x):
                cx, cy = (xe[j] + xe[j + 1]) / 2, (ye[i] + ye[i + 1]) / 2
                px = int(xpix(cx))
                py = int(y0 + (yhi - cy) / (yhi - ylo) * h)
                got = img[py, px]
                v = vals[i, j]
                # Where cells are narrower than pixels, a pixel shows one of the cells
                # around its centre.
                narrow = (xe.size - 1) > w or (ye.size - 1) > h
                cands = vals[max(0, i - 1):i + 2, max(0, j - 1):j + 2].ravel() if narrow else [v]
                ok = False
                for c in cands:
                    if np.isnan(c):
                        ok = ok or (got == 255).all()
                        continue
                    t = float(norm(c))
                    k = int(np.clip(np.floor(t * cmap.N), 0, cmap.N - 1))
                    near = lut[max(0, k - 1):k + 2]
                    ok = ok or (np.abs(near - got).max(axis=1) <= 2).any()
                checked += 1
                if not ok:
                    bad += 1
                    if bad < 5:
                        print(f"cell ({i}, {j}) value {v}: pixel ({px}, {py}) is {got}")
        if bad:
            fail(f"{bad} of {checked} cells have the wrong colour")
        print(f"map ok: {checked} cells checked")
    else:
        same(ours["label"], ax.get_ylabel(), "y label")
        ylo, yhi = ax.get_ylim()
        same(ours["ylimits"][0], ylo, "y limit (low)", 1e-6)
        same(ours["ylimits"][1], yhi, "y limit (high)", 1e-6)
        xs = da[ours["x"]["dim"]].values
        if xt:
            xs = mdates.date2num(xs)
        line = np.array([0x1f, 0x77, 0xb4])
        checked = 0
        for xv, yv in zip(xs, da.values):
            if not np.isfinite(yv):
                continue
            px = int(round(xpix(xv)))
            py = int(round(y0 + (yhi - yv) / (yhi - ylo) * h))
            win = img[max(0, py - 2):py + 3, max(0, px - 2):px + 3].reshape(-1, 3)
            if not (np.abs(win - line).max(axis=1) <= 40).any():
                fail(f"no line at ({px}, {py}) for the point ({xv}, {yv})")
            checked += 1
        print(f"line ok: {checked} points checked")


if __name__ == "__main__":
    main()
