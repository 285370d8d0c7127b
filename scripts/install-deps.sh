#!/usr/bin/env bash
# Installs the Debian 12 packages that building, running and testing need.
# Usage: scripts/install-deps.sh [--test|--fuzz]   (--test adds the oracles the test suite
# uses; --fuzz adds clang, whose libFuzzer scripts/fuzz.sh builds with)
set -euo pipefail
build_pkgs=(build-essential cmake pkg-config libcli11-dev libnetcdf-dev libhdf5-dev
  libblosc-dev libcurl4-openssl-dev libcairo2-dev fonts-dejavu-core nlohmann-json3-dev libfmt-dev zlib1g-dev libzstd-dev
  liblz4-dev libbz2-dev libdeflate-dev liblzma-dev netcdf-bin python3-netcdf4 python3-numpy)
test_pkgs=(bats libgtest-dev python3-xarray python3-zarr python3-dask python3-cftime
  nco cdo ferret-datasets tar procps time awscli python3-botocore rclone libopenmpi-dev openmpi-bin
  slurm-wlm munge python3-matplotlib python3-pil dpkg-dev file man-db)
fuzz_pkgs=(clang)
want=("${build_pkgs[@]}")
[[ "${1:-}" == "--test" ]] && want+=("${test_pkgs[@]}")
[[ "${1:-}" == "--fuzz" ]] && want+=("${test_pkgs[@]}" "${fuzz_pkgs[@]}")
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# s3rver (tests/cloud) comes from npm: Debian's Node.js only where no npm is installed
# (an image's own Node.js bundles npm, and Debian's npm package conflicts with it).
if [[ "${1:-}" == "--test" ]] && ! command -v npm >/dev/null; then missing+=(nodejs npm); fi
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}" >&2
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO=sudo
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
