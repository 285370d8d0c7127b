# Sourced by scripts/test.sh and scripts/test-sanitizers.sh: runs ctest or bats, shows the
# output and adds what passed and failed to $passed and $failed (a run that reports no
# count at all is a failure).
passed=0 failed=0
count_log=$(mktemp)
trap 'rm -f "$count_log"' EXIT
run_ctest() {  # BUILD_DIR
  (cd "$1" && ctest -j2 --output-on-failure) | tee "$count_log"
  local p
  p=$(sed -n 's/.*tests passed, \([0-9]*\) tests failed out of \([0-9]*\).*/\2 \1/p' "$count_log")
  if [ -n "$p" ]; then
    set -- $p
    passed=$((passed + $1 - $2)); failed=$((failed + $2))
  else
    failed=$((failed + 1))
  fi
}
run_bats() {  # SUITE...
  bats --formatter tap "$@" | tee "$count_log"
  passed=$((passed + $(grep -c '^ok ' "$count_log"))); failed=$((failed + $(grep -c '^not ok ' "$count_log")))
  grep -q '^1\.\.' "$count_log" || failed=$((failed + 1))
}
