// Several files joined along their record dimension, as xarray.open_mfdataset does.
#include <gtest/gtest.h>

#include "netcdf_files.hpp"

using namespace pangeo;
using namespace testing_data;

namespace {

TEST(Concat, FilesJoinAlongTimeInCoordinateOrder) {
  std::map<std::string, NdArray> a, b;
  Group ga = months(0, a), gb = months(62, b);
  fs::path pa = scratch("a.nc"), pb = scratch("b.nc");
  write_nc(pa, ga, a, OutputFormat::kNetcdf3);
  write_nc(pb, gb, b, OutputFormat::kNetcdf3);
  auto joined = open_inputs({pb.string(), pa.string()});  // given out of order
  ASSERT_TRUE(joined.ok()) << joined.status().message();
  EXPECT_EQ(values_of(**joined, "time"), (std::vector<double>{0, 31, 62, 93}));
  auto v = values_of(**joined, "v");
  ASSERT_EQ(v.size(), 12u);
  EXPECT_EQ(v[0], 0);
  EXPECT_EQ(v[6], 62);
  auto overlap = open_inputs({pa.string(), pa.string()});
  ASSERT_FALSE(overlap.ok());
  EXPECT_NE(overlap.status().message().find("overlap"), std::string::npos) << overlap.status().message();
  fs::remove(pa);
  fs::remove(pb);
}

}  // namespace
