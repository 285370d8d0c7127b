#!/usr/bin/python3
"""Seed corpora for the fuzz harnesses (scripts/fuzz.sh): real metadata and chunks from the
conformance corpus (zarr-python 2 and 3, numcodecs), netCDF-3 headers and tar streams made
here, time units, option texts and S3 bodies as servers send them.

usage: make_seeds.py OUT_DIR CORPUS_DIR
"""
import glob
import io
import json
import os
import struct
import sys
import tarfile

out, corpus = sys.argv[1], sys.argv[2]
SEP = b"\xff\xfe\xfd\xfc"


def put(h, name, data):
    os.makedirs(f"{out}/{h}", exist_ok=True)
    with open(f"{out}/{h}/{name}", "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def read(p, limit=1 << 16):
    with open(p, "rb") as f:
        return f.read(limit)


n = 0
for za in sorted(glob.glob(f"{corpus}/**/.zarray", recursive=True))[:200]:
    d = os.path.dirname(za)
    attrs = os.path.join(d, ".zattrs")
    chunks = [c for c in sorted(os.listdir(d)) if not c.startswith(".")][:2]
    parts = [read(za), read(attrs) if os.path.exists(attrs) else b"{}", b""]
    parts += [read(os.path.join(d, c)) if os.path.isfile(os.path.join(d, c)) else b"" for c in chunks]
    put("zarr_v2", f"corpus-{n}", SEP.join(parts))
    put("json", f"zarray-{n}", parts[0])
    n += 1
n = 0
for zj in sorted(glob.glob(f"{corpus}/**/zarr.json", recursive=True))[:200]:
    meta = read(zj)
    try:
        if json.loads(meta).get("node_type") != "array":
            continue
    except Exception:
        continue
    d = os.path.dirname(zj)
    chunks = sorted(p for p in glob.glob(f"{d}/c/**", recursive=True) if os.path.isfile(p))[:2]
    put("zarr_v3", f"corpus-{n}", SEP.join([meta] + [read(c) for c in chunks]))
    put("json", f"zarr-json-{n}", meta)
    n += 1
# numcodecs fixtures: encoded bytes of each codec (the codecs harness picks by its first byte).
ids = ["zlib", "gzip", "bz2", "lzma", "lzma", "zstd", "lz4", "blosc", "blosc", "shuffle", "delta",
       "fixedscaleoffset", "quantize", "astype", "crc32", "crc32c", "adler32", "fletcher32", "vlen-utf8", "vlen-bytes"]
n = 0
for i, cid in enumerate(ids):
    for enc in sorted(glob.glob(f"{corpus}/numcodecs-fixture/{cid}/codec.*/encoded.*.dat"))[:6]:
        put("codecs", f"{cid}-{n}", bytes([i]) + struct.pack("<I", 1 << 20) + read(enc, 1 << 18))
        n += 1
# netCDF-3 headers: the first 4 KiB of the real files and of files made here.
for i, f in enumerate(sorted(glob.glob("/usr/share/ferret-vis/data/*.nc"))[:20] +
                      sorted(glob.glob(f"{corpus}/**/*.nc", recursive=True))[:10]):
    if read(f, 3) == b"CDF":
        put("netcdf3_header", f"file-{i}", read(f, 4096))
try:
    import netCDF4
    import numpy as np
    for fmt in ("NETCDF3_CLASSIC", "NETCDF3_64BIT_OFFSET", "NETCDF3_64BIT_DATA"):
        path = f"{out}/_tmp.nc"
        with netCDF4.Dataset(path, "w", format=fmt) as ds:
            ds.title = "seed"
            ds.createDimension("time", None)
            ds.createDimension("x", 3)
            t = ds.createVariable("time", "f8", ("time",))
            t.units = "days since 2000-01-01"
            v = ds.createVariable("v", "i2", ("time", "x"))
            v.scale_factor = 0.5
            ds.createVariable("c", "f4", ("x",))[:] = [1, 2, 3]
            t[:] = [0, 1]
            v[:] = np.arange(6).reshape(2, 3)
        put("netcdf3_header", fmt, read(path, 4096))
        os.remove(path)
except ImportError:
    pass
# Tar streams of small stores.
for i, d in enumerate(sorted(glob.glob(f"{corpus}/zarr-python-2.18.7-fixture/*/*"))[:8]):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for root, _, files in os.walk(d):
            for fn in sorted(files)[:4]:
                t.add(os.path.join(root, fn), arcname=os.path.relpath(os.path.join(root, fn), d))
    put("tar_stream", f"store-{i}", buf.getvalue()[:1 << 18])
for i, (u, c) in enumerate([("days since 1850-01-01", "standard"), ("hours since 2000-01-01 00:00:00", "noleap"),
                            ("seconds since 1970-01-01T00:00:00Z", "360_day"), ("months since 1800-1-1", "julian"),
                            ("minutes since 0001-01-01 12:30:15.5 +05:30", "proleptic_gregorian")]):
    put("cf_time", f"units-{i}", u.encode() + SEP + c.encode() + SEP + struct.pack("<d", 1234.5))
specs = ["12", "-3.5e2", "time=12,lat=-1", "blosc:zstd:3:shuffle", "zlib:5", "quantile:0.9", "512M", "1/4", "auto",
         "time=3", "time=0:10", "time=1990-01-01:2000-12-31", "lat=10.5", "time.month", "time.season", "1MS",
         "time=0:12,lat=0:90", "3", "netcdf4"]
for i, s in enumerate(specs):
    for k in range(14):
        put("specs", f"spec-{i}-{k}", bytes([k]) + s.encode())
put("s3_xml", "listing", "<?xml version=\"1.0\"?><ListBucketResult><IsTruncated>true</IsTruncated>"
    "<Contents><Key>a/.zarray</Key><Size>12</Size><ETag>&quot;abc&quot;</ETag></Contents>"
    "<NextContinuationToken>x&amp;y</NextContinuationToken></ListBucketResult>")
put("s3_xml", "error", "<Error><Code>NoSuchKey</Code><Message>The key &lt;a&gt; does not exist</Message></Error>")
put("json", "attrs", json.dumps({"units": "K", "scale_factor": 0.01, "flags": [1, 2, 3], "nested": {"a": [1, {"b": None}]}}))
print(f"seeds in {out}: " + ", ".join(f"{h} {len(os.listdir(os.path.join(out, h)))}" for h in sorted(os.listdir(out))))
