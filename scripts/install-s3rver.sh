#!/usr/bin/env bash
# Installs the S3-compatible test server s3rver (npm) under build/node, once.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=build/node
if [ ! -x "$dest/node_modules/.bin/s3rver" ]; then
  command -v npm >/dev/null || { echo "npm is needed for s3rver" >&2; exit 1; }
  mkdir -p "$dest"
  npm install --prefix "$dest" --no-audit --no-fund --loglevel=error s3rver@3.7.1 >&2
fi
echo "$PWD/$dest/node_modules/.bin/s3rver"
