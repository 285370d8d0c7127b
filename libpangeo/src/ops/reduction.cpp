#include "reduction.hpp"

#include "pangeo/executor.hpp"

#include "partials.hpp"

#include "pangeo/rechunk.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <mutex>
#include <sstream>

#include "pangeo/grid.hpp"

namespace pangeo {

namespace {

// Walks the elements of `box` in C order, calling fn(linear index in box, output cell
// relative to `region`, weight).
template <typename Fn>
void for_each_cell(const Box& box, const Mapping& m, const Box& region, Fn&& fn) {
  const size_t rank = box.count.size();
  if (rank == 0) {
    fn(size_t(0), size_t(0), 1.0);
    return;
  }
  const Shape rstride = c_strides(region.count);
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
  Box rows = Box::whole(box.count);
  const uint64_t inner = box.count[rank - 1];
  rows.count[rank - 1] = 1;
  size_t lin = 0;
  for_each_index(rows, [&](const Shape& k) {
    uint64_t base = 0;
    double wb = 1.0;
    for (size_t d = 0; d + 1 < rank; ++d) {
      base += off[d][k[d]];
      if (any_w) wb *= w[d][k[d]];
    }
    for (uint64_t j = 0; j < inner; ++j, ++lin) fn(lin, size_t(base + off[rank - 1][j]), any_w ? wb * w[rank - 1][j] : 1.0);
  });
}

// Counts and sums of one box straight from its stored values (the hot path of means and
// sums: no decoded copy of the data).
template <typename T>
void count_and_sum(const T* p, const Box& box, const Mapping& m, const Box& region, const MaskAndScale& ms, double* n,
                   double* sum) {
  const auto& fills = ms.fills();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double f0 = fills.empty() ? nan : fills[0], f1 = fills.size() > 1 ? fills[1] : f0;
  for_each_cell(box, m, region, [&](size_t lin, size_t cell, double) {
    const double x = double(p[lin]);
    if (x != x || x == f0 || x == f1) return;
    n[cell] += 1;
    if (sum) sum[cell] += ms.unpack(x);
  });
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

}  // namespace

DType result_dtype(const Variable& v, const OpSpec& op) {
  DType dec = decoded_dtype(v);
  switch (op.op) {
    case ReduceOp::kCount: return DType::of(DTypeKind::kInt64);
    case ReduceOp::kMin: case ReduceOp::kMax: return dec;
    case ReduceOp::kQuantile: return DType::of(DTypeKind::kFloat64);  // numpy's quantile (see quantile_type)
    case ReduceOp::kSum:
      if (dec.is_float()) return dec;
      return dec.is_signed() || dec.kind == DTypeKind::kBool ? DType::of(DTypeKind::kInt64) : DType::of(DTypeKind::kUInt64);
    default: return dec.kind == DTypeKind::kFloat32 ? dec : DType::of(DTypeKind::kFloat64);
  }
}

// What xarray's Dataset reductions make of a data variable without the reduced
// dimensions (they apply the operation over none of its axes, or over all of a scalar's):
// count counts its values that are not missing, std and var give 0 (NaN where a value is
// missing or ddof >= 1), a numeric scalar is reduced whole by mean, median, quantile and
// sum; anything else keeps its values (nullopt).
std::optional<DType> unreduced_dtype(const Variable& v, const OpSpec& op) {
  if (op.op == ReduceOp::kCount) return DType::of(DTypeKind::kInt64);
  if (!v.dtype.is_numeric() || is_time_variable(v)) return std::nullopt;
  if (op.op == ReduceOp::kStd || op.op == ReduceOp::kVar) return result_dtype(v, op);
  if (v.rank() != 0) return std::nullopt;
  if (op.op == ReduceOp::kQuantile) return DType::of(DTypeKind::kFloat64);
  if (op.op == ReduceOp::kMean || op.op == ReduceOp::kMedian || op.op == ReduceOp::kSum) return result_dtype(v, op);
  return std::nullopt;
}

Result<NdArray> unreduced_values(DatasetReader& in, const Variable& v, DType dt, const OpSpec& op) {
  if (v.dtype.kind == DTypeKind::kChar && v.rank() > 0) {  // strings: each one counts
    NdArray ones(dt, Shape(v.shape.begin(), v.shape.end() - 1));
    for (size_t i = 0; i < ones.size(); ++i) store_from_double(dt, ones.bytes.data(), i, 1);
    return ones;
  }
  PG_ASSIGN_OR_RETURN(NdArray raw, in.read(v.name, Box{Shape(v.rank(), 0), v.shape}));
  NdArray out(dt, v.shape);
  std::vector<double> x(raw.size(), 0.0);
  if (v.dtype.is_numeric()) MaskAndScale(v).decode_all(raw, x);
  for (size_t i = 0; i < x.size(); ++i) {
    const bool missing = std::isnan(x[i]);
    double y = x[i];
    if (op.op == ReduceOp::kCount) y = missing ? 0 : 1;
    else if (op.op == ReduceOp::kStd || op.op == ReduceOp::kVar) y = missing || op.ddof >= 1 ? NAN : 0.0;
    else if (op.op == ReduceOp::kSum && missing && op.skipna) y = 0;
    store_from_double(dt, out.bytes.data(), i, y);
  }
  return out;
}

void quantile_type(NdArray& r, const Variable& v, const OpSpec& op, const std::vector<size_t>& firsts, Variable& out) {
  if (op.op != ReduceOp::kQuantile || !op.skipna || decoded_dtype(v).kind != DTypeKind::kFloat32) return;
  for (size_t f : firsts)
    if (f >= r.size() || !std::isnan(r.as_double(f))) return;
  NdArray narrow(DType::of(DTypeKind::kFloat32), r.shape);
  for (size_t k = 0; k < r.size(); ++k) narrow.data<float>()[k] = float(r.as_double(k));
  r = std::move(narrow);
  out.dtype = r.dtype;
}

// Decoded doubles of a box.
Result<std::vector<double>> read_decoded(DatasetReader& in, const std::string& path, const Variable& v, const Box& box) {
  PG_ASSIGN_OR_RETURN(NdArray a, in.read(path, box));
  std::vector<double> out;
  MaskAndScale(v).decode_all(a, out);
  return out;
}

namespace {

// Calls fn(first output cell, first cell in `region`, length) for every run of
// consecutive cells (a row along the last dimension) of `region`, a box of the output grid
// (before squeezing) of shape `out_len`.
template <typename Fn>
void for_each_region_run(const Box& region, const Shape& out_len, Fn&& fn) {
  const Shape stride = c_strides(out_len);
  const size_t rank = region.count.size();
  if (rank == 0) {
    fn(uint64_t(0), uint64_t(0), uint64_t(1));
    return;
  }
  Box rows = region;
  rows.count[rank - 1] = 1;
  const uint64_t run = region.count[rank - 1];
  uint64_t c = 0;
  for_each_index(rows, [&](const Shape& idx) {
    uint64_t t = 0;
    for (size_t d = 0; d < rank; ++d) t += idx[d] * stride[d];
    fn(t, c, run);
    c += run;
  });
}

// Calls fn(linear cell in the whole output, linear cell in `region`) for every cell of
// `region`.
template <typename Fn>
void for_each_region_cell(const Box& region, const Shape& out_len, Fn&& fn) {
  for_each_region_run(region, out_len, [&](uint64_t t, uint64_t c, uint64_t run) {
    for (uint64_t j = 0; j < run; ++j) fn(t + j, c + j);
  });
}

// True when `region` is a box of a grid of shape `len`.
bool within(const Box& region, const Shape& len) {
  if (region.start.size() != len.size() || region.count.size() != len.size()) return false;
  for (size_t d = 0; d < len.size(); ++d)
    if (region.start[d] > len[d] || region.count[d] > len[d] - region.start[d]) return false;
  return true;
}

// Merges `part` (covering `region` of an output of shape `out_len`) into `total`. With
// `exec`, the cells are shared out over its threads along the region's first dimension
// longer than one; each cell still takes one merge, so the result does not depend on them.
Status merge_region(Accumulator& total, const Accumulator& part, const Box& region, const Shape& out_len,
                    const ExecOptions* exec) {
  size_t d = 0;
  while (d + 1 < region.count.size() && region.count[d] == 1) ++d;
  const uint64_t len = region.count.empty() ? 1 : region.count[d];
  const uint64_t inner = region.count.empty() ? 1 : element_count(region.count) / std::max<uint64_t>(len, 1);
  const uint64_t ntask = exec ? std::min<uint64_t>(len, 4 * uint64_t(resolve_threads(*exec))) : 1;
  auto merge_rows = [&](uint64_t a, uint64_t b) {
    Box sub = region;
    if (!sub.count.empty()) {
      sub.start[d] += a;
      sub.count[d] = b - a;
    }
    const uint64_t offset = a * inner;
    for_each_region_run(sub, out_len, [&](uint64_t t, uint64_t c, uint64_t run) { total.merge_run(t, part, offset + c, run); });
  };
  if (ntask <= 1 || region.size() < (1u << 16)) {
    merge_rows(0, len);
    return Status::Ok();
  }
  ExecOptions quiet = *exec;
  quiet.progress = nullptr;
  return run_tasks(
      ntask,
      [&](uint64_t k) {
        merge_rows(k * len / ntask, (k + 1) * len / ntask);
        return Status::Ok();
      },
      nullptr, quiet);
}

bool fast_path(const Variable& v, const OpSpec& op, const MaskAndScale& ms, bool weighted) {
  const bool stat = op.op == ReduceOp::kMean || op.op == ReduceOp::kSum || op.op == ReduceOp::kCount;
  const DTypeKind k = v.dtype.kind;
  return stat && !weighted && op.skipna && ms.fills().size() <= 2 && !ms.reinterprets() &&
         (k == DTypeKind::kFloat32 || k == DTypeKind::kFloat64 || k == DTypeKind::kInt16 || k == DTypeKind::kInt32);
}

// Adds the values of `b` to `part` (covering `region` of the output).
Status accumulate_box(DatasetReader& in, const Work& wk, const MaskAndScale& ms, const Box& b, const Box& region,
                      const OpSpec& op, bool weighted, Accumulator& part) {
  const Variable& v = *wk.var;
  if (fast_path(v, op, ms, weighted)) {
    PG_ASSIGN_OR_RETURN(NdArray raw, in.read(wk.path, b));
    double* n = part.n.data();
    double* sum = part.sum.empty() ? nullptr : part.sum.data();
    switch (v.dtype.kind) {
      case DTypeKind::kFloat32: count_and_sum(raw.data<float>(), b, wk.map, region, ms, n, sum); break;
      case DTypeKind::kFloat64: count_and_sum(raw.data<double>(), b, wk.map, region, ms, n, sum); break;
      case DTypeKind::kInt16: count_and_sum(raw.data<int16_t>(), b, wk.map, region, ms, n, sum); break;
      default: count_and_sum(raw.data<int32_t>(), b, wk.map, region, ms, n, sum); break;
    }
    return Status::Ok();
  }
  PG_ASSIGN_OR_RETURN(NdArray raw, in.read(wk.path, b));
  std::vector<double> vals;
  ms.decode_all(raw, vals);
  for_each_cell(b, wk.map, region, [&](size_t lin, size_t cell, double wt) { part.add(cell, vals[lin], wt); });
  return Status::Ok();
}

// The fixed merge tree over batches [0, n): node [lo, hi) has the children [lo, mid) and
// [mid, hi), mid = lo + (hi - lo) / 2; the leaves are single batches.
struct Span {
  uint64_t lo = 0, hi = 0;
  uint64_t mid() const { return lo + (hi - lo) / 2; }
  bool operator<(const Span& o) const { return lo != o.lo ? lo < o.lo : hi < o.hi; }
  bool operator==(const Span& o) const { return lo == o.lo && hi == o.hi; }
};

// The parent of `s` in the tree over [0, n) (s is not the root).
Span parent_of(Span s, uint64_t n) {
  Span p{0, n};
  for (;;) {
    const Span left{p.lo, p.mid()}, right{p.mid(), p.hi};
    if (left == s || right == s) return p;
    p = s.hi <= p.mid() ? left : right;
  }
}

// A node's result: the output cells it covers (a box of the output grid) and their
// accumulator.
struct NodeResult {
  Box region;
  Accumulator acc;
};

// Node `a` then node `b` as one node over the union of their regions: a's cells as they
// are, b's merged into them. Every path (one process, parts, merge) combines nodes this
// way only, so that the bits do not depend on which process did it.
Result<NodeResult> combine(NodeResult a, const NodeResult& b, const OpSpec& op, bool weighted, const ExecOptions* exec) {
  const Box u = union_of(a.region, b.region);
  auto within_u = [&](const Box& r) {
    Box rel = r;
    for (size_t d = 0; d < rel.start.size(); ++d) rel.start[d] -= u.start[d];
    return rel;
  };
  if (!(u == a.region)) {
    NodeResult w{u, Accumulator(u.size(), op, weighted)};
    for_each_region_run(within_u(a.region), u.count,
                        [&](uint64_t t, uint64_t c, uint64_t run) { w.acc.copy_run(t, a.acc, c, run); });
    a = std::move(w);
  }
  PG_RETURN_IF_ERROR(merge_region(a.acc, b.acc, within_u(b.region), u.count, exec));
  return a;
}

// Finished nodes combined up the tree as their siblings finish, as far as the parents lie
// within `allowed`: when every leaf of `allowed` is in, what is left are its largest nodes
// (the root alone when `allowed` is every batch).
class MergeTree {
 public:
  MergeTree(uint64_t n, Span allowed, OpSpec op, bool weighted) : n_(n), allowed_(allowed), op_(op), weighted_(weighted) {}
  void add(Span s, NodeResult r) {
    while (!(s.lo == 0 && s.hi == n_)) {
      const Span p = parent_of(s, n_);
      if (p.lo < allowed_.lo || p.hi > allowed_.hi) break;
      const bool left = s.lo == p.lo;
      auto sibling = done_.find(left ? Span{p.mid(), p.hi} : Span{p.lo, p.mid()});
      if (sibling == done_.end()) break;
      NodeResult other = std::move(sibling->second);
      done_.erase(sibling);
      // Without threads of its own a combination cannot fail.
      r = *(left ? combine(std::move(r), other, op_, weighted_, nullptr) : combine(std::move(other), r, op_, weighted_, nullptr));
      s = p;
    }
    done_.emplace(s, std::move(r));
  }
  std::map<Span, NodeResult>& nodes() { return done_; }

