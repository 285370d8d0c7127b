#!/usr/bin/env bats
# Installed like a Debian tool: cmake --install into a prefix (tools, libpangeo.so.0,
# headers, man pages, pkg-config file, CMake package, bash completion); a program built
# against the installed library with pkg-config and with find_package; the .deb packages
# made by cpack, installed with apt-get, and the demo run from /usr/bin.

load helpers

setup_file() {
  export FIX="$BATS_FILE_TMPDIR/fix" PREFIX="$BATS_FILE_TMPDIR/prefix"
  mkdir -p "$FIX"
  $PY "$SRC/scripts/make-sst.py" "$FIX/sst.nc" --years 2 --res 10
  cmake --install "$SRC/build" --prefix "$PREFIX" >/dev/null
}
setup() { cd "$BATS_TEST_TMPDIR"; }
teardown() {
  # The packages never outlive their test.
  if dpkg-query -W pangeo >/dev/null 2>&1 && [ -f "$BATS_TEST_TMPDIR/.installed" ]; then
    apt-get purge -y -q pangeo pangeo-dev >/dev/null 2>&1 || true
  fi
}

xarray_mean() { $PY -c "import xarray as xr; print(repr(float(xr.open_dataset('$FIX/sst.nc').sst.mean(dtype='float64'))))"; }

@test "cmake --install: tools, versioned library with its SONAME, headers, man pages, pkg-config, CMake package, completion" {
  for t in pg-info pg-convert pg-select pg-reduce pg-groupby pg-upload pg-plot; do
    [ -x "$PREFIX/bin/$t" ]
    [ -f "$PREFIX/share/man/man1/$t.1" ]
    [ -f "$PREFIX/share/bash-completion/completions/$t" ]
    # The installed tool finds the installed library (not the build tree's).
    env -i PATH=/usr/bin:/bin "$PREFIX/bin/$t" --version | head -1 | grep -q "^$t 0.1.0$"
    ldd "$PREFIX/bin/$t" | grep libpangeo | grep -q "$PREFIX"
  done
  lib=$(ls "$PREFIX"/lib*/libpangeo.so.0.1.0)
  objdump -p "$lib" | grep SONAME | grep -q 'libpangeo.so.0$'
  [ -L "$(dirname "$lib")/libpangeo.so" ] && [ -L "$(dirname "$lib")/libpangeo.so.0" ]
  [ -f "$PREFIX/include/pangeo/format.hpp" ] && [ -f "$PREFIX/include/pangeo/version.hpp" ]
  ls "$PREFIX"/lib*/cmake/pangeo/pangeoConfig.cmake
}

@test "library search paths: no empty or relative RUNPATH entry (the loader would search the working directory)" {
  # The tools carry $ORIGIN/../lib; the library needs none (its dependencies are in the
  # system's directories).
  for f in "$SRC"/build/lib/libpangeo.so.0 "$PREFIX"/lib*/libpangeo.so.0 "$SRC"/build/bin/pg-* "$PREFIX"/bin/pg-*; do
    rp=$(objdump -p "$f" | awk '$1 == "RUNPATH" || $1 == "RPATH" {print $2}')
    case "$f" in *libpangeo*) [ -z "$rp" ] || { echo "$f: RUNPATH $rp"; false; } ;; esac
    [ -n "$rp" ] || continue
    IFS=: read -ra parts <<<"$rp:x"
    for p in "${parts[@]:0:${#parts[@]}-1}"; do
      [[ "$p" == /* || "$p" == '$ORIGIN'* ]] || { echo "$f: RUNPATH entry '$p' in '$rp'"; false; }
    done
  done
  # A library of the same name in the working directory is not loaded.
  mkdir trap && cd trap && cp /usr/lib/x86_64-linux-gnu/libz.so.1 ./libz.so.1
  LD_DEBUG=libs pg-info --version 2>"$BATS_TEST_TMPDIR/ld.log" >/dev/null
  grep -q 'trying file=/' "$BATS_TEST_TMPDIR/ld.log"
  run grep 'trying file=[^/]' "$BATS_TEST_TMPDIR/ld.log"
  [ "$status" -eq 1 ] || { echo "$output"; false; }
}

@test "a program built against the installed library with pkg-config gives xarray's mean" {
  export PKG_CONFIG_PATH=$(dirname "$(ls "$PREFIX"/lib*/pkgconfig/pangeo.pc)")
  [ "$(pkg-config --modversion pangeo)" = 0.1.0 ]
  [[ "$(pkg-config --cflags pangeo)" == *"$PREFIX/include"* || "$(pkg-config --cflags pangeo)" == *"/include"* ]]
  g++ -std=c++20 "$SRC/examples/mean.cpp" -o mean $(pkg-config --cflags --libs pangeo) -Wl,-rpath,"$(pkg-config --variable=libdir pangeo)"
  ldd ./mean | grep libpangeo | grep -q "$PREFIX"
  run ./mean "$FIX/sst.nc" sst
  [ "$status" -eq 0 ]
  want=$(xarray_mean)
  $PY -c "import sys; got = float('$output'.split()[2]); assert abs(got - $want) < 1e-9 * abs($want), (got, $want)"
}

