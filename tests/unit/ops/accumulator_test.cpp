// The accumulator family: any split of the values, merged in order, gives the statistic
// of the whole; xarray's rules for empty cells, skipna, ddof and weights.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "ops/accumulator.hpp"

using namespace pangeo;

namespace {

OpSpec op(ReduceOp o, int ddof = 0, bool skipna = true) {
  OpSpec s;
  s.op = o;
  s.ddof = ddof;
  s.skipna = skipna;
  return s;
}

TEST(Accumulator, SplitAndMergedEqualsWhole) {
  const std::vector<double> xs{3.5, -1, 7, 2, NAN, 11, 0.25, 4};
  for (ReduceOp o : {ReduceOp::kMean, ReduceOp::kSum, ReduceOp::kMin, ReduceOp::kMax, ReduceOp::kStd, ReduceOp::kVar,
                     ReduceOp::kCount}) {
    Accumulator whole(1, op(o, 1), false);
    for (double x : xs) whole.add(0, x);
    for (size_t cut = 0; cut <= xs.size(); ++cut) {
      Accumulator a(1, op(o, 1), false), b(1, op(o, 1), false), total(1, op(o, 1), false);
      for (size_t i = 0; i < xs.size(); ++i) (i < cut ? a : b).add(0, xs[i]);
      total.merge(0, a, 0);
      total.merge(0, b, 0);
      EXPECT_NEAR(total.finish(0), whole.finish(0), 1e-12) << int(o) << " cut " << cut;
    }
  }
  Accumulator mean(1, op(ReduceOp::kMean), false);
  for (double x : xs) mean.add(0, x);
  EXPECT_DOUBLE_EQ(mean.finish(0), (3.5 - 1 + 7 + 2 + 11 + 0.25 + 4) / 7);
  EXPECT_TRUE(mean.nans.empty());  // NaN counts only where asked for
  Accumulator counted;
  counted.init_fields(1, op(ReduceOp::kMean), Accumulator::kSum | Accumulator::kNans);
  for (double x : xs) counted.add(0, x);
  EXPECT_EQ(counted.nans[0], 1);
  EXPECT_DOUBLE_EQ(counted.finish(0), mean.finish(0));
}

// merge_run (whole rows at once) gives the bits of merge() cell by cell, and finish_run
// those of finish(), for every statistic and field set, with empty cells (nothing or only NaN) on either side and
// values of both signs, -0 and weights that make -0 products.
TEST(Accumulator, RunMergesEqualCellMergesBitForBit) {
  const size_t cells = 9;
  auto fill = [&](Accumulator& a, int seed) {
    for (size_t c = 0; c < a.cells(); ++c) {
      if ((c + seed) % 4 == 0) continue;  // an empty cell
      if ((c + seed) % 5 == 0) {
        a.add(c, NAN, 1.0);
        continue;
      }
      for (int k = 0; k < 3; ++k) a.add(c, (k % 2 ? -0.0 : 1.0) * std::ldexp(double(c * 7 + seed * 3 + k) - 11.3, k - 1), k == 2 ? 0.0 : 0.5 + k);
    }
  };
  for (ReduceOp o : {ReduceOp::kMean, ReduceOp::kSum, ReduceOp::kMin, ReduceOp::kMax, ReduceOp::kStd, ReduceOp::kCount})
    for (bool weighted : {false, true})
      for (bool skipna : {true, false}) {
        const OpSpec spec = op(o, 0, skipna);
        Accumulator by_cell(cells, spec, weighted), by_run(cells, spec, weighted);
        for (int part = 0; part < 3; ++part) {
          Accumulator p(cells - 2, spec, weighted);
          fill(p, part);
          for (size_t j = 0; j < cells - 2; ++j) by_cell.merge(1 + j, p, j);
          by_run.merge_run(1, p, 0, cells - 2);
        }
        for (size_t c = 0; c < cells; ++c) {
          const double a = by_cell.finish(c), b = by_run.finish(c);
          EXPECT_EQ(std::memcmp(&a, &b, sizeof a), 0) << int(o) << " weighted " << weighted << " cell " << c << ": " << a << " vs " << b;
        }
        EXPECT_EQ(by_cell.n, by_run.n);
        // finish_run (a run of cells at once) gives finish()'s bits, from any first cell.
        for (size_t first = 0; first < cells; ++first) {
          std::vector<double> run(cells - first, 42.0);
          by_run.finish_run(first, run.size(), run.data());
          for (size_t j = 0; j < run.size(); ++j) {
            const double a = by_run.finish(first + j);
            EXPECT_EQ(std::memcmp(&a, &run[j], sizeof a), 0) << int(o) << " weighted " << weighted << " skipna " << skipna
                                                             << " cell " << first + j << ": " << a << " vs " << run[j];
          }
        }
      }
}

TEST(Accumulator, XarrayRulesForEmptyCellsNanAndWeights) {
  Accumulator empty(1, op(ReduceOp::kSum), false);
  EXPECT_EQ(empty.finish(0), 0);  // the sum of nothing
  Accumulator nothing(1, op(ReduceOp::kMean), false);
  EXPECT_TRUE(std::isnan(nothing.finish(0)));
  Accumulator keep(1, op(ReduceOp::kMax, 0, false), false);
  keep.add(0, 1);
  keep.add(0, NAN);
  EXPECT_TRUE(std::isnan(keep.finish(0)));  // --no-skipna
  Accumulator one(1, op(ReduceOp::kVar, 1), false);
  one.add(0, 5);
  EXPECT_TRUE(std::isnan(one.finish(0)));  // no degrees of freedom left
  Accumulator w(1, op(ReduceOp::kMean), true);
  w.add(0, 10, 3);
  w.add(0, 20, 1);
  EXPECT_DOUBLE_EQ(w.finish(0), 12.5);
}

TEST(Accumulator, Quantiles) {
  std::vector<double> v{4, 1, 3, 2};
  EXPECT_DOUBLE_EQ(quantile_of(v, 0.5, Interpolation::kMedian), 2.5);
  std::vector<double> w{4, 1, 3, 2};
  EXPECT_DOUBLE_EQ(quantile_of(w, 0.9, Interpolation::kLinear), 3.7);
  std::vector<double> none;
  EXPECT_TRUE(std::isnan(quantile_of(none, 0.5, Interpolation::kMedian)));
  // numpy's rounding, to the bit (np.quantile of these arrays in numpy 1.24, where the
  // plain a + (b - a) * t is 1 ulp off): the difference in float32 for float32 data, then
  // from the nearer end.
  std::vector<double> f{0.1257302165031433, -0.13210485875606537, 0.6404226422309875};  // float32 values
  EXPECT_EQ(quantile_of(f, 0.02, Interpolation::kLinearFloat32), -0.12179145514965058);
  std::vector<double> d{-0.45772582566733916, 0.2201951234700494, -1.009618183538736};
  EXPECT_EQ(quantile_of(d, 0.39, Interpolation::kLinear), -0.5791421443990464);
  // a median of two is their mean, as numpy's median computes it
  std::vector<double> m{0.1, 0.2};
  EXPECT_EQ(quantile_of(m, 0.5, Interpolation::kMedian), (0.1 + 0.2) / 2);
}

}  // namespace
