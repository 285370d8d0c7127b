#!/usr/bin/env bats
# Object storage against a real S3-compatible server (s3rver) on loopback, verified with
# the AWS CLI; SigV4 against botocore; faults through a misbehaving loopback proxy.

load ../cli/helpers

free_port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

setup_file() {
  make_fixtures
  export S3RVER_BIN="$("$SRC/scripts/install-npm-tools.sh")/.bin/s3rver"
  export S3_PORT=$(free_port)
  mkdir -p "$BATS_FILE_TMPDIR/s3data"
  "$S3RVER_BIN" -d "$BATS_FILE_TMPDIR/s3data" -a 127.0.0.1 -p "$S3_PORT" --silent &
  echo $! > "$BATS_FILE_TMPDIR/s3rver.pid"
  for i in $(seq 50); do $PY -c "import socket; socket.create_connection(('127.0.0.1', $S3_PORT), 1)" 2>/dev/null && break; sleep 0.2; done
  export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_DEFAULT_REGION=us-east-1
  export E="http://127.0.0.1:$S3_PORT"
  aws --endpoint-url "$E" s3 mb s3://bucket >/dev/null
  pg-convert "$FIX/sst.nc" -o "$FIX/sst.zarr" --chunks time=5,lat=9,lon=18
}
teardown_file() {
  kill "$(cat "$BATS_FILE_TMPDIR/s3rver.pid")" 2>/dev/null || true
  true
}
setup() { cd "$BATS_TEST_TMPDIR"; }
teardown() {
  [ -f proxy.pid ] && kill "$(cat proxy.pid)" 2>/dev/null
  [ -d slurm ] && "$SRC/tests/cloud/slurm_local.sh" stop slurm
  true
}

start_proxy() {  # options of fault_proxy.py; prints the port
  local port
  port=$(free_port)
  $PY "$SRC/tests/cloud/fault_proxy.py" "$S3_PORT" "$port" --max-seconds 300 "$@" >/dev/null 2>&1 &
  echo $! > proxy.pid
  for i in $(seq 50); do $PY -c "import socket; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null && break; sleep 0.2; done
  echo "$port"
}

check_metadata_last() {  # $1: the proxy's log of requests
  grep '^PUT ' "$1" | awk '{print $2}' > order
  last_chunk=$(grep -n -v -E '/\.z[a-z]+$' order | tail -1 | cut -d: -f1)
  first_meta=$(grep -n -E '/\.z[a-z]+$' order | head -1 | cut -d: -f1)
  [ -n "$first_meta" ] && [ "$last_chunk" -lt "$first_meta" ] || { cat order; return 1; }
  tail -1 order | grep -q '/\.zmetadata$'
}

verify_store() {  # $1 local store, $2 s3 url: every object there and equal, nothing extra
  aws --endpoint-url "$E" s3 cp --recursive --quiet "$2" fetched
  diff -r "$1" fetched
  rm -rf fetched
}

@test "SigV4 equals botocore's on the same requests" {
  "$SRC/tests/cloud/sigv4_vs_botocore.py" "$SRC/build/tests/sigv4_sign"
}

@test "upload a store, verify every object with the AWS CLI, read it back with pg-info and pg-reduce" {
  run pg-upload "$FIX/sst.zarr" s3://bucket/a/sst.zarr --endpoint-url "$E"
  [ "$status" -eq 0 ]
  verify_store "$FIX/sst.zarr" s3://bucket/a/sst.zarr
  pg-info --endpoint-url "$E" s3://bucket/a/sst.zarr | grep -q "sst .*(time, lat, lon) float32"
  pg-reduce --endpoint-url "$E" s3://bucket/a/sst.zarr --dim time -o remote.nc
  pg-reduce "$FIX/sst.zarr" --dim time -o local.nc
  "$SRC/tests/interop/assert_identical.py" local.nc remote.nc
  pg-convert --endpoint-url "$E" s3://bucket/a/sst.zarr -o back.nc
  "$SRC/tests/interop/assert_identical.py" "$FIX/sst.nc" back.nc
}

