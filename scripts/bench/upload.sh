#!/usr/bin/env bash
# Upload benchmark: a Zarr store of 2,000 chunk objects of 64 KiB sent to a loopback
# S3-compatible server (s3rver) by pg-upload, `aws s3 cp --recursive` and
# `rclone copy --transfers 32`, side by side; then pg-upload with more or fewer requests
# in flight, to see where the server becomes the limit.
# usage: scripts/bench/upload.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-3}
dir=${BENCH_DIR:-/tmp/pg-bench}
bin=$PWD/build/bin
mkdir -p "$dir"
store="$dir/chunks.zarr"
if [ ! -d "$store" ]; then
  /usr/bin/python3 - "$store" <<'PY'
import json, os, sys
s = sys.argv[1]
os.makedirs(f"{s}/v")
json.dump({"zarr_format": 2}, open(f"{s}/.zgroup", "w"))
json.dump({}, open(f"{s}/.zattrs", "w"))
json.dump({"chunks": [65536], "compressor": None, "dtype": "|u1", "fill_value": 0, "filters": None,
           "order": "C", "shape": [2000 * 65536], "zarr_format": 2}, open(f"{s}/v/.zarray", "w"))
json.dump({"_ARRAY_DIMENSIONS": ["x"]}, open(f"{s}/v/.zattrs", "w"))
for i in range(2000):
    open(f"{s}/v/{i}", "wb").write(os.urandom(65536))
PY
fi
s3rver="$(scripts/install-npm-tools.sh)/.bin/s3rver"
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
data=$(mktemp -d)
"$s3rver" -d "$data" -a 127.0.0.1 -p "$port" --silent &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$data"' EXIT
sleep 2
export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_DEFAULT_REGION=us-east-1
E="http://127.0.0.1:$port"
aws --endpoint-url "$E" s3 mb s3://bench >/dev/null
export RCLONE_CONFIG_LOCAL_TYPE=s3 RCLONE_CONFIG_LOCAL_PROVIDER=Other RCLONE_CONFIG_LOCAL_ENDPOINT="$E" \
  RCLONE_CONFIG_LOCAL_ACCESS_KEY_ID=S3RVER RCLONE_CONFIG_LOCAL_SECRET_ACCESS_KEY=S3RVER RCLONE_CONFIG_LOCAL_REGION=us-east-1
u='$(date +%s%N)'
/usr/bin/python3 scripts/bench/measure.py --runs "$runs" --baseline "rclone copy --transfers 32" --setup "rm -rf $data/bench/*; sleep 2" \
  --title "2,000 x 64 KiB objects to s3rver on loopback, 2 cores" \
  "pg-upload --jobs 64=$bin/pg-upload -q $store s3://bench/pg-$u --endpoint-url $E" \
  "aws s3 cp --recursive=aws --endpoint-url $E s3 cp --recursive --quiet $store s3://bench/aws-$u" \
  "rclone copy --transfers 32=env -u AWS_CA_BUNDLE rclone copy --transfers 32 $store local:bench/rc-$u"
/usr/bin/python3 scripts/bench/measure.py --runs "$runs" --baseline "--jobs 64" --setup "rm -rf $data/bench/*; sleep 2" \
  --title "pg-upload requests in flight (the server's limit shows as the plateau)" \
  "--jobs 8=$bin/pg-upload -q $store s3://bench/j8-$u --endpoint-url $E --jobs 8" \
  "--jobs 16=$bin/pg-upload -q $store s3://bench/j16-$u --endpoint-url $E --jobs 16" \
  "--jobs 64=$bin/pg-upload -q $store s3://bench/j64-$u --endpoint-url $E --jobs 64" \
  "--jobs 128=$bin/pg-upload -q $store s3://bench/j128-$u --endpoint-url $E --jobs 128"
echo "objects per second = 2000 / median s"
