#!/usr/bin/env bats
# The README's Makefile example and the cron ingest script.

load helpers

setup_file() { make_fixtures; }
setup() { cd "$BATS_TEST_TMPDIR"; }

mtimes() { stat -c '%n %Y.%y' sst.zarr clim.nc anom.zarr nino34.nc; }

@test "the README Makefile builds with make -j2 and rebuilds only what depends on a change" {
  sed -n '/<!-- makefile-example -->/,/<!-- end-makefile-example -->/p' "$SRC/README.md" | sed '1,2d;$d' | sed '$d' > Makefile
  grep -q '^nino34.nc: anom.zarr' Makefile
  mkdir raw && cp "$FIX"/parts/*.nc raw/
  export INGEST="$SRC/scripts/ingest.sh"
  make -j2
  "$SRC/tests/interop/compare.py" "$FIX/sst.nc" clim.nc "ds.sst.groupby('time.month').mean('time')"
  run make -j2
  [[ "$output" == *"Nothing to be done"* ]]
  before=$(mtimes)
  sleep 1.1
  touch anom.zarr
  make -j2
  after=$(mtimes)
  # Only nino34.nc was rebuilt.
  [ "$(echo "$before" | grep -e sst.zarr -e clim.nc)" = "$(echo "$after" | grep -e sst.zarr -e clim.nc)" ]
  [ "$(echo "$before" | grep nino34)" != "$(echo "$after" | grep nino34)" ]
  sleep 1.1
  touch raw/$(ls raw | head -1)
  make -j2
  final=$(mtimes)
  for t in sst.zarr clim.nc anom.zarr nino34.nc; do
    [ "$(echo "$after" | grep "^$t ")" != "$(echo "$final" | grep "^$t ")" ] || { echo "$t not rebuilt"; return 1; }
  done
}

@test "ingest.sh converts new files, skips done ones, logs a line each and fails loudly" {
  mkdir in
  cp "$FIX"/parts/*.nc in/
  run "$SRC/scripts/ingest.sh" in out --compressor zstd:3
  [ "$status" -eq 0 ]
  [ "$(echo "$output" | grep -c ' ok ')" -eq 3 ]
  for f in in/*.nc; do n=$(basename "$f" .nc); "$SRC/tests/interop/assert_identical.py" "$f" "out/$n.zarr"; done
  run "$SRC/scripts/ingest.sh" in out
  [ "$status" -eq 0 ]
  [ "$(echo "$output" | grep -c ' skip ')" -eq 3 ]
  echo "not netcdf" > in/broken.nc
  head -c 5000 "$(ls in/sst_*.nc | head -1)" > in/cut.nc
  run "$SRC/scripts/ingest.sh" in out
  [ "$status" -eq 1 ]
  [ "$(echo "$output" | grep -c ' FAIL ')" -eq 2 ]
  [ "$(echo "$output" | grep -c ' skip ')" -eq 3 ]
  [ ! -e out/broken.zarr ] && [ ! -e out/cut.zarr ]
  [ "$(echo "$output" | wc -l)" -eq 5 ]
  run "$SRC/scripts/ingest.sh" in
  [ "$status" -eq 2 ]
}

@test "ingest.sh keeps one growing store: appends new files in time order, reruns write nothing" {
  mkdir in
  cp "$FIX/parts/sst_1854.nc" in/
  run "$SRC/scripts/ingest.sh" in sst.zarr --chunks time=5
  [ "$status" -eq 0 ] && [[ "$output" == *" ok "*created* ]] || { echo "$output"; return 1; }
  cp "$FIX/parts/sst_1855.nc" "$FIX/parts/sst_1856.nc" in/
  run "$SRC/scripts/ingest.sh" in sst.zarr
  [ "$status" -eq 0 ] || { echo "$output"; return 1; }
  [ "$(echo "$output" | grep -c ' skip ')" -eq 1 ] && [ "$(echo "$output" | grep -c ' ok ')" -eq 2 ]
  pg-convert "$FIX"/parts/*.nc -o once.zarr --chunks time=5
  "$SRC/tests/interop/assert_identical.py" once.zarr sst.zarr
  before=$(cd sst.zarr && find . -type f | sort | xargs md5sum)
  run "$SRC/scripts/ingest.sh" in sst.zarr
  [ "$status" -eq 0 ] && [ "$(echo "$output" | grep -c ' skip ')" -eq 3 ]
  [ "$before" = "$(cd sst.zarr && find . -type f | sort | xargs md5sum)" ]
  # a bad file stops the run with the store at its last complete state
  $PY -c "import xarray as xr; ds = xr.open_dataset('$FIX/parts/sst_1856.nc'); ds.rename({'sst': 'tos'}).to_netcdf('in/sst_1857.nc')"
  run "$SRC/scripts/ingest.sh" in sst.zarr
  [ "$status" -eq 1 ] && [ "$(echo "$output" | grep -c ' FAIL ')" -eq 1 ]
  [ "$before" = "$(cd sst.zarr && find . -type f | sort | xargs md5sum)" ]
}
