#!/usr/bin/env bash
# The Nino 3.4 chain of CLI.md through pipes against the same four steps through
# temporary files, on the benchmark SST dataset (see convert.sh), with each pipe stage's
# peak memory.
# usage: scripts/bench/pipes.sh [RUNS]   (BENCH_DIR to keep the data elsewhere)
source "$(dirname "$0")/common.sh"
cat > "$dir/nino_pipe.sh" <<SH
#!/usr/bin/env bash
set -eo pipefail
T="/usr/bin/time -f %M -o"
\$T $dir/m1 $bin/pg-select $dir/sst.nc --sel lat=-5:5 --sel lon=190:240 -o - \\
  | \$T $dir/m2 $bin/pg-groupby - --by time.month --anomaly -o - \\
  | \$T $dir/m3 $bin/pg-reduce - --dim lat,lon -o - \\
  | \$T $dir/m4 $bin/pg-reduce - --rolling time=3 -o $dir/o-pipe.nc -O
SH
cat > "$dir/nino_files.sh" <<SH
#!/usr/bin/env bash
set -e
t=\$(mktemp -d)
trap 'rm -rf "\$t"' EXIT
$bin/pg-select $dir/sst.nc --sel lat=-5:5 --sel lon=190:240 -o \$t/box.zarr
$bin/pg-groupby \$t/box.zarr --by time.month --anomaly -o \$t/anom.zarr
$bin/pg-reduce \$t/anom.zarr --dim lat,lon -o \$t/idx.zarr
$bin/pg-reduce \$t/idx.zarr --rolling time=3 -o $dir/o-files.nc -O
SH
chmod +x "$dir/nino_pipe.sh" "$dir/nino_files.sh"
/usr/bin/python3 scripts/bench/measure.py --runs "$runs" --baseline "temporary files" \
  --title "Nino 3.4 chain (select | groupby --anomaly | reduce | rolling), pipes vs temporary Zarr files" \
  "pipes=$dir/nino_pipe.sh" "temporary files=$dir/nino_files.sh"
echo "peak memory per pipe stage (MiB): select $(($(cat $dir/m1) / 1024)), groupby $(($(cat $dir/m2) / 1024)), reduce $(($(cat $dir/m3) / 1024)), rolling $(($(cat $dir/m4) / 1024))"
/usr/bin/python3 - "$dir" <<'PY'
import sys, xarray as xr
d = sys.argv[1]
xr.testing.assert_identical(xr.open_dataset(f"{d}/o-pipe.nc"), xr.open_dataset(f"{d}/o-files.nc"))
print("pipe result identical to the file result")
PY
