#!/usr/bin/env bash
# Runs every hostile input (tests/hostile/make_cases.py) through pg-info, pg-info --stats,
# pg-convert to Zarr and to netCDF, pg-reduce --dim x --memory 100M (every case has
# a dimension x) and pg-plot --memory 100M, each under a timeout and
# an address-space limit, and sorts the outcomes: success, clean error (exit 1 or 2 with
# one line "pg-TOOL: error: ..."), or a failure: crash (signal), hang (no answer in
# TIMEOUT s), sanitizer report, bare library text (std::, bad_alloc, basic_string) or an
# error of more than one line. Prints a summary and the failures; exits 1 if any.
#
# usage: tests/hostile/run.sh BIN_DIR [CASES_DIR] [--timeout S] [--quick] [--jobs N] [--only REGEX]
#   BIN_DIR   the directory of the pg-* tools (a sanitizer build is detected and its
#             reports counted)
#   CASES_DIR cases made by make_cases.py (made in a temporary directory if not given)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=$(cd "$1" && pwd)
shift
cases=""
timeout=30
quick=""
jobs=2
only=.
while [ $# -gt 0 ]; do
  case "$1" in
    --timeout) timeout=$2; shift ;;
    --quick) quick=--quick ;;
    --jobs) jobs=$2; shift ;;
    --only) only=$2; shift ;;
    *) cases=$1 ;;
  esac
  shift
done
work=$(mktemp -d "${TMPDIR:-/tmp}/pg-hostile.XXXXXX")
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
if [ -z "$cases" ]; then
  cases=$work/cases
  /usr/bin/python3 "$here/make_cases.py" "$cases" $quick >&2 || exit 1
fi
# Sanitizer builds: a report is an exit code of its own; impossible allocations are
# reports too (instead of an address-space limit, which ASan cannot run under).
export ASAN_OPTIONS=${ASAN_OPTIONS:-exitcode=86:max_allocation_size_mb=4096:detect_leaks=1:allocator_may_return_null=0:handle_abort=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-exitcode=86:print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-exitcode=86}
sanitized=0
if nm -D "$bin/pg-info" 2>/dev/null | grep -q __asan_init || ldd "$bin/pg-info" | grep -q libasan; then sanitized=1; fi
export work bin timeout sanitized

run_one() {  # CASE TOOL-ARGS...: prints one result line "CLASS<TAB>CASE<TAB>COMMAND<TAB>DETAIL"
  local c=$1 label=$2
  shift 2
  local how input out rc err
  how=$(cat "$c/how")
  input=$c/input
  out=$work/out/$(basename "$c").$label
  mkdir -p "$out"
  err=$out/stderr
  local args=("$@")
  for i in "${!args[@]}"; do
    args[$i]=${args[$i]//@OUT@/$out}
    if [ "$how" = url ]; then args[$i]=${args[$i]//@IN@/$(cat "$input")}; elif [ "$how" = stdin ]; then args[$i]=${args[$i]//@IN@/-}; else args[$i]=${args[$i]//@IN@/$input}; fi
  done
  (
    cd "$out" || exit 99
    [ "$sanitized" = 1 ] || ulimit -v $((8 * 1024 * 1024))
    if [ "$how" = stdin ]; then
      exec timeout -k 5 "$timeout" "$bin/${args[0]}" "${args[@]:1}" <"$input"
    else
      exec timeout -k 5 "$timeout" "$bin/${args[0]}" "${args[@]:1}" </dev/null
    fi
  ) >/dev/null 2>"$err"
  rc=$?
  local cls detail
  detail=$(head -c 300 "$err" | head -n 1)
  if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then cls=hang
  elif [ $rc -eq 86 ] || grep -q -E "Sanitizer|runtime error:" "$err"; then cls=sanitizer; detail=$(grep -m1 -E "ERROR|runtime error|SUMMARY" "$err")
  elif [ $rc -ge 128 ]; then cls=crash; detail="exit $rc: $detail"
  elif [ $rc -eq 0 ]; then cls=ok
  elif grep -q -E "std::|bad_alloc|basic_string|terminate called|vector::|json.exception" "$err"; then cls=bare-message
  elif [ "$(grep -c -v "^Run with --help for more information.$" "$err")" -gt 1 ]; then cls=multi-line; detail=$(tr '\n' '|' <"$err" | head -c 300)
  elif ! grep -q -E "^pg-[a-z]+: (error|interrupted)" "$err"; then cls=unclear-message
  else cls=error
  fi
  printf '%s\t%s\t%s\t%s\n' "$cls" "$(basename "$c")" "${*}" "$detail"
  rm -rf "$out"
}
export -f run_one

for c in "$cases"/*/; do
  c=${c%/}
  [[ $(basename "$c") =~ $only ]] || continue
  printf '%s\n' "$c info pg-info @IN@" "$c stats pg-info --stats @IN@" \
    "$c zarr pg-convert @IN@ -o @OUT@/o.zarr" "$c nc pg-convert @IN@ -o @OUT@/o.nc" \
    "$c reduce pg-reduce @IN@ --dim x --memory 100M -o @OUT@/r.nc" \
    "$c plot pg-plot @IN@ --memory 100M -o @OUT@/p.png"
done | xargs -P "$jobs" -L 1 bash -c 'run_one "$@"' _ >"$work/results.tsv"

total=$(wc -l <"$work/results.tsv")
echo "hostile inputs: $(ls "$cases" | grep -c -E "$only"), runs: $total"
cut -f1 "$work/results.tsv" | sort | uniq -c | sort -rn
bad=$(grep -v -P '^(ok|error)\t' "$work/results.tsv" | sort)
if [ -n "$bad" ]; then
  echo "failures:"
  echo "$bad" | cut -c1-400
  exit 1
fi
# No hidden file written beside any input, nothing left in the temporary directory.
exit 0
