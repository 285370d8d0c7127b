#include <gtest/gtest.h>

#include "pangeo/array.hpp"
#include "pangeo/dataset.hpp"

using namespace pangeo;

TEST(Array, CopyRegionBetweenOffsets) {
  NdArray src(DType::of(DTypeKind::kInt32), {4, 5});
  for (int i = 0; i < 20; ++i) src.data<int32_t>()[i] = i;
  NdArray dst(DType::of(DTypeKind::kInt32), {2, 3});
  // src covers rows 10..13, cols 20..24; dst covers rows 11..12, cols 21..23.
  copy_region(src, {10, 20}, dst, {11, 21}, Box{{11, 21}, {2, 3}});
  EXPECT_EQ(std::vector<int32_t>(dst.data<int32_t>(), dst.data<int32_t>() + 6),
            (std::vector<int32_t>{6, 7, 8, 11, 12, 13}));
}

TEST(Array, CopyRegionStringsAndScalars) {
  NdArray s(DType::of(DTypeKind::kString), {3});
  s.strings = {"a", "bb", "ccc"};
  NdArray d(DType::of(DTypeKind::kString), {2});
  copy_region(s, {0}, d, {1}, Box{{1}, {2}});
  EXPECT_EQ(d.strings, (std::vector<std::string>{"bb", "ccc"}));
  NdArray a(DType::of(DTypeKind::kFloat64), {}), b(DType::of(DTypeKind::kFloat64), {});
  a.data<double>()[0] = 2.5;
  copy_region(a, {}, b, {}, Box{});
  EXPECT_EQ(b.data<double>()[0], 2.5);
}

TEST(Array, FortranOrderRoundTrip) {
  NdArray c(DType::of(DTypeKind::kInt16), {2, 3, 4});
  for (int i = 0; i < 24; ++i) c.data<int16_t>()[i] = int16_t(i);
  NdArray f = c_to_fortran(c);
  // Fortran element (i,j,k) sits at i + 2j + 6k; C element at 12i + 4j + k.
  EXPECT_EQ(f.data<int16_t>()[1 + 2 * 2 + 6 * 3], c.data<int16_t>()[12 * 1 + 4 * 2 + 3]);
  NdArray back = fortran_to_c(f);
  EXPECT_EQ(back.bytes, c.bytes);
}

TEST(Array, IntersectBoxes) {
  Box out;
  EXPECT_TRUE(intersect(Box{{0, 0}, {10, 10}}, Box{{5, 8}, {10, 10}}, &out));
  EXPECT_EQ(out, (Box{{5, 8}, {5, 2}}));
  EXPECT_FALSE(intersect(Box{{0}, {5}}, Box{{5}, {5}}, &out));
}

TEST(DType, NumpyStringsRoundTrip) {
  for (const char* s : {"<f4", "<f8", "|i1", "<i2", "<i4", "<i8", "|u1", "<u2", "<u4", "<u8", "|b1", "|S1", "|S7",
                        "<U4", "|O", "<c8", "<f2"}) {
    auto d = parse_numpy_dtype(s);
    ASSERT_TRUE(d.ok()) << s;
    EXPECT_EQ(numpy_dtype_string(*d), s);
  }
  bool big = false;
  auto be = parse_numpy_dtype(">f8", &big);
  ASSERT_TRUE(be.ok());
  EXPECT_TRUE(big);
  EXPECT_FALSE(parse_numpy_dtype("<M8[ns]").ok());
  EXPECT_FALSE(parse_numpy_dtype("float").ok());
}

TEST(DType, HalfFloats) {
  for (float f : {0.0f, 1.0f, -2.5f, 65504.0f, 6.1035156e-05f, 5.9604645e-08f}) EXPECT_EQ(half_to_float(float_to_half(f)), f);
  EXPECT_TRUE(std::isinf(half_to_float(float_to_half(1e6f))));
  EXPECT_TRUE(std::isnan(half_to_float(float_to_half(std::nanf("")))));
}

TEST(Attributes, FillValueJsonForms) {
  DType f4 = DType::of(DTypeKind::kFloat32);
  auto nan = json_to_scalar_bytes("NaN", f4);
  ASSERT_TRUE(nan.ok());
  EXPECT_TRUE(std::isnan(load_as_double(f4, nan->data(), 0)));
  EXPECT_EQ(scalar_bytes_to_json(*nan, f4), "NaN");
  auto inf = json_to_scalar_bytes("-Infinity", f4);
  EXPECT_EQ(scalar_bytes_to_json(*inf, f4), "-Infinity");
  auto big = json_to_scalar_bytes(Json(uint64_t(18446744073709551615ull)), DType::of(DTypeKind::kUInt64));
  EXPECT_EQ(scalar_bytes_to_json(*big, DType::of(DTypeKind::kUInt64)), Json(uint64_t(18446744073709551615ull)));
  EXPECT_FALSE(json_to_scalar_bytes("banana", f4).ok());
}

TEST(Attributes, KeepOrderAndTypes) {
  Attributes a;
  a.set("units", AttrValue::text("K"));
  a.set("scale_factor", AttrValue::number(0.5, DType::of(DTypeKind::kFloat32)));
  a.set("units", AttrValue::text("degC"));
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a.items()[0].name, "units");
  EXPECT_EQ(a.text("units"), "degC");
  EXPECT_EQ(a.number("scale_factor"), 0.5);
  Attributes back = Attributes::from_json(Json::parse(R"({"n": 3, "f": 1.5, "s": "x", "l": [1, 2.5], "t": ["a", "b"]})"));
  EXPECT_EQ(back.find("n")->dtype.kind, DTypeKind::kInt64);
  EXPECT_EQ(back.find("f")->dtype.kind, DTypeKind::kFloat64);
  EXPECT_EQ(back.find("l")->dtype.kind, DTypeKind::kFloat64);
  EXPECT_EQ(back.find("t")->dtype.kind, DTypeKind::kString);
}

