#!/usr/bin/env bats
# Every tool has a man page that documents every option of its --help.

load helpers

@test "man pages exist and name every option in --help" {
  for tool in pg-info pg-convert pg-select pg-reduce pg-groupby pg-upload pg-plot; do
    page="$SRC/man/$tool.1"
    [ -f "$page" ]
    grep -q "^.SH EXIT STATUS" "$page"
    for code in 0 1 2 130 141; do grep -q "$code" "$page" || { echo "$tool: exit $code undocumented"; return 1; }; done
    grep -q "^.SH STREAMS" "$page" && grep -q "TMPDIR" "$page"
    for opt in $("$tool" --help | grep -oE -- '--[a-z][a-z-]+' | sort -u); do
      grep -q -- "$(echo "$opt" | sed 's/-/\\\\-/g')" "$page" || { echo "$tool: $opt not in the man page"; return 1; }
    done
  done
}
