#!/usr/bin/env bash
# Bulk ingest for cron: converts every netCDF file in SRC to a Zarr store in DEST.
#
# usage: scripts/ingest.sh SRC DEST [pg-convert options...]
#
# A file is converted when DEST/NAME.zarr is missing or older than it, so reruns only do
# new or changed files. One log line per file on stdout:
#   2026-11-24T10:00:00Z ok   src/a.nc -> dest/a.zarr (1.2 s)
#   2026-11-24T10:00:00Z skip src/b.nc (up to date)
#   2026-11-24T10:00:01Z FAIL src/c.nc: pg-convert: error: ...
# Exit status: 0 when every file is converted or up to date, 1 when any failed, 2 for
# usage errors, 75 when another ingest of DEST is still running.
set -uo pipefail
if [ $# -lt 2 ]; then
  echo "usage: $0 SRC DEST [pg-convert options...]" >&2
  exit 2
fi
src=$1 dest=$2
shift 2
convert=${PG_CONVERT:-pg-convert}
command -v "$convert" >/dev/null || convert="$(dirname "$0")/../build/bin/pg-convert"
[ -d "$src" ] || { echo "$0: $src: no such directory" >&2; exit 2; }
mkdir -p "$dest" || exit 1
exec 9>"$dest/.ingest.lock"
flock -n 9 || { echo "$(date -u +%FT%TZ) busy another ingest of $dest is running"; exit 75; }
failed=0
shopt -s nullglob
for f in "$src"/*.nc "$src"/*.nc4 "$src"/*.cdf; do
  name=$(basename "$f")
  out="$dest/${name%.*}.zarr"
  if [ -d "$out" ] && [ "$out" -nt "$f" ]; then
    echo "$(date -u +%FT%TZ) skip $f (up to date)"
    continue
  fi
  start=$(date +%s.%N)
  if err=$("$convert" -O -q --no-progress "$f" -o "$out" "$@" 2>&1); then
    echo "$(date -u +%FT%TZ) ok   $f -> $out ($(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s)"
  else
    echo "$(date -u +%FT%TZ) FAIL $f: ${err//$'\n'/ }"
    failed=1
  fi
done
exit $failed
