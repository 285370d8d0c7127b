# Shared set-up of the interoperability suites.
load ../cli/helpers
INTEROP="$SRC/tests/interop"
