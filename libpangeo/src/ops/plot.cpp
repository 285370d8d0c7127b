// pg-plot's data side: which variable, its axes, the cells averaged down to the pixels
// drawn (chunk-parallel, within the memory budget), the title and the colour limits, as
// xarray's DataArray.plot() decides them. Drawing is plot_render.cpp's.
#include "pangeo/plot.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <mutex>
#include <set>
#include <sstream>

#include "pangeo/select.hpp"
#include "reduction.hpp"

namespace pangeo {

namespace {

struct NamedTable {
  const char* name;
  const char* hex;
};
const NamedTable kTables[] = {
#include "colormaps.inc"
};

int hex_digit(char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; }

}  // namespace

Result<Colormap> Colormap::named(const std::string& name) {
  bool reversed = name.size() > 2 && name.compare(name.size() - 2, 2, "_r") == 0;
  std::string base = reversed ? name.substr(0, name.size() - 2) : name;
  for (const auto& t : kTables) {
    if (base != t.name) continue;
    Colormap c;
    c.name_ = name;
    const std::string_view hex(t.hex);
    for (size_t i = 0; i + 6 <= hex.size(); i += 6)
      c.lut_.push_back(Rgb{uint8_t(hex_digit(hex[i]) * 16 + hex_digit(hex[i + 1])),
                           uint8_t(hex_digit(hex[i + 2]) * 16 + hex_digit(hex[i + 3])),
                           uint8_t(hex_digit(hex[i + 4]) * 16 + hex_digit(hex[i + 5]))});
    if (reversed) std::reverse(c.lut_.begin(), c.lut_.end());
    return c;
  }
  std::string known;
  for (const auto& t : kTables) known += (known.empty() ? "" : ", ") + std::string(t.name);
  return invalid_argument("unknown colormap \"{}\" (known: {}; NAME_r reverses one)", name, known);
}

std::vector<std::string> Colormap::names() {
  std::vector<std::string> out;
  for (const auto& t : kTables) out.push_back(t.name);
  return out;
}

Rgb Colormap::at(double t) const {
  const int n = int(lut_.size());
  double x = t * n;
  int i = !(x >= 0) ? 0 : x >= n ? n - 1 : int(x);
  return lut_[size_t(i)];
}

Result<PictureFormat> picture_format_for(const std::string& path, const std::string& explicit_format) {
  std::string f = explicit_format;
  if (f.empty()) {
    auto dot = path.rfind('.');
    if (dot != std::string::npos && path.find('/', dot) == std::string::npos) f = path.substr(dot + 1);
    std::transform(f.begin(), f.end(), f.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    if (f != "png" && f != "svg")
      return invalid_argument("{}: cannot tell the picture format from the name (use .png or .svg, or --format)", path);
  }
  if (f == "png") return PictureFormat::kPng;
  if (f == "svg") return PictureFormat::kSvg;
  return invalid_argument("unknown picture format \"{}\" (png or svg)", f);
}

// ---- ticks, labels, text -----------------------------------------------------------------

std::vector<double> nice_ticks(double lo, double hi, int nbins) {
  if (!(hi > lo) || !std::isfinite(lo) || !std::isfinite(hi)) return {lo};
  nbins = std::max(1, nbins);
  const double raw = (hi - lo) / nbins;
  const double scale = std::pow(10.0, std::floor(std::log10(raw)));
  const double steps[] = {1, 2, 2.5, 5, 10, 20};
  for (double s : steps) {
    const double step = s * scale;
    const double first = std::ceil(lo / step - 1e-9), last = std::floor(hi / step + 1e-9);
    if (last - first > nbins) continue;
    std::vector<double> out;
    for (double k = first; k <= last; ++k) {
      // k * s / 10^-e rather than k * s * 10^e: 0.15, not 0.15000000000000002.
      double v = scale < 1 ? k * s / std::round(1 / scale) : k * step;
      if (std::abs(v) < step * 1e-9) v = 0;
      out.push_back(v);
    }
    return out;
  }
  return {lo, hi};
}

std::vector<std::string> tick_labels(const std::vector<double>& ticks) {
  // The fewest decimals that write every tick exactly (to 1e-9 of the step).
  int decimals = 0;
  for (; decimals < 10; ++decimals) {
    bool exact = true;
    const double p = std::pow(10.0, decimals);
    for (double t : ticks) {
      double scaled = t * p;
      if (std::abs(scaled - std::round(scaled)) > 1e-6 * std::max(1.0, std::abs(scaled))) exact = false;
    }
    if (exact) break;
  }
  const bool huge = std::any_of(ticks.begin(), ticks.end(), [](double t) { return std::abs(t) >= 1e7; });
  std::vector<std::string> out;
  for (double t : ticks) {
    std::string s = huge ? fmt::format("{:g}", t) : fmt::format("{:.{}f}", t, decimals);
    if (!s.empty() && s[0] == '-') s = "\u2212" + s.substr(1);  // matplotlib's minus sign
    out.push_back(s);
  }
  return out;
}

namespace {

struct DateUnit {
  enum Kind { kYear, kMonth, kDay, kHour, kMinute } kind;
  int step;
};

std::string date_label(Calendar c, double days, DateUnit::Kind kind) {
  double whole = std::floor(days + 1e-9);
  int64_t y;
  int m, d;
  date_from_days(c, int64_t(whole), &y, &m, &d);
  int minutes = int(std::llround((days - whole) * 1440.0));
  if (minutes >= 1440) minutes = 1439;
  switch (kind) {
    case DateUnit::kYear: return fmt::format("{:04d}", y);
    case DateUnit::kMonth: return fmt::format("{:04d}-{:02d}", y, m);
    case DateUnit::kDay: return fmt::format("{:04d}-{:02d}-{:02d}", y, m, d);
    case DateUnit::kHour: return fmt::format("{:02d}-{:02d} {:02d}", m, d, minutes / 60);
    case DateUnit::kMinute: return fmt::format("{:02d} {:02d}:{:02d}", d, minutes / 60, minutes % 60);
  }
  return "";
}

}  // namespace

std::vector<DateTick> date_ticks(double lo, double hi, Calendar c, int max_ticks) {
  max_ticks = std::max(2, max_ticks);
  const DateUnit units[] = {{DateUnit::kMinute, 1},  {DateUnit::kMinute, 5},  {DateUnit::kMinute, 10},
                            {DateUnit::kMinute, 15}, {DateUnit::kMinute, 30}, {DateUnit::kHour, 1},
                            {DateUnit::kHour, 2},    {DateUnit::kHour, 3},    {DateUnit::kHour, 6},
                            {DateUnit::kHour, 12},   {DateUnit::kDay, 1},     {DateUnit::kDay, 2},
                            {DateUnit::kDay, 7},     {DateUnit::kDay, 14},    {DateUnit::kMonth, 1},
                            {DateUnit::kMonth, 2},   {DateUnit::kMonth, 3},   {DateUnit::kMonth, 4},
                            {DateUnit::kMonth, 6},   {DateUnit::kYear, 1},    {DateUnit::kYear, 2},
                            {DateUnit::kYear, 5},    {DateUnit::kYear, 10},   {DateUnit::kYear, 20},
                            {DateUnit::kYear, 50},   {DateUnit::kYear, 100},  {DateUnit::kYear, 200},
                            {DateUnit::kYear, 500},  {DateUnit::kYear, 1000}, {DateUnit::kYear, 2000},
                            {DateUnit::kYear, 5000}, {DateUnit::kYear, 10000}};
  const double span = hi - lo;
  if (!(span > 0) || !std::isfinite(span)) return {};
  for (const auto& u : units) {
    double approx = u.kind == DateUnit::kMinute ? u.step / 1440.0
                    : u.kind == DateUnit::kHour ? u.step / 24.0
                    : u.kind == DateUnit::kDay  ? u.step
                    : u.kind == DateUnit::kMonth ? u.step * 30.4
                                                 : u.step * 365.25;
    if (span / approx > max_ticks - 1 + 1e-9) continue;
    std::vector<DateTick> out;
    int64_t y0;
    int m0, d0;
    date_from_days(c, int64_t(std::floor(lo)), &y0, &m0, &d0);
    if (u.kind == DateUnit::kYear || u.kind == DateUnit::kMonth) {
      // Month starts: years at multiples of the step, months at 1 + multiples of it.
      int64_t y = u.kind == DateUnit::kYear ? y0 - ((y0 % u.step) + u.step) % u.step : y0;
      int m = u.kind == DateUnit::kYear ? 1 : 1 + ((m0 - 1) / u.step) * u.step;
      for (int guard = 0; guard < 10000; ++guard) {
        double t = double(days_from_date(c, y, m, 1));
        if (t > hi + 1e-9) break;
        if (t >= lo - 1e-9) out.push_back({t, date_label(c, t, u.kind)});
        if (u.kind == DateUnit::kYear) {
          y += u.step;
        } else {
          m += u.step;
          while (m > 12) m -= 12, ++y;
        }
      }
    } else if (u.kind == DateUnit::kDay) {
      // Days of the month 1, 1 + step ... (weekly: 1, 8, 15, 22), as matplotlib's DayLocator.
      int64_t y = y0;
      int m = m0;
      for (int guard = 0; guard < 100000; ++guard) {
        double month_start = double(days_from_date(c, y, m, 1));
        if (month_start > hi + 1e-9) break;
        int next_m = m == 12 ? 1 : m + 1;
        int64_t next_y = m == 12 ? y + 1 : y;
        double next_start = double(days_from_date(c, next_y, next_m, 1));
        const int last_day = u.step >= 7 ? 28 : 31;  // weekly: 1, 8, 15, 22
        for (int d = 1; d <= last_day && month_start + d - 1 < next_start; d += u.step) {
          double t = month_start + d - 1;
          if (t > hi + 1e-9) break;
          if (t >= lo - 1e-9) out.push_back({t, date_label(c, t, u.kind)});
        }
        y = next_y, m = next_m;
      }
    } else {
      const double step = u.kind == DateUnit::kHour ? u.step / 24.0 : u.step / 1440.0;
      for (double k = std::ceil(lo / step - 1e-9); k * step <= hi + 1e-9; ++k)
        out.push_back({k * step, date_label(c, k * step, u.kind)});
    }
    if (out.size() >= 2 || &u == &units[std::size(units) - 1]) return out;
  }
  return {};
}

std::string python_float4(double x) {
  if (std::isnan(x)) return "nan";
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  if (x == 0) return std::signbit(x) ? "-0.0" : "0.0";
  // The exponent after rounding to 4 significant digits decides the notation.
  std::string e = fmt::format("{:.3e}", x);
  int exp = std::stoi(e.substr(e.find('e') + 1));
  std::string out;
  if (exp >= -4 && exp < 3) {
    out = fmt::format("{:.{}f}", x, 3 - exp);
    if (out.find('.') != std::string::npos) {
      while (out.back() == '0') out.pop_back();
      if (out.back() == '.') out += '0';
    }
  } else {
    std::string mant = e.substr(0, e.find('e'));
    if (mant.find('.') != std::string::npos) {
      while (mant.back() == '0') mant.pop_back();
      if (mant.back() == '.') mant.pop_back();
    }
    out = fmt::format("{}e{}{:02d}", mant, exp < 0 ? '-' : '+', std::abs(exp));
  }
  return out;
}

std::vector<std::string> wrap_text(const std::string& text, size_t width) {
  // Words split on whitespace; a word longer than a line is broken, as textwrap does.
  std::vector<std::string> words;
  std::stringstream ss(text);
  for (std::string w; ss >> w;) words.push_back(w);
  auto len = [](const std::string& s) {
    size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
  };
  std::vector<std::string> lines;
  std::string cur;
  for (std::string w : words) {
    while (len(w) > width) {
      size_t room = cur.empty() ? width : (len(cur) + 1 < width ? width - len(cur) - 1 : 0);
      if (room == 0) {
        lines.push_back(cur);
        cur.clear();
        continue;
      }
      size_t cut = 0, chars = 0;
      while (cut < w.size() && chars < room) {
        ++cut;
        while (cut < w.size() && (static_cast<unsigned char>(w[cut]) & 0xC0) == 0x80) ++cut;
        ++chars;
      }
      lines.push_back(cur.empty() ? w.substr(0, cut) : cur + " " + w.substr(0, cut));
      cur.clear();
      w = w.substr(cut);
    }
    if (w.empty()) continue;
    if (cur.empty()) {
      cur = w;
    } else if (len(cur) + 1 + len(w) <= width) {
      cur += " " + w;
    } else {
      lines.push_back(cur);
      cur = w;
    }
  }
  if (!cur.empty()) lines.push_back(cur);
  return lines;
}

double percentile(std::vector<double> values, double q) {
  values.erase(std::remove_if(values.begin(), values.end(), [](double v) { return !std::isfinite(v); }), values.end());
  if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
  const double pos = q / 100.0 * double(values.size() - 1);
  const size_t lo = size_t(std::floor(pos));
  std::nth_element(values.begin(), values.begin() + lo, values.end());
  const double a = values[lo];
  if (lo + 1 >= values.size()) return a;
  const double b = *std::min_element(values.begin() + lo + 1, values.end());
  return a + (b - a) * (pos - double(lo));
}

// ---- the data ------------------------------------------------------------------------------

namespace {

// xarray's label_from_attrs: long_name, else standard_name, else the name; " [units]".
std::string label_of(const Variable& v, bool decoded_time) {
  std::string name = v.attrs.text("long_name").value_or("");
  if (name.empty()) name = v.attrs.text("standard_name").value_or("");
  if (name.empty()) name = v.name;
  std::string units = decoded_time ? "" : v.attrs.text("units").value_or("");
  if (units.empty() && !decoded_time) units = v.attrs.text("unit").value_or("");
  std::string text = name + (units.empty() ? "" : " [" + units + "]");
  std::string out;
  for (const auto& line : wrap_text(text, 30)) out += (out.empty() ? "" : "\n") + line;
  return out;
}

bool decodes_as_time(const Variable& v) { return is_time_variable(v) && TimeUnits::of(v).ok(); }

// A time value as xarray's format_item writes it: numpy datetime64 for the standard
// calendars within pandas' range, cftime's text otherwise.
std::string time_text(const TimeUnits& tu, double value) {
  DateTime t = tu.to_datetime(value);
  const bool numpy = (tu.calendar() == Calendar::kStandard || tu.calendar() == Calendar::kProlepticGregorian) &&
                     t.year >= 1678 && t.year <= 2261;
  double whole = std::floor(t.second);
  int micro = int(std::llround((t.second - whole) * 1e6));
  std::string date = fmt::format("{:04d}-{:02d}-{:02d}", t.year, t.month, t.day);
  std::string clock = fmt::format("{:02d}:{:02d}:{:02d}", t.hour, t.minute, int(whole));
  if (micro) clock += fmt::format(".{:06d}", micro);
  if (!numpy) return date + " " + clock;
  return clock == "00:00:00" ? date : date + "T" + clock;
}

std::string group_prefix(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? "" : path.substr(0, slash + 1);
}

Result<std::string> choose_variable(const Group& root, const std::string& asked) {
  if (!asked.empty()) {
    PG_ASSIGN_OR_RETURN(VarRef ref, find_variable(root, asked));
    return ref.path;
  }
  const auto coords = coordinate_paths(root);
  std::set<std::string> bounds;
  for (const auto& ref : all_variables(root))
    for (const char* a : {"bounds", "climatology"})
      if (auto b = ref.var->attrs.text(a)) bounds.insert(group_prefix(ref.path) + *b);
  std::vector<std::string> data;
  for (const auto& ref : all_variables(root))
    if (!coords.count(ref.path) && !bounds.count(ref.path)) data.push_back(ref.path);
  if (data.size() == 1) return data[0];
  if (data.empty()) return invalid_argument("the input has no data variable to plot");
  return invalid_argument("the input has {} data variables ({}): choose one with -v", data.size(),
                          fmt::format("{}", fmt::join(data, ", ")));
}

// The scalar coordinates of the variable (size 1 once squeezed), in the dataset's order,
// as DataArray._title_for_slice() writes them.
Result<std::string> title_for(DatasetReader& in, const VarRef& ref) {
  const auto coords = coordinate_paths(in.root());
  std::vector<std::string> parts;
  const std::string prefix = group_prefix(ref.path);
  for (const auto& c : all_variables(in.root())) {
    if (!coords.count(c.path) || c.path == ref.path || group_prefix(c.path) != prefix) continue;
    const Variable& cv = *c.var;
    if (cv.size() != 1) continue;
    bool within = std::all_of(cv.dims.begin(), cv.dims.end(), [&](const std::string& d) { return bool(ref.var->axis(d)); });
    if (!within) continue;
    PG_ASSIGN_OR_RETURN(NdArray raw, in.read(c.path, Box::whole(cv.shape)));
    std::string text;
    if (cv.dtype.is_string_like()) {
      std::string s = raw.dtype.kind == DTypeKind::kString ? (raw.strings.empty() ? "" : raw.strings[0])
                                                            : std::string(raw.bytes.begin(), raw.bytes.end());
      while (!s.empty() && s.back() == '\0') s.pop_back();
      text = "'" + s + "'";
    } else {
      MaskAndScale ms(cv);
      double v = ms.decode(raw, 0);
      if (decodes_as_time(cv) && std::isfinite(v)) {
        text = time_text(*TimeUnits::of(cv), v);
      } else if (cv.dtype.is_float() || ms.packed() || std::isnan(v)) {
        text = python_float4(v);
      } else if (cv.dtype.kind == DTypeKind::kBool) {
        text = v != 0 ? "True" : "False";
      } else {
        text = fmt::format("{}", int64_t(v));
      }
      if (!decodes_as_time(cv)) {
        std::string units = cv.attrs.text("units").value_or(cv.attrs.text("unit").value_or(""));
        if (!units.empty()) text += " [" + units + "]";
      }
    }
    parts.push_back(cv.name + " = " + text);
  }
  std::string title = fmt::format("{}", fmt::join(parts, ", "));
  // Truncated at 50 characters (code points) with "...".
  size_t chars = 0, cut = title.size();
  for (size_t i = 0; i < title.size(); ++i) {
    if ((static_cast<unsigned char>(title[i]) & 0xC0) == 0x80) continue;
    if (chars == 47) cut = i;
    ++chars;
  }
  if (chars > 50) title = title.substr(0, cut) + "...";
  return title;
}

// One kept dimension: coordinate values (positions when there is none), its label.
struct AxisInfo {
  std::string dim;
  uint64_t n = 0;
  std::vector<double> pos;
  std::string label;
  bool time = false;
  Calendar calendar = Calendar::kStandard;
};

Result<AxisInfo> axis_info(DatasetReader& in, const VarRef& ref, size_t axis) {
  AxisInfo a;
  a.dim = ref.var->dims[axis];
  a.n = ref.var->shape[axis];
  a.label = a.dim;
  std::string cpath;
  for (const std::string& p : {group_prefix(ref.path) + a.dim, a.dim}) {
    auto c = find_variable(in.root(), p);
    if (c.ok() && c->var->rank() == 1 && c->var->dims[0] == a.dim && c->var->dtype.is_numeric()) {
      cpath = p;
      break;
    }
  }
  if (cpath.empty()) {
    for (uint64_t i = 0; i < a.n; ++i) a.pos.push_back(double(i));
    return a;
  }
  PG_ASSIGN_OR_RETURN(VarRef c, find_variable(in.root(), cpath));
  PG_ASSIGN_OR_RETURN(a.pos, read_coordinate(in, cpath));
  a.time = decodes_as_time(*c.var);
  a.label = label_of(*c.var, a.time);
  if (a.time) {
    TimeUnits tu = *TimeUnits::of(*c.var);
    a.calendar = tu.calendar();
    for (double& p : a.pos) p = tu.to_seconds(p) / 86400.0;
  }
  for (double p : a.pos)
    if (!std::isfinite(p)) return invalid_argument("coordinate \"{}\" has missing values: cannot place the data", a.dim);
  return a;
}

// xarray's _infer_interval_breaks: midpoints, the ends extended by half a step.
Result<std::vector<double>> interval_breaks(const AxisInfo& a) {
  const auto& c = a.pos;
  bool inc = true, dec = true;
  for (size_t i = 1; i < c.size(); ++i) {
    if (!(c[i] > c[i - 1])) inc = false;
    if (!(c[i] < c[i - 1])) dec = false;
  }
  if (!inc && !dec)
    return invalid_argument("coordinate \"{}\" is not sorted in increasing or decreasing order: cannot draw its cells", a.dim);
  std::vector<double> e(c.size() + 1);
  if (c.size() == 1) {
    e[0] = c[0] - 0.5, e[1] = c[0] + 0.5;
    return e;
  }
  for (size_t i = 1; i < c.size(); ++i) e[i] = 0.5 * (c[i - 1] + c[i]);
  e[0] = c[0] - 0.5 * (c[1] - c[0]);
  e[c.size()] = c.back() + 0.5 * (c.back() - c[c.size() - 2]);
  return e;
}

uint64_t ceil_div(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

// Extent of read tiles along one axis: whole read units, a multiple of the block size.
uint64_t tile_extent(uint64_t chunk, uint64_t block, uint64_t n) {
  uint64_t t = ceil_div(std::max<uint64_t>(chunk, 1), block) * block;
  return std::min(t, ceil_div(n, block) * block);
}

// xarray's _determine_cmap_params for vmin/vmax/cmap/extend: the extremes of the data
// (all of it, also where cells are averaged), percentiles of the cells drawn.
Status color_limits(PlotData& p, const PlotOptions& o, double data_min, double data_max) {
  std::vector<double> finite;
  finite.reserve(p.values.size());
  for (double v : p.values)
    if (std::isfinite(v)) finite.push_back(v);
  if (finite.empty() || !(data_min <= data_max))
    return invalid_argument("\"{}\" has no finite value to plot (all missing)", p.var);
  bool possibly_divergent = !(o.vmin && o.vmax);
  std::optional<double> vlim;
  double vmin, vmax;
  if (o.vmin) {
    vmin = *o.vmin;
    if (possibly_divergent) vlim = std::abs(vmin);
  } else {
    vmin = o.robust ? percentile(finite, 2.0) : data_min;
  }
  if (o.vmax) {
    vmax = *o.vmax;
    if (possibly_divergent) vlim = std::abs(vmax);
  } else {
    vmax = o.robust ? percentile(finite, 98.0) : data_max;
  }
  const bool divergent = possibly_divergent && vmin < 0 && vmax > 0;
  if (divergent) {
    double lim = vlim ? *vlim : std::max(std::abs(vmin), std::abs(vmax));
    vmin = -lim, vmax = lim;
  }
  if (o.vmin && o.vmax && !(*o.vmin < *o.vmax))
    return invalid_argument("--vmin ({}) must be below --vmax ({})", *o.vmin, *o.vmax);
  // One value only: matplotlib's nonsingular limits, 5% either side (xarray GH3734).
  if (vmax - vmin <= std::max(std::abs(vmin), std::abs(vmax)) * 1e-15) {
    if (vmin == 0 && vmax == 0) {
      vmin = -0.05, vmax = 0.05;
    } else {
      vmin -= 0.05 * std::abs(vmin), vmax += 0.05 * std::abs(vmax);
    }
  }
  p.vmin = vmin, p.vmax = vmax;
  p.cmap = !o.cmap.empty() ? o.cmap : divergent ? "RdBu_r" : "viridis";
  const bool low = data_min < vmin, high = data_max > vmax;
  p.extend = low && high ? "both" : low ? "min" : high ? "max" : "neither";
  return Status::Ok();
}

}  // namespace

Result<PlotData> prepare_plot(DatasetReader& in, const PlotOptions& o, const ExecOptions& exec) {
  if (o.width < 64 || o.height < 64 || o.width > 16384 || o.height > 16384)
    return invalid_argument("picture size {}x{} out of range (64 to 16384 pixels a side)", o.width, o.height);
  if (!(o.dpi >= 10 && o.dpi <= 2400)) return invalid_argument("dpi {} out of range (10 to 2400)", o.dpi);
  if (!o.cmap.empty()) PG_RETURN_IF_ERROR(Colormap::named(o.cmap).status());
  PG_ASSIGN_OR_RETURN(std::string path, choose_variable(in.root(), o.var));
  PG_ASSIGN_OR_RETURN(VarRef ref, find_variable(in.root(), path));
  const Variable& v = *ref.var;
  if (!v.dtype.is_numeric())
    return invalid_argument("\"{}\" holds {} values: only numbers can be plotted", path, v.dtype.numpy_name());
  if (!v.storage.unsupported.empty()) return unsupported("\"{}\": {}", path, v.storage.unsupported);
  std::vector<size_t> kept;
  for (size_t d = 0; d < v.rank(); ++d)
    if (v.shape[d] != 1) kept.push_back(d);
  if (v.size() == 0) return invalid_argument("\"{}\" is empty: nothing to plot", path);
  if (kept.empty())
    return invalid_argument("\"{}\" is a single value ({}-dimensional): nothing to plot", path, v.rank());
  if (kept.size() > 2) {
    std::vector<std::string> names;
    for (size_t d : kept) names.push_back(fmt::format("{}={}", v.dims[d], v.shape[d]));
    return invalid_argument(
        "\"{}\" has {} dimensions ({}): pg-plot draws 1 or 2; pick the others with --sel/--isel (e.g. --isel {}=0) "
        "or reduce them with pg-reduce",
        path, kept.size(), fmt::format("{}", fmt::join(names, ", ")), v.dims[kept[0]]);
  }
  PlotData p;
  p.var = path;
  p.rank = kept.size();
  p.value_label = label_of(v, false);
  PG_ASSIGN_OR_RETURN(p.title, title_for(in, ref));

  const size_t xa = kept.back();
  PG_ASSIGN_OR_RETURN(AxisInfo ax, axis_info(in, ref, xa));
  const unsigned threads = resolve_threads(exec);
  const uint64_t budget = exec.memory_budget ? exec.memory_budget : (uint64_t(256) << 20) * threads;
  const uint64_t per_task = std::max<uint64_t>(budget / threads, 1 << 20);
  const uint64_t cost_per_cell = v.dtype.itemsize + sizeof(double);
  const Shape chunks = in.read_chunks(path);
  Box base = Box::whole(v.shape);

  if (p.rank == 1) {
    // Lines: every point when they fit the width, else per block of f points its first,
    // lowest, highest and last (in order), which draws the same line at this width.
    const uint64_t n = ax.n;
    const uint64_t f = std::max<uint64_t>(1, n / (uint64_t(o.width) * 2));
    const uint64_t tile = std::min(tile_extent(chunks.empty() ? n : chunks[xa], f, n),
                                   std::max<uint64_t>(f, per_task / cost_per_cell / f * f));
    const uint64_t tasks = ceil_div(n, tile);
    std::vector<std::vector<std::pair<double, double>>> parts(tasks);
    PG_RETURN_IF_ERROR(run_tasks(
        tasks,
        [&](uint64_t t) -> Status {
          Box box = base;
          box.start[xa] = t * tile;
          box.count[xa] = std::min(tile, n - t * tile);
          PG_RETURN_IF_ERROR(check_data_size(box.size() * cost_per_cell));
          PG_ASSIGN_OR_RETURN(std::vector<double> vals, read_decoded(in, path, v, box));
          auto& out = parts[t];
          for (uint64_t b0 = 0; b0 < vals.size(); b0 += f) {
            const uint64_t b1 = std::min<uint64_t>(b0 + f, vals.size());
            const uint64_t g = box.start[xa];
            if (f == 1) {
              out.emplace_back(ax.pos[g + b0], vals[b0]);
              continue;
            }
            uint64_t first = b1, last = b1, lo = b1, hi = b1;
            for (uint64_t i = b0; i < b1; ++i) {
              if (std::isnan(vals[i])) continue;
              if (first == b1) first = i;
              last = i;
              if (lo == b1 || vals[i] < vals[lo]) lo = i;
              if (hi == b1 || vals[i] > vals[hi]) hi = i;
            }
            if (first == b1) {
              out.emplace_back(ax.pos[g + b0], std::numeric_limits<double>::quiet_NaN());
              continue;
            }
            std::vector<uint64_t> pick = {first, lo, hi, last};
            std::sort(pick.begin(), pick.end());
            pick.erase(std::unique(pick.begin(), pick.end()), pick.end());
            for (uint64_t i : pick) out.emplace_back(ax.pos[g + i], vals[i]);
          }
          return Status::Ok();
        },
        [&](uint64_t) { return tile * cost_per_cell; }, exec));
    for (auto& part : parts)
      for (auto& [x, y] : part) p.x.points.push_back(x), p.values.push_back(y);
    p.nx = p.values.size();
    p.averaged_x = f;
    p.x.dim = ax.dim, p.x.label = ax.label, p.x.time = ax.time;
    p.x.calendar = calendar_name(ax.calendar);
    p.y.label = p.value_label;
    if (std::none_of(p.values.begin(), p.values.end(), [](double d) { return std::isfinite(d); }))
      return invalid_argument("\"{}\" has no finite value to plot (all missing)", path);
    return p;
  }

  const size_t ya = kept.front();
  PG_ASSIGN_OR_RETURN(AxisInfo ay, axis_info(in, ref, ya));
  PG_ASSIGN_OR_RETURN(std::vector<double> xe, interval_breaks(ax));
  PG_ASSIGN_OR_RETURN(std::vector<double> ye, interval_breaks(ay));
  // Cells averaged down to about one per pixel of the picture.
  const uint64_t fx = std::max<uint64_t>(1, ceil_div(ax.n, o.width)), fy = std::max<uint64_t>(1, ceil_div(ay.n, o.height));
  const uint64_t gx = ceil_div(ax.n, fx), gy = ceil_div(ay.n, fy);
  uint64_t th = tile_extent(chunks.empty() ? ay.n : chunks[ya], fy, ay.n);
  uint64_t tw = ceil_div(ax.n, fx) * fx;
  if (th * tw * cost_per_cell > per_task) {
    tw = std::max(fx, tile_extent(chunks.empty() ? ax.n : chunks[xa], fx, ax.n));
    if (th * tw * cost_per_cell > per_task) {
      th = std::max(fy, per_task / (tw * cost_per_cell) / fy * fy);
      if (th * tw * cost_per_cell > per_task) tw = std::max(fx, per_task / (th * cost_per_cell) / fx * fx);
    }
  }
  const uint64_t tiles_y = ceil_div(ay.n, th), tiles_x = ceil_div(ax.n, tw);
  p.values.assign(gy * gx, std::numeric_limits<double>::quiet_NaN());
  std::mutex mu;
  double data_min = INFINITY, data_max = -INFINITY;
  PG_RETURN_IF_ERROR(run_tasks(
      tiles_y * tiles_x,
      [&](uint64_t t) -> Status {
        Box box = base;
        box.start[ya] = (t / tiles_x) * th;
        box.count[ya] = std::min(th, ay.n - box.start[ya]);
        box.start[xa] = (t % tiles_x) * tw;
        box.count[xa] = std::min(tw, ax.n - box.start[xa]);
        PG_RETURN_IF_ERROR(check_data_size(box.size() * cost_per_cell));
        PG_ASSIGN_OR_RETURN(std::vector<double> vals, read_decoded(in, path, v, box));
        const uint64_t h = box.count[ya], w = box.count[xa];
        const uint64_t by0 = box.start[ya] / fy, bx0 = box.start[xa] / fx;
        const uint64_t bh = ceil_div(h, fy), bw = ceil_div(w, fx);
        std::vector<double> sum(bh * bw, 0.0);
        std::vector<uint64_t> count(bh * bw, 0);
        double lo = INFINITY, hi = -INFINITY;
        for (uint64_t r = 0; r < h; ++r)
          for (uint64_t c = 0; c < w; ++c) {
            double x = vals[r * w + c];
            if (!std::isfinite(x)) continue;
            size_t b = (r / fy) * bw + c / fx;
            sum[b] += x, ++count[b];
            lo = std::min(lo, x), hi = std::max(hi, x);
          }
        {
          std::lock_guard lock(mu);
          data_min = std::min(data_min, lo), data_max = std::max(data_max, hi);
        }
        for (uint64_t r = 0; r < bh; ++r)
          for (uint64_t c = 0; c < bw; ++c)
            if (count[r * bw + c]) p.values[(by0 + r) * gx + bx0 + c] = sum[r * bw + c] / double(count[r * bw + c]);
        return Status::Ok();
      },
      [&](uint64_t) { return th * tw * cost_per_cell; }, exec));
  auto block_edges = [](const std::vector<double>& e, uint64_t n, uint64_t f) {
    std::vector<double> out;
    for (uint64_t i = 0; i < n; i += f) out.push_back(e[i]);
    out.push_back(e[n]);
    return out;
  };
  p.nx = gx, p.ny = gy, p.averaged_x = fx, p.averaged_y = fy;
  p.x = PlotAxis{ax.dim, ax.label, block_edges(xe, ax.n, fx), {}, ax.time, calendar_name(ax.calendar)};
  p.y = PlotAxis{ay.dim, ay.label, block_edges(ye, ay.n, fy), {}, ay.time, calendar_name(ay.calendar)};
  PG_RETURN_IF_ERROR(color_limits(p, o, data_min, data_max));
  return p;
}

Json plot_json(const PlotData& p, const PlotOptions& o, const PlotLayout& l, const std::string& output) {
  // Positions on time axes are written as dates of their calendar.
  auto value = [](const PlotAxis& a, double v) -> Json {
    if (!a.time) return v;
    auto cal = parse_calendar(a.calendar);
    const double whole = std::floor(v);
    DateTime t;
    date_from_days(cal.ok() ? *cal : Calendar::kStandard, int64_t(whole), &t.year, &t.month, &t.day);
    double secs = std::round((v - whole) * 86400.0);
    t.hour = int(secs / 3600), t.minute = int(std::fmod(secs, 3600) / 60), t.second = std::fmod(secs, 60);
    return t.iso();
  };
  auto axis = [&](const PlotAxis& a, const double lim[2]) {
    const auto& v = a.edges.empty() ? a.points : a.edges;
    Json j{{"dim", a.dim}, {"label", a.label}, {"time", a.time}, {"limits", {value(a, lim[0]), value(a, lim[1])}}};
    if (!v.empty()) {
      const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
      j["min"] = value(a, *lo), j["max"] = value(a, *hi);
    }
    return j;
  };
  Json j{{"output", output},
         {"variable", p.var},
         {"kind", p.rank == 2 ? "map" : "line"},
         {"format", o.format == PictureFormat::kPng ? "png" : "svg"},
         {"width", o.width},
         {"height", o.height},
         {"dpi", o.dpi},
         {"title", p.title},
         {"label", p.value_label},
         {"x", axis(p.x, l.xlim)},
         {"axes", {{"x", l.x}, {"y", l.y}, {"width", l.width}, {"height", l.height}}}};
  if (p.rank == 2) {
    j["y"] = axis(p.y, l.ylim);
    j["vmin"] = p.vmin, j["vmax"] = p.vmax;
    j["cmap"] = p.cmap, j["extend"] = p.extend;
    j["cells"] = {p.ny, p.nx};
    j["averaged"] = {p.averaged_y, p.averaged_x};
  } else {
    j["ylimits"] = {l.ylim[0], l.ylim[1]};
    j["points"] = p.nx;
    j["averaged"] = {p.averaged_x};
  }
  return j;
}

}  // namespace pangeo
