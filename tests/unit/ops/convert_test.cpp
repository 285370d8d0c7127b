#include <gtest/gtest.h>

#include "pangeo/convert.hpp"
#include "pangeo/format.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

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

TEST(Convert, CheckOutputRefusesWhatTheWriteWouldRefuse) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / fmt::format("pg-check-output-{}", ::getpid());
  fs::create_directories(dir);
  ConvertRequest req;
  req.inputs = {(dir / "in.zarr").string()};
  auto code = [&](const std::string& output) {
    req.output = output;
    return check_output(req).code();
  };
  EXPECT_EQ(code(""), ErrorCode::kInvalidArgument);
  EXPECT_EQ(code((dir / "out.txt").string()), ErrorCode::kInvalidArgument);   // no format from the name
  EXPECT_EQ(code((dir / "in.zarr").string()), ErrorCode::kInvalidArgument);   // an input
  EXPECT_EQ(code((dir / "no" / "o.nc").string()), ErrorCode::kNotFound);      // no such directory
  EXPECT_TRUE(check_output((req.output = (dir / "o.nc").string(), req)).ok());
  EXPECT_TRUE(check_output((req.output = "-", req)).ok());
  std::ofstream((dir / "o.nc").string()) << "x";
  EXPECT_EQ(code((dir / "o.nc").string()), ErrorCode::kAlreadyExists);
  req.overwrite = true;
  EXPECT_TRUE(check_output(req).ok());
  EXPECT_TRUE(fs::exists(dir / "o.nc"));  // checked, not touched
  fs::remove_all(dir);
}
