// CF conventions as xarray decodes them: missing values, packing, time coordinates in
// every CF calendar (CF 1.11 sections 2.5.1, 4.4, 8.1).
#pragma once

#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "pangeo/dataset.hpp"

namespace pangeo {

// netCDF's default fill value of a numeric type (netcdf.h NC_FILL_*); none for bytes.
std::optional<double> netcdf_default_fill(const DType& d);

// The type of a variable's values as xarray sees them before masking and unpacking: the
// stored type, or its unsigned (signed) twin where _Unsigned is "true" ("false"), the
// netCDF-3 way of storing unsigned integers (xarray's UnsignedIntegerCoder).
DType unsigned_view(const Variable& v);

// The type xarray decodes a variable to (xarray 2023.01's CF coders, in their order):
// _Unsigned; a mask where _FillValue or missing_value holds a value other than NaN
// (integers of up to 2 bytes become float32, wider ones float64); then scale_factor or
// add_offset (floats of up to 4 bytes become float32, integers of up to 2 bytes float32
// without add_offset, all else float64). Times are not decoded here.
DType decoded_dtype(const Variable& v);

// Masking (_FillValue, missing_value) and unpacking (scale_factor, add_offset), after
// _Unsigned. A CF time variable without _FillValue also masks netCDF's default fill of its
// type.
class MaskAndScale {
 public:
  explicit MaskAndScale(const Variable& v);
  // The decoded value of stored element i of `raw` (NaN when masked).
  double decode(const NdArray& raw, size_t i) const {
    double x = raw.as_double(i);
    if (twin_bits_) x = twin(x);
    if (masks(x)) return std::numeric_limits<double>::quiet_NaN();
    return unpack(x);
  }
  // An unmasked stored value unpacked: x * scale_factor + add_offset, each step rounded to
  // float32 where xarray decodes to float32 (numpy computes a float32 array times a
  // scalar in float32), so that minima, maxima and selections are xarray's to the bit.
  double unpack(double x) const {
    if (!single_) return x * scale_ + offset_;
    float r = float(x) * float(scale_);
    if (offset_ != 0.0) r += float(offset_);
    return double(r);
  }
  // Whether stored values are read as their _Unsigned twin type.
  bool reinterprets() const { return twin_bits_ != 0; }
  bool masks(double x) const {
    for (double f : fills_)
      if (x == f || (f != f && x != x)) return true;
    return false;
  }
  bool packed() const { return scale_ != 1.0 || offset_ != 0.0; }
  const std::vector<double>& fills() const { return fills_; }
  double scale() const { return scale_; }
  double offset() const { return offset_; }
  // Decodes every element of `raw` into `out` (one type dispatch for the whole buffer).
  void decode_all(const NdArray& raw, std::vector<double>& out) const;

 private:
  // A stored value as the twin type reads it (two's complement of twin_bits_ bits).
  double twin(double x) const {
    const double span = std::ldexp(1.0, twin_bits_);
    return twin_signed_ ? (x >= span / 2 ? x - span : x) : (x < 0 ? x + span : x);
  }
  std::vector<double> fills_;
  double scale_ = 1.0, offset_ = 0.0;
  int twin_bits_ = 0;         // the stored integers' width, where _Unsigned flips their sign
  bool twin_signed_ = false;  // the twin is signed (_Unsigned "false" on unsigned storage)
  bool single_ = false;       // packed, and decoded to float32
};

enum class Calendar { kStandard, kProlepticGregorian, kNoLeap, kAllLeap, k360Day, kJulian };

Result<Calendar> parse_calendar(const std::string& name);  // "" -> standard
const char* calendar_name(Calendar c);

struct DateTime {
  int64_t year = 1970;
  int month = 1, day = 1, hour = 0, minute = 0;
  double second = 0;
  // "YYYY-MM-DD", "YYYY-MM-DDTHH:MM" ... the shortest exact ISO form.
  std::string iso(bool always_time = false) const;
};

// "UNIT since REFERENCE" for one calendar.
class TimeUnits {
 public:
  static Result<TimeUnits> parse(const std::string& units, const std::string& calendar);
  // The units and calendar attributes of a variable (an error where it has no units).
  static Result<TimeUnits> of(const Variable& v);
  // Seconds from the calendar's day 0 (0001-01-01 for all calendars here) to value.
  double to_seconds(double value) const { return ref_seconds_ + value * unit_seconds_; }
  double from_seconds(double seconds) const { return (seconds - ref_seconds_) / unit_seconds_; }
  DateTime to_datetime(double value) const;
  Calendar calendar() const { return calendar_; }
  double unit_seconds() const { return unit_seconds_; }

 private:
  Calendar calendar_ = Calendar::kStandard;
  double unit_seconds_ = 86400;
  double ref_seconds_ = 0;
  int64_t ref_days_ = 0;     // the reference: day number,
  double ref_second_ = 0;    // and seconds into it (time of day less the zone offset)
};

// Day number of a date (day 0 = 0001-01-01) and back, in a calendar.
int64_t days_from_date(Calendar c, int64_t y, int m, int d);
void date_from_days(Calendar c, int64_t days, int64_t* y, int* m, int* d);

// Whether a variable holds CF times (units "X since Y").
bool is_time_variable(const Variable& v);

}  // namespace pangeo
