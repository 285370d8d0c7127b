// What the netCDF reader and writer share: netCDF-C status codes as Status, netCDF types
// as ours (enums as their base integers, with their labels), attributes read as
// netCDF4-python reads them. Callers hold netcdf_mutex().
#pragma once

#include <netcdf.h>

#include <mutex>
#include <string>
#include <vector>

#include "pangeo/dataset.hpp"

namespace pangeo {

using NetcdfLock = std::lock_guard<std::recursive_mutex>;

// A netCDF-C return code as a Status naming `where`.
Status nc_check(int rc, const std::string& where);
// Atomic netCDF types as ours.
Result<DType> dtype_of(nc_type t);
// Any type of group `grp`: enums as their base integer type (their name and labels in
// *enum_out, when given); compound, vlen and opaque types are kUnsupported naming them.
Result<DType> dtype_of(int grp, nc_type t, Json* enum_out = nullptr);
// The netCDF type we write for `d`.
Result<nc_type> nc_type_of(const DType& d);
// Every attribute of a variable (NC_GLOBAL: of the group).
Status read_attributes(int grp, int varid, int natts, Attributes& out);
// numpy "<Un" elements (UCS-4, NUL padded) as UTF-8 strings, as netCDF4-python writes them.
std::vector<std::string> ucs4_to_utf8(const NdArray& a);

// A variable's location in an open file.
struct NcVar {
  int grp, varid;
};

}  // namespace pangeo
