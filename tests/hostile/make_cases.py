#!/usr/bin/python3
"""Writes hostile inputs, one per case directory: malformed Zarr v2/v3 metadata and chunks,
sharding indexes, netCDF-3/CDF5 headers, netCDF-4 files with changed bytes, tar streams
and decompression bombs, as an attacker (or a broken writer) would make them.

usage: make_cases.py OUT_DIR [--quick]

Each case is OUT_DIR/NAME/ holding `input` (a store directory or a file) and `how`: "path"
(the tools get the path), "stdin" (the file is piped to `-`) or "url" (the file holds a
location string). Everything is generated; nothing is random (a fixed seed).
"""
import base64
import json
import os
import random
import struct
import sys
import zlib

out_dir = sys.argv[1]
quick = "--quick" in sys.argv
rng = random.Random(20261125)
count = 0


def case(name, how="path"):
    global count
    d = os.path.join(out_dir, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "how"), "w") as f:
        f.write(how)
    count += 1
    return os.path.join(d, "input")


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def jdump(o):
    return json.dumps(o, allow_nan=True)


# ---------------------------------------------------------------- Zarr v2
GOOD_ZARRAY = {"zarr_format": 2, "shape": [4, 6], "chunks": [2, 3], "dtype": "<f4", "compressor": None,
               "fill_value": 0.0, "filters": None, "order": "C"}


def v2_store(name, zarray=None, zattrs=None, chunks=None, raw_zarray=None, zmetadata=None, array="a"):
    root = case(name)
    write(f"{root}/.zgroup", jdump({"zarr_format": 2}))
    write(f"{root}/.zattrs", zattrs if isinstance(zattrs, str) else jdump(zattrs or {}))
    za = raw_zarray if raw_zarray is not None else jdump(zarray if zarray is not None else GOOD_ZARRAY)
    write(f"{root}/{array}/.zarray", za)
    write(f"{root}/{array}/.zattrs", jdump({"_ARRAY_DIMENSIONS": ["y", "x"]}))
    for key, data in (chunks or {}).items():
        write(f"{root}/{array}/{key}", data)
    if zmetadata is not None:
        write(f"{root}/.zmetadata", zmetadata)
    return root


def deep(n, open_="[", close="]"):
    return open_ * n + close * n


def good_chunk(fill=1.0):
    return struct.pack("<6f", *[fill] * 6)


for depth in (100, 2000, 100000):
    v2_store(f"v2-zattrs-nested-{depth}", zattrs=deep(depth))
    v2_store(f"v2-zarray-nested-{depth}", raw_zarray='{"zarr_format": 2, "x": ' + deep(depth) + "}")
    v2_store(f"v2-zmetadata-nested-{depth}", zmetadata='{"zarr_consolidated_format": 1, "metadata": ' + deep(depth) + "}")