@test "the same program built with find_package(pangeo) and target pangeo::pangeo" {
  cmake -S "$SRC/examples" -B ex -DCMAKE_PREFIX_PATH="$PREFIX" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build ex >/dev/null
  ldd ex/mean | grep libpangeo | grep -q "$PREFIX"
  run ex/mean "$FIX/sst.nc" sst
  [ "$status" -eq 0 ]
  [[ "$output" == "sst mean "*"(libpangeo 0.1.0)" ]]
}

@test "bash completion: options, files, and the input's variable and dimension names" {
  export PATH="$PREFIX/bin:$PATH"
  source "$PREFIX/share/bash-completion/completions/pg-reduce"
  complete -p pg-reduce | grep -q _pg_complete
  complete -p pg-plot | grep -q _pg_complete
  cp "$FIX/sst.nc" .
  comp() { COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _pg_complete; echo "${COMPREPLY[*]}"; }
  [ "$(comp pg-reduce sst.nc --dim l)" = "lat= lon=" ]
  [ "$(comp pg-reduce sst.nc --op mean --dim '')" = "time= lat= lon=" ]
  [ "$(comp pg-plot -O sst.nc -v s)" = "sst" ]
  [ "$(comp pg-convert sst.nc -v sst,t)" = "sst,time" ]
  [ "$(comp pg-groupby sst.nc --by time.m)" = "time.month" ]
  [ "$(comp pg-plot --rob)" = "--robust" ]
  [[ "$(comp pg-reduce --)" == *"--dim "*"--memory "*"--weights"* ]]
  [ "$(comp pg-info ss)" = "sst.nc" ]
  [ "$(comp pg-reduce --dim '')" = "" ]   # no input typed yet: nothing to offer
}

@test "--version names the library and the versions of netCDF-C, HDF5, c-blosc, zstd and libcurl in use" {
  run pg-info --version
  [ "$status" -eq 0 ]
  [[ "${lines[0]}" == "pg-info 0.1.0" ]]
  nc=$(nc-config --version | awk '{print $2}')
  [[ "$output" == *"netCDF-C"*"$nc"* ]]
  [[ "$output" == *"HDF5"*"$(dpkg-query -W -f='${Version}' libhdf5-dev | cut -d+ -f1 | cut -d- -f1)"* ]]
  [[ "$output" == *"c-blosc"* && "$output" == *"zstd"* && "$output" == *"libcurl"*"$(curl-config --version 2>/dev/null | awk '{print $2}')"* ]]
  pg-info --json "$FIX/sst.nc" | $PY -c "import json, sys; j = json.load(sys.stdin); assert j['library']['version'] == '0.1.0', j.get('library')"
}

@test "cpack -G DEB: pangeo and pangeo-dev with shlibdeps Depends; apt-get installs them; the tools and the demo run from /usr" {
  [ "$(id -u)" -eq 0 ] || skip "installing packages needs root"
  command -v dpkg-shlibdeps >/dev/null
  (cd "$SRC/build" && cpack -G DEB -B "$BATS_TEST_TMPDIR/debs" >/dev/null)
  deb=$(ls debs/pangeo_0.1.0_*.deb) dev=$(ls debs/pangeo-dev_0.1.0_*.deb)
  depends=$(dpkg-deb -f "$deb" Depends)
  for lib in libnetcdf libhdf5 libblosc libcurl libzstd libcairo2 libc6 fonts-dejavu-core; do
    [[ "$depends" == *"$lib"* ]] || { echo "Depends lacks $lib: $depends"; return 1; }
  done
  dpkg-deb -c "$deb" | grep -q './usr/bin/pg-plot'
  dpkg-deb -c "$dev" | grep "pkgconfig/pangeo.pc$" >/dev/null
  ! dpkg-query -W pangeo >/dev/null 2>&1 || { echo "a pangeo package is installed already"; return 1; }
  touch .installed
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$PWD/$deb" "$PWD/$dev" >/dev/null
  for t in pg-info pg-convert pg-select pg-reduce pg-groupby pg-upload pg-plot; do
    env -i PATH=/usr/bin:/bin "/usr/bin/$t" --version | head -1 | grep -q "^$t 0.1.0$"
  done
  man -w pg-plot | grep -q '^/usr/share/man'
  pkg-config --exists pangeo
  DEMO_DIR="$BATS_TEST_TMPDIR/demo" PG_BIN=/usr/bin "$SRC/scripts/demo.sh" > demo.txt
  grep -q "pictures:" demo.txt
  [ -s demo/nino34.png ]
  apt-get purge -y -q pangeo pangeo-dev >/dev/null
  [ ! -e /usr/bin/pg-info ]
}