@test "--json summary, --dry-run, chunks before metadata" {
  run pg-upload "$FIX/sst.zarr" s3://bucket/dry.zarr --endpoint-url "$E" --dry-run
  [ "$status" -eq 0 ] && [[ "$output" == *"would send"* ]]
  [ -z "$(aws --endpoint-url "$E" s3 ls --recursive s3://bucket/dry.zarr)" ]
  pg-upload "$FIX/sst.zarr" s3://bucket/j.zarr --endpoint-url "$E" --json > r.json
  n=$(find "$FIX/sst.zarr" -type f | wc -l)
  $PY -c "import json; r = json.load(open('r.json')); assert r['objects'] == $n and r['complete'] and not r['failed'], r"
  # Chunks before metadata, consolidated metadata last (order seen by a recording proxy).
  port=$(start_proxy --fail 0 --drop 0 --slow 0 --log puts.log)
  pg-upload "$FIX/sst.zarr" s3://bucket/order.zarr --endpoint-url "http://127.0.0.1:$port"
  check_metadata_last puts.log
}

@test "a large file goes in parallel parts; the result is byte-identical" {
  head -c 3500000 /dev/urandom > big.bin
  pg-upload big.bin s3://bucket/raw/big.bin --endpoint-url "$E" --multipart-threshold 1M --part-size 1M
  aws --endpoint-url "$E" s3 cp --quiet s3://bucket/raw/big.bin back.bin
  cmp big.bin back.bin
  pg-upload big.bin s3://bucket/raw/big2.bin --endpoint-url "$E" --multipart-threshold 1M --part-size 1M --json > r.json
  $PY -c "import json; r = json.load(open('r.json')); assert r['parts'] == 4 and r['complete'], r"
  pg-upload "$FIX/sst.nc" s3://bucket/raw/sst.nc --endpoint-url "$E"
  aws --endpoint-url "$E" s3 cp --quiet s3://bucket/raw/sst.nc sst.nc && cmp sst.nc "$FIX/sst.nc"
}

@test "an interrupted upload rerun with --skip-existing completes without resending" {
  pg-upload "$FIX/sst.zarr" s3://bucket/r.zarr --endpoint-url "$E"
  # Take away some chunks and the metadata, as a run stopped half-way would leave it.
  aws --endpoint-url "$E" s3 rm --quiet s3://bucket/r.zarr/.zmetadata
  aws --endpoint-url "$E" s3 rm --quiet s3://bucket/r.zarr/sst/0.0.0
  aws --endpoint-url "$E" s3 rm --quiet s3://bucket/r.zarr/sst/1.1.1
  pg-upload "$FIX/sst.zarr" s3://bucket/r.zarr --endpoint-url "$E" --skip-existing --json > r.json
  $PY -c "import json; r = json.load(open('r.json')); assert r['objects'] == 3 and r['skipped'] > 10, r"
  verify_store "$FIX/sst.zarr" s3://bucket/r.zarr
}

@test "wrong credentials: one clear line naming the URL, never the secret; exit 1" {
  AWS_ACCESS_KEY_ID=NOBODY AWS_SECRET_ACCESS_KEY=supersecret run pg-upload "$FIX/sst.zarr" s3://bucket/w.zarr --endpoint-url "$E"
  [ "$status" -eq 1 ]
  [[ "$output" == *"access denied"* && "$output" == *"s3://"* || "$output" == *"access denied"* ]]
  [[ "$output" != *supersecret* ]]
  AWS_ACCESS_KEY_ID=NOBODY AWS_SECRET_ACCESS_KEY=supersecret run pg-info --endpoint-url "$E" s3://bucket/a/sst.zarr
  assert_one_line_error 1
  [[ "$output" == *"s3://bucket/a/sst.zarr"* && "$output" != *supersecret* ]]
  run pg-info --endpoint-url "$E" s3://bucket/nothing-here.zarr
  assert_one_line_error 1
}