for depth in (2000, 20000):
    meta = {".zgroup": {"zarr_format": 2}}
    path = ""
    for i in range(depth):
        path = f"{path}g/" if path else "g/"
        meta[f"{path}.zgroup"] = {"zarr_format": 2}
    v2_store(f"v2-zmetadata-groups-{depth}", zmetadata=jdump({"zarr_consolidated_format": 1, "metadata": meta}))
    root = case(f"v2-dir-groups-{depth // 10}")
    p = root
    write(f"{p}/.zgroup", jdump({"zarr_format": 2}))
    for i in range(depth // 10):
        p = f"{p}/g"
        write(f"{p}/.zgroup", jdump({"zarr_format": 2}))

for key in ("zarr_format", "shape", "chunks", "dtype", "compressor", "fill_value", "filters", "order"):
    z = dict(GOOD_ZARRAY)
    del z[key]
    v2_store(f"v2-zarray-no-{key}", z, chunks={"0.0": good_chunk()})
bad_values = {
    "zarr_format": [3, "2", None, 2.5, -1],
    "shape": ["4", [4], [-1, 6], [4.5, 6], [10**12, 10**12], [2**64, 1], [2**63, 2], [1] * 100, [], None, [[4], 6]],
    "chunks": [[0, 3], [-2, 3], [2], ["2", 3], [2**40, 2**40], [1, 1], None, [2.5, 3], [2**63, 1]],
    "dtype": ["|S4000000000", "<U4294967295", "|S0", "<U0", "|V0", "<f3", "zz", "", 5, None, "<M8[xs]",
              [["a", "<f4"]], "|O", "<i16", ">f4", "<c8", "|b1", "<m8[s]", "<M8[ns]", "|S18446744073709551615"],
    "compressor": [{"id": "lz4"}, {"id": "lz4", "acceleration": -2**31}, {"id": "lz4", "acceleration": 2**40},
                   {"id": "blosc", "cname": "lz4", "clevel": 99, "shuffle": 7}, {"id": "zstd", "level": 10**9},
                   {"id": "nope"}, "blosc", {"id": None}, {"id": "zlib", "level": -5}, {"id": "bz2", "level": 0},
                   {"id": "lzma", "format": 3, "filters": [{"id": 2**62}]}, {"id": "lzma", "format": 77},
                   {"id": "gzip", "level": "x"}, {"noid": 1}],
    "filters": [[{"id": "delta", "dtype": "|S0"}], [{"id": "delta", "dtype": "<f4", "astype": "|S0"}],
                [{"id": "astype", "encode_dtype": "|V0", "decode_dtype": "<f4"}],
                [{"id": "astype", "encode_dtype": "|S4000000000", "decode_dtype": "<f4"}],
                [{"id": "fixedscaleoffset", "scale": 0, "offset": 0, "dtype": "<f4", "astype": "|u1"}],
                [{"id": "fixedscaleoffset", "dtype": "<f4"}],
                [{"id": "fixedscaleoffset", "scale": 1, "offset": 0, "dtype": "<f4", "astype": "|S0"}],
                [{"id": "quantize", "digits": 100000, "dtype": "<f4"}],
                [{"id": "quantize", "digits": -100000, "dtype": "<f4"}],
                [{"id": "shuffle", "elementsize": 0}], [{"id": "shuffle", "elementsize": 2**40}],
                [{"id": "shuffle", "elementsize": -1}], [{"id": "vlen-utf8"}], "x", [None], [{"id": "crc32"}],
                [{"id": "delta", "dtype": "<M8[ns]"}], [{"id": "categorize", "labels": ["a"], "dtype": "<U1"}]],
    "fill_value": ["NaN", "Infinity", "abc", [1, 2], {"a": 1}, 1e400, "AAAA", True, 2**70],
    "order": ["X", None, 5, "F"],
}
for key, values in bad_values.items():
    for i, v in enumerate(values):
        z = dict(GOOD_ZARRAY)
        z[key] = v
        chunks = {"0.0": good_chunk(), "1.1": zlib.compress(good_chunk())}
        v2_store(f"v2-zarray-{key}-{i}", z, chunks=chunks)
v2_store("v2-zarray-not-object", raw_zarray="[1, 2, 3]")
v2_store("v2-zarray-empty", raw_zarray="")
v2_store("v2-zarray-binary", raw_zarray=bytes(range(256)).decode("latin-1"))
v2_store("v2-zarray-huge-number", raw_zarray='{"zarr_format": 2, "shape": [1' + "0" * 5000 + "]}")
v2_store("v2-zarray-long-string", zarray=dict(GOOD_ZARRAY, dimension_separator="/" * 100000))
v2_store("v2-zattrs-array", zattrs="[1,2]")
v2_store("v2-zattrs-big-attr", zattrs=jdump({"a": "x" * 10_000_000}))
v2_store("v2-zattrs-many", zattrs=jdump({f"k{i}": i for i in range(100000)}))
v2_store("v2-array-dims-wrong", zarray=GOOD_ZARRAY, chunks={"0.0": good_chunk()}, array="b")
r = v2_store("v2-dims-mismatch", zarray=GOOD_ZARRAY)
write(f"{r}/a/.zattrs", jdump({"_ARRAY_DIMENSIONS": ["y"]}))
r = v2_store("v2-dims-not-strings", zarray=GOOD_ZARRAY)
write(f"{r}/a/.zattrs", jdump({"_ARRAY_DIMENSIONS": [1, {"a": 2}]}))
r = v2_store("v2-dims-deep", zarray=GOOD_ZARRAY)
write(f"{r}/a/.zattrs", '{"_ARRAY_DIMENSIONS": ' + deep(50000) + "}")

# Chunks: wrong sizes, bombs, special files.
v2_store("v2-chunk-short", GOOD_ZARRAY, chunks={"0.0": b"\x00" * 5})
v2_store("v2-chunk-long", GOOD_ZARRAY, chunks={"0.0": b"\x00" * 5000})
v2_store("v2-chunk-empty", GOOD_ZARRAY, chunks={"0.0": b""})
for cid, comp in (("zlib", {"id": "zlib", "level": 1}), ("gzip", {"id": "gzip", "level": 1}),
                  ("bz2", {"id": "bz2", "level": 1}), ("lzma", {"id": "lzma"}), ("zstd", {"id": "zstd"}),
                  ("lz4", {"id": "lz4"}), ("blosc", {"id": "blosc", "cname": "lz4"})):
    z = dict(GOOD_ZARRAY, compressor=comp)
    for j, blob in enumerate((b"", b"\x00", b"\xff" * 64, bytes(rng.randrange(256) for _ in range(300)))):
        v2_store(f"v2-chunk-{cid}-garbage-{j}", z, chunks={"0.0": blob, "0.1": blob})
# Bombs: chunk holds 24 bytes decoded; the compressed data expands far beyond that.
bomb_size = (64 << 20) if quick else (1 << 30)
zbomb = zlib.compress(b"\x00" * bomb_size, 9)
v2_store("v2-bomb-zlib", dict(GOOD_ZARRAY, compressor={"id": "zlib", "level": 1}), chunks={"0.0": zbomb})
gz = zlib.compressobj(9, zlib.DEFLATED, 31)
gzbomb = gz.compress(b"\x00" * bomb_size) + gz.flush()
v2_store("v2-bomb-gzip", dict(GOOD_ZARRAY, compressor={"id": "gzip", "level": 1}), chunks={"0.0": gzbomb})
import bz2 as _bz2
import lzma as _lzma
v2_store("v2-bomb-bz2", dict(GOOD_ZARRAY, compressor={"id": "bz2", "level": 1}),
         chunks={"0.0": _bz2.compress(b"\x00" * (bomb_size // 4), 9)})
v2_store("v2-bomb-lzma", dict(GOOD_ZARRAY, compressor={"id": "lzma"}),
         chunks={"0.0": _lzma.compress(b"\x00" * bomb_size)})
# lz4 (numcodecs framing): a little-endian size first; 4 GiB - 1 claimed by 24 bytes.
v2_store("v2-bomb-lz4-header", dict(GOOD_ZARRAY, compressor={"id": "lz4"}),
         chunks={"0.0": struct.pack("<I", 0xFFFFFFFF) + b"\x00" * 20})
# zstd frame header claiming 8 GiB of content (single segment, 8-byte FCS), no blocks.
zstd_frame = struct.pack("<I", 0xFD2FB528) + bytes([0xE0]) + struct.pack("<Q", 8 << 30) + bytes([0x01, 0, 0])
v2_store("v2-bomb-zstd-header", dict(GOOD_ZARRAY, compressor={"id": "zstd"}), chunks={"0.0": zstd_frame})
# blosc header claiming 2 GiB (version 2, flags memcpyed, typesize 4).
blosc_hdr = bytes([2, 1, 0x02, 4]) + struct.pack("<III", 0x7FFFFFF0, 0x7FFFFFF0 + 16, 0x7FFFFFF0 + 16)
v2_store("v2-bomb-blosc-header", dict(GOOD_ZARRAY, compressor={"id": "blosc", "cname": "lz4"}),
         chunks={"0.0": blosc_hdr})
blosc_small = bytes([2, 1, 0x00, 4]) + struct.pack("<III", 24, 8 << 20, 32)
v2_store("v2-blosc-blocksize", dict(GOOD_ZARRAY, compressor={"id": "blosc", "cname": "lz4"}),
         chunks={"0.0": blosc_small + b"\x00" * 16})
r = v2_store("v2-chunk-dev-zero", GOOD_ZARRAY)
os.symlink("/dev/zero", f"{r}/a/0.0")
r = v2_store("v2-chunk-fifo", GOOD_ZARRAY)
os.mkfifo(f"{r}/a/0.0")
r = v2_store("v2-chunk-directory", GOOD_ZARRAY)
os.makedirs(f"{r}/a/0.0")
r = v2_store("v2-zarray-fifo", GOOD_ZARRAY)
os.remove(f"{r}/a/.zarray")
os.mkfifo(f"{r}/a/.zarray")
r = v2_store("v2-zarray-dev-zero", GOOD_ZARRAY)
os.remove(f"{r}/a/.zarray")
os.symlink("/dev/zero", f"{r}/a/.zarray")
# Very large arrays of missing chunks.
v2_store("v2-huge-missing", dict(GOOD_ZARRAY, shape=[2**40, 1, 1], chunks=[1, 1, 1]))
v2_store("v2-huge-square", dict(GOOD_ZARRAY, shape=[10**12, 10**12], chunks=[10**6, 10**6]))
v2_store("v2-huge-chunk", dict(GOOD_ZARRAY, shape=[2**31, 2**31], chunks=[2**31, 2**31]), chunks={"0.0": b"x"})
v2_store("v2-strings-bad", dict(GOOD_ZARRAY, dtype="|O", filters=[{"id": "vlen-utf8"}]),
         chunks={"0.0": struct.pack("<II", 6, 0xFFFFFFF0) + b"abc"})
v2_store("v2-strings-count", dict(GOOD_ZARRAY, dtype="|O", filters=[{"id": "vlen-utf8"}]),
         chunks={"0.0": struct.pack("<I", 0xFFFFFFFF)})
v2_store("v2-fortran-bad", dict(GOOD_ZARRAY, order="F", dtype="<f8"), chunks={"0.0": b"\x01" * 7})
v2_store("v2-fill-base64", dict(GOOD_ZARRAY, dtype="|S3", fill_value="!!!!"))
v2_store("v2-fill-base64-long", dict(GOOD_ZARRAY, dtype="|S3", fill_value="QUFBQUFBQUFB"))

# ---------------------------------------------------------------- Zarr v3
GOOD_V3 = {"zarr_format": 3, "node_type": "array", "shape": [4, 6], "data_type": "float32",
           "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [2, 3]}},
           "chunk_key_encoding": {"name": "default", "configuration": {"separator": "/"}},
           "fill_value": 0.0, "codecs": [{"name": "bytes", "configuration": {"endian": "little"}}],
           "dimension_names": ["y", "x"]}


def v3_store(name, meta=None, raw=None, chunks=None):
    root = case(name)
    write(f"{root}/zarr.json", jdump({"zarr_format": 3, "node_type": "group", "attributes": {}}))
    write(f"{root}/a/zarr.json", raw if raw is not None else jdump(meta))
    for key, data in (chunks or {}).items():
        write(f"{root}/a/{key}", data)
    return root


v3_store("v3-nested", raw='{"zarr_format": 3, "node_type": "array", "attributes": ' + deep(100000) + "}")
for key in ("shape", "data_type", "chunk_grid", "chunk_key_encoding", "fill_value", "codecs", "node_type"):
    m = dict(GOOD_V3)
    del m[key]
    v3_store(f"v3-no-{key}", m, chunks={"c/0/0": good_chunk()})
v3_bad = {
    "chunk_grid": [{"name": "regular", "configuration": {"chunk_shape": [0, 3]}},
                   {"name": "regular", "configuration": {"chunk_shape": [2]}},
                   {"name": "regular", "configuration": {"chunk_shape": [-1, 3]}},
                   {"name": "regular", "configuration": {"chunk_shape": [2**40, 2**40]}},
                   {"name": "rectilinear"}, {"name": "regular"}, "regular"],
    "shape": [[2**63, 1], [-4, 6], ["4", 6], [4], [10**12, 10**12]],
    "data_type": ["float3", "r0", "r8000000000", "r16", "string", {"name": "x"}, "complex64", "bool", "int4"],
    "codecs": [[], [{"name": "transpose", "configuration": {"order": [5, 0]}}, {"name": "bytes"}],
               [{"name": "transpose", "configuration": {"order": [0, 0]}}, {"name": "bytes"}],
               [{"name": "transpose", "configuration": {"order": [0]}}, {"name": "bytes"}],
               [{"name": "transpose", "configuration": {"order": [-1, 1]}}, {"name": "bytes"}],
               [{"name": "bytes"}, {"name": "bytes"}], [{"name": "gzip", "configuration": {"level": 5}}],
               [{"name": "bytes"}, {"name": "zstd", "configuration": {"level": 99999}}],
               [{"name": "bytes"}, {"name": "blosc", "configuration": {"cname": "zz", "typesize": 0}}],
               [{"name": "bytes"}, {"name": "crc32c"}], [{"name": "unknown_codec"}],
               [{"name": "sharding_indexed", "configuration": {"chunk_shape": [0, 3], "codecs": [{"name": "bytes"}],
                                                               "index_codecs": [{"name": "bytes"}]}}],
               [{"name": "sharding_indexed", "configuration": {"chunk_shape": [3, 3], "codecs": [{"name": "bytes"}],
                                                               "index_codecs": [{"name": "bytes"}]}}],
               [{"name": "sharding_indexed", "configuration": {"chunk_shape": [1, 1], "codecs": [{"name": "bytes"}]}}],
               "bytes", [None]],
    "fill_value": ["NaN", "0x7fc00000", "abc", [1, 2], None, 1e400, "0xZZ"],
    "chunk_key_encoding": [{"name": "v2", "configuration": {"separator": "x" * 100000}}, {"name": "odd"}],
}
for key, values in v3_bad.items():
    for i, v in enumerate(values):
        m = dict(GOOD_V3)
        m[key] = v
        v3_store(f"v3-{key}-{i}", m, chunks={"c/0/0": good_chunk(), "c/1/1": b"\x00" * 3})
# Sharding: one shard of 4x6 holding 2x3 inner chunks; the index (offset, nbytes) per chunk
# then a crc32c.
SHARD = dict(GOOD_V3, chunk_grid={"name": "regular", "configuration": {"chunk_shape": [4, 6]}},
             codecs=[{"name": "sharding_indexed", "configuration": {
                 "chunk_shape": [2, 3], "codecs": [{"name": "bytes", "configuration": {"endian": "little"}}],
                 "index_codecs": [{"name": "bytes", "configuration": {"endian": "little"}}],
                 "index_location": "end"}}])
for i, entries in enumerate(([(0, 24)] * 4, [(2**63, 24)] * 4, [(0, 2**63)] * 4, [(2**64 - 2, 24)] * 4,
                             [(10, 2**64 - 5)] * 4, [(0, 0)] * 4, [(0, 23)] * 4, [(0, 24)] * 3)):
    body = good_chunk() * 4
    index = b"".join(struct.pack("<QQ", o, n) for o, n in entries)
    v3_store(f"v3-shard-index-{i}", SHARD, chunks={"c/0/0": body + index})
v3_store("v3-shard-short", SHARD, chunks={"c/0/0": b"\x01\x02"})
v3_store("v3-transpose-big", dict(GOOD_V3, codecs=[{"name": "transpose", "configuration": {"order": [1, 0]}},
                                                 {"name": "bytes"}]), chunks={"c/0/0": b"\x00" * 3})

# ---------------------------------------------------------------- netCDF-3 / CDF5


def nc3(version, numrecs=1, dims=(("t", 0), ("x", 3)), gatts=(), vars_=None, override=None):
    """A classic (1), 64-bit offset (2) or CDF5 (5) header with one record variable."""
    nsz = 8 if version == 5 else 4
    osz = 4 if version == 1 else 8
    n = lambda v: struct.pack(">Q" if nsz == 8 else ">I", v & ((1 << (8 * nsz)) - 1))
    def name(s, length=None):
        b = s.encode()
        return n(len(b) if length is None else length) + b + b"\x00" * (-len(b) % 4)
    h = b"CDF" + bytes([version]) + n(numrecs)
    h += (struct.pack(">I", 0x0A) + n(len(dims)) + b"".join(name(d) + n(l) for d, l in dims)) if dims else b"\x00" * (4 + nsz)
    if gatts:
        h += struct.pack(">I", 0x0C) + n(len(gatts))
        for an, t, count, payload in gatts:
            h += name(an) + struct.pack(">I", t) + n(count) + payload
    else:
        h += b"\x00" * (4 + nsz)
    vars_ = vars_ if vars_ is not None else [("v", [0, 1], 5, None)]
    h += struct.pack(">I", 0x0B) + n(len(vars_))
    begin_at = len(h) + sum(len(name(v[0])) + nsz + nsz * len(v[1]) + (4 + nsz) + 4 + nsz + osz for v in vars_)
    for vn, dimids, t, nd in vars_:
        h += name(vn) + n(len(dimids) if nd is None else nd) + b"".join(n(i) for i in dimids)
        h += b"\x00" * (4 + nsz) + struct.pack(">I", t) + n(12)
        h += struct.pack(">I" if osz == 4 else ">Q", begin_at)
    data = b"\x00" * (12 * max(numrecs, 1) if numrecs < 1000 else 12)
    b = bytearray(h + data)
    for off, val in (override or []):
        b[off:off + len(val)] = val
    return bytes(b)


for v in (1, 2, 5):
    write(case(f"nc{v}-good.nc"), nc3(v))
    write(case(f"nc{v}-numrecs-max.nc"), nc3(v, numrecs=2**32 - 2 if v != 5 else 2**63 - 1))
    write(case(f"nc{v}-numrecs-huge.nc"), nc3(v, numrecs=2**32 - 3 if v != 5 else 2**64 - 2))
    write(case(f"nc{v}-dims-many.nc"), nc3(v, dims=None) [:8 + (4 if v == 5 else 0)] +
          struct.pack(">I", 0x0A) + (struct.pack(">Q", 2**64 - 1) if v == 5 else struct.pack(">I", 2**32 - 1)))
    write(case(f"nc{v}-dim-len-huge.nc"), nc3(v, dims=(("t", 0), ("x", 2**32 - 1 if v != 5 else 2**63))))
    write(case(f"nc{v}-gatts-many.nc"), nc3(v, gatts=[("a", 2, 2**32 - 1 if v != 5 else 2**64 - 1, b"abcd")]))
    write(case(f"nc{v}-gatt-type.nc"), nc3(v, gatts=[("a", 99, 1, b"abcd")]))
    write(case(f"nc{v}-name-long.nc"), nc3(v)[:12 + (8 if v == 5 else 4) + (4 if v == 5 else 0)] +
          (struct.pack(">Q", 2**64 - 1) if v == 5 else struct.pack(">I", 2**32 - 1)) + b"t\x00\x00\x00")
    write(case(f"nc{v}-var-ndims-max.nc"), nc3(v, vars_=[("v", [0, 1], 5, 2**64 - 1 if v == 5 else 2**32 - 1)]))
    write(case(f"nc{v}-var-dimid-bad.nc"), nc3(v, vars_=[("v", [0, 7], 5, None)]))
    write(case(f"nc{v}-var-type-bad.nc"), nc3(v, vars_=[("v", [0, 1], 77, None)]))
    write(case(f"nc{v}-vars-many.nc"), nc3(v, vars_=[("v", [0, 1], 5, None)])[:-12] )
    write(case(f"nc{v}-truncated.nc"), nc3(v)[:30])
    write(case(f"nc{v}-magic-only.nc"), b"CDF" + bytes([v]))
    write(case(f"nc{v}-recvar-dim1.nc"), nc3(v, dims=(("x", 3), ("t", 0)), vars_=[("v", [0, 1], 5, None)]))
    write(case(f"nc{v}-dims-dup.nc"), nc3(v, dims=(("t", 0), ("t", 3)), vars_=[("v", [0, 1], 5, None)]))
    write(case(f"nc{v}-two-unlimited.nc"), nc3(v, dims=(("t", 0), ("u", 0)), vars_=[("v", [0, 1], 5, None)]))
    for k in range(0 if quick else 40):
        b = bytearray(nc3(v, gatts=[("title", 2, 5, b"hello\x00\x00\x00")]))
        pos = rng.randrange(4, len(b) - 12)
        b[pos] = rng.choice((0xFF, 0x7F, 0x80, 0x00, 0x01, b[pos] ^ 0x10))
        write(case(f"nc{v}-flip-{k}.nc"), bytes(b))
write(case("nc-empty.nc"), b"")
write(case("nc-hdf5-magic-only.nc"), b"\x89HDF\r\n\x1a\n")

# ---------------------------------------------------------------- netCDF-4 with changed bytes
try:
    import netCDF4
    import numpy as np
    good = os.path.join(out_dir, "_good.nc")
    with netCDF4.Dataset(good, "w", format="NETCDF4") as ds:
        ds.createDimension("time", None)
        ds.createDimension("x", 8)
        t = ds.createVariable("time", "f8", ("time",))
        t.units = "days since 2000-01-01"
        v = ds.createVariable("v", "f4", ("time", "x"), zlib=True, chunksizes=(2, 8))
        v.long_name = "a variable"
        t[:] = np.arange(6)
        v[:] = np.arange(48, dtype="f4").reshape(6, 8)
    blob = open(good, "rb").read()
    os.remove(good)
    write(case("nc4-good.nc"), blob)
    write(case("nc4-truncated-half.nc"), blob[:len(blob) // 2])
    for k in range(6 if quick else 120):
        b = bytearray(blob)
        pos = rng.randrange(8, len(b))
        b[pos] = rng.choice((0xFF, 0x00, 0x01, 0x80, b[pos] ^ 0x04))
        write(case(f"nc4-flip-{k}.nc"), bytes(b))
except ImportError:
    pass

# ---------------------------------------------------------------- tar streams


def tar_header(name, size, typeflag=b"0", size_field=None):
    h = bytearray(512)
    h[0:len(name)] = name.encode()
    h[100:108] = b"0000644\x00"
    h[108:116] = b"0000000\x00"
    h[116:124] = b"0000000\x00"
    h[124:136] = size_field if size_field is not None else (b"%011o\x00" % size)
    h[136:148] = b"00000000000\x00"
    h[156:157] = typeflag
    h[257:263] = b"ustar\x00"
    h[263:265] = b"00"
    h[148:156] = b" " * 8
    h[148:156] = b"%06o\x00 " % sum(h)
    return bytes(h)


def member(name, data, typeflag=b"0"):
    return tar_header(name, len(data), typeflag) + data + b"\x00" * (-len(data) % 512)


def pax(records):
    body = b""
    for rec in records:
        body += rec
    return tar_header("././@PaxHeader", len(body), b"x") + body + b"\x00" * (-len(body) % 512)


store_members = (member(".zgroup", jdump({"zarr_format": 2}).encode()) +
                 member("a/.zarray", jdump(GOOD_ZARRAY).encode()) +
                 member("a/.zattrs", jdump({"_ARRAY_DIMENSIONS": ["y", "x"]}).encode()) +
                 member("a/0.0", good_chunk()))
end = b"\x00" * 1024
write(case("tar-good", "stdin"), store_members + end)
for i, rec in enumerate((b"0 path=x\n", b"-5 path=x\n", b"abc path=x\n", b"99999999999999999999999 path=x\n",
                         b"12 path=\n", b"3 p\n", b"30 path=a/0.0\n", b"2\n", b"")):
    write(case(f"tar-pax-{i}", "stdin"), pax([rec]) + store_members + end)
for i, field in enumerate((b"77777777777\x00", b"abcdefghijk\x00", b"\x80" + b"\x00" * 3 + b"\xff" * 8,
                           b"\xff" * 12, b"-0000000001\x00", b"           \x00")):
    write(case(f"tar-size-{i}", "stdin"), store_members[:512 * 4] + tar_header("a/1.1", 0, size_field=field) + end)
write(case("tar-truncated", "stdin"), (store_members + end)[:700])
write(case("tar-bad-checksum", "stdin"), b"x" * 512 + end)
write(case("tar-gnu-longname", "stdin"), tar_header("././@LongLink", 2**33, b"L") + b"a" * 512 + end)
write(case("tar-dotdot", "stdin"), member("../../etc/evil", b"x") + store_members + end)
write(case("tar-absolute", "stdin"), member("/tmp/evil-pg", b"x") + store_members + end)
write(case("tar-symlink", "stdin"), tar_header("a/1.1", 0, b"2") + store_members + end)
write(case("tar-empty", "stdin"), b"")
write(case("tar-garbage", "stdin"), bytes(rng.randrange(256) for _ in range(4096)))

# ---------------------------------------------------------------- locations
write(case("url-gs-long", "url"), "gs://" + "a" * 100000)
write(case("url-s3-long", "url"), "s3://b/" + "a/" * 50000)
write(case("url-https-long", "url"), "https://127.0.0.1:1/" + "a" * 100000)
write(case("url-s3-empty", "url"), "s3://")
write(case("url-unknown", "url"), "ftp://x/y")

print(f"{count} hostile inputs in {out_dir}")
