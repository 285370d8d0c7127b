// Zarr v2 stores written by zarr-python 2 and 3 read with the values they hold.
#include <gtest/gtest.h>

#include "../../corpus.hpp"
#include "pangeo/format.hpp"

namespace fs = std::filesystem;
using namespace pangeo;

namespace {

using testing_corpus::read_whole;

bool same(const NdArray& a, const NdArray& b) {
  return a.dtype == b.dtype && a.shape == b.shape && a.bytes == b.bytes && a.strings == b.strings;
}

TEST(ZarrPythonFixture, EveryCompressedVariantEqualsTheUncompressedOne) {
  fs::path root = testing_corpus::corpus_dir() / "zarr-python-2.18.7-fixture";
  if (!fs::exists(root)) GTEST_SKIP() << "no corpus";
  int groups = 0, variants = 0;
  for (int g = 0; fs::exists(root / std::to_string(g)); ++g) {
    fs::path gdir = root / std::to_string(g);
    auto reference = read_whole(gdir / "0");
    ASSERT_TRUE(reference.ok()) << gdir << ": " << reference.status().message();
    ++groups;
    for (int v = 1; fs::exists(gdir / std::to_string(v)); ++v) {
      auto other = read_whole(gdir / std::to_string(v));
      ASSERT_TRUE(other.ok()) << gdir / std::to_string(v) << ": " << other.status().message();
      EXPECT_TRUE(same(*reference, *other)) << gdir / std::to_string(v);
      ++variants;
    }
  }
  EXPECT_GE(groups, 20);
  EXPECT_GE(variants, 100);
}

TEST(ZarrPythonFixture, ValuesMatchTheArrayTheyWereWrittenFrom) {
  // Group 0 holds np.arange(1111, dtype="i1") in Fortran order with 100-long chunks
  // (zarr-python's fixture generator: data = np.arange(size) cast to the dtype).
  fs::path store = testing_corpus::corpus_dir() / "zarr-python-2.18.7-fixture" / "0" / "0";
  if (!fs::exists(store)) GTEST_SKIP() << "no corpus";
  auto a = read_whole(store);
  ASSERT_TRUE(a.ok()) << a.status().message();
  ASSERT_EQ(a->size(), 1111u);
  for (size_t i = 0; i < a->size(); ++i) ASSERT_EQ(int8_t(a->bytes[i]), int8_t(i)) << i;
}

TEST(ZarrsTestData, V2StoresReadAlike) {
  fs::path root = testing_corpus::corpus_dir() / "zarrs-test-data" / "v2";
  if (!fs::exists(root)) GTEST_SKIP() << "no corpus";
  auto reference = read_whole(root / "array_none_C.zarr");
  ASSERT_TRUE(reference.ok()) << reference.status().message();
  for (const char* name : {"array_blosc_C.zarr", "array_blosc_F.zarr", "array_bz2_C.zarr", "array_gzip_C.zarr",
                           "array_none_F.zarr", "array_zstd_C.zarr"}) {
    auto other = read_whole(root / name);
    ASSERT_TRUE(other.ok()) << name << ": " << other.status().message();
    EXPECT_TRUE(same(*reference, *other)) << name;
  }
  // Codecs we do not have: a clear error that names them.
  for (auto [name, codec] : {std::pair{"array_pcodec_C.zarr", "pcodec"}, std::pair{"array_zfpy_C.zarr", "zfpy"}}) {
    auto r = open_dataset((root / name).string());
    ASSERT_FALSE(r.ok()) << name;
    EXPECT_NE(r.status().message().find(codec), std::string::npos) << r.status().message();
  }
}

TEST(ConformanceData, MissingChunksReadAsFill) {
  fs::path root = testing_corpus::corpus_dir() / "zarr-conformance-tests-data";
  if (!fs::exists(root)) GTEST_SKIP() << "no corpus";
  for (const char* name : {"bool.zarr", "float32.zarr", "float64.zarr", "int32.zarr", "int64.zarr"}) {
    auto a = read_whole(root / name);
    EXPECT_TRUE(a.ok()) << name << ": " << a.status().message();
  }
}

TEST(ZarrV2, WriteThenReadRoundTrip) {
  auto store = std::make_shared<MemoryStore>();
  Group g;
  Variable v;
  v.name = "x";
  v.dims = {"a", "b"};
  v.shape = {5, 7};
  v.dtype = DType::of(DTypeKind::kInt16);
  v.storage.chunks = {2, 3};
  v.storage.compressor = Json{{"id", "zstd"}, {"level", 1}};
  v.attrs.set("_FillValue", AttrValue::integer(-1, DType::of(DTypeKind::kInt16)));
  g.vars.push_back(v);
  auto w = make_zarr_writer(store, true);
  ASSERT_TRUE(w->create(g).ok());
  NdArray all(v.dtype, v.shape);
  for (size_t i = 0; i < all.size(); ++i) all.data<int16_t>()[i] = int16_t(i * 3);
  for (uint64_t i = 0; i < 5; i += 2)
    for (uint64_t j = 0; j < 7; j += 3) {
      Box b{{i, j}, {std::min<uint64_t>(2, 5 - i), std::min<uint64_t>(3, 7 - j)}};
      NdArray part(v.dtype, b.count);
      copy_region(all, {0, 0}, part, b.start, b);
      ASSERT_TRUE(w->write("x", b, part).ok());
    }
  ASSERT_TRUE(w->finish().ok());
  auto r = open_zarr(store, "");
  ASSERT_TRUE(r.ok()) << r.status().message();
  auto back = (*r)->read("x", Box{{1, 2}, {3, 4}});
  ASSERT_TRUE(back.ok());
  for (uint64_t i = 0; i < 3; ++i)
    for (uint64_t j = 0; j < 4; ++j) EXPECT_EQ(back->data<int16_t>()[i * 4 + j], int16_t(((i + 1) * 7 + j + 2) * 3));
  EXPECT_EQ((*r)->root().vars[0].attrs.number("_FillValue"), -1.0);
  EXPECT_EQ((*r)->root().vars[0].dims, (std::vector<std::string>{"a", "b"}));
}

TEST(ZarrV2, CorruptChunkNamesTheChunk) {
  auto store = std::make_shared<MemoryStore>();
  std::string za = R"({"chunks":[4],"compressor":{"id":"zlib","level":1},"dtype":"<f4","fill_value":0,"filters":null,"order":"C","shape":[8],"zarr_format":2})";
  ASSERT_TRUE(store->put(".zarray", Bytes(za.begin(), za.end())).ok());
  ASSERT_TRUE(store->put("1", Bytes(20, 0x42)).ok());
  auto r = open_zarr(store, "v");
  ASSERT_TRUE(r.ok());
  auto whole = (*r)->read("v", Box{{0}, {8}});
  ASSERT_FALSE(whole.ok());
  EXPECT_EQ(whole.status().code(), ErrorCode::kCorrupt);
  EXPECT_NE(whole.status().message().find("chunk \"1\""), std::string::npos) << whole.status().message();
  auto first = (*r)->read("v", Box{{0}, {4}});  // chunk 0 missing: fill
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->as_double(0), 0.0);
}

}  // namespace
