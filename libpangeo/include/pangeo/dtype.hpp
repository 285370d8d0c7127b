// Element types of the data model: every netCDF type plus what Zarr v2 stores hold.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "pangeo/status.hpp"

namespace pangeo {

enum class DTypeKind : uint8_t {
  kBool,
  kInt8, kInt16, kInt32, kInt64,
  kUInt8, kUInt16, kUInt32, kUInt64,
  kFloat16, kFloat32, kFloat64,
  kComplex64, kComplex128,
  kChar,     // netCDF char: one byte, numpy "|S1"
  kBytes,    // fixed-width byte string, numpy "|Sn" (itemsize n)
  kUnicode,  // fixed-width UCS-4 string, numpy "<Un" (itemsize 4n)
  kString,   // variable-length UTF-8 string (netCDF string, Zarr "|O" + vlen-utf8)
};

struct DType {
  DTypeKind kind = DTypeKind::kFloat64;
  uint32_t itemsize = 8;  // bytes per element in memory; for kString the size of a slot (unused)

  static DType of(DTypeKind kind, uint32_t itemsize = 0);
  bool operator==(const DType& o) const { return kind == o.kind && itemsize == o.itemsize; }
  bool operator!=(const DType& o) const { return !(*this == o); }

  bool is_integer() const;
  bool is_signed() const;
  bool is_float() const;  // float16/32/64
  bool is_numeric() const { return is_integer() || is_float() || kind == DTypeKind::kBool; }
  bool is_string_like() const {
    return kind == DTypeKind::kChar || kind == DTypeKind::kBytes || kind == DTypeKind::kUnicode ||
           kind == DTypeKind::kString;
  }
  // numpy's short name: "float32", "int16", "|S4", "<U3", "object" ...
  std::string numpy_name() const;
  // netCDF CDL name: "float", "double", "short", "char", "string", ... (empty if none)
  std::string cdl_name() const;
};

// Parses a Zarr v2 / numpy dtype string ("<f4", ">i2", "|b1", "|S4", "<U4", "|O").
// `big_endian` is set for ">" byte orders. "|O" parses as kString.
Result<DType> parse_numpy_dtype(std::string_view text, bool* big_endian = nullptr);
// The Zarr v2 dtype string we write: little endian, e.g. "<f4", "|u1", "|S1", "<U4", "|O".
std::string numpy_dtype_string(const DType& dtype, bool big_endian = false);

// Reads element i of a raw buffer as double (numeric kinds only; float16 is widened).
double load_as_double(const DType& dtype, const void* data, size_t i);
// Writes v (rounded or truncated as numpy's astype does) as element i.
void store_from_double(const DType& dtype, void* data, size_t i, double v);
// Reverses the byte order of n elements of `itemsize` bytes in place.
void byteswap_inplace(void* data, size_t n, size_t itemsize);

float half_to_float(uint16_t h);
uint16_t float_to_half(float f);

}  // namespace pangeo
