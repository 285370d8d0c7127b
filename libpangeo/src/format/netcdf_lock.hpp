#pragma once
#include <mutex>

namespace pangeo {
// netCDF-C and HDF5 are not thread-safe: every call into them holds this lock.
std::recursive_mutex& netcdf_mutex();
}  // namespace pangeo
