// The accumulator family: any split of the values, merged in order, gives the statistic
// of the whole; xarray's rules for empty cells, skipna, ddof and weights.
#include <gtest/gtest.h>

#include <cmath>

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
  EXPECT_DOUBLE_EQ(quantile_of(v, 0.5), 2.5);
  std::vector<double> w{4, 1, 3, 2};
  EXPECT_DOUBLE_EQ(quantile_of(w, 0.9), 3.7);
  std::vector<double> none;
  EXPECT_TRUE(std::isnan(quantile_of(none, 0.5)));
}

}  // namespace
