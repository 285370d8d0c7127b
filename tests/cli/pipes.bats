#!/usr/bin/env bats
# Streams between tools (the pipe format: a tar of a Zarr store) and Unix citizenship.

load helpers

setup_file() { make_fixtures; }
setup() {
  cd "$BATS_TEST_TMPDIR"
  export TMPDIR="$BATS_TEST_TMPDIR/tmp"
  mkdir -p "$TMPDIR"
}
teardown() {
  # No spool or temporary may outlive a run, whatever happened.
  [ -z "$(ls -A "$TMPDIR")" ] || { echo "left in TMPDIR: $(ls -A "$TMPDIR")"; return 1; }
}

@test "the Nino 3.4 chain through pipes equals the same steps through files" {
  pg-select "$FIX/sst.nc" --sel lat=-5:5 --sel lon=190:240 -o - \
    | pg-groupby - --by time.month --anomaly -o - \
    | pg-reduce - --dim lat,lon -o - \
    | pg-reduce - --rolling time=3 -o nino34.nc
  pg-select "$FIX/sst.nc" --sel lat=-5:5 --sel lon=190:240 -o box.nc
  pg-groupby box.nc --by time.month --anomaly -o anom.nc
  pg-reduce anom.nc --dim lat,lon -o idx.nc
  pg-reduce idx.nc --rolling time=3 -o files.nc
  "$SRC/tests/interop/assert_identical.py" files.nc nino34.nc
}

@test "tar -x of a stream is a store xarray and zarr-python open" {
  mkdir sst.zarr
  pg-convert "$FIX/sst.nc" -o - | tar -x -C sst.zarr
  "$SRC/tests/interop/assert_identical.py" "$FIX/sst.nc" sst.zarr
  $PY -c "import zarr; g = zarr.open_consolidated('sst.zarr'); assert g['sst'].compressor is None"
  # Metadata entries come first, then chunks.
  pg-convert "$FIX/sst.nc" -o - | tar -t > list
  first_chunk=$(grep -n '/[0-9]' list | head -1 | cut -d: -f1)
  last_meta=$(grep -n '\.z' list | tail -1 | cut -d: -f1)
  [ "$last_meta" -lt "$first_chunk" ]
  grep -q '^.zmetadata$' list
}

@test "--compressor applies to streams" {
  pg-convert "$FIX/sst.nc" -o - --compressor zstd:3 | pg-convert - -o z.zarr
  grep -q '"id": "zstd"' z.zarr/sst/.zarray
}

@test "pg-info and pg-convert read a stream; pg-convert stores it as netCDF" {
  run bash -c "pg-convert '$FIX/sst.nc' -o - | pg-info -"
  [ "$status" -eq 0 ]
  [[ "$output" == *"(stream"* && "$output" == *"sst"* ]]
  pg-convert "$FIX/sst.nc" -o - | pg-convert - -o back.nc
  "$SRC/tests/interop/assert_identical.py" "$FIX/sst.nc" back.nc
  pg-convert "$FIX/sst.nc" -o - | pg-info --stats --json - > s.json
  $PY -c "import json; j = json.load(open('s.json')); assert j['format'] == 'Zarr v2'"
}

@test "a truncated stream is an error: exit 1, one line, no output" {
  pg-convert "$FIX/sst.nc" -o - > whole.tar
  size=$(stat -c %s whole.tar)
  head -c $((size - 1024)) whole.tar > cut.tar   # no end-of-archive blocks
  run bash -c "pg-convert - -o out.zarr < cut.tar"
  assert_one_line_error 1
  [[ "$output" == *truncated* ]]
  [ ! -e out.zarr ]
  head -c $((size / 2)) whole.tar > half.tar
  run bash -c "pg-reduce - --dim time -o out.nc < half.tar"
  assert_one_line_error 1
  [ ! -e out.nc ]
  run bash -c "echo 'not a tar stream at all' | pg-info -"
  assert_one_line_error 1
}

@test "a reader that closes early: the writer exits 141 without a word" {
  run --separate-stderr bash -c "pg-convert '$FIX/sst.nc' -o - | head -c 100 > /dev/null; exit \${PIPESTATUS[0]}"
  [ "$status" -eq 141 ]
  [ -z "$stderr" ]
  run --separate-stderr bash -c "pg-info --cdl '$FIX/sst.nc' | head -c 10 > /dev/null; exit \${PIPESTATUS[0]}"
  [ "$status" -eq 0 ] || [ "$status" -eq 141 ]
  [ -z "$stderr" ]
}

