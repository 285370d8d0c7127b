# Shared set-up of the interoperability suites.
load ../cli/helpers
INTEROP="$SRC/tests/interop"

# A 10-year, 5-degree dataset in BIG, as netCDF and as Zarr in 20 chunks (many batches).
make_big_fixture() {
  export BIG="$BATS_FILE_TMPDIR/big"
  mkdir -p "$BIG"
  $PY "$SRC/scripts/make-sst.py" "$BIG/sst.nc" --years 10 --res 5
  pg-convert "$BIG/sst.nc" -o "$BIG/sst.zarr" --chunks time=6
}

# Two netCDF results identical as xarray sees them, and their numbers bit for bit.
same_bits() {
  $PY - "$1" "$2" <<'PY'
import sys, xarray as xr
a, b = xr.open_dataset(sys.argv[1]), xr.open_dataset(sys.argv[2])
xr.testing.assert_identical(a, b)
for v in a.variables:
    if a[v].dtype.kind in "fiucM":  # numbers bit for bit (strings: assert_identical above)
        assert a[v].values.tobytes() == b[v].values.tobytes(), v
PY
}
