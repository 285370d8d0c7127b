#include "pangeo/reduce.hpp"

#include <algorithm>
#include <cmath>
#include <mutex>
#include <set>
#include <sstream>

#include "pangeo/cf.hpp"
#include "pangeo/convert.hpp"
#include "pangeo/select.hpp"

namespace pangeo {

Result<OpSpec> parse_op(const std::string& text) {
  OpSpec s;
  static const std::pair<const char*, ReduceOp> names[] = {
      {"mean", ReduceOp::kMean}, {"sum", ReduceOp::kSum}, {"min", ReduceOp::kMin},     {"max", ReduceOp::kMax},
      {"std", ReduceOp::kStd},   {"var", ReduceOp::kVar}, {"count", ReduceOp::kCount}, {"median", ReduceOp::kMedian}};
  for (auto& [n, op] : names)
    if (text == n) {
      s.op = op;
      return s;
    }
  if (text.rfind("quantile:", 0) == 0) {
    s.op = ReduceOp::kQuantile;
    try {
      size_t used = 0;
      s.q = std::stod(text.substr(9), &used);
      if (used != text.size() - 9) throw std::invalid_argument(text);
    } catch (const std::exception&) {
      return invalid_argument("--op {}: the quantile must be a number", text);
    }
    if (!(s.q >= 0 && s.q <= 1)) return invalid_argument("--op {}: the quantile must be within 0..1", text);
    return s;
  }
  return invalid_argument("--op {}: expected mean, sum, min, max, std, var, count, median or quantile:Q", text);
}

DType decoded_dtype(const Variable& v) {
  bool masked = v.attrs.find("_FillValue") || v.attrs.find("missing_value");
  bool packed = v.attrs.find("scale_factor") || v.attrs.find("add_offset");
  if (v.dtype.kind == DTypeKind::kFloat32 || v.dtype.kind == DTypeKind::kFloat16) return DType::of(DTypeKind::kFloat32);
  if (v.dtype.kind == DTypeKind::kFloat64) return v.dtype;
  if (v.dtype.is_integer() && (masked || packed)) {
    // xarray's _choose_float_dtype: small integers decode to float32 unless an offset needs more.
    bool offset = v.attrs.find("add_offset") != nullptr;
    if (packed) {
      const AttrValue* sf = v.attrs.find("scale_factor");
      const AttrValue* ao = v.attrs.find("add_offset");
      bool wide = (sf && sf->dtype.kind == DTypeKind::kFloat64) || (ao && ao->dtype.kind == DTypeKind::kFloat64);
      if (wide) return DType::of(DTypeKind::kFloat64);
    }
    return DType::of(v.dtype.itemsize <= 2 && !offset ? DTypeKind::kFloat32 : DTypeKind::kFloat64);
  }
  return v.dtype;
}

Shape DerivedReader::read_chunks(const std::string& path) const {
  if (auto it = chunks_.find(path); it != chunks_.end()) return it->second;
  if (arrays_.count(path)) return DatasetReader::read_chunks(path);
  if (source_) return source_->read_chunks(path);
  return {};
}

Result<NdArray> DerivedReader::read(const std::string& path, const Box& box) {
  if (auto it = arrays_.find(path); it != arrays_.end()) {
    NdArray out(it->second.dtype, box.count);
    copy_region(it->second, Shape(box.start.size(), 0), out, box.start, box);
    return out;
  }
  if (auto it = computes_.find(path); it != computes_.end()) return it->second(box);
  if (source_) return source_->read(path, box);
  return not_found("no variable \"{}\"", path);
}

namespace {

bool has_dim(const Variable& v, const std::string& d) { return std::find(v.dims.begin(), v.dims.end(), d) != v.dims.end(); }

// Names listed in any variable's "coordinates" attribute: xarray's non-index coordinates.
std::set<std::string> coordinate_names(const Group& g) {
  std::set<std::string> out;
  for (const auto& v : g.vars)
    if (auto c = v.attrs.text("coordinates")) {
      std::stringstream ss(*c);
      std::string name;
      while (ss >> name) out.insert(name);
    }
  return out;
}

bool is_coordinate(const Variable& v, const std::set<std::string>& coords) {
  return (v.rank() == 1 && v.dims[0] == v.name) || coords.count(v.name) > 0;
}

// ---- accumulators ---------------------------------------------------------------------

struct Acc {
  OpSpec op;
  bool weighted = false;
  std::vector<double> n, sum, sw, mean, m2, mn, mx;
  std::vector<uint8_t> nan;

