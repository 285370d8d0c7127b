#!/usr/bin/env bats
# Under mpirun: ranks split the work as parts do, meet at rank 0 over MPI, and the output
# appears once, bit for bit the one-process result. (MPI is optional at build time; the
# test suite installs OpenMPI, so these run wherever the tests run.)

load helpers

setup_file() {
  make_fixtures
  make_big_fixture
}
setup() {
  cd "$BATS_TEST_TMPDIR"
  command -v mpirun >/dev/null && ldd "$(command -v pg-reduce)" | grep -q libmpi || skip "built without MPI"
}

# mpirun -n 3, each rank with its own TMPDIR
mpi3() { mpirun --allow-run-as-root --oversubscribe -n 3 sh -c 'export TMPDIR=$0/tmp.$OMPI_COMM_WORLD_RANK; mkdir -p $TMPDIR; exec "$@"' "$PWD" "$@"; }

@test "mpirun -n 3 pg-reduce and pg-groupby: one output, the one-process result bit for bit" {
  pg-reduce "$BIG/sst.zarr" --dim time --op std -o one.nc
  mpi3 pg-reduce "$BIG/sst.zarr" --dim time --op std -o mpi.nc -j 1
  same_bits one.nc mpi.nc
  pg-groupby "$BIG/sst.zarr" --by time.month -o clim1.nc
  mpi3 pg-groupby "$BIG/sst.zarr" --by time.month -o clim3.nc -j 1
  same_bits clim1.nc clim3.nc
  $PY -c "
import xarray as xr
want = xr.open_zarr('$BIG/sst.zarr').sst.groupby('time.month').mean('time')
xr.testing.assert_allclose(want, xr.open_dataset('clim3.nc').sst)
"
  # an exact median within a small budget: every rank stages through its own TMPDIR
  pg-reduce "$BIG/sst.zarr" --dim time --op median -o med1.nc
  mpi3 pg-reduce "$BIG/sst.zarr" --dim time --op median -o med3.nc -j 1 --memory 256K
  same_bits med1.nc med3.nc
  [ -z "$(find tmp.* -type f)" ]
  ls -A | grep -v -E '^(one|mpi|clim1|clim3|med1|med3)\.nc$|^tmp\.' && false
  true
}

@test "mpirun -n 3 pg-convert: the ranks write their chunks, the store appears once, the one-process store" {
  pg-convert "$BIG/sst.nc" -o one.zarr --chunks time=12,lat=18
  mpi3 pg-convert "$BIG/sst.nc" -o mpi.zarr --chunks time=12,lat=18 -j 1
  diff -r one.zarr mpi.zarr
  [ -z "$(ls -A | grep pgmpi)" ]
  run mpirun --allow-run-as-root --oversubscribe -n 2 pg-convert "$BIG/sst.nc" -o mpi.zarr -j 1
  [ "$status" -ne 0 ]
  [[ "$output" == *"mpi.zarr: output exists"* ]]
  mpirun --allow-run-as-root --oversubscribe -n 2 pg-convert "$BIG/sst.nc" -o mpi.zarr --chunks time=12,lat=18 -j 1 -O
  diff -r one.zarr mpi.zarr
  run mpirun --allow-run-as-root --oversubscribe -n 2 pg-convert "$BIG/sst.nc" -o out.nc -j 1
  [ "$status" -ne 0 ]
  [ ! -e out.nc ]
}

@test "mpirun: a failure on the ranks is an error on every rank, and no output" {
  run mpirun --allow-run-as-root --oversubscribe -n 2 pg-reduce missing.zarr --dim time -o x.nc -j 1
  [ "$status" -ne 0 ]
  [[ "$output" == *"pg-reduce: error: missing.zarr"* ]]
  [ ! -e x.nc ]
}

@test "mpirun -n 3 pg-select, pg-info, pg-plot: rank 0 does the work, once; its failure is the job's" {
  pg-select "$BIG/sst.zarr" --sel lat=-30:30 --isel time=0:24 -o one.nc
  mpi3 pg-select "$BIG/sst.zarr" --sel lat=-30:30 --isel time=0:24 -o mpi.nc
  same_bits one.nc mpi.nc
  pg-info "$BIG/sst.zarr" --json > one.json
  mpi3 pg-info "$BIG/sst.zarr" --json > mpi.json
  cmp one.json mpi.json
  mpi3 pg-plot "$BIG/sst.zarr" --isel time=0 -o map.png
  [ "$(head -c 4 map.png | tail -c 3)" = PNG ]
  run mpi3 pg-select missing.zarr --isel time=0 -o never.nc
  [ "$status" -ne 0 ]
  [ "$(printf '%s\n' "$output" | grep -c 'pg-select: error: missing.zarr')" -eq 1 ]
  [ ! -e never.nc ]
  [ -z "$(ls -A | grep pgtmp)" ]
}
