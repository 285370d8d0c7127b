#include "pangeo/select.hpp"

#include "pangeo/grid.hpp"

#include <algorithm>
#include <cmath>
#include <regex>
#include <set>
#include <sstream>

#include "pangeo/cf.hpp"
#include "pangeo/convert.hpp"

namespace pangeo {

Result<std::vector<double>> read_coordinate(DatasetReader& in, const std::string& path) {
  PG_ASSIGN_OR_RETURN(VarRef ref, find_variable(in.root(), path));
  const Variable& v = *ref.var;
  if (v.rank() != 1 || !v.dtype.is_numeric()) return invalid_argument("\"{}\" is not a 1-D numeric coordinate", path);
  PG_ASSIGN_OR_RETURN(NdArray a, in.read(path, Box::whole(v.shape)));
  MaskAndScale ms(v);
  std::vector<double> out(a.size());
  for (size_t i = 0; i < out.size(); ++i) out[i] = ms.decode(a, i);
  return out;
}

Result<TimeSpan> parse_time_label(const std::string& text, const TimeUnits& units) {
  static const std::regex re(R"(^\s*(-?\d{1,4})(?:-(\d{1,2})(?:-(\d{1,2})(?:[T ](\d{1,2})(?::(\d{2})(?::(\d{2}(?:\.\d*)?))?)?)?)?)?\s*$)");
  std::smatch m;
  // A date is short; longer text is refused before the matcher (which recurses per character).
  if (text.size() > 64 || !std::regex_match(text, m, re))
    return invalid_argument("cannot parse the date \"{}\"", text.size() > 64 ? text.substr(0, 64) + "..." : text);
  int64_t y = std::stoll(m[1]);
  int mo = m[2].matched ? std::stoi(m[2]) : 1, d = m[3].matched ? std::stoi(m[3]) : 1;
  int month_days = units.calendar() == Calendar::k360Day ? 30 : 31;
  if (mo < 1 || mo > 12 || d < 1 || d > month_days) return invalid_argument("no such date \"{}\"", text);
  double start_secs = 0, len_secs = 0;
  Calendar cal = units.calendar();
  auto day0 = [&](int64_t yy, int mm, int dd) { return double(days_from_date(cal, yy, mm, dd)) * 86400.0; };
  TimeSpan span;
  double start = day0(y, mo, d);
  if (!m[2].matched) {
    span.start = start;
    span.end = day0(y + 1, 1, 1);
  } else if (!m[3].matched) {
    span.start = start;
    span.end = mo == 12 ? day0(y + 1, 1, 1) : day0(y, mo + 1, 1);
  } else {
    // Check the day exists in this calendar (e.g. no 29 Feb in noleap).
    int64_t cy;
    int cm, cd;
    date_from_days(cal, days_from_date(cal, y, mo, d), &cy, &cm, &cd);
    if (cy != y || cm != mo || cd != d) return invalid_argument("no such date \"{}\" in the {} calendar", text, calendar_name(cal));
    if (!m[4].matched) {
      span.start = start;
      span.end = start + 86400.0;
      span.exact = false;
    } else {
      start_secs = std::stoi(m[4]) * 3600.0;
      len_secs = 3600;
      if (m[5].matched) {
        start_secs += std::stoi(m[5]) * 60.0;
        len_secs = 60;
      }
      if (m[6].matched) {
        start_secs += std::stod(m[6]);
        len_secs = 1;
        span.exact = true;
      }
      span.start = start + start_secs;
      span.end = span.start + len_secs;
    }
  }
  // Convert from "seconds since day 0" to the units' value axis.
  span.start = units.from_seconds(span.start) * units.unit_seconds();
  span.end = units.from_seconds(span.end) * units.unit_seconds();
  return span;
}

namespace {

Result<int64_t> parse_int(const std::string& s, const std::string& ctx) {
  try {
    size_t used = 0;
    long long v = std::stoll(s, &used);
    if (used != s.size()) throw std::invalid_argument(s);
    return int64_t(v);
  } catch (const std::exception&) {
    return invalid_argument("{}: \"{}\" is not an integer", ctx, s);
  }
}

Result<double> parse_number(const std::string& s, const std::string& ctx) {
  try {
    size_t used = 0;
    double v = std::stod(s, &used);
    if (used != s.size()) throw std::invalid_argument(s);
    return v;
  } catch (const std::exception&) {
    return invalid_argument("{}: \"{}\" is not a number", ctx, s);
  }
}

// Python slice semantics for `n` elements.
Result<std::vector<uint64_t>> python_slice(const Selector& sel, uint64_t n, const std::string& ctx) {
  int64_t step = 1;
  if (!sel.step.empty()) {
    PG_ASSIGN_OR_RETURN(step, parse_int(sel.step, ctx));
    if (step == 0) return invalid_argument("{}: slice step cannot be zero", ctx);
  }
  const int64_t len = int64_t(n);
  auto bound = [&](const std::string& s, bool is_start) -> Result<int64_t> {
    if (s.empty()) return step > 0 ? (is_start ? 0 : len) : (is_start ? len - 1 : -1);
    PG_ASSIGN_OR_RETURN(int64_t v, parse_int(s, ctx));
    if (v < 0) v += len;
    if (step > 0) return std::clamp<int64_t>(v, 0, len);
    return std::clamp<int64_t>(v, -1, len - 1);
  };
  PG_ASSIGN_OR_RETURN(int64_t start, bound(sel.start, true));
  PG_ASSIGN_OR_RETURN(int64_t stop, bound(sel.stop, false));
  std::vector<uint64_t> out;
  for (int64_t i = start; step > 0 ? i < stop : i > stop; i += step) out.push_back(uint64_t(i));
  return out;
}

// How a selection reads in messages: "lat=-5:5", "time=1982".
std::string describe(const Selector& s) {
  if (s.kind == Selector::Kind::kSlice)
    return fmt::format("{}={}:{}{}", s.dim, s.start, s.stop, s.step.empty() ? "" : ":" + s.step);
  return fmt::format("{}={}", s.dim, fmt::join(s.items, ","));
}

// Coordinate facts for label selection.
struct Axis {
  std::string dim;
  std::vector<double> values;  // numbers, or time values in the units' unit
  std::optional<TimeUnits> time;
  bool increasing = true, decreasing = true;
  bool longitude = false;
};

Result<Axis> load_axis(DatasetReader& in, const std::string& dim) {
  Axis a;
  a.dim = dim;
  const Variable* v = in.root().find_var(dim);
  if (!v || v->rank() != 1 || v->dims[0] != dim)
    return invalid_argument("no coordinate variable \"{}\" to select labels from", dim);
  PG_ASSIGN_OR_RETURN(a.values, read_coordinate(in, dim));
  if (is_time_variable(*v)) {
    auto tu = TimeUnits::of(*v);
    if (tu.ok()) {
      a.time = *tu;
      for (auto& x : a.values) x *= tu->unit_seconds();  // compare in seconds
    }
  }
  for (size_t i = 1; i < a.values.size(); ++i) {
    if (!(a.values[i] > a.values[i - 1])) a.increasing = false;
    if (!(a.values[i] < a.values[i - 1])) a.decreasing = false;
  }
  auto units = v->attrs.text("units").value_or("");
  std::string lower = dim;
  for (auto& c : lower) c = char(std::tolower(static_cast<unsigned char>(c)));
  a.longitude = units == "degrees_east" || units == "degree_east" || units == "degrees_E" || lower == "lon" ||
                lower == "longitude" || v->attrs.text("standard_name").value_or("") == "longitude";
  return a;
}

Result<double> parse_label(const Axis& a, const std::string& s, TimeSpan* span) {
  if (a.time) {
    PG_ASSIGN_OR_RETURN(*span, parse_time_label(s, *a.time));
    return span->start;
  }
  PG_ASSIGN_OR_RETURN(double v, parse_number(s, a.dim));
  span->start = span->end = v;
  span->exact = true;
  return v;
}

// Brings a longitude label into [min, min + 360) of a global longitude coordinate, so that
// -180..180 requests work on 0..360 grids and the other way round.
double wrap_longitude(const Axis& a, double x) {
  if (!a.longitude || a.values.empty()) return x;
  double lo = *std::min_element(a.values.begin(), a.values.end());
  double hi = *std::max_element(a.values.begin(), a.values.end());
  if (hi - lo < 180) return x;
  double y = lo + std::fmod(x - lo, 360.0);
  if (y < lo) y += 360.0;
  return y;
}

std::string show(const Axis& a, double x) {
  if (a.time) return a.time->to_datetime(x / a.time->unit_seconds()).iso();
  return fmt::format("{}", x);
}

Result<uint64_t> pick_one(const Axis& a, double x, const TimeSpan& span, const SelectOptions& o, const std::string& text) {
  const auto& v = a.values;
  if (o.nearest) {
    size_t best = 0;
    // Ties go to the later position, as pandas' get_indexer(method="nearest") breaks them.
    for (size_t i = 1; i < v.size(); ++i)
      if (std::fabs(v[i] - x) <= std::fabs(v[best] - x)) best = i;
    if (v.empty()) return invalid_argument("{}: empty coordinate", a.dim);
    double tol = o.tolerance ? *o.tolerance * (a.time ? a.time->unit_seconds() : 1.0) : INFINITY;
    if (std::fabs(v[best] - x) > tol)
      return not_found("{}={}: no value within tolerance {} (nearest is {})", a.dim, text, *o.tolerance, show(a, v[best]));
    return uint64_t(best);
  }
  for (size_t i = 0; i < v.size(); ++i)
    if (v[i] == x || (a.time && span.exact && std::fabs(v[i] - x) < 1e-6)) return uint64_t(i);
  return not_found("{}={}: no such label (the coordinate runs from {} to {})", a.dim, text,
                   v.empty() ? "?" : show(a, v.front()), v.empty() ? "?" : show(a, v.back()));
}

Result<DimIndexer> label_selection(DatasetReader& in, const Selector& sel, const SelectOptions& o) {
  const std::string& dim = sel.dim;
  PG_ASSIGN_OR_RETURN(Axis a, load_axis(in, dim));
  DimIndexer out;
  out.dim = dim;
  const std::string ctx = describe(sel);
  if (sel.kind == Selector::Kind::kSlice) {
    const std::string& lo_s = sel.start;
    const std::string& hi_s = sel.stop;
    if (!a.increasing && !a.decreasing) return invalid_argument("{}: slice on a non-monotonic coordinate \"{}\"", ctx, dim);
    double lo = -INFINITY, hi = INFINITY;
    TimeSpan s;
    if (!lo_s.empty()) {
      PG_ASSIGN_OR_RETURN(lo, parse_label(a, lo_s, &s));
      lo = s.start;
    }
    if (!hi_s.empty()) {
      PG_ASSIGN_OR_RETURN(hi, parse_label(a, hi_s, &s));
      // Partial dates end where their period ends; numbers are inclusive bounds.
      hi = a.time ? s.end - 1e-6 : s.end;
    }
    if (a.longitude && !a.time) {
      if (!lo_s.empty()) lo = wrap_longitude(a, lo);
      if (!hi_s.empty()) hi = wrap_longitude(a, hi);
    }
    const auto& v = a.values;
    if (a.longitude && a.increasing && lo > hi && !lo_s.empty() && !hi_s.empty()) {
      // Across the seam: from lo to the end, then from the start to hi.
      for (size_t i = 0; i < v.size(); ++i)
        if (v[i] >= lo) out.index.push_back(i);
      for (size_t i = 0; i < v.size(); ++i)
        if (v[i] <= hi) out.index.push_back(i);
    } else {
      double a_lo = lo, a_hi = hi;
      if (!a.increasing) {
        // Decreasing: xarray reads slice(high, low) downwards from its first bound, so an
        // open end follows that reading; bounds given low:high select the same range
        // instead of nothing.
        if (lo_s.empty() || hi_s.empty()) {
          a_lo = hi_s.empty() ? -INFINITY : hi;
          a_hi = lo_s.empty() ? INFINITY : lo;
        } else {
          a_lo = std::min(lo, hi);
          a_hi = std::max(lo, hi);
        }
      }
      for (size_t i = 0; i < v.size(); ++i)
        if (v[i] >= a_lo && v[i] <= a_hi) out.index.push_back(i);
    }
    if (out.index.empty()) return not_found("{}: selects nothing (the coordinate runs from {} to {})", ctx,
                                            show(a, a.values.front()), show(a, a.values.back()));
    return out;
  }
  const auto& items = sel.items;
  for (const auto& item : items) {
    TimeSpan s;
    PG_ASSIGN_OR_RETURN(double x, parse_label(a, item, &s));
    if (a.longitude && !a.time) x = wrap_longitude(a, x);
    if (a.time && !o.nearest && !s.exact) {
      // A partial date without --method selects its whole period (xarray's partial
      // string indexing); a date that is exactly one of the values selects it.
      std::vector<uint64_t> in_period;
      for (size_t i = 0; i < a.values.size(); ++i)
        if (a.values[i] >= s.start && a.values[i] < s.end) in_period.push_back(i);
      bool single_exact = in_period.size() == 1 && std::fabs(a.values[in_period[0]] - s.start) < 1e-6;
      if (items.size() == 1 && !single_exact) {
        if (in_period.empty()) return not_found("{}: no {} in that period", ctx, dim);
        out.index = in_period;
        return out;
      }
      if (!single_exact) return not_found("{}: \"{}\" is not one of the values", ctx, item);
      out.index.push_back(in_period[0]);
      continue;
    }
    PG_ASSIGN_OR_RETURN(uint64_t i, pick_one(a, x, s, o, item));
    out.index.push_back(i);
  }
  out.scalar = items.size() == 1;
  return out;
}

Result<DimIndexer> position_selection(const Group& root, const Selector& sel) {
  const Dimension* d = root.find_dim(sel.dim);
  if (!d) return not_found("no dimension \"{}\"", sel.dim);
  DimIndexer out;
  out.dim = sel.dim;
  const std::string ctx = describe(sel);
  if (sel.kind == Selector::Kind::kSlice) {
    PG_ASSIGN_OR_RETURN(out.index, python_slice(sel, d->size, ctx));
    if (out.index.empty()) return invalid_argument("{}: selects nothing", ctx);
    return out;
  }
  const auto& items = sel.items;
  for (const auto& item : items) {
    PG_ASSIGN_OR_RETURN(int64_t i, parse_int(item, ctx));
    int64_t j = i < 0 ? i + int64_t(d->size) : i;
    if (j < 0 || j >= int64_t(d->size))
      return invalid_argument("{}: position {} is outside 0..{}", ctx, i, d->size - 1);
    out.index.push_back(uint64_t(j));
  }
  out.scalar = items.size() == 1;
  return out;
}

}  // namespace

Result<std::vector<DimIndexer>> resolve_selection(DatasetReader& in, const SelectOptions& o) {
  if (o.tolerance && !o.nearest) return invalid_argument("a tolerance applies to nearest-label selection only");
  std::vector<DimIndexer> out;
  auto seen = [&](const std::string& dim) {
    return std::any_of(out.begin(), out.end(), [&](const DimIndexer& x) { return x.dim == dim; });
  };
  for (const auto& sel : o.isel) {
    if (seen(sel.dim)) return invalid_argument("dimension \"{}\" selected twice", sel.dim);
    PG_ASSIGN_OR_RETURN(DimIndexer d, position_selection(in.root(), sel));
    out.push_back(std::move(d));
  }
  for (const auto& sel : o.sel) {
    if (seen(sel.dim)) return invalid_argument("dimension \"{}\" selected twice", sel.dim);
    if (!in.root().find_dim(sel.dim)) return not_found("no dimension \"{}\"", sel.dim);
    PG_ASSIGN_OR_RETURN(DimIndexer d, label_selection(in, sel, o));
    out.push_back(std::move(d));
  }
  return out;
}

namespace {

// One dimension's source ranges: contiguous runs of the index list, or one bounding
// range with a gather when the list is scattered.
struct Segment {
  uint64_t src_start, src_count;  // source range read
  uint64_t out_start, out_count;  // positions of the output it fills
  std::vector<uint64_t> offsets;  // per output position: index within the source range
};

class SelectionReader final : public DatasetReader {
 public:
  SelectionReader(std::shared_ptr<DatasetReader> in, std::vector<DimIndexer> idx)
      : in_(std::move(in)), idx_(std::move(idx)) {
    root_ = transform(in_->root());
  }
  const Group& root() const override { return root_; }
  std::string format_name() const override { return in_->format_name(); }
  Status check_input() override { return in_->check_input(); }
  std::string location() const override { return in_->location(); }
  bool reads_in_place(const std::string& path) const override { return in_->reads_in_place(path); }
  Shape read_chunks(const std::string& path) const override {
    auto ref = find_variable(in_->root(), path);
    Shape src = in_->read_chunks(path);
    if (!ref.ok()) return src;
    Shape out;
    for (size_t d = 0; d < ref->var->dims.size(); ++d) {
      const DimIndexer* x = find(ref->var->dims[d]);
      if (x && x->scalar) continue;
      uint64_t c = d < src.size() ? src[d] : 1;
      if (x) c = std::min<uint64_t>(c, std::max<size_t>(x->index.size(), 1));
      out.push_back(std::max<uint64_t>(c, 1));
    }
    return out;
  }

