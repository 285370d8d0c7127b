#!/usr/bin/env bash
# Bulk ingest for cron.
#
# usage: scripts/ingest.sh SRC STORE.zarr [pg-convert options...]   one growing store
#        scripts/ingest.sh SRC DIR [pg-convert options...]          one store per file
#
# One store (STORE ends in .zarr, or is an s3://, gs:// URL): the netCDF files of SRC, in
# name order (name them so that it is time order), are appended along time to STORE, which
# the first file creates. What is new is decided by the store itself: a file whose times
# are already in the store with the same values is a no-op (pg-convert --append-dim), so
# cron reruns write nothing; a failed file leaves the store at its last complete state.
# The pg-convert options apply when the store is created.
#
# One store per file (DIR): a file is converted when DIR/NAME.zarr is missing or older
# than it.
#
# One log line per file on stdout:
#   2026-11-24T10:00:00Z ok   src/a.nc -> dest (1.2 s)
#   2026-11-24T10:00:00Z skip src/b.nc (already in dest)
#   2026-11-24T10:00:01Z FAIL src/c.nc: pg-convert: error: ...
# Exit status: 0 when every file is in, 1 when any failed (a failed append stops the run:
# later files would leave a gap), 2 for usage errors, 75 when another ingest of the same
# destination is still running.
set -uo pipefail
if [ $# -lt 2 ]; then
  echo "usage: $0 SRC STORE.zarr|DIR [pg-convert options...]" >&2
  exit 2
fi
src=$1 dest=$2
shift 2
convert=${PG_CONVERT:-pg-convert}
command -v "$convert" >/dev/null || convert="$(dirname "$0")/../build/bin/pg-convert"
info=${PG_INFO:-$(dirname "$(command -v "$convert")")/pg-info}
[ -d "$src" ] || { echo "$0: $src: no such directory" >&2; exit 2; }
one_store=0
case "$dest" in
  *.zarr | *.zarr/ | s3://* | gs://*) one_store=1 ;;
esac
now() { date -u +%FT%TZ; }
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }
if [ "$one_store" = 1 ]; then
  lock="${TMPDIR:-/tmp}/pg-ingest-$(printf '%s' "$dest" | md5sum | cut -c1-16).lock"
else
  mkdir -p "$dest" || exit 1
  lock="$dest/.ingest.lock"
fi
exec 9>"$lock"
flock -n 9 || { echo "$(now) busy another ingest of $dest is running"; exit 75; }
failed=0
shopt -s nullglob
files=("$src"/*.nc "$src"/*.nc4 "$src"/*.cdf)
mapfile -t files < <(printf '%s\n' "${files[@]}" | sort)
for f in "${files[@]}"; do
  [ -n "$f" ] || continue
  start=$(date +%s.%N)
  if [ "$one_store" = 1 ]; then
    if ! "$info" -q "$dest" >/dev/null 2>&1; then  # no store yet: this file makes it
      if out=$("$convert" -q --no-progress "$f" -o "$dest" "$@" 2>&1); then
        echo "$(now) ok   $f -> $dest (created, $(elapsed "$start") s)"
      else
        echo "$(now) FAIL $f: ${out//$'\n'/ }"
        failed=1
        break
      fi
      continue
    fi
    if out=$("$convert" -q --no-progress "$f" -o "$dest" --append-dim time --json 2>&1); then
      if [[ "$out" == *'"skipped": true'* ]]; then
        echo "$(now) skip $f (already in $dest)"
      else
        echo "$(now) ok   $f -> $dest ($(elapsed "$start") s)"
      fi
    else
      echo "$(now) FAIL $f: ${out//$'\n'/ }"
      failed=1
      break
    fi
    continue
  fi
  name=$(basename "$f")
  out_store="$dest/${name%.*}.zarr"
  if [ -d "$out_store" ] && [ "$out_store" -nt "$f" ]; then
    echo "$(now) skip $f (up to date)"
    continue
  fi
  if err=$("$convert" -O -q --no-progress "$f" -o "$out_store" "$@" 2>&1); then
    echo "$(now) ok   $f -> $out_store ($(elapsed "$start") s)"
  else
    echo "$(now) FAIL $f: ${err//$'\n'/ }"
    failed=1
  fi
done
exit $failed