@test "credentials from a profile in ~/.aws, and AWS_ENDPOINT_URL" {
  mkdir -p home/.aws
  printf '[default]\naws_access_key_id = NOBODY\naws_secret_access_key = x\n[lab]\naws_access_key_id = S3RVER\naws_secret_access_key = S3RVER\n' > home/.aws/credentials
  printf '[profile lab]\nregion = eu-west-1\n' > home/.aws/config
  HOME=$PWD/home env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY AWS_ENDPOINT_URL="$E" pg-info --profile lab s3://bucket/a/sst.zarr | grep -q sst
  HOME=$PWD/home AWS_PROFILE=lab env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY pg-info --endpoint-url "$E" s3://bucket/a/sst.zarr | grep -q sst
  run env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY HOME=$PWD/home pg-info --endpoint-url "$E" s3://bucket/a/sst.zarr
  assert_one_line_error 1
}

@test "faults: 500/503, dropped connections and slow answers; the upload still completes, verified" {
  # About one request in five misbehaves; with 8 attempts a request is lost once in ~10^6.
  port=$(start_proxy --fail 0.12 --drop 0.06 --slow 0.1)
  run pg-upload "$FIX/sst.zarr" s3://bucket/f.zarr --endpoint-url "http://127.0.0.1:$port" --jobs 16
  [ "$status" -eq 0 ] || { echo "$output"; return 1; }
  verify_store "$FIX/sst.zarr" s3://bucket/f.zarr
  pg-reduce --endpoint-url "http://127.0.0.1:$port" s3://bucket/f.zarr --dim time -o viaproxy.nc
  pg-reduce "$FIX/sst.zarr" --dim time -o local.nc
  "$SRC/tests/interop/assert_identical.py" local.nc viaproxy.nc
}

@test "a stream and a local destination" {
  pg-convert "$FIX/sst.nc" -o - | pg-upload - s3://bucket/s.zarr --endpoint-url "$E"
  pg-info --endpoint-url "$E" s3://bucket/s.zarr | grep -q sst
  pg-upload "$FIX/sst.zarr" copy.zarr
  diff -r "$FIX/sst.zarr" copy.zarr
  run pg-upload "$FIX/sst.zarr" copy.zarr
  assert_one_line_error 1
}

