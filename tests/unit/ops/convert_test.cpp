#include <gtest/gtest.h>

#include "pangeo/convert.hpp"
#include "pangeo/format.hpp"

using namespace pangeo;

TEST(Convert, DefaultChunksKeepTrailingDimensionsWhole) {
  Variable v;
  v.dtype = DType::of(DTypeKind::kFloat32);
  v.shape = {2040, 180, 360};
  EXPECT_EQ(default_chunks(v), (Shape{16, 180, 360}));  // 16 x 259200 bytes < 4 MiB
  v.shape = {10};
  EXPECT_EQ(default_chunks(v), (Shape{10}));
  v.shape = {4, 2161, 4320};  // one 2-D slab is > 4 MiB: split rows
  Shape c = default_chunks(v);
  EXPECT_EQ(c[0], 1u);
  EXPECT_EQ(c[2], 4320u);
  EXPECT_LE(c[1] * 4320 * 4, 4u << 20);
}

TEST(Convert, SelectVariablesKeepsNeededCoordinates) {
  Group g;
  auto add = [&](std::string name, std::vector<std::string> dims) {
    Variable v;
    v.name = name;
    v.dims = dims;
    v.shape.assign(dims.size(), 2);
    g.vars.push_back(v);
  };
  add("time", {"time"});
  add("lat", {"lat"});
  add("sst", {"time", "lat"});
  add("other", {"lat"});
  add("height", {});
  g.vars[2].attrs.set("coordinates", AttrValue::text("height"));
  g.dims = {{"time", 2, true}, {"lat", 2, false}};
  auto kept = select_variables(g, {"sst"}, {});
  ASSERT_TRUE(kept.ok());
  std::vector<std::string> names;
  for (auto& v : kept->vars) names.push_back(v.name);
  EXPECT_EQ(names, (std::vector<std::string>{"time", "lat", "sst", "height"}));
  auto dropped = select_variables(g, {}, {"other"});
  EXPECT_EQ(dropped->vars.size(), 4u);
  EXPECT_FALSE(select_variables(g, {"nope"}, {}).ok());
}
