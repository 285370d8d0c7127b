#include "pangeo/cf.hpp"

#include <cmath>
#include <cstdio>
#include <regex>

namespace pangeo {

std::optional<double> netcdf_default_fill(const DType& d) {
  switch (d.kind) {
    case DTypeKind::kInt16: return -32767;
    case DTypeKind::kInt32: return -2147483647;
    case DTypeKind::kInt64: return -9223372036854775806.0;
    case DTypeKind::kUInt16: return 65535;
    case DTypeKind::kUInt32: return 4294967295.0;
    case DTypeKind::kUInt64: return 18446744073709551614.0;
    case DTypeKind::kFloat32: return double(9.9692099683868690e+36f);
    case DTypeKind::kFloat64: return 9.9692099683868690e+36;
    default: return std::nullopt;  // bytes have none (netCDF-C: the range is too small), text neither
  }
}

namespace {
DTypeKind twin_kind(DTypeKind k) {
  switch (k) {
    case DTypeKind::kInt8: return DTypeKind::kUInt8;
    case DTypeKind::kInt16: return DTypeKind::kUInt16;
    case DTypeKind::kInt32: return DTypeKind::kUInt32;
    case DTypeKind::kInt64: return DTypeKind::kUInt64;
    case DTypeKind::kUInt8: return DTypeKind::kInt8;
    case DTypeKind::kUInt16: return DTypeKind::kInt16;
    case DTypeKind::kUInt32: return DTypeKind::kInt32;
    case DTypeKind::kUInt64: return DTypeKind::kInt64;
    default: return k;
  }
}

// Whether _Unsigned turns the stored integers into their twin type.
bool flips_sign(const Variable& v) {
  if (!v.dtype.is_integer() || v.dtype.kind == DTypeKind::kBool) return false;
  const auto u = v.attrs.text("_Unsigned");
  if (!u) return false;
  return v.dtype.is_signed() ? *u == "true" : *u == "false";
}

// Whether a mask applies: a _FillValue or missing_value number that is not NaN.
bool has_mask(const Variable& v) {
  for (const char* name : {"_FillValue", "missing_value"})
    if (const AttrValue* a = v.attrs.find(name); a && !a->is_text())
      for (double f : a->numbers())
        if (f == f) return true;
  return false;
}
}  // namespace

DType unsigned_view(const Variable& v) { return flips_sign(v) ? DType::of(twin_kind(v.dtype.kind)) : v.dtype; }

DType decoded_dtype(const Variable& v) {
  // xarray stores booleans in netCDF as bytes with dtype = "bool", and reads them back so.
  if (v.dtype.is_integer() && v.attrs.text("dtype").value_or("") == "bool") return DType::of(DTypeKind::kBool);
  DType d = unsigned_view(v);
  const DType f32 = DType::of(DTypeKind::kFloat32), f64 = DType::of(DTypeKind::kFloat64);
  if (d.kind == DTypeKind::kFloat16) return f32;  // computed in float32 (float16 is for storage)
  if (has_mask(v) && d.is_integer() && d.kind != DTypeKind::kBool) d = d.itemsize <= 2 ? f32 : f64;
  const bool offset = v.attrs.find("add_offset") != nullptr;
  if (v.attrs.find("scale_factor") || offset) {
    if (d.is_float()) return d.itemsize <= 4 ? f32 : f64;
    return d.is_integer() && d.itemsize <= 2 && !offset ? f32 : f64;
  }
  return d;
}

MaskAndScale::MaskAndScale(const Variable& v) {
  if (flips_sign(v)) {
    twin_bits_ = int(8 * v.dtype.itemsize);
    twin_signed_ = !v.dtype.is_signed();
  }
  for (const char* name : {"_FillValue", "missing_value"})
    if (const AttrValue* a = v.attrs.find(name); a && !a->is_text())
      for (double f : a->numbers()) {
        // Compare in the variable's own precision, as xarray does (float32 -1e34 etc.).
        if (v.dtype.kind == DTypeKind::kFloat32) f = double(float(f));
        // _Unsigned turns _FillValue into the twin type too (missing_value stays, as xarray
        // leaves it).
        if (twin_bits_ && std::string(name) == "_FillValue") f = twin(f);
        fills_.push_back(f);
      }
  // A time coordinate without _FillValue that holds netCDF's default fill (unwritten
  // records) would decode to dates millions of years away: those values are missing, as
  // netCDF-C's default-fill rule says. Other variables keep them, as xarray does.
  if (!v.attrs.find("_FillValue") && is_time_variable(v))
    if (auto f = netcdf_default_fill(v.dtype)) fills_.push_back(*f);
  if (auto s = v.attrs.number("scale_factor")) scale_ = *s;
  if (auto o = v.attrs.number("add_offset")) offset_ = *o;
  single_ = packed() && decoded_dtype(v).kind == DTypeKind::kFloat32;
}

namespace {
template <typename T>
void decode_typed(const T* p, size_t n, const MaskAndScale& ms, std::vector<double>& out) {
  const auto& fills = ms.fills();
  if (fills.empty() && !ms.packed()) {
    for (size_t i = 0; i < n; ++i) out[i] = double(p[i]);
    return;
  }
  const double nan = std::numeric_limits<double>::quiet_NaN();
  if (fills.size() <= 2) {
    // The common case (a _FillValue and a missing_value): no inner loop.
    const double f0 = fills.empty() ? nan : fills[0], f1 = fills.size() > 1 ? fills[1] : f0;
    const bool nan_fill = f0 != f0 || f1 != f1;
    for (size_t i = 0; i < n; ++i) {
      double x = double(p[i]);
      bool masked = x == f0 || x == f1 || (nan_fill && x != x);
      out[i] = masked ? nan : ms.unpack(x);
    }
    return;
  }
  for (size_t i = 0; i < n; ++i) {
    double x = double(p[i]);
    bool masked = false;
    for (double f : fills) masked |= x == f || (f != f && x != x);
    out[i] = masked ? nan : ms.unpack(x);
  }
}
}  // namespace

void MaskAndScale::decode_all(const NdArray& raw, std::vector<double>& out) const {
  const size_t n = raw.size();
  out.resize(n);
  const void* p = raw.bytes.data();
  // Same-width twins: the stored bytes read as the _Unsigned type.
  const DTypeKind kind = twin_bits_ && int(raw.dtype.itemsize) * 8 == twin_bits_ ? twin_kind(raw.dtype.kind) : raw.dtype.kind;
  switch (kind) {
    case DTypeKind::kInt8: decode_typed(static_cast<const int8_t*>(p), n, *this, out); return;
    case DTypeKind::kUInt8: decode_typed(static_cast<const uint8_t*>(p), n, *this, out); return;
    case DTypeKind::kInt16: decode_typed(static_cast<const int16_t*>(p), n, *this, out); return;
    case DTypeKind::kUInt16: decode_typed(static_cast<const uint16_t*>(p), n, *this, out); return;
    case DTypeKind::kInt32: decode_typed(static_cast<const int32_t*>(p), n, *this, out); return;
    case DTypeKind::kUInt32: decode_typed(static_cast<const uint32_t*>(p), n, *this, out); return;
    case DTypeKind::kInt64: decode_typed(static_cast<const int64_t*>(p), n, *this, out); return;
    case DTypeKind::kUInt64: decode_typed(static_cast<const uint64_t*>(p), n, *this, out); return;
    case DTypeKind::kFloat32: decode_typed(static_cast<const float*>(p), n, *this, out); return;
    case DTypeKind::kFloat64: decode_typed(static_cast<const double*>(p), n, *this, out); return;
    default:
      for (size_t i = 0; i < n; ++i) out[i] = decode(raw, i);
  }
}

Result<Calendar> parse_calendar(const std::string& raw) {
  std::string n;
  for (char c : raw) n += char(std::tolower(static_cast<unsigned char>(c)));
  if (n.empty() || n == "standard" || n == "gregorian") return Calendar::kStandard;
  if (n == "proleptic_gregorian") return Calendar::kProlepticGregorian;
  if (n == "noleap" || n == "365_day") return Calendar::kNoLeap;
  if (n == "all_leap" || n == "366_day") return Calendar::kAllLeap;
  if (n == "360_day") return Calendar::k360Day;
  if (n == "julian") return Calendar::kJulian;
  return unsupported("unknown calendar \"{}\"", raw);
}

const char* calendar_name(Calendar c) {
  switch (c) {
    case Calendar::kStandard: return "standard";
    case Calendar::kProlepticGregorian: return "proleptic_gregorian";
    case Calendar::kNoLeap: return "noleap";
    case Calendar::kAllLeap: return "all_leap";
    case Calendar::k360Day: return "360_day";
    case Calendar::kJulian: return "julian";
  }
  return "?";
}

namespace {
constexpr int kCum[2][13] = {{0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365},
                             {0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335, 366}};

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// Gregorian (proleptic) day number with day 0 = 0001-01-01 (Hinnant's algorithm).
int64_t gregorian_days(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = floor_div(y, 400);
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 306;  // 306: 0000-03-01 .. 0001-01-01
}
void gregorian_date(int64_t z, int64_t* y, int* m, int* d) {
  z += 306;
  const int64_t era = floor_div(z, 146097);
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  *d = int(doy - (153 * mp + 2) / 5 + 1);
  *m = int(mp < 10 ? mp + 3 : mp - 9);
  *y = yoe + era * 400 + (*m <= 2);
}
// Julian calendar day number, day 0 = 0001-01-01 (Julian), shifted to the Gregorian day 0.
int64_t julian_days(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = floor_div(y, 4);
  const int64_t yoe = y - era * 4;
  const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  return era * 1461 + yoe * 365 + doy - 306 - 2;  // Julian 0001-01-01 is Gregorian 0000-12-30
}
void julian_date(int64_t z, int64_t* y, int* m, int* d) {
  z += 306 + 2;
  const int64_t era = floor_div(z, 1461);
  const int64_t doe = z - era * 1461;
  const int64_t yoe = std::min<int64_t>(doe / 365, 3);
  const int64_t doy = doe - 365 * yoe;
  const int64_t mp = (5 * doy + 2) / 153;
  *d = int(doy - (153 * mp + 2) / 5 + 1);
  *m = int(mp < 10 ? mp + 3 : mp - 9);
  *y = yoe + era * 4 + (*m <= 2);
}
const int64_t kGregorianStart = gregorian_days(1582, 10, 15);
}  // namespace

int64_t days_from_date(Calendar c, int64_t y, int m, int d) {
  switch (c) {
    case Calendar::kProlepticGregorian: return gregorian_days(y, m, d);
    case Calendar::kJulian: return julian_days(y, m, d);
    case Calendar::kStandard:
      if (y > 1582 || (y == 1582 && (m > 10 || (m == 10 && d >= 15)))) return gregorian_days(y, m, d);
      return julian_days(y, m, d);
    case Calendar::kNoLeap: return (y - 1) * 365 + kCum[0][m - 1] + d - 1;
    case Calendar::kAllLeap: return (y - 1) * 366 + kCum[1][m - 1] + d - 1;
    case Calendar::k360Day: return (y - 1) * 360 + (m - 1) * 30 + d - 1;
  }
  return 0;
}

void date_from_days(Calendar c, int64_t z, int64_t* y, int* m, int* d) {
  auto fixed = [&](int len, int leap) {
    int64_t yy = floor_div(z, len);
    int doy = int(z - yy * len);
    *y = yy + 1;
    int mm = 1;
    while (mm < 12 && kCum[leap][mm] <= doy) ++mm;
    *m = mm;
    *d = doy - kCum[leap][mm - 1] + 1;
  };
  switch (c) {
    case Calendar::kProlepticGregorian: gregorian_date(z, y, m, d); return;
    case Calendar::kJulian: julian_date(z, y, m, d); return;
    case Calendar::kStandard:
      if (z >= kGregorianStart) gregorian_date(z, y, m, d);
      else julian_date(z, y, m, d);
      return;
    case Calendar::kNoLeap: fixed(365, 0); return;
    case Calendar::kAllLeap: fixed(366, 1); return;
    case Calendar::k360Day: {
      int64_t yy = floor_div(z, 360);
      int doy = int(z - yy * 360);
      *y = yy + 1;
      *m = doy / 30 + 1;
      *d = doy % 30 + 1;
      return;
    }
  }
}

Result<TimeUnits> TimeUnits::parse(const std::string& units, const std::string& calendar) {
  static const std::regex re(
      R"(^\s*(\w+)\s+since\s+(-?\d+)-(\d{1,2})-(\d{1,2})(?:[T\s]+(\d{1,2})(?::(\d{1,2})(?::(\d{1,2}(?:\.\d*)?))?)?)?\s*(Z|UTC|GMT|[+-]\d{1,2}(?::?\d{2})?)?\s*$)",
      std::regex::icase);
  std::smatch m;
  // Units are short; longer text is refused before the matcher (which recurses per character).
  if (units.size() > 256 || !std::regex_match(units, m, re))
    return invalid_argument("cannot parse time units \"{}\"", units.size() > 256 ? units.substr(0, 64) + "..." : units);
  TimeUnits t;
  PG_ASSIGN_OR_RETURN(t.calendar_, parse_calendar(calendar));
  std::string u = m[1].str();
  for (auto& c : u) c = char(std::tolower(static_cast<unsigned char>(c)));
  // cftime's names (xarray decodes with pandas or cftime), and a few more.
  auto is = [&u](std::initializer_list<const char*> names) {
    for (const char* n : names)
      if (u == n) return true;
    return false;
  };
  const Calendar cal = t.calendar_;
  if (is({"days", "day", "d"})) t.unit_seconds_ = 86400;
  else if (is({"hours", "hour", "hrs", "hr", "h"})) t.unit_seconds_ = 3600;
  else if (is({"minutes", "minute", "mins", "min"})) t.unit_seconds_ = 60;
  else if (is({"seconds", "second", "secs", "sec", "s"})) t.unit_seconds_ = 1;
  else if (is({"milliseconds", "millisecond", "millisecs", "millisec", "msecs", "msec", "ms"})) t.unit_seconds_ = 1e-3;
  else if (is({"microseconds", "microsecond", "microsecs", "microsec", "usecs", "us"})) t.unit_seconds_ = 1e-6;
  else if (is({"weeks", "week"})) t.unit_seconds_ = 7 * 86400;
  // Months and years have a fixed length only in these calendars (as cftime allows them).
  else if (is({"months", "month"}) && cal == Calendar::k360Day) t.unit_seconds_ = 30 * 86400;
  else if (is({"common_years", "common_year"}) && cal == Calendar::kNoLeap) t.unit_seconds_ = 365 * 86400;
  else return unsupported("time unit \"{}\" in \"{}\"", u, units);
  // Years of more than 9 digits are no calendar's (and would not fit the conversions below).
  if (m[2].length() > (m[2].str()[0] == '-' ? 10 : 9)) return invalid_argument("bad reference date in \"{}\"", units);
  int64_t y = std::stoll(m[2].str());
  int mo = std::stoi(m[3].str()), d = std::stoi(m[4].str());
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return invalid_argument("bad reference date in \"{}\"", units);
  double secs = 0;
  // An hour without minutes ("2000-1-1 12", "1990-01-01T06") counts where xarray reads the
  // reference with pandas (the standard calendars); cftime, which reads the others, leaves it.
  const bool pandas = cal == Calendar::kStandard || cal == Calendar::kProlepticGregorian;
  if (m[5].matched && (m[6].matched || pandas)) secs += std::stoi(m[5].str()) * 3600.0;
  if (m[6].matched) secs += std::stoi(m[6].str()) * 60.0;
  if (m[7].matched) secs += std::stod(m[7].str());
  if (m[8].matched) {
    std::string tz = m[8].str();
    if (tz[0] == '+' || tz[0] == '-') {
      std::string digits;
      for (char c : tz.substr(1))
        if (std::isdigit(static_cast<unsigned char>(c))) digits += c;
      int hh = 0, mm = 0;
      if (digits.size() <= 2) hh = std::stoi(digits);
      else {
        hh = std::stoi(digits.substr(0, digits.size() - 2));
        mm = std::stoi(digits.substr(digits.size() - 2));
      }
      double off = hh * 3600.0 + mm * 60.0;
      secs -= tz[0] == '+' ? off : -off;
    }
  }
  t.ref_days_ = days_from_date(t.calendar_, y, mo, d);
  t.ref_second_ = secs;
  t.ref_seconds_ = double(t.ref_days_) * 86400.0 + secs;
  return t;
}

DateTime TimeUnits::to_datetime(double value) const {
  // From the reference day (not from day 0: seconds since 0001 leave ~10 us of precision).
  double since = ref_second_ + value * unit_seconds_;
  // Round to microseconds to absorb float error, as cftime does.
  double us = std::round(since * 1e6);
  const int64_t more = int64_t(std::floor(us / 86400e6));
  const int64_t days = ref_days_ + more;
  double rem = (us - double(more) * 86400e6) / 1e6;
  DateTime dt;
  date_from_days(calendar_, days, &dt.year, &dt.month, &dt.day);
  dt.hour = int(rem / 3600);
  rem -= dt.hour * 3600.0;
  dt.minute = int(rem / 60);
  dt.second = rem - dt.minute * 60.0;
  if (dt.second < 0) dt.second = 0;
  return dt;
}

std::string DateTime::iso(bool always_time) const {
  std::string s = year < 0 ? fmt::format("-{:04d}-{:02d}-{:02d}", -year, month, day)
                           : fmt::format("{:04d}-{:02d}-{:02d}", year, month, day);
  if (!always_time && hour == 0 && minute == 0 && second == 0) return s;
  s += fmt::format("T{:02d}:{:02d}", hour, minute);
  double whole = std::floor(second);
  if (second - whole > 1e-7) s += fmt::format(":{:09.6f}", second);
  else s += fmt::format(":{:02d}", int(whole));
  return s;
}

Result<TimeUnits> TimeUnits::of(const Variable& v) {
  auto units = v.attrs.text("units");
  if (!units) return invalid_argument("\"{}\" has no units", v.name);
  return parse(*units, v.attrs.text("calendar").value_or(""));
}

bool is_time_variable(const Variable& v) {
  auto units = v.attrs.text("units");
  if (!units || !v.dtype.is_numeric()) return false;
  return units->find(" since ") != std::string::npos;
}

}  // namespace pangeo