@test "pg-convert writes Zarr straight to s3://, metadata last; -O semantics" {
  pg-convert --endpoint-url "$E" "$FIX/sst.nc" -o s3://bucket/direct.zarr --chunks time=12
  pg-convert --endpoint-url "$E" s3://bucket/direct.zarr -o direct.nc
  "$SRC/tests/interop/assert_identical.py" "$FIX/sst.nc" direct.nc
  run pg-convert --endpoint-url "$E" "$FIX/sst.nc" -o s3://bucket/direct.zarr
  assert_one_line_error 1
  port=$(start_proxy --fail 0 --drop 0 --slow 0 --log puts.log)
  pg-convert --endpoint-url "http://127.0.0.1:$port" "$FIX/sst.nc" -o s3://bucket/direct.zarr -O --compressor zstd:1
  check_metadata_last puts.log
  # pg-reduce refuses the taken store before it reads its input (whose chunks cannot be read here).
  pg-convert "$FIX/sst.nc" -o bad.zarr --chunks time=12
  for f in bad.zarr/sst/*; do printf garbage > "$f"; done
  run pg-reduce --endpoint-url "$E" bad.zarr --dim time -o s3://bucket/direct.zarr
  assert_one_line_error 1
  [[ "$output" == *"s3://bucket/direct.zarr: output exists"* ]]
}

@test "gs:// through the XML API with HMAC keys, and plain HTTP reads of a consolidated store" {
  GCS_ENDPOINT_URL="$E" GCS_ACCESS_KEY_ID=S3RVER GCS_SECRET_ACCESS_KEY=S3RVER \
    pg-upload "$FIX/sst.zarr" gs://bucket/g.zarr
  verify_store "$FIX/sst.zarr" s3://bucket/g.zarr
  GCS_ENDPOINT_URL="$E" GCS_ACCESS_KEY_ID=S3RVER GCS_SECRET_ACCESS_KEY=S3RVER pg-info gs://bucket/g.zarr | grep -q sst
  port=$(free_port)
  (cd "$FIX" && exec $PY -m http.server "$port" --bind 127.0.0.1 >/dev/null 2>&1) &
  echo $! > proxy.pid
  for i in $(seq 50); do $PY -c "import socket; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null && break; sleep 0.2; done
  pg-reduce "http://127.0.0.1:$port/sst.zarr" --dim time -o http.nc
  pg-reduce "$FIX/sst.zarr" --dim time -o local.nc
  "$SRC/tests/interop/assert_identical.py" local.nc http.nc
  run pg-info "http://127.0.0.1:$port/nothing.zarr"
  assert_one_line_error 1
}

@test "--anon sends no credentials and --region is accepted" {
  pg-upload "$FIX/sst.zarr" s3://bucket/a/sst.zarr --endpoint-url "$E" -q
  run env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY HOME=/nonexistent pg-info --anon --endpoint-url "$E" s3://bucket/a/sst.zarr
  [ "$status" -eq 0 ] || { echo "$output"; return 1; }
  [[ "$output" == *sst* ]]
  pg-info --region eu-west-1 --endpoint-url "$E" s3://bucket/a/sst.zarr | grep -q sst
}

@test "Zarr v3 (sharded or not) on s3:// and over HTTP reads back, whether written there or uploaded" {
  pg-convert --endpoint-url "$E" "$FIX/sst.nc" -o s3://bucket/v3.zarr --zarr-format 3 --chunks time=6
  pg-info --endpoint-url "$E" s3://bucket/v3.zarr | grep -q "Zarr v3"
  pg-convert --endpoint-url "$E" s3://bucket/v3.zarr -o v3.nc
  "$SRC/tests/interop/assert_identical.py" "$FIX/sst.nc" v3.nc
  run pg-convert --endpoint-url "$E" "$FIX/sst.nc" -o s3://bucket/v3.zarr --zarr-format 3
  assert_one_line_error 1
  pg-convert "$FIX/sst.nc" -o sharded.zarr --zarr-format 3 --chunks time=6 --shards time=12
  pg-upload sharded.zarr s3://bucket/sharded.zarr --endpoint-url "$E" -q
  pg-reduce --endpoint-url "$E" s3://bucket/sharded.zarr --dim time -o remote.nc
  pg-reduce sharded.zarr --dim time -o local.nc
  "$SRC/tests/interop/assert_identical.py" local.nc remote.nc
  port=$(free_port)
  (exec $PY -m http.server "$port" --bind 127.0.0.1 >/dev/null 2>&1) &
  echo $! > proxy.pid
  for i in $(seq 50); do $PY -c "import socket; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null && break; sleep 0.2; done
  pg-reduce "http://127.0.0.1:$port/sharded.zarr" --dim time -o http.nc
  "$SRC/tests/interop/assert_identical.py" local.nc http.nc
}

@test "the store conformance suite passes on the S3 store and the HTTP store" {
  port=$(free_port)
  mkdir -p served
  (cd served && exec $PY -m http.server "$port" --bind 127.0.0.1 >/dev/null 2>&1) &
  echo $! > proxy.pid
  for i in $(seq 50); do $PY -c "import socket; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null && break; sleep 0.2; done
  run env AWS_ENDPOINT_URL="$E" PANGEO_TEST_S3_URL=s3://bucket/conformance \
    PANGEO_TEST_HTTP_URL="http://127.0.0.1:$port" PANGEO_TEST_HTTP_DIR="$PWD/served" \
    "$SRC/build/tests/unit_tests" --gtest_filter='*StoreConformance*/s3:*StoreConformance*/http' --gtest_brief=1
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"PASSED"*"10 tests"* ]]
  [[ "$output" != *SKIPPED* ]]
}

