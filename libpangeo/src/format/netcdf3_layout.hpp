#pragma once
#include <cstdint>
#include <string>

#include "pangeo/status.hpp"

namespace pangeo {
// The number of bytes a netCDF-3 (classic, 64-bit offset, CDF5) file must have for all
// the data its header describes; netCDF-C reads past the end of a truncated file as
// zeros, so this is how a truncated file is told apart. 0 when the header says
// "streaming" (no record count).
Result<uint64_t> netcdf3_required_size(const std::string& path);
}  // namespace pangeo
