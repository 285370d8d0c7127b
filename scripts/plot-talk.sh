#!/usr/bin/env bash
# The talk's three pictures of a sea surface temperature store:
#   DIR/sst-day.png     ds.sst.sel(time='1982-08-07', method='nearest').plot()
#   DIR/sst-zonal.png   ds.sst.mean(dim=('time', 'lon')).plot()
#   DIR/nino34.png      the Nino 3.4 index (monthly anomalies, box mean, 3-month rolling mean)
# Usage: scripts/plot-talk.sh BIN_DIR STORE DIR
set -euo pipefail
bin=$1 store=$2 out=$3
mkdir -p "$out"
"$bin/pg-plot" -q -O "$store" --sel time=1982-08-07 --method nearest -o "$out/sst-day.png"
"$bin/pg-reduce" -q "$store" --dim time,lon -o - | "$bin/pg-plot" -q -O - -o "$out/sst-zonal.png"
"$bin/pg-select" -q "$store" --sel lat=-5:5 --sel lon=190:240 -o - \
  | "$bin/pg-groupby" -q - --by time.month --anomaly -o - \
  | "$bin/pg-reduce" -q - --dim lat,lon --weights cos-lat -o - \
  | "$bin/pg-reduce" -q - --rolling time=3 -o - \
  | "$bin/pg-plot" -q -O - -o "$out/nino34.png" --size 960x360
echo "pictures: $out/sst-day.png $out/sst-zonal.png $out/nino34.png"