  void init(size_t cells, const OpSpec& o, bool w) {
    op = o;
    weighted = w;
    n.assign(cells, 0);
    if (o.op == ReduceOp::kMean || o.op == ReduceOp::kSum) sum.assign(cells, 0);
    if (w) sw.assign(cells, 0);
    if (o.op == ReduceOp::kStd || o.op == ReduceOp::kVar) {
      mean.assign(cells, 0);
      m2.assign(cells, 0);
    }
    if (o.op == ReduceOp::kMin) mn.assign(cells, INFINITY);
    if (o.op == ReduceOp::kMax) mx.assign(cells, -INFINITY);
    if (!o.skipna) nan.assign(cells, 0);
  }
  void add(size_t c, double x, double w) {
    if (std::isnan(x)) {
      if (!op.skipna) nan[c] = 1;
      return;
    }
    n[c] += 1;
    if (!sum.empty()) sum[c] += w * x;
    if (!sw.empty()) sw[c] += w;
    if (!mean.empty()) {
      double d = x - mean[c];
      mean[c] += d / n[c];
      m2[c] += d * (x - mean[c]);
    }
    if (!mn.empty() && x < mn[c]) mn[c] = x;
    if (!mx.empty() && x > mx[c]) mx[c] = x;
  }
  // Merges cell `s` of `o` into cell `t` of this (Chan et al. for the variance).
  void merge(size_t t, const Acc& o, size_t s) {
    if (!nan.empty() && o.nan[s]) nan[t] = 1;
    if (o.n[s] == 0) return;
    if (!mean.empty()) {
      double na = n[t], nb = o.n[s], nab = na + nb;
      double d = o.mean[s] - mean[t];
      mean[t] += d * nb / nab;
      m2[t] += o.m2[s] + d * d * na * nb / nab;
    }
    n[t] += o.n[s];
    if (!sum.empty()) sum[t] += o.sum[s];
    if (!sw.empty()) sw[t] += o.sw[s];
    if (!mn.empty()) mn[t] = std::min(mn[t], o.mn[s]);
    if (!mx.empty()) mx[t] = std::max(mx[t], o.mx[s]);
  }
  double finish(size_t c) const {
    if (!nan.empty() && nan[c] && op.op != ReduceOp::kCount) return NAN;
    switch (op.op) {
      case ReduceOp::kCount: return n[c];
      case ReduceOp::kSum: return sum[c];  // xarray: the sum of nothing is 0
      case ReduceOp::kMean:
        if (weighted) return sw[c] != 0 ? sum[c] / sw[c] : NAN;
        return n[c] > 0 ? sum[c] / n[c] : NAN;
      case ReduceOp::kMin: return n[c] > 0 ? mn[c] : NAN;
      case ReduceOp::kMax: return n[c] > 0 ? mx[c] : NAN;
      case ReduceOp::kVar:
      case ReduceOp::kStd: {
        double dof = n[c] - op.ddof;
        if (dof <= 0) return NAN;
        double v = m2[c] / dof;
        return op.op == ReduceOp::kStd ? std::sqrt(v) : v;
      }
      default: return NAN;
    }
  }
};

double quantile_of(std::vector<double>& v, double q) {
  // numpy's default "linear" interpolation between closest ranks.
  if (v.empty()) return NAN;
  double pos = q * double(v.size() - 1);
  size_t lo = size_t(std::floor(pos)), hi = size_t(std::ceil(pos));
  std::nth_element(v.begin(), v.begin() + lo, v.end());
  double a = v[lo];
  if (hi == lo) return a;
  double b = *std::min_element(v.begin() + lo + 1, v.end());
  return a + (b - a) * (pos - double(lo));
}

// ---- mapping from input positions to output cells ------------------------------------

// For one variable: each input dimension is kept (identity), grouped (positions map to
// group numbers) or reduced (all positions map to 0, and the dimension is squeezed).
struct Mapping {
  std::vector<std::vector<int64_t>> to_out;  // empty: identity
  std::vector<uint64_t> out_len;
  std::vector<bool> squeeze;
  std::vector<std::vector<double>> weights;  // empty: 1
  Shape out_shape() const {
    Shape s;
    for (size_t d = 0; d < out_len.size(); ++d)
      if (!squeeze[d]) s.push_back(out_len[d]);
    return s;
  }
  uint64_t out_cells() const { return element_count(out_len); }
  bool reduces() const {
    for (const auto& t : to_out)
      if (!t.empty()) return true;
    return false;
  }
};

struct Work {
  std::string path;
  const Variable* var;
  Mapping map;
  DType out_dtype;
};

DType result_dtype(const Variable& v, const OpSpec& op) {
  DType dec = decoded_dtype(v);
  switch (op.op) {
    case ReduceOp::kCount: return DType::of(DTypeKind::kInt64);
    case ReduceOp::kMin: case ReduceOp::kMax: return dec;
    case ReduceOp::kSum:
      if (dec.is_float()) return dec;
      return dec.is_signed() || dec.kind == DTypeKind::kBool ? DType::of(DTypeKind::kInt64) : DType::of(DTypeKind::kUInt64);
    default: return dec.kind == DTypeKind::kFloat32 ? dec : DType::of(DTypeKind::kFloat64);
  }
}

// The chunk boxes of a variable, in order.
std::vector<Box> chunk_boxes(const Shape& shape, const Shape& unit) {
  std::vector<Box> out;
  const size_t rank = shape.size();
  if (rank == 0) return {Box{}};
  for (auto s : shape)
    if (s == 0) return out;
  Shape idx(rank, 0);
  while (true) {
    Box b{Shape(rank), Shape(rank)};
    for (size_t d = 0; d < rank; ++d) {
      b.start[d] = idx[d] * unit[d];
      b.count[d] = std::min(unit[d], shape[d] - b.start[d]);
    }
    out.push_back(b);
    size_t d = rank;
    bool done = true;
    while (d-- > 0) {
      if ((++idx[d]) * unit[d] < shape[d]) {
        done = false;
        break;
      }
      idx[d] = 0;
    }
    if (done) return out;
  }
}

// Counts and sums of one box straight from its stored values (the hot path of means and
// sums: no decoded copy of the data).
template <typename T>
void count_and_sum(const T* p, const Box& box, const Mapping& m, const Box& region, const MaskAndScale& ms, double* n,
                   double* sum) {
  const auto& fills = ms.fills();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double f0 = fills.empty() ? nan : fills[0], f1 = fills.size() > 1 ? fills[1] : f0;
  const double scale = ms.scale(), offset = ms.offset();
  for_each_cell(box, m, region, [&](size_t lin, size_t cell, double) {
    const double x = double(p[lin]);
    if (x != x || x == f0 || x == f1) return;
    n[cell] += 1;
    if (sum) sum[cell] += x * scale + offset;
  });
}

// Decoded doubles of a box.
Result<std::vector<double>> read_decoded(DatasetReader& in, const std::string& path, const Variable& v, const Box& box) {
  PG_ASSIGN_OR_RETURN(NdArray a, in.read(path, box));
  std::vector<double> out;
  MaskAndScale(v).decode_all(a, out);
  return out;
}

// Walks the elements of `box` in C order, calling fn(linear index in box, output cell
// relative to `region`, weight).
template <typename Fn>
void for_each_cell(const Box& box, const Mapping& m, const Box& region, Fn&& fn) {
  const size_t rank = box.count.size();
  if (rank == 0) {
    fn(size_t(0), size_t(0), 1.0);
    return;
  }
  Shape rstride(rank, 1);
  for (size_t d = rank; d-- > 1;) rstride[d - 1] = rstride[d] * region.count[d];
  std::vector<std::vector<uint64_t>> off(rank);
  std::vector<std::vector<double>> w(rank);
  bool any_w = false;
  for (size_t d = 0; d < rank; ++d) {
    off[d].resize(box.count[d]);
    w[d].assign(box.count[d], 1.0);
    for (uint64_t k = 0; k < box.count[d]; ++k) {
      uint64_t i = box.start[d] + k;
      uint64_t o = m.to_out[d].empty() ? i : uint64_t(m.to_out[d][i]);
      off[d][k] = (o - region.start[d]) * rstride[d];
      if (!m.weights[d].empty()) {
        w[d][k] = m.weights[d][i];
        any_w = true;
      }
    }
  }
  std::vector<uint64_t> k(rank, 0);
  const uint64_t inner = box.count[rank - 1];
  size_t lin = 0;
  while (true) {
    uint64_t base = 0;
    double wb = 1.0;
    for (size_t d = 0; d + 1 < rank; ++d) {
      base += off[d][k[d]];
      if (any_w) wb *= w[d][k[d]];
    }
    for (uint64_t j = 0; j < inner; ++j, ++lin) fn(lin, size_t(base + off[rank - 1][j]), any_w ? wb * w[rank - 1][j] : 1.0);
    if (rank == 1) return;
    size_t d = rank - 1;
    while (true) {
      if (d == 0) return;
      --d;
      if (++k[d] < box.count[d]) break;
      k[d] = 0;
    }
  }
}

// The output region a box touches: identity dims follow the box, others cover the output.
Box region_of(const Box& box, const Mapping& m) {
  Box r{Shape(box.start.size()), Shape(box.start.size())};
  for (size_t d = 0; d < box.start.size(); ++d) {
    if (m.to_out[d].empty()) {
      r.start[d] = box.start[d];
      r.count[d] = box.count[d];
    } else {
      // Only the groups this box's positions fall into.
      int64_t lo = INT64_MAX, hi = -1;
      for (uint64_t k = 0; k < box.count[d]; ++k) {
        int64_t o = m.to_out[d][box.start[d] + k];
        lo = std::min(lo, o);
        hi = std::max(hi, o);
      }
      if (hi < 0) lo = hi = 0;
      r.start[d] = uint64_t(lo);
      r.count[d] = uint64_t(hi - lo + 1);
    }
  }
  return r;
}

Box union_of(const Box& a, const Box& b) {
  Box r = a;
  for (size_t d = 0; d < a.start.size(); ++d) {
    uint64_t lo = std::min(a.start[d], b.start[d]), hi = std::max(a.start[d] + a.count[d], b.start[d] + b.count[d]);
    r.start[d] = lo;
    r.count[d] = hi - lo;
  }
  return r;
}

// Read units of a few MiB: the variable's chunks, stacked along the first dimension.
Shape task_unit(const Shape& unit, const Shape& shape) {
  Shape u = unit;
  if (u.empty()) return u;
  uint64_t bytes = element_count(u) * 8;
  if (bytes == 0) return u;
  uint64_t k = std::max<uint64_t>(1, (2u << 20) / bytes);
  u[0] = std::min<uint64_t>(shape[0], u[0] * k);
  return u;
}

// Computes the reduced arrays (shape out_len, squeezed at the end) of every Work item.
Result<std::vector<NdArray>> compute(DatasetReader& in, std::vector<Work>& work, const OpSpec& op, const ExecOptions& exec) {
  std::vector<NdArray> results(work.size());
  const bool exact = op.op == ReduceOp::kMedian || op.op == ReduceOp::kQuantile;
  for (size_t w = 0; w < work.size(); ++w) {
    Work& wk = work[w];
    const Variable& v = *wk.var;
    const bool weighted = std::any_of(wk.map.weights.begin(), wk.map.weights.end(), [](auto& x) { return !x.empty(); });
    std::vector<double> final_values(wk.map.out_cells(), NAN);
    Shape unit = in.read_chunks(wk.path);
    if (!exact) {
      // Fixed batches of consecutive read units, each reduced into one partial result;
      // partials merge in batch order. The batches do not depend on the thread count, so
      // neither does the answer.
      std::vector<Box> boxes = chunk_boxes(v.shape, task_unit(unit, v.shape));
      const uint64_t nbatch = std::min<uint64_t>(boxes.size(), 64);
      auto batch_range = [&](uint64_t b) {
        return std::make_pair(b * boxes.size() / nbatch, (b + 1) * boxes.size() / nbatch);
      };
      Acc total;
      total.init(wk.map.out_cells(), op, weighted);
      std::mutex mu;
      std::map<uint64_t, std::pair<Box, Acc>> pending;
      uint64_t next = 0;
      auto merge_ready = [&] {
        while (!pending.empty() && pending.begin()->first == next) {
          auto& [region, part] = pending.begin()->second;
          // Map region cells to whole-output cells.
          Shape idx(region.count.size(), 0);
          Shape wstride(region.count.size(), 1);
          for (size_t d = region.count.size(); d-- > 1;) wstride[d - 1] = wstride[d] * wk.map.out_len[d];
          uint64_t ncell = region.size();
          for (uint64_t c = 0; c < ncell; ++c) {
            uint64_t t = 0;
            for (size_t d = 0; d < idx.size(); ++d) t += (region.start[d] + idx[d]) * wstride[d];
            total.merge(t, part, c);
            for (size_t d = idx.size(); d-- > 0;) {
              if (++idx[d] < region.count[d]) break;
              idx[d] = 0;
            }
          }
          pending.erase(pending.begin());
          ++next;
        }
      };
      auto task = [&](uint64_t bi) -> Status {
        auto [first, last] = batch_range(bi);
        Box region = region_of(boxes[first], wk.map);
        for (uint64_t i = first + 1; i < last; ++i) region = union_of(region, region_of(boxes[i], wk.map));
        Acc part;
        part.init(region.size(), op, weighted);
        std::vector<double> vals;
        const MaskAndScale ms(v);
        for (uint64_t i = first; i < last; ++i) {
          if (stop_requested().load(std::memory_order_relaxed)) return cancelled("interrupted");
          const Box& b = boxes[i];
          const bool fast = !weighted && op.skipna && ms.fills().size() <= 2 &&
                            (op.op == ReduceOp::kMean || op.op == ReduceOp::kSum || op.op == ReduceOp::kCount);
          if (fast && (v.dtype.kind == DTypeKind::kFloat32 || v.dtype.kind == DTypeKind::kFloat64 ||
                       v.dtype.kind == DTypeKind::kInt16 || v.dtype.kind == DTypeKind::kInt32)) {
            PG_ASSIGN_OR_RETURN(NdArray raw, in.read(wk.path, b));
            double* n = part.n.data();
            double* sum = part.sum.empty() ? nullptr : part.sum.data();
            switch (v.dtype.kind) {
              case DTypeKind::kFloat32: count_and_sum(raw.data<float>(), b, wk.map, region, ms, n, sum); break;
              case DTypeKind::kFloat64: count_and_sum(raw.data<double>(), b, wk.map, region, ms, n, sum); break;
              case DTypeKind::kInt16: count_and_sum(raw.data<int16_t>(), b, wk.map, region, ms, n, sum); break;
              default: count_and_sum(raw.data<int32_t>(), b, wk.map, region, ms, n, sum); break;
            }
            continue;
          }
          PG_ASSIGN_OR_RETURN(vals, read_decoded(in, wk.path, v, b));
          for_each_cell(b, wk.map, region, [&](size_t lin, size_t cell, double wt) { part.add(cell, vals[lin], wt); });
        }
        std::lock_guard lock(mu);
        pending.emplace(bi, std::make_pair(region, std::move(part)));
        merge_ready();
        return Status::Ok();
      };
      auto cost = [&](uint64_t bi) {
        auto [first, last] = batch_range(bi);
        return boxes[first].size() * 24 + region_of(boxes[first], wk.map).size() * 48;
      };
      PG_RETURN_IF_ERROR(run_tasks(nbatch, task, cost, exec).with_context(fmt::format("variable \"{}\"", wk.path)));
      for (size_t c = 0; c < final_values.size(); ++c) final_values[c] = total.finish(c);
    } else {
      // Exact order statistics: each task owns a block of output cells and gathers every
      // value that falls into them.
      Shape block(v.rank());
      for (size_t d = 0; d < v.rank(); ++d) block[d] = wk.map.to_out[d].empty() ? unit[d] : v.shape[d];
      std::vector<Box> blocks = chunk_boxes(v.shape, block);
      uint64_t need = 0;
      for (const auto& b : blocks) need = std::max<uint64_t>(need, b.size() * 8 * 2);
      uint64_t budget = exec.memory_budget ? exec.memory_budget : (4ull << 30);
      if (need > budget)
        return resource_exhausted(
            "variable \"{}\": an exact {} needs {} MiB per block of output cells, more than the memory budget of {} MiB "
            "(raise --memory)",
            wk.path, op.op == ReduceOp::kMedian ? "median" : "quantile", need >> 20, budget >> 20);
      auto task = [&](uint64_t i) -> Status {
        const Box& b = blocks[i];
        Box region = region_of(b, wk.map);
        std::vector<std::vector<double>> cells(region.size());
        for (const Box& sub : chunk_boxes(b.count, unit)) {
          Box src = sub;
          for (size_t d = 0; d < src.start.size(); ++d) src.start[d] += b.start[d];
          PG_ASSIGN_OR_RETURN(std::vector<double> vals, read_decoded(in, wk.path, v, src));
          for_each_cell(src, wk.map, region, [&](size_t lin, size_t cell, double) {
            if (!std::isnan(vals[lin]) || !op.skipna) cells[cell].push_back(vals[lin]);
          });
        }
        Shape wstride(region.count.size(), 1);
        for (size_t d = region.count.size(); d-- > 1;) wstride[d - 1] = wstride[d] * wk.map.out_len[d];
        Shape idx(region.count.size(), 0);
        for (uint64_t c = 0; c < cells.size(); ++c) {
          uint64_t t = 0;
          for (size_t d = 0; d < idx.size(); ++d) t += (region.start[d] + idx[d]) * wstride[d];
          auto& cv = cells[c];
          bool has_nan = std::any_of(cv.begin(), cv.end(), [](double x) { return std::isnan(x); });
          final_values[t] = has_nan ? NAN : quantile_of(cv, op.op == ReduceOp::kMedian ? 0.5 : op.q);
          for (size_t d = idx.size(); d-- > 0;) {
            if (++idx[d] < region.count[d]) break;
            idx[d] = 0;
          }
        }
        return Status::Ok();
      };
      auto cost = [&](uint64_t i) { return blocks[i].size() * 16; };
      PG_RETURN_IF_ERROR(run_tasks(blocks.size(), task, cost, exec).with_context(fmt::format("variable \"{}\"", wk.path)));
    }
    NdArray out(wk.out_dtype, wk.map.out_shape());
    for (size_t c = 0; c < final_values.size(); ++c) store_from_double(wk.out_dtype, out.bytes.data(), c, final_values[c]);
    results[w] = std::move(out);
  }
  return results;
}

// Attributes that describe the stored encoding, not the decoded values.
Attributes decoded_attrs(const Attributes& in) {
  Attributes out = in;
  for (const char* k : {"_FillValue", "missing_value", "scale_factor", "add_offset", "_Unsigned"}) out.erase(k);
  return out;
}

Variable output_variable(const Variable& v, const Mapping& m, DType dtype, const std::vector<std::string>& group_dim_names) {
  Variable o;
  o.name = v.name;
  o.dtype = dtype;
  for (size_t d = 0; d < v.dims.size(); ++d) {
    if (m.squeeze[d]) continue;
    o.dims.push_back(m.to_out[d].empty() ? v.dims[d] : group_dim_names[d]);
    o.shape.push_back(m.out_len[d]);
  }
  return o;
}

// Keeps, of a variable's "coordinates" attribute, the names that survive in `out` with
// dimensions the variable still has (xarray keeps such non-index coordinates).
void keep_coordinates(const Variable& src, Variable& dst, const Group& out) {
  auto coords = src.attrs.text("coordinates");
  dst.attrs.erase("coordinates");
  if (!coords) return;
  std::stringstream ss(*coords);
  std::string name, kept;
  while (ss >> name) {
    const Variable* c = out.find_var(name);
    if (!c) continue;
    bool fits = std::all_of(c->dims.begin(), c->dims.end(), [&](auto& d) { return has_dim(dst, d); });
    if (fits) kept += (kept.empty() ? "" : " ") + name;
  }
  if (!kept.empty()) dst.attrs.set("coordinates", AttrValue::text(kept));
}

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
  return not_found("--weights cos-lat: no latitude coordinate (a 1-D \"lat\"/\"latitude\" or units degrees_north)");
}

Group copy_group_header(const Group& g, bool keep_attrs) {
  Group out;
  out.name = g.name;
  if (keep_attrs) out.attrs = g.attrs;
  return out;
}

void add_dims_of(Group& g, const Variable& v) {
  for (size_t d = 0; d < v.dims.size(); ++d)
    if (!g.find_dim(v.dims[d])) g.dims.push_back({v.dims[d], v.shape[d], false});
}

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
      if (v.rank() == 1 && v.dims[0] == v.name && is_time_variable(v)) {
        t = &v;
        break;
      }
  if (!t || t->rank() != 1) return not_found("no 1-D coordinate \"{}\" to group by", name);
  if (!is_time_variable(*t))
    return invalid_argument("\"{}\" is not a CF time coordinate (its units are not \"UNIT since DATE\")", t->name);
  return t;
}

