// pg-info --stats: decoded statistics, the same for any thread count.
#include <gtest/gtest.h>

#include <cmath>

#include "../dataset_builder.hpp"
#include "pangeo/info.hpp"

using namespace pangeo;
using namespace testing_data;

TEST(Info, StatisticsOfDecodedValues) {
  Group g;
  // Packed shorts with a fill value: stored 0..9, -1 is missing; value = stored * 0.5 + 10.
  NdArray s(DType::of(DTypeKind::kInt16), {2, 6});
  const int16_t raw[12] = {0, 1, 2, -1, 3, 4, 5, 6, -1, 7, 8, 9};
  std::memcpy(s.bytes.data(), raw, sizeof raw);
  add_variable(g, "p", {"y", "x"}, s, {1, 4});
  g.vars.back().attrs.set("_FillValue", AttrValue{DType::of(DTypeKind::kInt16), Json(-1)});
  g.vars.back().attrs.set("scale_factor", AttrValue::number(0.5));
  g.vars.back().attrs.set("add_offset", AttrValue::number(10));
  auto in = make_dataset(g, {{"p", s}});
  ASSERT_TRUE(in);
  for (unsigned threads : {1u, 4u}) {
    ExecOptions e;
    e.threads = threads;
    auto st = compute_stats(*in, e);
    ASSERT_TRUE(st.ok()) << st.status().message();
    ASSERT_EQ(st->size(), 1u);
    const VarStats& p = (*st)[0];
    EXPECT_EQ(p.count, 10u);
    EXPECT_EQ(p.nan_count, 2u);
    EXPECT_DOUBLE_EQ(p.min, 10);
    EXPECT_DOUBLE_EQ(p.max, 14.5);
    EXPECT_DOUBLE_EQ(p.mean, 10 + 0.5 * 4.5);
  }
}

TEST(Info, CdlNumbersAsNcdumpWritesThem) {
  EXPECT_EQ(cdl_number(1e34, DType::of(DTypeKind::kFloat32)), "1.e+34f");
  EXPECT_EQ(cdl_number(360, DType::of(DTypeKind::kFloat64)), "360.");
  EXPECT_EQ(cdl_number(3, DType::of(DTypeKind::kInt16)), "3s");
  EXPECT_EQ(cdl_number(7, DType::of(DTypeKind::kInt64)), "7LL");
}
