// netCDF through netCDF-C: what our writer creates, our reader reads back exactly, in
// both netCDF-4 and netCDF-3.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>

#include "netcdf_files.hpp"

namespace fs = std::filesystem;
using namespace pangeo;
using namespace testing_data;

namespace {

TEST(NetCDF, WriteThenReadBothFormats) {
  for (OutputFormat f : {OutputFormat::kNetcdf4, OutputFormat::kNetcdf3}) {
    std::map<std::string, NdArray> data;
    Group g = months(0, data);
    fs::path p = scratch(f == OutputFormat::kNetcdf4 ? "four.nc" : "three.nc");
    write_nc(p, g, data, f);
    auto r = open_dataset(p.string());
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_EQ((*r)->format_name().rfind(f == OutputFormat::kNetcdf4 ? "netCDF-4" : "netCDF-3", 0), 0u) << (*r)->format_name();
    const Variable* v = (*r)->root().find_var("v");
    ASSERT_TRUE(v);
    EXPECT_EQ(v->dtype.kind, DTypeKind::kFloat32);
    EXPECT_EQ(v->attrs.text("long_name").value_or(""), "a value");
    EXPECT_TRUE((*r)->root().find_dim("time")->unlimited);
    auto back = (*r)->read("v", Box{{1, 1}, {1, 2}});
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(back->as_double(0), 4);
    EXPECT_EQ(back->as_double(1), 0);  // v[1][2] is the first time value
    fs::remove(p);
  }
}

}  // namespace
