# Shared set-up for the bats suites: a scratch directory and small generated datasets.
bats_require_minimum_version 1.5.0
PY=/usr/bin/python3
SRC=${PANGEO_SRC:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}
# PG_BIN: the tools under test (a sanitizer build, say); default the build tree's.
PG_BIN=${PG_BIN:-$SRC/build/bin}
export PATH="$PG_BIN:$PATH"
FERRET=/usr/share/ferret-vis/data

make_fixtures() {
  export FIX="$BATS_FILE_TMPDIR/fix"
  mkdir -p "$FIX"
  $PY "$SRC/scripts/make-sst.py" "$FIX/sst.nc" --years 3 --res 10
  $PY "$SRC/scripts/make-sst.py" "$FIX/parts" --years 3 --res 10 --split --format nc3
}

# Asserts the last `run` failed with exit $1 and printed exactly one line on stderr
# starting "pg-TOOL: error:".
assert_one_line_error() {
  [ "$status" -eq "$1" ] || { echo "exit $status, wanted $1: $output"; return 1; }
  local lines
  lines=$(printf '%s\n' "$output" | grep -c . || true)
  [ "$lines" -eq 1 ] || { echo "wanted one line, got: $output"; return 1; }
  [[ "$output" == pg-*": error: "* ]] || { echo "bad message: $output"; return 1; }
}

# Lists entries of a directory other than the given names (no leftovers allowed).
leftovers() {
  ls -A "$1"
}

# Asserts the last `run` was a usage error: exit 2, "pg-TOOL: error: ..." naming the option
# $1 (when given), then only the --help hint.
assert_usage_error() {
  [ "$status" -eq 2 ] || { echo "exit $status, wanted 2: $output"; return 1; }
  local first
  first=$(printf '%s\n' "$output" | head -1)
  [[ "$first" == pg-*": error: "* ]] || { echo "bad message: $output"; return 1; }
  [ -z "${1:-}" ] || [[ "$first" == *"$1"* ]] || { echo "message does not name $1: $first"; return 1; }
  [ "$(printf '%s\n' "$output" | sed 1d)" = "Run with --help for more information." ] || { echo "extra lines: $output"; return 1; }
}