  Result<NdArray> read(const std::string& path, const Box& box) override {
    PG_ASSIGN_OR_RETURN(VarRef src_ref, find_variable(in_->root(), path));
    PG_ASSIGN_OR_RETURN(VarRef out_ref, find_variable(root_, path));
    const Variable& sv = *src_ref.var;
    NdArray out(out_ref.var->dtype, box.count);
    if (box.size() == 0 && !box.count.empty()) return out;
    // Per source dimension: the segments covering the requested output positions.
    std::vector<std::vector<Segment>> segs(sv.rank());
    size_t od = 0;
    for (size_t d = 0; d < sv.rank(); ++d) {
      const DimIndexer* x = find(sv.dims[d]);
      std::vector<uint64_t> want;
      uint64_t out_lo = 0, out_n = 1;
      if (x && x->scalar) {
        want = {x->index[0]};
      } else {
        out_lo = box.start[od];
        out_n = box.count[od];
        ++od;
        for (uint64_t k = 0; k < out_n; ++k) want.push_back(x ? x->index[out_lo + k] : out_lo + k);
      }
      segs[d] = segment(want);
    }
    // Every combination of segments: read the source range, gather into the output.
    Shape counts(sv.rank());
    for (size_t d = 0; d < sv.rank(); ++d) counts[d] = segs[d].size();
    Status status;
    for_each_index(Box::whole(counts), [&](const Shape& pick) {
      if (!status.ok()) return;
      Box src{Shape(sv.rank()), Shape(sv.rank())};
      for (size_t d = 0; d < sv.rank(); ++d) {
        src.start[d] = segs[d][pick[d]].src_start;
        src.count[d] = segs[d][pick[d]].src_count;
      }
      auto part = in_->read(path, src);
      if (!part.ok()) status = part.status();
      else gather(*part, segs, pick, sv, out);
    });
    PG_RETURN_IF_ERROR(status);
    return out;
  }

