// pg-reduce: statistics over dimensions, with xarray's result types and attributes.
#include <algorithm>
#include <cmath>

#include "pangeo/select.hpp"
#include "reduction.hpp"

namespace pangeo {

namespace {

Result<std::vector<double>> cos_lat_weights(DatasetReader& in, std::string* lat_dim) {
  for (const auto& v : in.root().vars) {
    if (v.rank() != 1 || v.dims[0] != v.name) continue;
    std::string lower = v.name;
    for (auto& c : lower) c = char(std::tolower(static_cast<unsigned char>(c)));
    auto units = v.attrs.text("units").value_or("");
    if (lower == "lat" || lower == "latitude" || units == "degrees_north" || units == "degree_north" ||
        v.attrs.text("standard_name").value_or("") == "latitude") {
      PG_ASSIGN_OR_RETURN(std::vector<double> lat, read_coordinate(in, v.name));
      for (auto& x : lat) x = std::cos(x * M_PI / 180.0);
      *lat_dim = v.name;
      return lat;
    }
  }
  return not_found("no latitude coordinate for cos-lat weights (a 1-D \"lat\"/\"latitude\" or units degrees_north)");
}

}  // namespace

Result<std::unique_ptr<DatasetReader>> reduce_dataset(std::shared_ptr<DatasetReader> in, const ReduceOptions& o) {
  const Group& root = in->root();
  for (const auto& d : o.dims)
    if (!root.find_dim(d)) return not_found("no dimension \"{}\"", d);
  if (o.dims.empty()) return invalid_argument("no dimensions to reduce");
  std::string wdim;
  std::vector<double> wvals;
  const Variable* wvar = nullptr;
  if (!o.weights.empty()) {
    if (o.op.op != ReduceOp::kMean && o.op.op != ReduceOp::kSum) return invalid_argument("weights apply to means and sums only");
    if (o.weights == "cos-lat") {
      PG_ASSIGN_OR_RETURN(wvals, cos_lat_weights(*in, &wdim));
    } else {
      wvar = root.find_var(o.weights);
      if (!wvar) return not_found("no weight variable \"{}\"", o.weights);
      if (wvar->rank() != 1) return unsupported("weight variable \"{}\" is not 1-D", o.weights);
      wdim = wvar->dims[0];
      PG_ASSIGN_OR_RETURN(wvals, read_coordinate(*in, o.weights));
      for (auto& x : wvals)
        if (std::isnan(x)) x = 0;
    }
  }
  std::set<std::string> reduced(o.dims.begin(), o.dims.end());
  const std::set<std::string> coords = coordinate_paths(root);
  Group out = copy_group_header(root, false);
  std::vector<Work> work;
  std::vector<std::pair<const Variable*, DType>> unreduced;  // data variables without the dimensions, recomputed
  for (const auto& v : root.vars) {
    bool touches = std::any_of(v.dims.begin(), v.dims.end(), [&](auto& d) { return reduced.count(d); });
    if (!touches) {
      out.vars.push_back(v);
      add_dims_of(out, v);
      if (is_coordinate(v, coords)) continue;
      // As xarray's Dataset reductions (keep_attrs=False) leave a data variable without
      // the dimensions: its attributes go, but for its coordinates and, where its stored
      // values are kept, their encoding.
      Variable& kept = out.vars.back();
      const auto dt = unreduced_dtype(v, o.op);
      if (!dt && o.op.op == ReduceOp::kQuantile) continue;  // Dataset.quantile keeps such variables whole
      Attributes structural;
      for (const auto& a : v.attrs.items())
        if (a.name == "coordinates" || (!dt && is_encoding_attr(a))) structural.set(a.name, a.value);
      kept.attrs = structural;
      if (dt) {
        kept.dtype = *dt;
        kept.storage = {};
        // a char array counts as the strings along its last dimension, as xarray reads it
        if (v.dtype.kind == DTypeKind::kChar && v.rank() > 0) {
          kept.dims.pop_back();
          kept.shape.pop_back();
        }
        unreduced.emplace_back(&v, *dt);
      }
      continue;
    }
    if (!v.dtype.is_numeric() || is_time_variable(v) || is_coordinate(v, coords) || (wvar && &v == wvar))
      continue;  // coordinates along reduced dims and non-numeric variables go, as in xarray
    std::vector<bool> mapped(v.rank());
    uint64_t cells = 1;
    for (size_t d = 0; d < v.rank(); ++d) {
      mapped[d] = reduced.count(v.dims[d]) > 0;
      if (!mapped[d]) cells *= v.shape[d];
    }
    PG_RETURN_IF_ERROR(check_reduction_size(v, mapped, cells));
    Mapping m;
    for (size_t d = 0; d < v.rank(); ++d) {
      bool r = reduced.count(v.dims[d]) > 0;
      m.to_out.push_back(r ? std::vector<int64_t>(v.shape[d], 0) : std::vector<int64_t>());
      m.out_len.push_back(r ? 1 : v.shape[d]);
      m.squeeze.push_back(r);
      m.weights.push_back(v.dims[d] == wdim ? wvals : std::vector<double>());
    }
    DType dt = result_dtype(v, o.op);
    work.push_back({v.name, &v, m, dt});
    out.vars.push_back(output_variable(v, m, dt, {}));
    add_dims_of(out, out.vars.back());
  }
  if (work.empty()) return invalid_argument("no numeric variable has the dimensions {}", fmt::join(o.dims, ","));
  for (const auto& w : work) keep_coordinates(*w.var, *out.find_var(w.path), out, coords);
  if (o.op.op == ReduceOp::kQuantile) {
    Variable q;
    q.name = "quantile";
    q.dtype = DType::of(DTypeKind::kFloat64);
    out.vars.push_back(q);
    for (const auto& w : work) {
      Variable* v = out.find_var(w.path);
      std::string c = v->attrs.text("coordinates").value_or("");
      v->attrs.set("coordinates", AttrValue::text(c.empty() ? "quantile" : c + " quantile"));
    }
  }
  PG_ASSIGN_OR_RETURN(std::vector<NdArray> results, reduce_arrays(*in, work, o.op, o.exec, o.partials.get()));
  for (size_t i = 0; i < work.size(); ++i) quantile_type(results[i], *work[i].var, o.op, {0}, *out.find_var(work[i].path));
  auto reader = std::make_unique<DerivedReader>(in, out, in->format_name());
  for (size_t i = 0; i < work.size(); ++i) reader->set_array(work[i].path, std::move(results[i]));
  for (const auto& [v, dt] : unreduced) {
    PG_ASSIGN_OR_RETURN(NdArray a, unreduced_values(*in, *v, dt, o.op));
    reader->set_array(v->name, std::move(a));
  }
  if (o.op.op == ReduceOp::kQuantile) {
    NdArray q(DType::of(DTypeKind::kFloat64), {});
    q.data<double>()[0] = o.op.q;
    reader->set_array("quantile", std::move(q));
  }
  return std::unique_ptr<DatasetReader>(std::move(reader));
}

}  // namespace pangeo