@test "appending to a store on s3:// gives what the one-shot conversion gives; metadata last" {
  pg-convert --endpoint-url "$E" "$FIX/parts/sst_1854.nc" -o s3://bucket/grow.zarr --chunks time=5
  port=$(start_proxy --fail 0 --drop 0 --slow 0 --log puts.log)
  pg-convert --endpoint-url "http://127.0.0.1:$port" "$FIX/parts/sst_1855.nc" -o s3://bucket/grow.zarr --append-dim time
  check_metadata_last puts.log
  run pg-convert --endpoint-url "$E" "$FIX/parts/sst_1855.nc" -o s3://bucket/grow.zarr --append-dim time --json
  [[ "$output" == *'"skipped": true'* ]]
  pg-convert "$FIX/parts/sst_1854.nc" "$FIX/parts/sst_1855.nc" -o once.zarr --chunks time=5
  pg-convert --endpoint-url "$E" s3://bucket/grow.zarr -o grown.nc
  "$SRC/tests/interop/assert_identical.py" once.zarr grown.nc
}

@test "appending in parts to a store on s3://: --append-dim --init, then 3 parts at once, give the one-process append" {
  pg-convert "$FIX/parts/sst_1854.nc" -o one.zarr --chunks time=5
  pg-convert "$FIX/parts/sst_1855.nc" -o one.zarr --append-dim time
  pg-convert --endpoint-url "$E" "$FIX/parts/sst_1854.nc" -o s3://bucket/pgrow.zarr --chunks time=5
  pg-convert --endpoint-url "$E" "$FIX/parts/sst_1855.nc" -o s3://bucket/pgrow.zarr --append-dim time --init
  for i in 0 1 2; do pg-convert --endpoint-url "$E" "$FIX/parts/sst_1855.nc" -o s3://bucket/pgrow.zarr --append-dim time --part $i/3 & done
  wait
  aws --endpoint-url "$E" s3 cp --recursive --quiet s3://bucket/pgrow.zarr got
  [ "$(ls got/.pgparts/time=12:24 | wc -l)" -eq 3 ]
  diff -r -x .pgparts one.zarr got
}

@test "syncing a grown store sends only the new and changed objects, metadata last" {
  pg-convert "$FIX/parts/sst_1854.nc" -o grown.zarr --chunks time=5
  pg-upload grown.zarr s3://bucket/sync.zarr --endpoint-url "$E" -q
  pg-convert "$FIX/parts/sst_1855.nc" -o grown.zarr --append-dim time
  port=$(start_proxy --fail 0 --drop 0 --slow 0 --log puts.log)
  run pg-upload grown.zarr s3://bucket/sync.zarr --endpoint-url "http://127.0.0.1:$port" --skip-existing --json
  [ "$status" -eq 0 ]
  # 12 months appended to chunks of 5: the partial chunk 2 rewritten, chunks 3 and 4 new,
  # for sst and (one chunk) time; the changed metadata; everything else skipped
  echo "$output" | $PY -c "
import json, sys
r = json.load(sys.stdin)
assert 4 <= r['objects'] <= 12 and r['skipped'] > 0, r"
  check_metadata_last puts.log
  ! grep -q 'sst/0.0.0' puts.log
  verify_store grown.zarr s3://bucket/sync.zarr
}

@test "kill -9 during an append to s3://: the store reads as its old or new version; the rerun completes it" {
  pg-convert "$FIX/parts/sst_1854.nc" "$FIX/parts/sst_1855.nc" "$FIX/parts/sst_1856.nc" -o once.zarr --chunks time=1
  pg-convert "$FIX/parts/sst_1854.nc" "$FIX/parts/sst_1855.nc" -o before.zarr --chunks time=1
  killed_before=0
  for delay in 0.02 0.05 0.1 0.2 0.3 0.5; do
    aws --endpoint-url "$E" s3 rm --recursive --quiet s3://bucket/k.zarr
    pg-upload before.zarr s3://bucket/k.zarr --endpoint-url "$E" -q
    pg-convert --endpoint-url "$E" "$FIX/parts/sst_1856.nc" -o s3://bucket/k.zarr --append-dim time -j 1 &
    pid=$!
    sleep "$delay"
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    pg-convert --endpoint-url "$E" s3://bucket/k.zarr -o now.nc -O
    if "$SRC/tests/interop/assert_identical.py" before.zarr now.nc 2>/dev/null; then
      killed_before=$((killed_before + 1))
    else
      "$SRC/tests/interop/assert_identical.py" once.zarr now.nc
    fi
    pg-convert --endpoint-url "$E" "$FIX/parts/sst_1856.nc" -o s3://bucket/k.zarr --append-dim time
    pg-convert --endpoint-url "$E" s3://bucket/k.zarr -o done.nc -O
    "$SRC/tests/interop/assert_identical.py" once.zarr done.nc
  done
  [ "$killed_before" -ge 1 ]
}

