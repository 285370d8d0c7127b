// Label and position selections as xarray's sel/isel resolve them.
#include <gtest/gtest.h>

#include "../dataset_builder.hpp"
#include "pangeo/select.hpp"

using namespace pangeo;
using namespace testing_data;

namespace {

std::shared_ptr<DatasetReader> grid() {
  Group g;
  NdArray lat = array_of({5}, {20, 10, 0, -10, -20});  // decreasing, as many files store it
  NdArray lon = array_of({6}, {0, 60, 120, 180, 240, 300});
  NdArray t = array_of({4}, {0, 31, 59, 90});
  add_variable(g, "lat", {"lat"}, lat);
  add_variable(g, "lon", {"lon"}, lon);
  g.vars.back().attrs.set("units", AttrValue::text("degrees_east"));
  add_variable(g, "time", {"time"}, t);
  g.vars.back().attrs.set("units", AttrValue::text("days since 2001-01-01"));
  std::vector<double> v(4 * 5 * 6);
  for (size_t i = 0; i < v.size(); ++i) v[i] = double(i);
  NdArray a = array_of({4, 5, 6}, v);
  add_variable(g, "v", {"time", "lat", "lon"}, a, {2, 2, 4});
  return make_dataset(g, {{"lat", lat}, {"lon", lon}, {"time", t}, {"v", a}});
}

Selector items(const std::string& dim, std::vector<std::string> xs) {
  Selector s;
  s.dim = dim;
  s.items = std::move(xs);
  return s;
}
Selector slice(const std::string& dim, std::string a, std::string b, std::string step = "") {
  Selector s;
  s.dim = dim;
  s.kind = Selector::Kind::kSlice;
  s.start = std::move(a);
  s.stop = std::move(b);
  s.step = std::move(step);
  return s;
}

std::vector<uint64_t> resolve_one(DatasetReader& in, bool positions, Selector s, bool nearest = false,
                                  std::optional<double> tol = {}) {
  SelectOptions o;
  (positions ? o.isel : o.sel).push_back(std::move(s));
  o.nearest = nearest;
  o.tolerance = tol;
  auto r = resolve_selection(in, o);
  if (!r.ok()) return {999};
  return (*r)[0].index;
}

TEST(Select, LabelsSlicesListsAndNearest) {
  auto in = grid();
  ASSERT_TRUE(in);
  EXPECT_EQ(resolve_one(*in, false, slice("lat", "10", "-10")), (std::vector<uint64_t>{1, 2, 3}));
  EXPECT_EQ(resolve_one(*in, false, slice("lat", "-10", "10")), (std::vector<uint64_t>{1, 2, 3}));  // either order
  EXPECT_EQ(resolve_one(*in, false, slice("lon", "300", "60")), (std::vector<uint64_t>{5, 0, 1}));  // across 0
  EXPECT_EQ(resolve_one(*in, false, items("lon", {"-60"})), (std::vector<uint64_t>{5}));          // -180..180 asks
  EXPECT_EQ(resolve_one(*in, false, items("lat", {"12"}), true), (std::vector<uint64_t>{1}));
  EXPECT_EQ(resolve_one(*in, false, items("lat", {"14"}), true, 1.0), (std::vector<uint64_t>{999}));  // beyond tolerance
  EXPECT_EQ(resolve_one(*in, false, items("time", {"2001-02"})), (std::vector<uint64_t>{1}));       // a partial date
  EXPECT_EQ(resolve_one(*in, false, slice("time", "2001-02", "2001-03")), (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(resolve_one(*in, false, items("lat", {"11"})), (std::vector<uint64_t>{999}));  // no such label
}

TEST(Select, PositionsAsPython) {
  auto in = grid();
  ASSERT_TRUE(in);
  EXPECT_EQ(resolve_one(*in, true, slice("lon", "-2", "")), (std::vector<uint64_t>{4, 5}));
  EXPECT_EQ(resolve_one(*in, true, slice("lon", "", "", "-2")), (std::vector<uint64_t>{5, 3, 1}));
  EXPECT_EQ(resolve_one(*in, true, items("lat", {"0", "-1"})), (std::vector<uint64_t>{0, 4}));
  EXPECT_EQ(resolve_one(*in, true, items("lat", {"5"})), (std::vector<uint64_t>{999}));
}

TEST(Select, TheViewReadsTheSelectedValues) {
  auto in = grid();
  ASSERT_TRUE(in);
  SelectOptions o;
  o.isel.push_back(items("time", {"1"}));  // a scalar: the dimension goes
  o.sel.push_back(slice("lon", "300", "60"));
  auto idx = resolve_selection(*in, o);
  ASSERT_TRUE(idx.ok()) << idx.status().message();
  auto view = make_selection_reader(in, *idx);
  const Variable* v = view->root().find_var("v");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->shape, (Shape{5, 3}));
  auto got = values_of(*view, "v");
  // time 1, lat 0: lon 300, 0, 60 -> 30 + {5, 0, 1}
  EXPECT_EQ(got[0], 35);
  EXPECT_EQ(got[1], 30);
  EXPECT_EQ(got[2], 31);
  EXPECT_EQ(got[14], 30 + 4 * 6 + 1);
}

}  // namespace
