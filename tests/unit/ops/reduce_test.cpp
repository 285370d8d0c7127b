// pg-reduce, pg-groupby and rolling windows on small datasets with known answers.
#include <gtest/gtest.h>

#include <cmath>

#include "../dataset_builder.hpp"
#include "pangeo/reduce.hpp"

using namespace pangeo;
using namespace testing_data;

namespace {

// time (6 months from 2000-01-15) x x (2), chunks of 4 x 1 so reductions cross chunks.
std::shared_ptr<DatasetReader> monthly() {
  Group g;
  NdArray t = array_of({6}, {14, 45, 74, 105, 135, 166});
  add_variable(g, "time", {"time"}, t);
  g.vars.back().attrs.set("units", AttrValue::text("days since 2000-01-01"));
  add_variable(g, "x", {"x"}, array_of({2}, {0, 1}));
  add_variable(g, "v", {"time", "x"}, array_of({6, 2}, {1, 10, 2, 20, 3, 30, 4, 40, NAN, 50, 6, 60}), {4, 1});
  return make_dataset(g, {{"time", t}, {"x", array_of({2}, {0, 1})},
                          {"v", array_of({6, 2}, {1, 10, 2, 20, 3, 30, 4, 40, NAN, 50, 6, 60})}});
}

TEST(Reduce, MeanMedianAndCountOverTime) {
  auto in = monthly();
  ASSERT_TRUE(in);
  ReduceOptions o;
  o.dims = {"time"};
  for (auto [which, want0, want1] : {std::tuple{ReduceOp::kMean, 16.0 / 5, 35.0}, std::tuple{ReduceOp::kMedian, 3.0, 35.0},
                                     std::tuple{ReduceOp::kCount, 5.0, 6.0}, std::tuple{ReduceOp::kMax, 6.0, 60.0}}) {
    o.op.op = which;
    for (unsigned threads : {1u, 3u}) {
      o.exec.threads = threads;
      auto r = reduce_dataset(in, o);
      ASSERT_TRUE(r.ok()) << r.status().message();
      auto v = values_of(**r, "v");
      ASSERT_EQ(v.size(), 2u);
      EXPECT_DOUBLE_EQ(v[0], want0) << int(which);
      EXPECT_DOUBLE_EQ(v[1], want1) << int(which);
      EXPECT_EQ((*r)->root().find_var("v")->dims, (std::vector<std::string>{"x"}));
      EXPECT_EQ((*r)->root().find_var("time"), nullptr);  // coordinates along reduced dims go
    }
  }
  o.dims = {"depth"};
  auto bad = reduce_dataset(in, o);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(bad.status().message().find("--"), std::string::npos);  // speaks of data, not flags
}

TEST(GroupBy, SeasonsAndResampling) {
  auto in = monthly();
  ASSERT_TRUE(in);
  GroupByOptions g;
  g.time_coordinate = "time";
  g.component = "season";
  g.variable = "time.season";
  auto r = groupby_dataset(in, g);
  ASSERT_TRUE(r.ok()) << r.status().message();
  // DJF: Jan, Feb; JJA: Jun; MAM: Mar, Apr, May(NaN) -> alphabetical DJF, JJA, MAM
  auto v = values_of(**r, "v");
  ASSERT_EQ(v.size(), 6u);
  EXPECT_DOUBLE_EQ(v[0], 1.5);
  EXPECT_DOUBLE_EQ(v[2], 6);
  EXPECT_DOUBLE_EQ(v[4], 3.5);
  EXPECT_DOUBLE_EQ(v[5], 40);
  GroupByOptions rs;
  rs.time_coordinate = "time";
  rs.period = "season";
  auto q = groupby_dataset(in, rs);
  ASSERT_TRUE(q.ok()) << q.status().message();
  // Periods DJF(Dec 1999..Feb), MAM, JJA: three labels, the first on 1999-12-01.
  auto labels = values_of(**q, "time");
  ASSERT_EQ(labels.size(), 3u);
  EXPECT_DOUBLE_EQ(labels[0], -31);
  GroupByOptions anom = g;
  anom.anomaly = true;
  auto a = groupby_dataset(in, anom);
  ASSERT_TRUE(a.ok());
  auto av = values_of(**a, "v");
  ASSERT_EQ(av.size(), 12u);
  EXPECT_DOUBLE_EQ(av[0], 1 - 1.5);
  EXPECT_TRUE(std::isnan(av[8]));
  GroupByOptions unknown = g;
  unknown.component = "fortnight";
  EXPECT_FALSE(groupby_dataset(in, unknown).ok());
}

TEST(Rolling, TrailingAndCentredWindows) {
  auto in = monthly();
  ASSERT_TRUE(in);
  RollingOptions o;
  o.dim = "time";
  o.window = 3;
  auto r = rolling_dataset(in, o);
  ASSERT_TRUE(r.ok()) << r.status().message();
  auto v = values_of(**r, "v");
  EXPECT_TRUE(std::isnan(v[0]) && std::isnan(v[2]));  // fewer than 3 values
  EXPECT_DOUBLE_EQ(v[4], 2);
  EXPECT_DOUBLE_EQ(v[7], 30);  // time 3, x 1: (20 + 30 + 40) / 3
  o.center = true;
  o.min_periods = 1;
  auto c = rolling_dataset(in, o);
  ASSERT_TRUE(c.ok());
  auto cv = values_of(**c, "v");
  EXPECT_DOUBLE_EQ(cv[0], 1.5);
  EXPECT_DOUBLE_EQ(cv[8], 5);  // (4 + NaN + 6) with min_periods 1
}

}  // namespace