 private:
  const DimIndexer* find(const std::string& dim) const {
    for (const auto& x : idx_)
      if (x.dim == dim) return &x;
    return nullptr;
  }

  static std::vector<Segment> segment(const std::vector<uint64_t>& want) {
    std::vector<Segment> runs;
    for (size_t k = 0; k < want.size(); ++k) {
      if (!runs.empty() && want[k] == runs.back().src_start + runs.back().src_count &&
          runs.back().out_start + runs.back().out_count == k) {
        ++runs.back().src_count;
        ++runs.back().out_count;
        runs.back().offsets.push_back(runs.back().src_count - 1);
      } else {
        runs.push_back(Segment{want[k], 1, k, 1, {0}});
      }
    }
    if (runs.size() <= 4) return runs;
    // Scattered (steps, reversed order): one bounding range and a gather.
    auto [lo, hi] = std::minmax_element(want.begin(), want.end());
    Segment s{*lo, *hi - *lo + 1, 0, want.size(), {}};
    for (auto w : want) s.offsets.push_back(w - *lo);
    return {s};
  }

  void gather(const NdArray& part, const std::vector<std::vector<Segment>>& segs, const Shape& pick,
              const Variable& sv, NdArray& out) const {
    const size_t rank = sv.rank();
    // Output dims are the source dims without the scalar ones.
    const Shape sstride = c_strides(part.shape), ostride = c_strides(out.shape);
    std::vector<int> out_dim(rank, -1);
    int k = 0;
    Shape counts(rank);
    for (size_t d = 0; d < rank; ++d) {
      const DimIndexer* x = find(sv.dims[d]);
      if (!(x && x->scalar)) out_dim[d] = k++;
      counts[d] = segs[d][pick[d]].out_count;
    }
    const size_t isz = out.dtype.itemsize;
    const bool strings = out.dtype.kind == DTypeKind::kString;
    for_each_index(Box::whole(counts), [&](const Shape& pos) {
      uint64_t s = 0, t = 0;
      for (size_t d = 0; d < rank; ++d) {
        const Segment& g = segs[d][pick[d]];
        s += g.offsets[pos[d]] * sstride[d];
        if (out_dim[d] >= 0) t += (g.out_start + pos[d]) * ostride[size_t(out_dim[d])];
      }
      if (strings) out.strings[t] = part.strings[s];
      else std::memcpy(out.bytes.data() + t * isz, part.bytes.data() + s * isz, isz);
    });
  }

