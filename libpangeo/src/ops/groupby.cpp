// pg-groupby: statistics per group of a time component (month, season, ...) or of a
// variable's values, per resampling period, and anomalies from them, as xarray's
// groupby/resample.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "pangeo/convert.hpp"
#include "pangeo/grid.hpp"
#include "pangeo/select.hpp"
#include "reduction.hpp"

namespace pangeo {

namespace {

// Labels of the groups along `dim`, and each position's group number.
struct Grouping {
  std::string dim;         // the input dimension being grouped
  std::string coord_name;  // output dimension / coordinate name
  std::vector<int64_t> group_of;
  NdArray labels;          // output coordinate values
  Attributes label_attrs;
};

// The time coordinate `name` names; "time" also finds a dataset's CF time coordinate
// under another name (e.g. TIME), as a user would mean it.
Result<const Variable*> find_time_coordinate(const Group& root, const std::string& name) {
  const Variable* t = root.find_var(name);
  if (!t && name == "time")
    for (const auto& v : root.vars)
      if (v.is_dimension_coordinate() && is_time_variable(v)) {
        t = &v;
        break;
      }
  if (!t || t->rank() != 1) return not_found("no 1-D coordinate \"{}\" to group by", name);
  if (!is_time_variable(*t))
    return invalid_argument("\"{}\" is not a CF time coordinate (its units are not \"UNIT since DATE\")", t->name);
  return t;
}

int season_of(int m) { return m == 12 || m <= 2 ? 0 : m <= 5 ? 1 : m <= 8 ? 2 : 3; }  // DJF MAM JJA SON

DateTime date(int64_t y, int m, int d) {
  DateTime t;
  t.year = y;
  t.month = m;
  t.day = d;
  return t;
}

DateTime add_months(DateTime d, int n) {
  d.month += n;
  while (d.month > 12) {
    d.month -= 12;
    d.year += 1;
  }
  return d;
}

// Time components to group by (time.month, ...) and periods to resample to: one row each,
// as CDO's Timstat operators are one kernel and a table of (function, period).
struct Component {
  const char* name;
  int64_t (*key)(const DateTime&, Calendar);
};
const Component kComponents[] = {
    {"month", [](const DateTime& d, Calendar) { return int64_t(d.month); }},
    {"year", [](const DateTime& d, Calendar) { return d.year; }},
    {"day", [](const DateTime& d, Calendar) { return int64_t(d.day); }},
    {"hour", [](const DateTime& d, Calendar) { return int64_t(d.hour); }},
    {"dayofyear",
     [](const DateTime& d, Calendar c) {
       return days_from_date(c, d.year, d.month, d.day) - days_from_date(c, d.year, 1, 1) + 1;
     }},
    // xarray orders the season labels alphabetically: DJF, JJA, MAM, SON.
    {"season", [](const DateTime& d, Calendar) { return int64_t(season_of(d.month) == 1 ? 2 : season_of(d.month) == 2 ? 1 : season_of(d.month)); }},
};

struct Period {
  const char* name;
  DateTime (*start)(const DateTime&);          // the start of the period a date falls in
  DateTime (*next)(const DateTime&, Calendar);  // the start of the following period
};
const Period kPeriods[] = {
    {"day", [](const DateTime& d) { return date(d.year, d.month, d.day); },
     [](const DateTime& d, Calendar c) {
       DateTime n;
       date_from_days(c, days_from_date(c, d.year, d.month, d.day) + 1, &n.year, &n.month, &n.day);
       return n;
     }},
    {"month", [](const DateTime& d) { return date(d.year, d.month, 1); },
     [](const DateTime& d, Calendar) { return add_months(d, 1); }},
    {"season",
     [](const DateTime& d) {
       int s = season_of(d.month);
       return s == 0 ? date(d.month == 12 ? d.year : d.year - 1, 12, 1) : date(d.year, s * 3, 1);
     },
     [](const DateTime& d, Calendar) { return add_months(d, 3); }},
    {"year", [](const DateTime& d) { return date(d.year, 1, 1); },
     [](const DateTime& d, Calendar) { return add_months(d, 12); }},
};

struct TimeAxis {
  const Variable* var;
  TimeUnits units;
  std::vector<DateTime> dates;
};

Result<TimeAxis> read_time_axis(DatasetReader& in, const std::string& name) {
  PG_ASSIGN_OR_RETURN(const Variable* t, find_time_coordinate(in.root(), name));
  PG_ASSIGN_OR_RETURN(TimeUnits tu, TimeUnits::of(*t));
  PG_ASSIGN_OR_RETURN(std::vector<double> vals, read_coordinate(in, t->name));
  TimeAxis axis{t, tu, {}};
  for (double x : vals) {
    if (std::isnan(x)) return invalid_argument("time has missing values");
    axis.dates.push_back(tu.to_datetime(x));
  }
  return axis;
}

// resample(time=PERIOD): every period between the first and the last, empty ones too,
// labelled by its start in the time coordinate's own units.
Result<Grouping> period_grouping(DatasetReader& in, const std::string& name, const std::string& what) {
  const Period* period = nullptr;
  for (const auto& p : kPeriods)
    if (what == p.name) period = &p;
  if (!period) return invalid_argument("cannot resample to \"{}\": expected {}", what, fmt::join(resample_period_names(), ", "));
  PG_ASSIGN_OR_RETURN(TimeAxis axis, read_time_axis(in, name));
  const Calendar cal = axis.units.calendar();
  auto value_of = [&](const DateTime& d) {
    return axis.units.from_seconds(double(days_from_date(cal, d.year, d.month, d.day)) * 86400.0);
  };
  auto key = [](const DateTime& d) { return std::make_tuple(d.year, d.month, d.day); };
  std::vector<double> all;
  if (!axis.dates.empty()) {
    DateTime first = period->start(axis.dates.front()), last = first;
    for (const auto& d : axis.dates) {
      DateTime s = period->start(d);
      if (key(s) < key(first)) first = s;
      if (key(s) > key(last)) last = s;
    }
    for (DateTime cur = first; key(cur) <= key(last); cur = period->next(cur, cal)) all.push_back(value_of(cur));
  }
  Grouping g;
  g.dim = axis.var->dims[0];
  for (const auto& d : axis.dates)
    g.group_of.push_back(std::lower_bound(all.begin(), all.end(), value_of(period->start(d)) - 1e-9) - all.begin());
  g.coord_name = axis.var->name;
  const DType& tdt = axis.var->dtype;
  g.labels = NdArray(tdt.is_float() ? tdt : DType::of(DTypeKind::kFloat64), {all.size()});
  for (size_t i = 0; i < all.size(); ++i) store_from_double(g.labels.dtype, g.labels.bytes.data(), i, all[i]);
  for (const char* k : {"units", "calendar"})
    if (auto a = axis.var->attrs.find(k)) g.label_attrs.set(k, *a);
  return g;
}

// groupby("time.COMPONENT"): one group per distinct value, in sorted order.
Result<Grouping> component_grouping(DatasetReader& in, const std::string& name, const std::string& what) {
  const Component* comp = nullptr;
  for (const auto& c : kComponents)
    if (what == c.name) comp = &c;
  if (!comp) return invalid_argument("cannot group by {}.{}: expected {}", name, what, fmt::join(time_component_names(), ", "));
  PG_ASSIGN_OR_RETURN(TimeAxis axis, read_time_axis(in, name));
  std::vector<int64_t> keys;
  for (const auto& d : axis.dates) keys.push_back(comp->key(d, axis.units.calendar()));
  std::vector<int64_t> uniq = keys;
  std::sort(uniq.begin(), uniq.end());
  uniq.erase(std::unique(uniq.begin(), uniq.end()), uniq.end());
  Grouping g;
  g.dim = axis.var->dims[0];
  for (auto k : keys) g.group_of.push_back(std::lower_bound(uniq.begin(), uniq.end(), k) - uniq.begin());
  g.coord_name = what;
  if (what == "season") {
    static const char* names[4] = {"DJF", "JJA", "MAM", "SON"};
    g.labels = NdArray(DType::of(DTypeKind::kUnicode, 12), {uniq.size()});
    for (size_t i = 0; i < uniq.size(); ++i)
      for (int c = 0; c < 3; ++c) {
        uint32_t cp = uint32_t(names[uniq[i]][c]);
        std::memcpy(g.labels.bytes.data() + (i * 3 + c) * 4, &cp, 4);
      }
  } else {
    g.labels = NdArray(DType::of(DTypeKind::kInt64), {uniq.size()});
    for (size_t i = 0; i < uniq.size(); ++i) g.labels.data<int64_t>()[i] = uniq[i];
  }
  return g;
}

Result<Grouping> variable_grouping(DatasetReader& in, const std::string& name) {
  PG_ASSIGN_OR_RETURN(VarRef ref, find_variable(in.root(), name));
  const Variable& v = *ref.var;
  if (v.rank() != 1) return invalid_argument("cannot group by \"{}\": it is not 1-D", name);
  Grouping g;
  g.dim = v.dims[0];
  g.coord_name = name == g.dim ? name + "_groups" : name;
  PG_ASSIGN_OR_RETURN(std::vector<double> vals, read_coordinate(in, name));
  std::vector<double> uniq;
  for (double x : vals)
    if (!std::isnan(x)) uniq.push_back(x);
  std::sort(uniq.begin(), uniq.end());
  uniq.erase(std::unique(uniq.begin(), uniq.end()), uniq.end());
  for (double x : vals)
    g.group_of.push_back(std::isnan(x) ? -1 : std::lower_bound(uniq.begin(), uniq.end(), x) - uniq.begin());
  g.labels = NdArray(decoded_dtype(v), {uniq.size()});
  for (size_t i = 0; i < uniq.size(); ++i) store_from_double(g.labels.dtype, g.labels.bytes.data(), i, uniq[i]);
  g.label_attrs = decoded_attrs(v.attrs);
  return g;
}

Shape ov_chunks(const Group& out, const std::string& name) { return out.find_var(name)->storage.chunks; }

}  // namespace

namespace {

Result<Grouping> grouping_for(DatasetReader& in, const GroupByOptions& o) {
  if (!o.period.empty()) return period_grouping(in, o.time_coordinate, o.period);
  if (!o.component.empty() && !in.root().find_var(o.variable))
    return component_grouping(in, o.time_coordinate, o.component);
  if (o.variable.empty()) return invalid_argument("no grouping given");
  return variable_grouping(in, o.variable);
}

// The variables to reduce (each grouped dimension mapped to its groups); `out` receives
// the variables that pass through.
Result<std::vector<Work>> grouped_work(const Group& root, const Grouping& g, const GroupByOptions& o, Group& out) {
  const std::set<std::string> coords = coordinate_paths(root);
  const uint64_t ngroups = g.labels.size();
  std::vector<Work> work;
  for (const auto& v : root.vars) {
    if (!has_dim(v, g.dim)) {
      out.vars.push_back(v);
      add_dims_of(out, v);
      continue;
    }
    if (!v.dtype.is_numeric() || is_time_variable(v) || is_coordinate(v, coords) || v.name == o.variable) {
      if (o.anomaly) {
        out.vars.push_back(v);
        add_dims_of(out, v);
      }
      continue;
    }
    std::vector<bool> mapped(v.rank());
    uint64_t cells = 1;
    for (size_t d = 0; d < v.rank(); ++d) {
      mapped[d] = v.dims[d] == g.dim;
      cells *= mapped[d] ? ngroups : v.shape[d];
    }
    PG_RETURN_IF_ERROR(check_reduction_size(v, mapped, cells));
    Mapping m;
    for (size_t d = 0; d < v.rank(); ++d) {
      bool grouped = v.dims[d] == g.dim;
      m.to_out.push_back(grouped ? g.group_of : std::vector<int64_t>());
      m.out_len.push_back(grouped ? ngroups : v.shape[d]);
      m.squeeze.push_back(false);
      m.weights.emplace_back();
    }
    DType dt = result_dtype(v, o.op);
    std::vector<std::string> names(v.rank());
    for (size_t d = 0; d < v.rank(); ++d) names[d] = g.coord_name;
    work.push_back({v.name, &v, m, dt});
    if (!o.anomaly) {
      Variable ov = output_variable(v, m, dt, names);
      if (o.op.op != ReduceOp::kQuantile) ov.attrs = decoded_attrs(v.attrs);  // quantiles drop them, as xarray's
      out.vars.push_back(ov);
      add_dims_of(out, ov);
    }
  }
  return work;
}

// Climatologies and resampling: one value per group.
Result<std::unique_ptr<DatasetReader>> grouped_reader(std::shared_ptr<DatasetReader> in, Grouping g, Group out,
                                                      const std::vector<Work>& work, std::vector<NdArray> stats,
                                                      const OpSpec& op) {
  const uint64_t ngroups = g.labels.size();
  Variable c;
  c.name = g.coord_name;
  c.dims = {g.coord_name};
  c.shape = {ngroups};
  c.dtype = g.labels.dtype;
  c.attrs = g.label_attrs;
  out.vars.insert(out.vars.begin(), c);
  if (!out.find_dim(g.coord_name)) out.dims.insert(out.dims.begin(), {g.coord_name, ngroups, false});
  // xarray puts the new group dimension where the grouped one was.
  out.dims.erase(std::remove_if(out.dims.begin(), out.dims.end(),
                                [&](const Dimension& d) {
                                  return d.name == g.dim && g.dim != g.coord_name &&
                                         std::none_of(out.vars.begin(), out.vars.end(), [&](auto& v) { return has_dim(v, g.dim); });
                                }),
                 out.dims.end());
  const std::set<std::string> coords = coordinate_paths(in->root());
  for (const auto& w : work) keep_coordinates(*w.var, *out.find_var(w.path), out, coords);
  // xarray reduces every group's dataset, data variables without the grouped dimension
  // too (as Dataset reductions do), and stacks the results: such a variable gains the
  // group dimension, each group holding the same values.
  std::vector<std::pair<std::string, NdArray>> stacked;
  for (auto& ov : out.vars) {
    const Variable* v = in->root().find_var(ov.name);
    if (!v || ov.name == g.coord_name || has_dim(*v, g.dim) || is_coordinate(*v, coords) || !v->dtype.is_numeric() ||
        is_time_variable(*v))
      continue;
    const auto reduced = unreduced_dtype(*v, op);
    const DType dt = reduced.value_or(decoded_dtype(*v));
    NdArray one(dt, v->shape);
    if (reduced) {
      PG_ASSIGN_OR_RETURN(one, unreduced_values(*in, *v, dt, op));
    } else {
      PG_ASSIGN_OR_RETURN(std::vector<double> x, read_decoded(*in, v->name, *v, Box::whole(v->shape)));
      for (size_t i = 0; i < x.size(); ++i) store_from_double(dt, one.bytes.data(), i, x[i]);
    }
    Shape shape{ngroups};
    shape.insert(shape.end(), v->shape.begin(), v->shape.end());
    NdArray all(dt, shape);
    for (uint64_t k = 0; k < ngroups; ++k)
      std::memcpy(all.bytes.data() + k * one.bytes.size(), one.bytes.data(), one.bytes.size());
    ov.dims.insert(ov.dims.begin(), g.coord_name);
    ov.shape = shape;
    ov.dtype = dt;
    ov.attrs = reduced && op.op == ReduceOp::kQuantile ? Attributes() : decoded_attrs(v->attrs);
    ov.storage = {};
    stacked.emplace_back(ov.name, std::move(all));
  }
  auto reader = std::make_unique<DerivedReader>(in, out, in->format_name());
  for (auto& [name, a] : stacked) reader->set_array(name, std::move(a));
  reader->set_array(g.coord_name, std::move(g.labels));
  for (size_t i = 0; i < work.size(); ++i) reader->set_array(work[i].path, std::move(stats[i]));
  return std::unique_ptr<DatasetReader>(std::move(reader));
}

// Anomalies: shaped like the input, computed lazily chunk by chunk.
std::unique_ptr<DatasetReader> anomaly_reader(std::shared_ptr<DatasetReader> in, const Grouping& g, Group out,
                                              const std::vector<Work>& work, std::vector<NdArray> stats) {
  auto shared_stats = std::make_shared<std::vector<NdArray>>(std::move(stats));
  auto group_of = std::make_shared<std::vector<int64_t>>(g.group_of);
  for (const auto& w : work) {
    Variable ov = *w.var;
    ov.dtype = decoded_dtype(*w.var).kind == DTypeKind::kFloat32 ? DType::of(DTypeKind::kFloat32) : DType::of(DTypeKind::kFloat64);
    ov.attrs = Attributes();
    ov.attrs.set("coordinates", AttrValue::text(g.coord_name));
    ov.storage = StorageEncoding();
    ov.storage.chunks = derived_chunks(ov, in->read_chunks(w.path));
    out.vars.push_back(ov);
    add_dims_of(out, ov);
  }
  // The group label of every position, as xarray keeps it (a coordinate along time).
  Variable lab;
  lab.name = g.coord_name;
  lab.dims = {g.dim};
  lab.shape = {g.group_of.size()};
  lab.dtype = g.labels.dtype;
  out.vars.push_back(lab);
  NdArray lab_values(g.labels.dtype, {g.group_of.size()});
  const size_t isz = g.labels.dtype.itemsize;
  for (size_t i = 0; i < g.group_of.size(); ++i)
    std::memcpy(lab_values.bytes.data() + i * isz, g.labels.bytes.data() + size_t(g.group_of[i]) * isz, isz);
  auto reader = std::make_unique<DerivedReader>(in, out, in->format_name());
  reader->set_array(g.coord_name, std::move(lab_values));
  for (size_t wi = 0; wi < work.size(); ++wi) {
    const Work w = work[wi];
    const Variable v = *w.var;
    const DType odt = out.find_var(v.name)->dtype;
    size_t gdim = size_t(std::find(v.dims.begin(), v.dims.end(), g.dim) - v.dims.begin());
    auto src = in;
    reader->set_compute(
        v.name,
        [src, v, odt, gdim, wi, shared_stats, group_of, path = w.path](const Box& box) -> Result<NdArray> {
          PG_ASSIGN_OR_RETURN(std::vector<double> vals, read_decoded(*src, path, v, box));
          const NdArray& st = (*shared_stats)[wi];
          NdArray out(odt, box.count);
          const size_t rank = box.count.size();
          const Shape ost = c_strides(st.shape);
          size_t i = 0;
          for_each_index(Box::whole(box.count), [&](const Shape& k) {
            uint64_t s = 0;
            for (size_t d = 0; d < rank; ++d) {
              uint64_t pos = box.start[d] + k[d];
              s += (d == gdim ? uint64_t((*group_of)[pos]) : pos) * ost[d];
            }
            store_from_double(odt, out.bytes.data(), i, vals[i] - st.as_double(s));
            ++i;
          });
          return out;
        },
        ov_chunks(out, v.name));
  }
  return std::unique_ptr<DatasetReader>(std::move(reader));
}

}  // namespace

std::vector<std::string> time_component_names() {
  std::vector<std::string> out;
  for (const auto& c : kComponents) out.emplace_back(c.name);
  return out;
}

std::vector<std::string> resample_period_names() {
  std::vector<std::string> out;
  for (const auto& p : kPeriods) out.emplace_back(p.name);
  return out;
}

Result<std::unique_ptr<DatasetReader>> groupby_dataset(std::shared_ptr<DatasetReader> in, const GroupByOptions& o) {
  PG_ASSIGN_OR_RETURN(Grouping g, grouping_for(*in, o));
  Group out = copy_group_header(in->root(), !o.anomaly);
  PG_ASSIGN_OR_RETURN(std::vector<Work> work, grouped_work(in->root(), g, o, out));
  if (work.empty()) return invalid_argument("no numeric variable has the dimension \"{}\"", g.dim);
  for (auto& x : g.group_of)
    if (x < 0) return unsupported("the grouping variable \"{}\" has missing values", o.variable);
  PG_ASSIGN_OR_RETURN(std::vector<NdArray> stats, reduce_arrays(*in, work, o.op, o.exec, o.partials.get()));

  if (o.anomaly) return anomaly_reader(in, g, std::move(out), work, std::move(stats));
  for (size_t i = 0; i < work.size(); ++i) {
    // each group's first cell: the group's index along the grouped dimension, 0 elsewhere
    const Variable& v = *work[i].var;
    const size_t gpos = size_t(std::find(v.dims.begin(), v.dims.end(), g.dim) - v.dims.begin());
    const Shape strides = c_strides(stats[i].shape);
    std::vector<size_t> firsts;
    for (uint64_t k = 0; k < g.labels.size(); ++k) firsts.push_back(size_t(k * strides[gpos]));
    quantile_type(stats[i], v, o.op, firsts, *out.find_var(work[i].path));
  }
  return grouped_reader(in, std::move(g), std::move(out), work, std::move(stats), o.op);
}

}  // namespace pangeo