Result<Grouping> time_grouping(DatasetReader& in, const std::string& name, const std::string& what, bool resample) {
  Grouping g;
  PG_ASSIGN_OR_RETURN(const Variable* t, find_time_coordinate(in.root(), name));
  PG_ASSIGN_OR_RETURN(TimeUnits tu, TimeUnits::parse(*t->attrs.text("units"), t->attrs.text("calendar").value_or("")));
  g.dim = t->dims[0];
  PG_ASSIGN_OR_RETURN(std::vector<double> vals, read_coordinate(in, t->name));
  std::vector<DateTime> dts;
  for (double x : vals) {
    if (std::isnan(x)) return invalid_argument("time has missing values");
    dts.push_back(tu.to_datetime(x));
  }
  auto season_of = [](int m) { return m == 12 || m <= 2 ? 0 : m <= 5 ? 1 : m <= 8 ? 2 : 3; };  // DJF MAM JJA SON
  if (resample) {
    // Period starts, in the time coordinate's own units.
    std::vector<double> starts;
    for (const auto& d : dts) {
      int64_t y = d.year;
      int m = d.month, day = d.day;
      if (what == "day") {
      } else if (what == "month") {
        day = 1;
      } else if (what == "season") {
        day = 1;
        int s = season_of(m);
        if (s == 0) {
          if (m != 12) y -= 1;
          m = 12;
        } else {
          m = s * 3;
        }
      } else if (what == "year") {
        m = 1;
        day = 1;
      } else {
        return invalid_argument("--resample time={}: expected day, month, season or year", what);
      }
      double secs = double(days_from_date(tu.calendar(), y, m, day)) * 86400.0;
      starts.push_back(tu.from_seconds(secs));
    }
    std::vector<double> uniq = starts;
    std::sort(uniq.begin(), uniq.end());
    uniq.erase(std::unique(uniq.begin(), uniq.end()), uniq.end());
    // xarray resample fills every period between the first and the last, empty ones too.
    std::vector<double> all;
    if (!uniq.empty()) {
      DateTime cur = tu.to_datetime(uniq.front());
      const DateTime last = tu.to_datetime(uniq.back());
      auto key = [](const DateTime& d) { return std::make_tuple(d.year, d.month, d.day); };
      while (key(cur) <= key(last)) {
        all.push_back(tu.from_seconds(double(days_from_date(tu.calendar(), cur.year, cur.month, cur.day)) * 86400.0));
        int64_t days = days_from_date(tu.calendar(), cur.year, cur.month, cur.day);
        if (what == "day") {
          date_from_days(tu.calendar(), days + 1, &cur.year, &cur.month, &cur.day);
        } else {
          int step = what == "month" ? 1 : what == "season" ? 3 : 12;
          cur.month += step;
          while (cur.month > 12) {
            cur.month -= 12;
            cur.year += 1;
          }
        }
      }
    }
    for (double s : starts)
      g.group_of.push_back(std::lower_bound(all.begin(), all.end(), s - 1e-9) - all.begin());
    g.coord_name = t->name;
    g.labels = NdArray(t->dtype.is_float() ? t->dtype : DType::of(DTypeKind::kFloat64), {all.size()});
    for (size_t i = 0; i < all.size(); ++i) store_from_double(g.labels.dtype, g.labels.bytes.data(), i, all[i]);
    for (const char* k : {"units", "calendar"})
      if (auto a = t->attrs.find(k)) g.label_attrs.set(k, *a);
    return g;
  }
  std::vector<int64_t> keys;
  if (what == "month") for (auto& d : dts) keys.push_back(d.month);
  else if (what == "year") for (auto& d : dts) keys.push_back(d.year);
  else if (what == "day") for (auto& d : dts) keys.push_back(d.day);
  else if (what == "hour") for (auto& d : dts) keys.push_back(d.hour);
  else if (what == "dayofyear") {
    for (auto& d : dts)
      keys.push_back(days_from_date(tu.calendar(), d.year, d.month, d.day) - days_from_date(tu.calendar(), d.year, 1, 1) + 1);
  } else if (what == "season") {
    // xarray orders the season labels alphabetically: DJF, JJA, MAM, SON.
    static const int rank_of[4] = {0, 2, 1, 3};
    for (auto& d : dts) keys.push_back(rank_of[season_of(d.month)]);
  } else {
    return invalid_argument("--by time.{}: expected month, season, year, dayofyear, day or hour", what);
  }
  std::vector<int64_t> uniq = keys;
  std::sort(uniq.begin(), uniq.end());
  uniq.erase(std::unique(uniq.begin(), uniq.end()), uniq.end());
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
  if (v.rank() != 1) return invalid_argument("--by {}: group by a 1-D variable", name);
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

}  // namespace

