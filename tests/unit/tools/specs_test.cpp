// The tools' option grammars: what parses, into which typed value, and what is refused.
#include <gtest/gtest.h>

#include "common/specs.hpp"

using namespace pgtool;

TEST(Specs, Compressor) {
  auto b = parse_compressor("blosc:zstd:3:shuffle");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ((*b)["cname"], "zstd");
  EXPECT_EQ((*b)["clevel"], 3);
  EXPECT_EQ((*b)["shuffle"], 1);
  EXPECT_EQ((*parse_compressor("blosc"))["cname"], "lz4");
  EXPECT_EQ((*parse_compressor("zlib:5"))["level"], 5);
  EXPECT_TRUE(parse_compressor("none")->is_null());
  for (const char* bad : {"blosc:brotli", "zlib:11", "snappy", "", "zstd:x", "none:1", "blosc:lz4:5:sideways"})
    EXPECT_FALSE(parse_compressor(bad).ok()) << bad;
}

TEST(Specs, DimLengths) {
  auto c = parse_dim_lengths("time=12,lat=-1");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->at("time"), 12);
  EXPECT_EQ(c->at("lat"), -1);
  for (const char* bad : {"time", "time=0", "time=x", "=3", "", "time=-2"}) EXPECT_FALSE(parse_dim_lengths(bad).ok()) << bad;
}

TEST(Specs, Sizes) {
  EXPECT_EQ(*parse_size("512M"), 512ull << 20);
  EXPECT_EQ(*parse_size("2G"), 2ull << 30);
  EXPECT_EQ(*parse_size("64KiB"), 64ull << 10);
  EXPECT_EQ(*parse_size("1000"), 1000ull);
  EXPECT_EQ(*parse_size("1.5k"), 1536ull);
  for (const char* bad : {"lots", "5Q", "", "M"}) EXPECT_FALSE(parse_size(bad).ok()) << bad;
}

TEST(Specs, Op) {
  EXPECT_EQ(parse_op("median")->op, pangeo::ReduceOp::kMedian);
  auto q = parse_op("quantile:0.9");
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->op, pangeo::ReduceOp::kQuantile);
  EXPECT_DOUBLE_EQ(q->q, 0.9);
  for (const char* bad : {"mode", "quantile:2", "quantile:x", "quantile:", "Mean"}) EXPECT_FALSE(parse_op(bad).ok()) << bad;
}

TEST(Specs, Rolling) {
  auto r = parse_rolling("time=3");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->first, "time");
  EXPECT_EQ(r->second, 3u);
  for (const char* bad : {"time=x", "time", "time=0", "=3"}) EXPECT_FALSE(parse_rolling(bad).ok()) << bad;
}

TEST(Specs, Selectors) {
  auto s = parse_selector("lat=-5:5", false);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->dim, "lat");
  EXPECT_EQ(s->kind, pangeo::Selector::Kind::kSlice);
  EXPECT_EQ(s->start, "-5");
  EXPECT_EQ(s->stop, "5");
  auto l = parse_selector("lat=-60,0,60", false);
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(l->items, (std::vector<std::string>{"-60", "0", "60"}));
  auto p = parse_selector("time=-12::2", true);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->start, "-12");
  EXPECT_EQ(p->stop, "");
  EXPECT_EQ(p->step, "2");
  EXPECT_EQ(parse_selector("time=1982-08", false)->items, (std::vector<std::string>{"1982-08"}));
  for (const char* bad : {"lat", "=3", "lat=", "lat=1,,2"}) EXPECT_FALSE(parse_selector(bad, false).ok()) << bad;
  for (const char* bad : {"lat=x", "lat=0:1:2:3", "lat=::0", "lat=1.5"}) EXPECT_FALSE(parse_selector(bad, true).ok()) << bad;
}

TEST(Specs, Grouping) {
  pangeo::GroupByOptions g;
  ASSERT_TRUE(parse_by("time.month", g).ok());
  EXPECT_EQ(g.time_coordinate, "time");
  EXPECT_EQ(g.component, "month");
  pangeo::GroupByOptions v;
  ASSERT_TRUE(parse_by("region", v).ok());
  EXPECT_EQ(v.variable, "region");
  EXPECT_TRUE(v.component.empty());
  pangeo::GroupByOptions r;
  ASSERT_TRUE(parse_resample("time=season", r).ok());
  EXPECT_EQ(r.period, "season");
  EXPECT_FALSE(parse_resample("time=decade", r).ok());
  EXPECT_FALSE(parse_resample("month", r).ok());
}
