#!/usr/bin/env bash
# Installs the npm tools the tests use under build/node, once: s3rver (an S3-compatible
# server for tests/cloud) and zarrita with @zarrita/storage (an independent Zarr v3
# reader for tests/interop). Prints the node_modules directory.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=build/node
if [ ! -x "$dest/node_modules/.bin/s3rver" ] || [ ! -d "$dest/node_modules/zarrita" ] || [ ! -d "$dest/node_modules/@zarrita/storage" ]; then
  command -v npm >/dev/null || { echo "npm is needed for the test tools" >&2; exit 1; }
  mkdir -p "$dest"
  npm install --prefix "$dest" --no-audit --no-fund --loglevel=error s3rver@3.7.1 zarrita@0.7.5 @zarrita/storage@0.2.0 >&2
fi
echo "$PWD/$dest/node_modules"