// ---- pg-reduce ------------------------------------------------------------------------

Result<std::unique_ptr<DatasetReader>> reduce_dataset(std::shared_ptr<DatasetReader> in, const ReduceOptions& o) {
  const Group& root = in->root();
  for (const auto& d : o.dims)
    if (!root.find_dim(d)) return not_found("--dim: no dimension \"{}\"", d);
  if (o.dims.empty()) return invalid_argument("--dim: name the dimensions to reduce");
  std::string wdim;
  std::vector<double> wvals;
  const Variable* wvar = nullptr;
  if (!o.weights.empty()) {
    if (o.op.op != ReduceOp::kMean && o.op.op != ReduceOp::kSum) return invalid_argument("--weights works with --op mean or sum");
    if (o.weights == "cos-lat") {
      PG_ASSIGN_OR_RETURN(wvals, cos_lat_weights(*in, &wdim));
    } else {
      wvar = root.find_var(o.weights);
      if (!wvar) return not_found("--weights: no variable \"{}\"", o.weights);
      if (wvar->rank() != 1) return unsupported("--weights {}: a 1-D weight variable (or cos-lat)", o.weights);
      wdim = wvar->dims[0];
      PG_ASSIGN_OR_RETURN(wvals, read_coordinate(*in, o.weights));
      for (auto& x : wvals)
        if (std::isnan(x)) x = 0;
    }
  }
  std::set<std::string> reduced(o.dims.begin(), o.dims.end());
  const std::set<std::string> coords = coordinate_names(root);
  Group out = copy_group_header(root, false);
  std::vector<Work> work;
  std::vector<std::string> passthrough;
  for (const auto& v : root.vars) {
    bool touches = std::any_of(v.dims.begin(), v.dims.end(), [&](auto& d) { return reduced.count(d); });
    if (!touches) {
      out.vars.push_back(v);
      add_dims_of(out, v);
      continue;
    }
    if (!v.dtype.is_numeric() || is_time_variable(v) || is_coordinate(v, coords) || (wvar && &v == wvar))
      continue;  // coordinates along reduced dims and non-numeric variables go, as in xarray
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
  for (const auto& w : work) keep_coordinates(*w.var, *out.find_var(w.path), out);
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
  PG_ASSIGN_OR_RETURN(std::vector<NdArray> results, compute(*in, work, o.op, o.exec));
  auto reader = std::make_unique<DerivedReader>(in, out, in->format_name());
  for (size_t i = 0; i < work.size(); ++i) reader->set_array(work[i].path, std::move(results[i]));
  if (o.op.op == ReduceOp::kQuantile) {
    NdArray q(DType::of(DTypeKind::kFloat64), {});
    q.data<double>()[0] = o.op.q;
    reader->set_array("quantile", std::move(q));
  }
  return std::unique_ptr<DatasetReader>(std::move(reader));
}

namespace {
Shape ov_chunks(const Group& out, const std::string& name) { return out.find_var(name)->storage.chunks; }
}  // namespace

// ---- pg-groupby -----------------------------------------------------------------------

Result<std::unique_ptr<DatasetReader>> groupby_dataset(std::shared_ptr<DatasetReader> in, const GroupByOptions& o) {
  if (o.by.empty() == o.resample.empty()) return invalid_argument("give one of --by and --resample");
  Grouping g;
  if (!o.resample.empty()) {
    auto eq = o.resample.find('=');
    if (eq == std::string::npos || eq == 0)
      return invalid_argument("--resample {}: expected time=day|month|season|year", o.resample);
    PG_ASSIGN_OR_RETURN(g, time_grouping(*in, o.resample.substr(0, eq), o.resample.substr(eq + 1), true));
  } else if (auto dot = o.by.find('.'); dot != std::string::npos && !in->root().find_var(o.by)) {
    PG_ASSIGN_OR_RETURN(g, time_grouping(*in, o.by.substr(0, dot), o.by.substr(dot + 1), false));
  } else {
    PG_ASSIGN_OR_RETURN(g, variable_grouping(*in, o.by));
  }
  const Group& root = in->root();
  const std::set<std::string> coords = coordinate_names(root);
  const uint64_t ngroups = g.labels.size();
  std::vector<Work> work;
  Group out = copy_group_header(root, !o.anomaly);
  for (const auto& v : root.vars) {
    if (!has_dim(v, g.dim)) {
      out.vars.push_back(v);
      add_dims_of(out, v);
      continue;
    }
    if (!v.dtype.is_numeric() || is_time_variable(v) || is_coordinate(v, coords) || v.name == o.by) {
      if (o.anomaly) {
        out.vars.push_back(v);
        add_dims_of(out, v);
      }
      continue;
    }
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
      ov.attrs = decoded_attrs(v.attrs);
      out.vars.push_back(ov);
      add_dims_of(out, ov);
    }
  }
  if (work.empty()) return invalid_argument("no numeric variable has the dimension \"{}\"", g.dim);
  for (auto& x : g.group_of)
    if (x < 0) return unsupported("--by {}: missing values in the grouping variable", o.by);
  PG_ASSIGN_OR_RETURN(std::vector<NdArray> stats, compute(*in, work, o.op, o.exec));

  if (!o.anomaly) {
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
    for (const auto& w : work) keep_coordinates(*w.var, *out.find_var(w.path), out);
    auto reader = std::make_unique<DerivedReader>(in, out, in->format_name());
    reader->set_array(g.coord_name, std::move(g.labels));
    for (size_t i = 0; i < work.size(); ++i) reader->set_array(work[i].path, std::move(stats[i]));
    return std::unique_ptr<DatasetReader>(std::move(reader));
  }

  // Anomalies: shaped like the input, computed lazily chunk by chunk.
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
          Shape ost(rank, 1);
          for (size_t d = rank; d-- > 1;) ost[d - 1] = ost[d] * st.shape[d];
          Shape k(rank, 0);
          for (size_t i = 0; i < vals.size(); ++i) {
            uint64_t s = 0;
            for (size_t d = 0; d < rank; ++d) {
              uint64_t pos = box.start[d] + k[d];
              s += (d == gdim ? uint64_t((*group_of)[pos]) : pos) * ost[d];
            }
            store_from_double(odt, out.bytes.data(), i, vals[i] - st.as_double(s));
            for (size_t d = rank; d-- > 0;) {
              if (++k[d] < box.count[d]) break;
              k[d] = 0;
            }
          }
          return out;
        },
        ov_chunks(out, v.name));
  }
  return std::unique_ptr<DatasetReader>(std::move(reader));
}

