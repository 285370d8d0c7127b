#include "accumulator.hpp"

#include <sys/mman.h>

#include <cstdint>

namespace pangeo {

unsigned Accumulator::fields_for(const OpSpec& op, bool weighted) {
  unsigned f = (weighted ? unsigned(kWeights) : 0u) | (op.skipna ? 0u : unsigned(kNans));
  switch (op.op) {
    case ReduceOp::kMean: case ReduceOp::kSum: return f | kSum;
    case ReduceOp::kStd: case ReduceOp::kVar: return f | kMoments;
    case ReduceOp::kMin: return f | kMin;
    case ReduceOp::kMax: return f | kMax;
    default: return f;
  }
}

namespace {
// `v` with room for `cells` values, a new buffer asked to be backed by huge pages (its
// whole 2 MiB pages): a climatology's field is tens of MiB written once, and faulting it
// in 4 KiB pages cost more than filling it (the kernel ignores the advice where it has no
// transparent huge pages).
void reserve_fresh(std::vector<double>& v, size_t cells) {
  if (v.capacity() >= cells) return;
  std::vector<double>().swap(v);
  v.reserve(cells);
  constexpr uintptr_t kHuge = uintptr_t(2) << 20;
  const uintptr_t first = (reinterpret_cast<uintptr_t>(v.data()) + kHuge - 1) & ~(kHuge - 1);
  const uintptr_t last = reinterpret_cast<uintptr_t>(v.data() + cells) & ~(kHuge - 1);
  if (last > first) (void)madvise(reinterpret_cast<void*>(first), last - first, MADV_HUGEPAGE);
}
}  // namespace

void Accumulator::init_fields(size_t cells, const OpSpec& op, unsigned fields) {
  op_ = op;
  weighted_ = fields & kWeights;
  auto keep = [&](std::vector<double>& v, bool wanted, double init) {
    if (!wanted) {
      v.clear();
      return;
    }
    reserve_fresh(v, cells);
    v.assign(cells, init);
  };
  keep(n, true, 0);
  keep(nans, fields & kNans, 0);
  keep(sum, fields & kSum, 0);
  keep(sw, fields & kWeights, 0);
  keep(mean, fields & kMoments, 0);
  keep(m2, fields & kMoments, 0);
  keep(mn, fields & kMin, INFINITY);
  keep(mx, fields & kMax, -INFINITY);
}

double Accumulator::finish(size_t c) const {
  if (!op_.skipna && !nans.empty() && nans[c] > 0 && op_.op != ReduceOp::kCount) return NAN;
  switch (op_.op) {
    case ReduceOp::kCount: return n[c];
    case ReduceOp::kSum: return sum[c];  // xarray: the sum of nothing is 0
    case ReduceOp::kMean:
      if (weighted_) return sw[c] != 0 ? sum[c] / sw[c] : NAN;
      return n[c] > 0 ? sum[c] / n[c] : NAN;
    case ReduceOp::kMin: return n[c] > 0 ? mn[c] : NAN;
    case ReduceOp::kMax: return n[c] > 0 ? mx[c] : NAN;
    case ReduceOp::kVar:
    case ReduceOp::kStd: {
      double dof = n[c] - op_.ddof;
      if (dof <= 0) return NAN;
      double v = m2[c] / dof;
      return op_.op == ReduceOp::kStd ? std::sqrt(v) : v;
    }
    default: return NAN;
  }
}

void Accumulator::finish_run(size_t c, size_t run, double* out) const {
  // The commonest case (a mean skipping NaN) without a choice per cell.
  if ((op_.skipna || nans.empty()) && op_.op == ReduceOp::kMean && !weighted_) {
    const double* cnt = n.data() + c;
    const double* total = sum.data() + c;
    for (size_t j = 0; j < run; ++j) out[j] = cnt[j] > 0 ? total[j] / cnt[j] : NAN;
    return;
  }
  for (size_t j = 0; j < run; ++j) out[j] = finish(c + j);
}

double quantile_of(std::vector<double>& v, double q, Interpolation how) {
  if (v.empty()) return NAN;
  double pos = q * double(v.size() - 1);
  size_t lo = size_t(std::floor(pos)), hi = size_t(std::ceil(pos));
  std::nth_element(v.begin(), v.begin() + lo, v.end());
  double a = v[lo];
  if (hi == lo) return a;
  double b = *std::min_element(v.begin() + lo + 1, v.end());
  if (how == Interpolation::kMedian) return (a + b) / 2;  // numpy's median: the middle two's mean
  // numpy's linear interpolation (_lerp): the difference in the data's type, then from
  // the nearer end
  const double t = pos - double(lo);
  double diff = b - a;
  if (how == Interpolation::kLinearFloat32) diff = double(float(diff));
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

}  // namespace pangeo