TEST(Array, CopyRegionMergesWholeTrailingDimensions) {
  // src covers rows 1..4 of a 6 x 3 x 5 array, dst all of it; regions whole along the
  // trailing dimensions (one run per row of dimension 0, or one run in all) and not.
  NdArray src(DType::of(DTypeKind::kInt32), {4, 3, 5});
  for (size_t i = 0; i < src.size(); ++i) src.data<int32_t>()[i] = int32_t(i) + 1;
  const Shape src_origin{1, 0, 0};
  for (const Box& region : {Box{{2, 0, 0}, {2, 3, 5}}, Box{{1, 1, 1}, {4, 2, 3}}, Box{{3, 2, 4}, {1, 1, 1}}}) {
    NdArray dst(src.dtype, {6, 3, 5});
    copy_region(src, src_origin, dst, Shape{0, 0, 0}, region);
    for (uint64_t a = 0; a < 6; ++a)
      for (uint64_t b = 0; b < 3; ++b)
        for (uint64_t c = 0; c < 5; ++c) {
          const bool in = a >= region.start[0] && a < region.start[0] + region.count[0] && b >= region.start[1] &&
                          b < region.start[1] + region.count[1] && c >= region.start[2] && c < region.start[2] + region.count[2];
          const int32_t want = in ? src.data<int32_t>()[((a - 1) * 3 + b) * 5 + c] : 0;
          EXPECT_EQ(dst.data<int32_t>()[(a * 3 + b) * 5 + c], want) << a << "," << b << "," << c;
        }
  }
}

TEST(Array, CopyRegionsEqualsOneCopyRegionEach) {
  // A 7 x 5 x 9 source placed at (2, 0, 3), cut into ragged regions (and one empty) that
  // go to arrays of their own shapes, or into a larger array at an offset.
  NdArray src(DType::of(DTypeKind::kFloat64), {7, 5, 9});
  for (size_t i = 0; i < src.size(); ++i) src.data<double>()[i] = double(i) * 0.5 + 1;
  const Shape origin{2, 0, 3};
  std::vector<Box> regions;
  for (uint64_t a = 2; a < 9; a += 4)
    for (uint64_t b = 0; b < 5; b += 2)
      for (uint64_t c = 3; c < 12; c += 3)
        regions.push_back(Box{{a, b, c}, {std::min<uint64_t>(4, 9 - a), std::min<uint64_t>(2, 5 - b), 3}});
  regions.push_back(Box{{3, 1, 4}, {0, 2, 2}});
  std::vector<NdArray> got(regions.size()), want(regions.size());
  std::vector<RegionCopy> copies;
  for (size_t k = 0; k < regions.size(); ++k) {
    const bool offset = k % 2 == 1;  // every other one lands inside a larger array
    Shape shape = regions[k].count, at = regions[k].start;
    if (offset) {
      for (auto& n : shape) n += 2;
      for (auto& x : at) x -= std::min<uint64_t>(x, 1);
    }
    got[k] = NdArray(src.dtype, shape);
    want[k] = NdArray(src.dtype, shape);
    copy_region(src, origin, want[k], at, regions[k]);
    copies.push_back({&got[k], at, regions[k]});
  }
  copy_regions(src, origin, copies);
  for (size_t k = 0; k < regions.size(); ++k) EXPECT_EQ(got[k].bytes, want[k].bytes) << k;
  // Strings and one dimension take the one-by-one path, with the same results.
  NdArray s(DType::of(DTypeKind::kString), {4});
  s.strings = {"a", "b", "c", "d"};
  NdArray s1(s.dtype, {2}), s2(s.dtype, {2});
  copy_regions(s, {0}, {{&s1, {0}, Box{{0}, {2}}}, {&s2, {2}, Box{{2}, {2}}}});
  EXPECT_EQ(s1.strings, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(s2.strings, (std::vector<std::string>{"c", "d"}));
}

TEST(Array, CopyRegionsOfWideSourcesAndEveryRowLength) {
  // Rows of 1 to 20 float32 out of a source too large to be taken a block at a time
  // (240 KB per position of the first dimension), and out of a small one.
  for (const Shape& shape : {Shape{3, 200, 300}, Shape{3, 4, 300}}) {
    NdArray src(DType::of(DTypeKind::kFloat32), shape);
    for (size_t i = 0; i < src.size(); ++i) src.data<float>()[i] = float(i);
    std::vector<Box> regions;
    for (uint64_t c = 0, w = 1; c + w <= 300; c += w, w = w % 20 + 1)
      regions.push_back(Box{{1, 1, c}, {2, shape[1] - 2, w}});
    std::vector<NdArray> got, want;
    got.reserve(regions.size());
    want.reserve(regions.size());
    std::vector<RegionCopy> copies;
    for (const Box& r : regions) {
      got.emplace_back(src.dtype, r.count);
      want.emplace_back(src.dtype, r.count);
      copy_region(src, Shape(3, 0), want.back(), r.start, r);
      copies.push_back({&got.back(), r.start, r});
    }
    copy_regions(src, Shape(3, 0), copies);
    for (size_t k = 0; k < regions.size(); ++k) EXPECT_EQ(got[k].bytes, want[k].bytes) << shape[1] << " " << k;
  }
}