@test "untrusted streams: absolute names, .., links and oversized entries are refused" {
  $PY - <<'PY'
import io, tarfile
def make(name, entries):
    with tarfile.open(name, "w", format=tarfile.PAX_FORMAT) as t:
        for n, data, kind in entries:
            ti = tarfile.TarInfo(n)
            if kind == "sym":
                ti.type = tarfile.SYMTYPE; ti.linkname = "/etc/passwd"; t.addfile(ti)
            elif kind == "hard":
                ti.type = tarfile.LNKTYPE; ti.linkname = ".zgroup"; t.addfile(ti)
            else:
                ti.size = len(data); t.addfile(ti, io.BytesIO(data))
g = b'{"zarr_format": 2}'
make("abs.tar", [("/tmp/evil", b"x", "file")])
make("dotdot.tar", [(".zgroup", g, "file"), ("../evil", b"x", "file")])
make("sym.tar", [(".zgroup", g, "file"), ("link", b"", "sym")])
make("hard.tar", [(".zgroup", g, "file"), ("hl", b"", "hard")])
make("long.tar", [(".zgroup", g, "file")])
data = open("long.tar", "rb").read()
# Claim a size far beyond the stream in the first header (and fix its checksum).
h = bytearray(data[:512]); h[124:136] = b"%011o\0" % (10**9); h[148:156] = b" " * 8
h[148:156] = b"%06o\0 " % sum(h); open("big.tar", "wb").write(bytes(h) + data[512:])
PY
  for t in abs dotdot sym hard big; do
    run bash -c "pg-info - < $t.tar"
    assert_one_line_error 1
  done
  [ ! -e /tmp/evil ] && [ ! -e ../evil ]
}

@test "TMPDIR is where a stream is spooled, and it is cleaned up" {
  TMPDIR="$BATS_TEST_TMPDIR/nosuchdir" run bash -c "pg-convert '$FIX/sst.nc' -o - | pg-info -"
  assert_one_line_error 1
  [[ "$output" == *nosuchdir* ]]
  pg-convert "$FIX/sst.nc" -o - | pg-convert - -o ok.zarr   # teardown checks TMPDIR is empty
}

@test "-O semantics hold for stream input" {
  mkdir keep.zarr && echo precious > keep.zarr/f
  run bash -c "pg-convert '$FIX/sst.nc' -o - | pg-convert - -o keep.zarr"
  assert_one_line_error 1
  [ "$(cat keep.zarr/f)" = precious ]
  pg-convert "$FIX/sst.nc" -o - | pg-convert - -o keep.zarr -O
  [ -f keep.zarr/.zgroup ] && [ ! -e keep.zarr/f ]
}

@test "stdout carries only data; -q silences everything but errors" {
  run --separate-stderr pg-convert "$FIX/sst.nc" -o a.zarr --progress -q
  [ "$status" -eq 0 ] && [ -z "$output" ] && [ -z "$stderr" ]
  run --separate-stderr pg-convert "$FIX/sst.nc" -o b.zarr --progress
  [ -z "$output" ] && [[ "$stderr" == *chunks* ]]
  # The bar shows the throughput, and while work remains, the time left.
  [[ "$stderr" == *"100% "*" chunks "*"/s"* ]]
  run --separate-stderr pg-convert "$FIX/sst.nc" -o d.zarr --progress -j 1 --chunks time=1
  [[ "$stderr" == *"ETA "* ]]
  run --separate-stderr pg-convert "$FIX/sst.nc" -o c.zarr
  [ -z "$output" ] && [ -z "$stderr" ]
}

@test "SIGINT during a stream: exit 130, no partial output, no spool left" {
  $PY "$SRC/scripts/make-sst.py" big.nc --years 30 --res 1
  ( pg-convert big.nc -o - --compressor bz2:9 -j 1 | pg-convert - -o big.zarr --compressor bz2:9 -j 1 ) &
  sleep 1.5
  pkill -INT -f "pg-convert - -o big.zarr" || true
  pkill -INT -f "pg-convert big.nc" || true
  wait || true
  [ ! -e big.zarr ]
  [ -z "$(ls -A . | grep pgtmp || true)" ]
}

@test "started by an MPI launcher as a rank other than 0, a tool that does not split its work leaves at once" {
  # (the launcher's environment alone: no launcher needed to check it)
  run env OMPI_COMM_WORLD_RANK=1 OMPI_COMM_WORLD_SIZE=2 pg-info "$FIX/sst.nc"
  [ "$status" -eq 0 ] && [ -z "$output" ]
  run env PMI_RANK=2 PMI_SIZE=3 pg-select "$FIX/sst.nc" --isel time=0 -o s.nc
  [ "$status" -eq 0 ] && [ -z "$output" ] && [ ! -e s.nc ]
  run env OMPI_COMM_WORLD_RANK=0 OMPI_COMM_WORLD_SIZE=2 pg-info "$FIX/sst.nc"
  [ "$status" -eq 0 ] && [[ "$output" == *"Dimensions:"* ]]
  # A command given its own part is every rank's: the ranks of `mpirun sh -c '... --part auto'`.
  pg-select "$FIX/sst.nc" --isel time=0:24 -o parts.zarr --chunks time=6 --init
  for r in 0 1; do env PMI_RANK=$r PMI_SIZE=2 pg-select "$FIX/sst.nc" --isel time=0:24 -o parts.zarr --part auto; done
  pg-select "$FIX/sst.nc" --isel time=0:24 -o one.nc
  pg-convert parts.zarr -o parts.nc
  "$SRC/tests/interop/assert_identical.py" one.nc parts.nc
}