// ---- rolling --------------------------------------------------------------------------

Result<std::unique_ptr<DatasetReader>> rolling_dataset(std::shared_ptr<DatasetReader> in, const RollingOptions& o) {
  const Group& root = in->root();
  const Dimension* dim = root.find_dim(o.dim);
  if (!dim) return not_found("--rolling: no dimension \"{}\"", o.dim);
  if (o.window < 1) return invalid_argument("--rolling {}: the window must be at least 1", o.dim);
  const uint64_t minp = o.min_periods.value_or(o.window);
  if (minp < 1 || minp > o.window) return invalid_argument("--min-periods must be from 1 to the window length");
  if (o.op.op == ReduceOp::kQuantile) return unsupported("--rolling with quantile");
  // Window [i - before, i + after]: trailing, or centred as xarray centres (the label sits
  // at window // 2 from the start).
  const int64_t before = o.center ? int64_t(o.window / 2) : int64_t(o.window) - 1;
  const int64_t after = int64_t(o.window) - 1 - before;
  Group out = root;
  const std::set<std::string> coords = coordinate_names(root);
  std::vector<std::pair<std::string, DerivedReader::Compute>> computes;
  for (auto& v : out.vars) {
    if (!has_dim(v, o.dim) || !v.dtype.is_numeric() || is_time_variable(v) || is_coordinate(v, coords)) continue;
    const Variable src_v = v;
    const size_t rd = size_t(std::find(v.dims.begin(), v.dims.end(), o.dim) - v.dims.begin());
    DType odt = result_dtype(v, o.op);
    if (o.op.op == ReduceOp::kCount) odt = DType::of(DTypeKind::kFloat64);
    v.dtype = odt;
    v.attrs = decoded_attrs(v.attrs);
    v.storage = StorageEncoding();
    v.storage.chunks = derived_chunks(v, in->read_chunks(v.name));
    const uint64_t len = src_v.shape[rd];
    const OpSpec op = o.op;
    computes.emplace_back(v.name, [in, src_v, rd, odt, before, after, len, minp, op](const Box& box) -> Result<NdArray> {
      Box src = box;
      int64_t lo = std::max<int64_t>(0, int64_t(box.start[rd]) - before);
      int64_t hi = std::min<int64_t>(int64_t(len), int64_t(box.start[rd] + box.count[rd]) + after);
      src.start[rd] = uint64_t(lo);
      src.count[rd] = uint64_t(hi - lo);
      PG_ASSIGN_OR_RETURN(std::vector<double> vals, read_decoded(*in, src_v.name, src_v, src));
      NdArray out(odt, box.count);
      const size_t rank = box.count.size();
      uint64_t inner = 1, outer = 1;
      for (size_t d = rd + 1; d < rank; ++d) inner *= box.count[d];
      for (size_t d = 0; d < rd; ++d) outer *= box.count[d];
      const uint64_t n_src = src.count[rd], n_out = box.count[rd];
      std::vector<double> window;
      for (uint64_t a = 0; a < outer; ++a)
        for (uint64_t c = 0; c < inner; ++c)
          for (uint64_t t = 0; t < n_out; ++t) {
            int64_t center = int64_t(box.start[rd] + t);
            int64_t w0 = std::max<int64_t>(center - before, 0), w1 = std::min<int64_t>(center + after, int64_t(len) - 1);
            Acc acc;
            acc.init(1, op, false);
            window.clear();
            bool nan = false;
            for (int64_t p = w0; p <= w1; ++p) {
              double x = vals[(a * n_src + uint64_t(p - lo)) * inner + c];
              if (std::isnan(x)) nan = true;
              acc.add(0, x, 1.0);
              if (!std::isnan(x)) window.push_back(x);
            }
            double r;
            if (acc.n[0] < double(minp) || (nan && !op.skipna)) r = NAN;
            else if (op.op == ReduceOp::kMedian) r = quantile_of(window, 0.5);
            else r = acc.finish(0);
            store_from_double(odt, out.bytes.data(), (a * n_out + t) * inner + c, r);
          }
      return out;
    });
  }
  if (computes.empty()) return invalid_argument("--rolling: no numeric variable has the dimension \"{}\"", o.dim);
  auto reader = std::make_unique<DerivedReader>(in, out, in->format_name());
  for (auto& [path, f] : computes) reader->set_compute(path, std::move(f), out.find_var(path)->storage.chunks);
  return std::unique_ptr<DatasetReader>(std::move(reader));
}

}  // namespace pangeo