@test "kill -9 while an s3:// store is replaced (-O) or uploaded: never old metadata over new chunks; a rerun completes it" {
  pg-convert "$FIX/parts/sst_1854.nc" "$FIX/parts/sst_1855.nc" -o old.zarr --chunks time=1
  pg-convert "$FIX/parts/sst_1856.nc" -o new.zarr --chunks time=1 --compressor zstd:19
  pg-convert old.zarr -o old.nc -O
  pg-convert new.zarr -o new.nc -O
  seen_absent=0 seen_old=0
  for delay in 0.02 0.05 0.1 0.2 0.3 0.5 0.8; do
    aws --endpoint-url "$E" s3 rm --recursive --quiet s3://bucket/o.zarr
    pg-upload old.zarr s3://bucket/o.zarr --endpoint-url "$E" -q
    pg-convert --endpoint-url "$E" "$FIX/parts/sst_1856.nc" -o s3://bucket/o.zarr --chunks time=1 --compressor zstd:19 -O -j 1 &
    pid=$!
    sleep "$delay"
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    # The old store, the new one, or no dataset at all: never a mix.
    if pg-convert --endpoint-url "$E" s3://bucket/o.zarr -o now.nc -O 2>/dev/null; then
      if "$SRC/tests/interop/assert_identical.py" old.nc now.nc 2>/dev/null; then seen_old=$((seen_old + 1))
      else "$SRC/tests/interop/assert_identical.py" new.nc now.nc; fi
    else
      seen_absent=$((seen_absent + 1))
    fi
    pg-convert --endpoint-url "$E" "$FIX/parts/sst_1856.nc" -o s3://bucket/o.zarr --chunks time=1 --compressor zstd:19 -O
    pg-convert --endpoint-url "$E" s3://bucket/o.zarr -o done.nc -O
    "$SRC/tests/interop/assert_identical.py" new.nc done.nc
    # no object of the old store is left beside the new one
    remote=$(aws --endpoint-url "$E" s3 ls --recursive s3://bucket/o.zarr/ | awk '{print $4}' | sed "s|^o.zarr/||" | sort)
    local_keys=$(cd new.zarr && find . -type f | sed "s|^./||" | sort)
    [ "$remote" = "$local_keys" ] || { diff <(echo "$remote") <(echo "$local_keys"); false; }
  done
  [ $((seen_absent + seen_old)) -ge 1 ]
  # pg-upload killed at any moment: the metadata goes last, so the copy reads whole or not at all
  for delay in 0.02 0.05 0.1 0.2; do
    aws --endpoint-url "$E" s3 rm --recursive --quiet s3://bucket/u.zarr
    pg-upload new.zarr s3://bucket/u.zarr --endpoint-url "$E" -q &
    pid=$!
    sleep "$delay"
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    if pg-convert --endpoint-url "$E" s3://bucket/u.zarr -o up.nc -O 2>/dev/null; then
      "$SRC/tests/interop/assert_identical.py" new.nc up.nc
    fi
  done
}

@test "a two-stage rechunk reads from s3:// and keeps its intermediate copy under --scratch s3://, removed after" {
  pg-convert "$FIX/sst.nc" -o c.zarr --chunks time=12
  pg-upload c.zarr s3://bucket/r/c.zarr --endpoint-url "$E" -q
  run pg-convert s3://bucket/r/c.zarr -o ts.zarr --endpoint-url "$E" --chunks time=-1,lat=2,lon=3 --memory 64K --dry-run
  [[ "$output" == *"stage 1: "* ]] || { echo "$output"; false; }
  pg-convert s3://bucket/r/c.zarr -o ts.zarr --endpoint-url "$E" --chunks time=-1,lat=2,lon=3 --memory 64K \
    --scratch s3://bucket/scratch
  pg-convert c.zarr -o want.zarr --chunks time=-1,lat=2,lon=3
  diff -r want.zarr ts.zarr
  [ -z "$(aws --endpoint-url "$E" s3 ls --recursive s3://bucket/scratch/)" ]
  # Straight to s3:// as well.
  pg-convert c.zarr -o s3://bucket/r/ts.zarr --endpoint-url "$E" --chunks time=-1,lat=2,lon=3 --memory 64K
  verify_store want.zarr s3://bucket/r/ts.zarr
}

@test "parts write partial results to s3:// and the merge reads them from there: the one-process result" {
  pg-reduce "$FIX/sst.zarr" --dim time -o one.nc
  for i in 0 1 2; do pg-reduce "$FIX/sst.zarr" --dim time --part $i/3 -o s3://bucket/parts/p$i --endpoint-url "$E"; done
  [ -n "$(aws --endpoint-url "$E" s3 ls s3://bucket/parts/p2/pgpartial.json)" ]
  pg-reduce --merge s3://bucket/parts/p0 s3://bucket/parts/p1 s3://bucket/parts/p2 -o m.nc --endpoint-url "$E"
  cmp <(ncdump one.nc | tail -n +2) <(ncdump m.nc | tail -n +2)
  # a part again: refused without -O, and -O replaces it
  run pg-reduce "$FIX/sst.zarr" --dim time --part 1/3 -o s3://bucket/parts/p1 --endpoint-url "$E"
  assert_one_line_error 1
  pg-reduce "$FIX/sst.zarr" --dim time --part 1/3 -o s3://bucket/parts/p1 --endpoint-url "$E" -O
}

@test "a real Slurm: an array of 3 parts (--part auto) writes partials to s3://, a dependent job merges: the one-process result" {
  "$SRC/tests/cloud/slurm_local.sh" start slurm
  export SLURM_CONF=$PWD/slurm/slurm.conf
  pg-reduce "$FIX/sst.zarr" --dim time -o one.nc
  local env="AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER"
  jid=$(sbatch --parsable --array=0-2 -o "$PWD/part-%a.out" \
    --wrap "$env $(command -v pg-reduce) $FIX/sst.zarr --dim time -j 1 --endpoint-url $E -o s3://bucket/slurm/p\$SLURM_ARRAY_TASK_ID --part auto")
  sbatch --parsable --dependency=afterok:$jid -o "$PWD/merge.out" \
    --wrap "$env $(command -v pg-reduce) --merge s3://bucket/slurm/p0 s3://bucket/slurm/p1 s3://bucket/slurm/p2 --endpoint-url $E -o $PWD/merged.nc"
  for _ in $(seq 300); do [ -z "$(squeue -h)" ] && break; sleep 0.2; done
  "$SRC/tests/cloud/slurm_local.sh" stop slurm
  cat part-*.out merge.out
  [ -n "$(aws --endpoint-url "$E" s3 ls s3://bucket/slurm/p2/pgpartial.json)" ]
  cmp <(ncdump one.nc | tail -n +2) <(ncdump merged.nc | tail -n +2)
}

@test "pg-convert --init then --part I/N straight to s3://: the one-shot store" {
  pg-convert "$FIX/sst.nc" -o want.zarr --chunks time=5,lat=9
  pg-convert "$FIX/sst.nc" -o s3://bucket/parted.zarr --endpoint-url "$E" --chunks time=5,lat=9 --init
  pg-convert "$FIX/sst.nc" -o s3://bucket/parted.zarr --endpoint-url "$E" --part 0/2 &
  pg-convert "$FIX/sst.nc" -o s3://bucket/parted.zarr --endpoint-url "$E" --part 1/2
  wait
  aws --endpoint-url "$E" s3 cp --recursive --quiet s3://bucket/parted.zarr got
  [ "$(ls got/.pgparts | wc -l)" -eq 2 ]
  diff -r -x .pgparts want.zarr got
}

@test "mpirun -n 3 pg-convert straight to s3://: the one-process store, metadata once all chunks are there; -O; a failure leaves no dataset" {
  command -v mpirun >/dev/null && ldd "$(command -v pg-convert)" | grep -q libmpi || skip "built without MPI"
  mpi3() { mpirun --allow-run-as-root --oversubscribe -n 3 sh -c 'export TMPDIR=$0/tmp.$OMPI_COMM_WORLD_RANK; mkdir -p $TMPDIR; exec "$@"' "$PWD" "$@"; }
  pg-convert "$FIX/sst.nc" -o want.zarr --chunks time=5,lat=9
  mpi3 pg-convert "$FIX/sst.nc" -o s3://bucket/mpi.zarr --endpoint-url "$E" --chunks time=5,lat=9
  aws --endpoint-url "$E" s3 cp --recursive --quiet s3://bucket/mpi.zarr got
  diff -r want.zarr got
  mv got got.zarr && "$SRC/tests/interop/assert_identical.py" "$FIX/sst.nc" got.zarr
  # the metadata objects were the last ones written
  aws --endpoint-url "$E" s3api list-objects --bucket bucket --prefix mpi.zarr/ --output json | $PY -c "
import json, sys
objs = json.load(sys.stdin)['Contents']
last_chunk = max(o['LastModified'] for o in objs if not o['Key'].split('/')[-1].startswith('.'))
first_meta = min(o['LastModified'] for o in objs if o['Key'].endswith(('.zmetadata', '.zgroup')))
assert first_meta >= last_chunk, (first_meta, last_chunk)"
  # an existing output needs -O, and -O replaces it
  run mpi3 pg-convert "$FIX/sst.nc" -o s3://bucket/mpi.zarr --endpoint-url "$E" --chunks time=5,lat=9
  [ "$status" -ne 0 ]
  [[ "$output" == *"output exists"* ]]
  mpi3 pg-convert "$FIX/sst.nc" -o s3://bucket/mpi.zarr --endpoint-url "$E" --chunks time=7 -O
  rm -rf got && aws --endpoint-url "$E" s3 cp --recursive --quiet s3://bucket/mpi.zarr got
  pg-convert "$FIX/sst.nc" -o want7.zarr --chunks time=7
  diff -r want7.zarr got
  # a rank that cannot read its input fails every rank, and no dataset appears
  run mpi3 sh -c 'if [ "$OMPI_COMM_WORLD_RANK" = 2 ]; then f=/nonexistent.nc; else f=$0; fi; exec pg-convert "$f" -o s3://bucket/failed.zarr --endpoint-url "$1"' "$FIX/sst.nc" "$E"
  [ "$status" -ne 0 ]
  run aws --endpoint-url "$E" s3 ls s3://bucket/failed.zarr/.zgroup
  [ "$status" -ne 0 ]
}

@test "pg-plot reads a store from s3:// and writes the picture there; an existing one needs -O" {
  pg-upload "$FIX/sst.zarr" "s3://bucket/plot/sst.zarr" --endpoint-url "$E" -q
  pg-plot "s3://bucket/plot/sst.zarr" --isel time=0 -o local.png --endpoint-url "$E"
  pg-plot "$FIX/sst.zarr" --isel time=0 -o same.png
  cmp local.png same.png
  pg-plot "s3://bucket/plot/sst.zarr" --isel time=0 -o "s3://bucket/plot/day.png" --endpoint-url "$E"
  aws --endpoint-url "$E" s3 cp --quiet s3://bucket/plot/day.png fetched.png
  cmp fetched.png same.png
  run pg-plot "$FIX/sst.zarr" --isel time=1 -o "s3://bucket/plot/day.png" --endpoint-url "$E"
  assert_one_line_error 1
  [[ "$output" == *"exists (use -O"* ]]
  pg-plot "$FIX/sst.zarr" --isel time=1 -o "s3://bucket/plot/day.png" --endpoint-url "$E" -O
  aws --endpoint-url "$E" s3 cp --quiet s3://bucket/plot/day.png fetched.png
  ! cmp -s fetched.png same.png
}
