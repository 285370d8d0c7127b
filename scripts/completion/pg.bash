# Bash completion for the pg-* tools (installed under each tool's name in the
# bash-completion directory; or source this file). Completes options (from the tool's
# --help), files and directories for inputs and outputs, and the variable and dimension
# names of the input already typed (read with pg-info --json) after -v/--vars/--variable/
# --drop/--weights and --dim/--isel/--sel/--chunks/--rolling/--append-dim/--by/--resample.

# The root's dimension or variable names ($2: dimensions|variables) of input $1.
_pg_names() {
  local info=pg-info
  [[ -x "${COMP_WORDS[0]%/*}/pg-info" && ${COMP_WORDS[0]} == */* ]] && info="${COMP_WORDS[0]%/*}/pg-info"
  "$info" --json "$1" 2>/dev/null | awk -v want="$2" '
    /^    "[a-z]+": \[/ { section = $1; gsub(/[":]/, "", section); next }
    /^    [\]}]/ { section = "" }
    section == want && /^        "name": / { n = $2; gsub(/[",]/, "", n); print n }'
}

# Options that take no value (every other option's next word is its value).
_pg_flags=" -O --overwrite -q --quiet --json --progress --no-progress --robust --anon --stats --cdl
  --merge --anomaly --center --dry-run --no-skipna --init --allow-gaps --skip-existing -h --help --version "

# The first word after the command that is neither an option nor an option's value and
# names an existing path or a URL: the input.
_pg_input() {
  local i w prev
  for ((i = 1; i < COMP_CWORD; i++)); do
    w=${COMP_WORDS[i]} prev=${COMP_WORDS[i - 1]}
    [[ $w == -* ]] && continue
    [[ $i -gt 1 && $prev == -* && $_pg_flags != *" $prev "* ]] && continue
    if [[ -e $w || $w == *://* ]]; then
      printf '%s\n' "$w"
      return
    fi
  done
}

_pg_complete() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]} input kind words
  COMPREPLY=()
  case $prev in
    -v|--vars|--variable|--drop|--weights) kind=variables ;;
    --dim|--isel|--sel|--chunks|--rolling|--append-dim|--region) kind=dimensions ;;
    --by|--resample) kind=by ;;
    -o|--output|--scratch)
      COMPREPLY=($(compgen -f -- "$cur"))
      return ;;
    --format|--compressor|--op|--cmap|--size|--dpi|--memory|-j|--threads|--method|--part|--profile|--endpoint-url|--vmin|--vmax|--tolerance|--ddof|--min-periods|--zarr-format|--shards)
      return ;;
  esac
  if [[ -n $kind ]]; then
    input=$(_pg_input)
    [[ -z $input ]] && return
    if [[ $kind == by ]]; then
      words=$(_pg_names "$input" variables | sed 's/$/ /; s/ $//')
      words="$words $(for v in $(_pg_names "$input" variables); do printf '%s.month %s.season %s.year %s.day %s.dayofyear ' "$v" "$v" "$v" "$v" "$v"; done)"
    else
      words=$(_pg_names "$input" "$kind")
    fi
    # Comma lists: complete the last item of "a,b".
    local head="" last=$cur
    if [[ $kind == variables && $cur == *,* ]]; then head=${cur%,*},; last=${cur##*,}; fi
    if [[ $kind == dimensions ]]; then
      COMPREPLY=($(compgen -W "$words" -S = -- "$cur"))
      compopt -o nospace 2>/dev/null
    else
      COMPREPLY=($(compgen -W "$words" -P "$head" -- "$last"))
    fi
    return
  fi
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$("${COMP_WORDS[0]}" --help 2>/dev/null | grep -oE -- '(^|[ ,])--?[A-Za-z][A-Za-z0-9-]*' | tr -d ' ,' | sort -u)" -- "$cur"))
    return
  fi
  COMPREPLY=($(compgen -f -- "$cur"))
}

complete -o filenames -F _pg_complete pg-info pg-convert pg-select pg-reduce pg-groupby pg-upload pg-plot