  Group transform(const Group& g) const {
    Group out = g;
    out.dims.clear();
    for (const auto& d : g.dims) {
      const DimIndexer* x = find(d.name);
      if (x && x->scalar) continue;
      Dimension nd = d;
      if (x) nd.size = x->index.size();
      out.dims.push_back(nd);
    }
    // Coordinates a selection leaves as scalars: the selected labels, kept as xarray keeps them.
    std::set<std::string> scalar_coords;
    for (const auto& x : idx_)
      if (x.scalar && g.find_var(x.dim)) scalar_coords.insert(x.dim);
    std::set<std::string> listed;  // non-index coordinates named by "coordinates" attributes
    for (const auto& name : coordinate_paths(g))
      if (name.find('/') == std::string::npos && !(g.find_var(name) && g.find_var(name)->is_dimension_coordinate()))
        listed.insert(name);
    std::set<std::string> coordinate_vars;
    for (auto& v : out.vars) {
      std::vector<std::string> dims;
      Shape shape, chunks;
      const bool is_coordinate = std::find(v.dims.begin(), v.dims.end(), v.name) != v.dims.end() ||
                                 listed.count(v.name) || scalar_coords.count(v.name);
      for (size_t d = 0; d < v.dims.size(); ++d) {
        const DimIndexer* x = find(v.dims[d]);
        if (x && x->scalar) continue;
        dims.push_back(v.dims[d]);
        shape.push_back(x ? x->index.size() : v.shape[d]);
        if (!v.storage.chunks.empty()) chunks.push_back(std::min<uint64_t>(v.storage.chunks[d], std::max<uint64_t>(shape.back(), 1)));
      }
      v.dims = dims;
      v.shape = shape;
      v.storage.chunks = chunks;
      if (!chunks.empty()) v.storage.chunks = derived_chunks(v, chunks);
      if (is_coordinate) coordinate_vars.insert(v.name);
    }
    // As xarray writes them: a data variable's own "coordinates" attribute stays as it
    // was; one without, once a selection made scalar coordinates, names every non-index
    // coordinate whose dimensions it has (a scalar's, none, it always has), sorted.
    if (!scalar_coords.empty()) {
      std::set<std::string> non_index = scalar_coords;
      non_index.insert(listed.begin(), listed.end());
      for (auto& v : out.vars) {
        if (coordinate_vars.count(v.name) || v.attrs.find("coordinates")) continue;
        std::vector<std::string> names;
        for (const auto& c : non_index)
          if (const Variable* cv = out.find_var(c))
            if (std::all_of(cv->dims.begin(), cv->dims.end(), [&](const std::string& d) {
                  return std::find(v.dims.begin(), v.dims.end(), d) != v.dims.end();
                }))
              names.push_back(c);
        if (!names.empty()) v.attrs.set("coordinates", AttrValue::text(fmt::format("{}", fmt::join(names, " "))));
      }
    }
    // Scalar coordinates no variable names go in a global "coordinates" attribute, as
    // xarray writes them.
    std::set<std::string> unnamed = scalar_coords;
    for (const auto& v : out.vars)
      if (auto c = v.attrs.text("coordinates")) {
        std::stringstream ss(*c);
        for (std::string name; ss >> name;) unnamed.erase(name);
      }
    if (!unnamed.empty() && !out.attrs.find("coordinates"))
      out.attrs.set("coordinates", AttrValue::text(fmt::format("{}", fmt::join(unnamed, " "))));
    for (auto& sub : out.groups) sub = transform(sub);
    return out;
  }

  std::shared_ptr<DatasetReader> in_;
  std::vector<DimIndexer> idx_;
  Group root_;
};

}  // namespace

std::unique_ptr<DatasetReader> make_selection_reader(std::shared_ptr<DatasetReader> in, std::vector<DimIndexer> indexers) {
  return std::make_unique<SelectionReader>(std::move(in), std::move(indexers));
}

}  // namespace pangeo