 private:
  uint64_t n_;
  Span allowed_;
  OpSpec op_;
  bool weighted_;
  std::map<Span, NodeResult> done_;
};

// Mergeable statistics: fixed batches of consecutive read units, each reduced into one
// partial result; the partials combine along the fixed merge tree. The batches and the
// tree depend on the input and the statistic only (not on threads or parts), so neither
// does the answer.
Status accumulate_variable(DatasetReader& in, const Work& wk, const OpSpec& op, bool weighted, const ExecOptions& exec,
                           PartialStore* partial, std::vector<double>& final_values) {
  const Variable& v = *wk.var;
  const std::vector<Box> boxes = ChunkGrid(v.shape, task_unit(in.read_chunks(wk.path), v.shape)).boxes();
  // Up to 64 batches, fewer where each batch's partial result is large next to its input
  // (a month climatology: every batch of a few years touches all twelve months), so that
  // the partials held at once stay within a quarter of the input.
  const uint64_t fields = 1 + uint64_t(__builtin_popcount(Accumulator::fields_for(op, weighted))) +
                          (Accumulator::fields_for(op, weighted) & Accumulator::kMoments ? 1 : 0);
  const uint64_t partial_bytes = boxes.empty() ? 1 : region_of(boxes[0], wk.map).size() * fields * 8;
  const uint64_t input_bytes = v.size() * std::max<uint32_t>(v.dtype.itemsize, 1);
  const uint64_t nbatch = std::max<uint64_t>(
      std::min<uint64_t>({boxes.size(), 64, input_bytes / std::max<uint64_t>(4 * partial_bytes, 1)}), std::min<size_t>(boxes.size(), 1));
  auto batch_range = [&](uint64_t b) { return std::make_pair(b * boxes.size() / nbatch, (b + 1) * boxes.size() / nbatch); };
  // The root's statistics fill the output; cells no batch touched get an empty cell's.
  auto finish = [&](const NodeResult* root) {
    const double none = Accumulator(1, op, weighted).finish(0);
    std::fill(final_values.begin(), final_values.end(), none);
    if (root)
      for_each_region_run(root->region, wk.map.out_len,
                          [&](uint64_t t, uint64_t c, uint64_t run) { root->acc.finish_run(c, run, &final_values[t]); });
  };
  if (partial && partial->merging()) {
    // The largest nodes each part wrote, combined up to the root (depth first: a node
    // per tree level in memory), each combination spread over the threads by cells.
    auto load = [&](Span s) -> Result<NodeResult> {
      NodeResult r;
      PG_ASSIGN_OR_RETURN(r.region, partial->get_node(wk.path, s.lo, s.hi, nbatch, op, weighted, r.acc));
      if (!within(r.region, wk.map.out_len))
        return corrupt("batches {}-{} of \"{}\" cover cells outside the output (a part of another input?)", s.lo, s.hi, wk.path);
      return r;
    };
    std::function<Result<NodeResult>(Span)> eval = [&](Span s) -> Result<NodeResult> {
      if (stop_requested().load(std::memory_order_relaxed)) return cancelled("interrupted");
      if (partial->holds(s.lo, s.hi, nbatch)) return load(s);
      if (s.hi - s.lo < 2) return internal_error("no part holds batch {} of {}", s.lo, nbatch);
      const Span halves[2] = {Span{s.lo, s.mid()}, Span{s.mid(), s.hi}};
      NodeResult node[2];
      if (resolve_threads(exec) > 1 && partial->holds(halves[0].lo, halves[0].hi, nbatch) &&
          partial->holds(halves[1].lo, halves[1].hi, nbatch)) {
        // Two stored nodes (two parts' results): read and decoded at once.
        ExecOptions quiet = exec;
        quiet.progress = nullptr;
        PG_RETURN_IF_ERROR(run_tasks(
            2,
            [&](uint64_t k) -> Status {
              PG_ASSIGN_OR_RETURN(node[k], load(halves[k]));
              return Status::Ok();
            },
            nullptr, quiet));
      } else {
        for (int k = 0; k < 2; ++k) {
          PG_ASSIGN_OR_RETURN(node[k], eval(halves[k]));
        }
      }
      return combine(std::move(node[0]), node[1], op, weighted, &exec);
    };
    if (nbatch == 0) {
      finish(nullptr);
      return Status::Ok();
    }
    PG_ASSIGN_OR_RETURN(NodeResult root, eval(Span{0, nbatch}));
    finish(&root);
    return Status::Ok();
  }
  // A part run computes its share of the batches and writes the largest nodes within it.
  const std::pair<uint64_t, uint64_t> owned = part_range(nbatch, partial ? partial->part() : Part());
  const uint64_t own_first = owned.first, own_last = owned.second;
  MergeTree tree(nbatch, Span{own_first, own_last}, op, weighted);
  std::mutex mu;
  auto task = [&](uint64_t k) -> Status {
    const uint64_t bi = own_first + k;
    auto [first, last] = batch_range(bi);
    Box region = region_of(boxes[first], wk.map);
    for (uint64_t i = first + 1; i < last; ++i) region = union_of(region, region_of(boxes[i], wk.map));
    NodeResult leaf{region, Accumulator(region.size(), op, weighted)};
    const MaskAndScale ms(*wk.var);
    for (uint64_t i = first; i < last; ++i) {
      if (stop_requested().load(std::memory_order_relaxed)) return cancelled("interrupted");
      PG_RETURN_IF_ERROR(accumulate_box(in, wk, ms, boxes[i], region, op, weighted, leaf.acc));
    }
    std::lock_guard lock(mu);
    tree.add(Span{bi, bi + 1}, std::move(leaf));
    return Status::Ok();
  };
  auto cost = [&](uint64_t k) {
    auto [first, last] = batch_range(own_first + k);
    return boxes[first].size() * 24 + region_of(boxes[first], wk.map).size() * 48;
  };
  PG_RETURN_IF_ERROR(run_tasks(own_last - own_first, task, cost, exec));
  if (partial) {
    for (const auto& [s, r] : tree.nodes()) PG_RETURN_IF_ERROR(partial->put_node(wk.path, s.lo, s.hi, r.region, r.acc));
    return Status::Ok();
  }
  finish(tree.nodes().empty() ? nullptr : &tree.nodes().begin()->second);
  return Status::Ok();
}

// A merge of exact results: every part's blocks (each: rank, then start and count of its
// region of output cells per dimension, then the results) fill the output; each cell must
// come from exactly one block (parts whose blocks differ, from unlike budgets, do not).
Status merge_blocks(PartialStore& partial, const Work& wk, std::vector<double>& final_values) {
  PG_ASSIGN_OR_RETURN(auto blocks, partial.all_blocks(wk.path));
  std::vector<uint8_t> seen(final_values.size(), 0);
  const size_t rank = wk.map.out_len.size();
  for (const auto& b : blocks) {
    if (b.empty() || stored_index(b[0], 64) != rank || b.size() < 1 + 2 * rank) return corrupt("a partial block of another shape");
    Box region{Shape(rank), Shape(rank)};
    for (size_t d = 0; d < rank; ++d) {
      const auto start = stored_index(b[1 + 2 * d], wk.map.out_len[d]), count = stored_index(b[2 + 2 * d], wk.map.out_len[d]);
      if (!start || !count || *count > wk.map.out_len[d] - *start) return corrupt("a partial block outside the output");
      region.start[d] = *start;
      region.count[d] = *count;
    }
    if (b.size() != 1 + 2 * rank + region.size()) return corrupt("a partial block of the wrong size");
    size_t k = 1 + 2 * rank;
    Status s;
    for_each_region_cell(region, wk.map.out_len, [&](uint64_t t, uint64_t) {
      if (seen[t]++) s = invalid_argument("output cell {} comes from two parts: were the parts run with unlike --memory?", t);
      final_values[t] = b[k++];
    });
    PG_RETURN_IF_ERROR(s);
  }
  for (size_t t = 0; t < seen.size(); ++t)
    if (!seen[t]) return invalid_argument("output cell {} comes from no part: were the parts run with unlike --memory?", t);
  return Status::Ok();
}

// Exact order statistics: each task owns a block of output cells (whole along the
// reduced dimensions, as many cells as fit its share of the budget) and gathers every
// value that falls into them. Blocks narrower than the input's read units would read
// each unit many times: the variable is then first rechunked to the blocks through an
// intermediate copy.
Status exact_variable(DatasetReader& in_ref, const Work& wk, const OpSpec& op, const ExecOptions& exec,
                      PartialStore* partial, std::vector<double>& final_values) {
  const Variable& v = *wk.var;
  const size_t rank = v.rank();
  const uint64_t budget = task_budget(exec.memory_budget, resolve_threads(exec));
  Shape unit = in_ref.read_chunks(wk.path), block(rank), step(rank, 1);
  for (size_t d = 0; d < rank; ++d) {
    unit[d] = std::clamp<uint64_t>(unit[d], 1, std::max<uint64_t>(v.shape[d], 1));
    block[d] = wk.map.to_out[d].empty() ? 1 : v.shape[d];
  }
  // A block holds its values as doubles, the part being read decoded to doubles too, and
  // one read unit as stored.
  const uint64_t unit_bytes = element_count(unit) * v.dtype.itemsize;
  auto cost = [&](const Shape& b) { return element_count(b) * 16 + unit_bytes; };
  if (cost(block) > budget)
    return resource_exhausted("an exact {} needs {:.1f} MiB per block of output cells, more than the memory budget of {:.1f} MiB per thread",
                              op.op == ReduceOp::kMedian ? "median" : "quantile", double(cost(block)) / (1 << 20),
                              double(budget) / (1 << 20));
  // Larger blocks gain nothing and leave threads idle.
  const uint64_t cap = std::max(cost(block), std::min(budget, 2 * kSlabTarget));
  block = grow_slab(block, unit, step, v.shape, cap, cost);
  std::vector<Box> blocks = ChunkGrid(v.shape, block).boxes();
  if (partial && partial->merging()) return merge_blocks(*partial, wk, final_values);
  uint64_t block_base = 0;
  if (partial) {  // a part run: its share of the blocks
    const auto [first, last] = part_range(blocks.size(), partial->part());
    blocks = std::vector<Box>(blocks.begin() + first, blocks.begin() + last);
    block_base = first;
  }
  DatasetReader* in = &in_ref;
  std::unique_ptr<DatasetReader> staged;
  if (!holds_whole_units(v.shape, block, unit) && !in_ref.reads_in_place(wk.path) && v.dtype.is_numeric()) {
    const RechunkLayout layout{v.shape, unit, false, block, v.dtype.itemsize};
    PG_ASSIGN_OR_RETURN(staged, stage_variables(in_ref, {{wk.path, plan_staging(layout, block, budget)}}, exec));
    in = staged.get();
    unit = in->read_chunks(wk.path);
  }
  const double q = op.op == ReduceOp::kMedian ? 0.5 : op.q;
  const Interpolation how = op.op == ReduceOp::kMedian                         ? Interpolation::kMedian
                            : decoded_dtype(v).kind == DTypeKind::kFloat32 ? Interpolation::kLinearFloat32
                                                                            : Interpolation::kLinear;
  auto task = [&](uint64_t i) -> Status {
    const Box& b = blocks[i];
    Box region = region_of(b, wk.map);
    std::vector<std::vector<double>> cells(region.size());
    for (auto& c : cells) c.reserve(b.size() / std::max<uint64_t>(region.size(), 1));
    for (Box src : ChunkGrid(b.count, unit).boxes()) {
      for (size_t d = 0; d < src.start.size(); ++d) src.start[d] += b.start[d];
      PG_ASSIGN_OR_RETURN(std::vector<double> vals, read_decoded(*in, wk.path, v, src));
      for_each_cell(src, wk.map, region, [&](size_t lin, size_t cell, double) {
        if (!std::isnan(vals[lin]) || !op.skipna) cells[cell].push_back(vals[lin]);
      });
    }
    // A part run's results follow a header: the rank, then each dimension's start and
    // count of the block's output cells.
    std::vector<double> mine;
    if (partial) {
      mine.reserve(1 + 2 * region.start.size() + region.size());
      mine.push_back(double(region.start.size()));
      for (size_t d = 0; d < region.start.size(); ++d) mine.insert(mine.end(), {double(region.start[d]), double(region.count[d])});
    }
    for_each_region_cell(region, wk.map.out_len, [&](uint64_t t, uint64_t c) {
      auto& cv = cells[c];
      bool has_nan = std::any_of(cv.begin(), cv.end(), [](double x) { return std::isnan(x); });
      final_values[t] = has_nan ? NAN : quantile_of(cv, q, how);
      if (partial) mine.push_back(final_values[t]);
    });
    if (partial) return partial->put_block(wk.path, block_base + i, mine);
    return Status::Ok();
  };
  auto task_cost = [&](uint64_t i) { return cost(blocks[i].count); };
  return run_tasks(blocks.size(), task, task_cost, exec);
}

}  // namespace

Result<std::vector<NdArray>> reduce_arrays(DatasetReader& in, std::vector<Work>& work, const OpSpec& op,
                                           const ExecOptions& exec, PartialStore* partial) {
  std::vector<NdArray> results(work.size());
  const bool exact = op.op == ReduceOp::kMedian || op.op == ReduceOp::kQuantile;
  for (size_t w = 0; w < work.size(); ++w) {
    const Work& wk = work[w];
    const bool weighted = std::any_of(wk.map.weights.begin(), wk.map.weights.end(), [](auto& x) { return !x.empty(); });
    std::vector<double> final_values(wk.map.out_cells(), NAN);
    Status s = exact ? exact_variable(in, wk, op, exec, partial, final_values)
                     : accumulate_variable(in, wk, op, weighted, exec, partial, final_values);
    PG_RETURN_IF_ERROR(s.with_context(fmt::format("variable \"{}\"", wk.path)));
    NdArray out(wk.out_dtype, wk.map.out_shape());
    for (size_t c = 0; c < final_values.size(); ++c) store_from_double(wk.out_dtype, out.bytes.data(), c, final_values[c]);
    results[w] = std::move(out);
  }
  return results;
}

bool has_dim(const Variable& v, const std::string& d) { return v.axis(d).has_value(); }

bool is_coordinate(const Variable& v, const std::set<std::string>& coords) {
  return v.is_dimension_coordinate() || coords.count(v.name) > 0;
}

// Attributes that describe the stored encoding, not the decoded values.
bool is_encoding_attr(const Attribute& a) {
  for (const char* k : {"_FillValue", "missing_value", "scale_factor", "add_offset", "_Unsigned"})
    if (a.name == k) return true;
  return a.name == "dtype" && a.value.value.is_string() && a.value.value == "bool";  // booleans stored as bytes
}

Attributes decoded_attrs(const Attributes& in) {
  Attributes out;
  for (const auto& a : in.items())
    if (!is_encoding_attr(a)) out.set(a.name, a.value);
  return out;
}

Status check_reduction_size(const Variable& v, const std::vector<bool>& mapped, uint64_t out_cells) {
  uint64_t table = 0;
  for (size_t d = 0; d < v.rank() && d < mapped.size(); ++d)
    if (mapped[d]) table += v.shape[d] * sizeof(int64_t);
  // A few doubles per output cell: the accumulators (count, sum, sum of squares) and the result.
  uint64_t cells = 0;
  if (__builtin_mul_overflow(out_cells, uint64_t(4 * sizeof(double)), &cells)) cells = ~uint64_t(0);
  return check_data_size(std::max(table, cells), false)
      .with_context(fmt::format("variable \"{}\": the result of {} cells", v.name, out_cells));
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
void keep_coordinates(const Variable& src, Variable& dst, const Group& out, const std::set<std::string>& coords) {
  std::vector<std::string> names;
  if (auto listed = src.attrs.text("coordinates")) {
    std::stringstream ss(*listed);
    for (std::string name; ss >> name;) names.push_back(name);
  }
  for (const auto& c : coords)
    if (std::find(names.begin(), names.end(), c) == names.end()) names.push_back(c);
  dst.attrs.erase("coordinates");
  std::string kept;
  for (const auto& name : names) {
    const Variable* c = out.find_var(name);
    if (!c || c->is_dimension_coordinate() || name == dst.name) continue;
    bool fits = std::all_of(c->dims.begin(), c->dims.end(), [&](auto& d) { return has_dim(dst, d); });
    if (fits) kept += (kept.empty() ? "" : " ") + name;
  }
  if (!kept.empty()) dst.attrs.set("coordinates", AttrValue::text(kept));
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

}  // namespace pangeo
