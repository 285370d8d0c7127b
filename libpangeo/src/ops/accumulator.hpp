// The one accumulator family behind every statistic: pg-reduce, pg-groupby (climatologies,
// resampling, anomalies), rolling windows and pg-info --stats. Per output cell it keeps
// only what the statistic needs of (count, NaN count, sum, sum of weights, mean and M2,
// min, max), in float64; add() takes one value, merge() takes another accumulator's cell,
// so partial results from any split of the input combine into the same answer when
// merged in a fixed order (Chan et al. for the variance).
#pragma once

#include <algorithm>
#include <cmath>
#include <vector>

#include "pangeo/reduce.hpp"

namespace pangeo {

class Accumulator {
 public:
  // What to keep per cell, as bits.
  enum Field : unsigned { kSum = 1, kWeights = 2, kMoments = 4, kMin = 8, kMax = 16, kNans = 32 };
  // The fields a statistic needs.
  static unsigned fields_for(const OpSpec& op, bool weighted);

  Accumulator() = default;
  Accumulator(size_t cells, const OpSpec& op, bool weighted) { init(cells, op, weighted); }
  void init(size_t cells, const OpSpec& op, bool weighted) { init_fields(cells, op, fields_for(op, weighted)); }
  void init_fields(size_t cells, const OpSpec& op, unsigned fields);

  size_t cells() const { return n.size(); }

  // Hot paths (millions of calls per output): inline.
  void add(size_t c, double x, double w = 1.0) {
    if (std::isnan(x)) {
      if (!nans.empty()) nans[c] += 1;
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
  // Merges cell `s` of `o` into cell `t` of this.
  void merge(size_t t, const Accumulator& o, size_t s) {
    if (!nans.empty()) nans[t] += o.nans[s];
    if (o.n[s] == 0) return;
    if (!mean.empty()) {
      const double na = n[t], nb = o.n[s], nab = na + nb;
      const double d = o.mean[s] - mean[t];
      mean[t] += d * nb / nab;
      m2[t] += o.m2[s] + d * d * na * nb / nab;
    }
    n[t] += o.n[s];
    if (!sum.empty()) sum[t] += o.sum[s];
    if (!sw.empty()) sw[t] += o.sw[s];
    if (!mn.empty()) mn[t] = std::min(mn[t], o.mn[s]);
    if (!mx.empty()) mx[t] = std::max(mx[t], o.mx[s]);
  }
  // Merges cells s..s+len-1 of `o` into cells t..t+len-1 of this, with the same result as
  // merge() cell by cell: sums, counts and extremes a field at a time (an empty cell of
  // `o` adds +0 and the identities of min and max, which change nothing: sums are never
  // -0), moments cell by cell.
  void merge_run(size_t t, const Accumulator& o, size_t s, size_t len) {
    if (!mean.empty()) {
      for (size_t j = 0; j < len; ++j) merge(t + j, o, s + j);
      return;
    }
    auto add = [&](std::vector<double>& a, const std::vector<double>& b) {
      if (a.empty()) return;
      double* x = a.data() + t;
      const double* y = b.data() + s;
      for (size_t j = 0; j < len; ++j) x[j] += y[j];
    };
    add(nans, o.nans);
    add(n, o.n);
    add(sum, o.sum);
    add(sw, o.sw);
    if (!mn.empty())
      for (size_t j = 0; j < len; ++j) mn[t + j] = std::min(mn[t + j], o.mn[s + j]);
    if (!mx.empty())
      for (size_t j = 0; j < len; ++j) mx[t + j] = std::max(mx[t + j], o.mx[s + j]);
  }
  // Cells s..s+len-1 of `o` copied as they are to cells t..t+len-1 of this (same fields).
  void copy_run(size_t t, const Accumulator& o, size_t s, size_t len) {
    auto copy = [&](std::vector<double>& a, const std::vector<double>& b) {
      if (!a.empty()) std::copy(b.begin() + s, b.begin() + s + len, a.begin() + t);
    };
    for (auto f : {&Accumulator::n, &Accumulator::nans, &Accumulator::sum, &Accumulator::sw, &Accumulator::mean,
                   &Accumulator::m2, &Accumulator::mn, &Accumulator::mx})
      copy(this->*f, o.*f);
  }
  // The statistic of cell `c` (NaN where xarray gives NaN).
  double finish(size_t c) const;
  // finish() of cells c .. c+run-1 into out[0 .. run-1].
  void finish_run(size_t c, size_t run, double* out) const;

  // Per cell: valid values, and the optional fields (NaN or masked values: kNans).
  std::vector<double> n, nans, sum, sw, mean, m2, mn, mx;

 private:
  OpSpec op_;
  bool weighted_ = false;
};

// numpy's default ("linear") quantile of `v`, reordering it; NaN when empty.
// How quantile_of interpolates between the two values around q, as numpy does: the mean
// of the two (median), or linearly with the difference taken in float64 or float32 (the
// data's type; quantile).
enum class Interpolation { kMedian, kLinear, kLinearFloat32 };
double quantile_of(std::vector<double>& v, double q, Interpolation how);

}  // namespace pangeo
