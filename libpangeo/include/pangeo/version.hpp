// The library's version and those of the libraries it runs with, as `nc-config --version`
// or `cdo -V` report theirs.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace pangeo {

// "0.1.0": the version of libpangeo this program runs with.
const char* version();

// (name, version) of libpangeo and of netCDF-C, HDF5, c-blosc, zstd, libcurl and cairo as
// loaded at run time (not as compiled against).
std::vector<std::pair<std::string, std::string>> component_versions();

// The lines `TOOL --version` prints: "TOOL VERSION" then one "  name version" per component.
std::string version_report(const std::string& tool);

}  // namespace pangeo
