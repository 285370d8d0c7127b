// Zarr v2 stores written by zarr-python 2 and 3 read with the values they hold.
#include <gtest/gtest.h>

#include "../../corpus.hpp"
#include "pangeo/format.hpp"
#include "pangeo/grid.hpp"

#include <algorithm>

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

namespace {
// "x", 5 x 7 (dimensions a, b) in chunks of 2 x 3.
Variable five_by_seven(DTypeKind kind, Json compressor) {
  Variable v;
  v.name = "x";
  v.dims = {"a", "b"};
  v.shape = {5, 7};
  v.dtype = DType::of(kind);
  v.storage.chunks = {2, 3};
  v.storage.compressor = std::move(compressor);
  return v;
}

// Writes `g` (its one variable "x" holding `all`) chunk by chunk, all but the chunk at
// `skip`, and opens the store again.
std::unique_ptr<DatasetReader> written(const std::shared_ptr<Store>& store, const Group& g, const NdArray& all,
                                       const Shape& skip = {}) {
  auto w = make_zarr_writer(store, true);
  if (!w->create(g).ok()) return nullptr;
  const Variable& v = g.vars.at(0);
  for (const Box& b : ChunkGrid(v.shape, v.storage.chunks).boxes()) {
    if (b.start == skip) continue;
    NdArray part(v.dtype, b.count);
    copy_region(all, Shape(b.start.size(), 0), part, b.start, b);
    if (!w->write(v.name, b, part).ok()) return nullptr;
  }
  if (!w->finish().ok()) return nullptr;
  auto r = open_zarr(store, "");
  return r.ok() ? std::move(r).value() : nullptr;
}
}  // namespace

TEST(ZarrV2, WriteThenReadRoundTrip) {
  auto store = std::make_shared<MemoryStore>();
  Group g;
  Variable v = five_by_seven(DTypeKind::kInt16, Json{{"id", "zstd"}, {"level", 1}});
  v.attrs.set("_FillValue", AttrValue::integer(-1, DType::of(DTypeKind::kInt16)));
  g.vars.push_back(v);
  NdArray all(v.dtype, v.shape);
  for (size_t i = 0; i < all.size(); ++i) all.data<int16_t>()[i] = int16_t(i * 3);
  auto r = written(store, g, all);
  ASSERT_TRUE(r);
  auto back = r->read("x", Box{{1, 2}, {3, 4}});
  ASSERT_TRUE(back.ok());
  for (uint64_t i = 0; i < 3; ++i)
    for (uint64_t j = 0; j < 4; ++j) EXPECT_EQ(back->data<int16_t>()[i * 4 + j], int16_t(((i + 1) * 7 + j + 2) * 3));
  EXPECT_EQ(r->root().vars[0].attrs.number("_FillValue"), -1.0);
  EXPECT_EQ(r->root().vars[0].dims, (std::vector<std::string>{"a", "b"}));
}

TEST(ZarrV2, UnreadableConsolidatedMetadataFallsBackToTheArrays) {
  // .zmetadata cut short (or empty) by a writer that died mid-write: the store reads from
  // .zgroup/.zarray/.zattrs, which hold the truth (here a longer array than the copy).
  for (std::string zmeta : {std::string(), std::string(R"({"metadata": {".zgroup": {"zarr_fo)")}) {
    auto store = std::make_shared<MemoryStore>();
    Group g;
    Variable v = five_by_seven(DTypeKind::kInt16, Json{{"id", "zstd"}, {"level", 1}});
    g.vars.push_back(v);
    NdArray all(v.dtype, v.shape);
    for (size_t i = 0; i < all.size(); ++i) all.data<int16_t>()[i] = int16_t(i);
    ASSERT_TRUE(written(store, g, all));
    ASSERT_TRUE(store->put(".zmetadata", Bytes(zmeta.begin(), zmeta.end())).ok());
    auto r = open_zarr(store, "");
    ASSERT_TRUE(r.ok()) << r.status().message();
    ASSERT_EQ((*r)->root().vars.size(), 1u);
    EXPECT_EQ((*r)->root().vars[0].shape, v.shape);
    auto back = (*r)->read("x", Box{{0, 0}, v.shape});
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(back->data<int16_t>()[34], 34);
  }
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

TEST(ZarrV2, ReadPiecesCoverTheBoxOnceWithReadsValues) {
  // 5 x 7 in chunks of 2 x 3, one chunk never written (its pieces are the fill value);
  // the pieces, placed where they say, make exactly what read() gives, each cell once.
  auto store = std::make_shared<MemoryStore>();
  Group g;
  g.dims = {{"a", 5, false}, {"b", 7, false}};
  Variable v = five_by_seven(DTypeKind::kFloat32,
                             Json{{"id", "blosc"}, {"cname", "lz4"}, {"clevel", 1}, {"shuffle", 0}, {"blocksize", 0}});
  v.attrs.set("_FillValue", AttrValue::number(-9, DType::of(DTypeKind::kFloat32)));
  g.vars.push_back(v);
  NdArray all(v.dtype, v.shape);
  for (size_t i = 0; i < all.size(); ++i) all.data<float>()[i] = float(i) + 0.5f;
  auto r = written(store, g, all, {2, 3});  // one chunk left unwritten
  ASSERT_TRUE(r);
  for (const Box& box : {Box{{0, 0}, {5, 7}}, Box{{1, 2}, {3, 4}}, Box{{4, 6}, {1, 1}}}) {
    auto want = r->read("x", box);
    ASSERT_TRUE(want.ok());
    NdArray got(v.dtype, box.count);
    std::vector<int> times(box.size(), 0);
    int pieces = 0;
    auto s = r->read_pieces("x", box, [&](const NdArray& piece, const Shape& origin, const Box& part) {
      ++pieces;
      copy_region(piece, origin, got, box.start, part);
      for (uint64_t i = 0; i < part.count[0]; ++i)
        for (uint64_t j = 0; j < part.count[1]; ++j)
          ++times[(part.start[0] + i - box.start[0]) * box.count[1] + part.start[1] + j - box.start[1]];
    });
    ASSERT_TRUE(s.ok()) << s.message();
    EXPECT_EQ(got.bytes, want->bytes);
    EXPECT_EQ(std::count(times.begin(), times.end(), 1), std::ptrdiff_t(box.size()));
    EXPECT_EQ(pieces, int(ChunkGrid(v.shape, v.storage.chunks).chunks_touching(box).size()));
  }
  EXPECT_FALSE(r->read_pieces("x", Box{{4, 0}, {2, 7}}, [](const NdArray&, const Shape&, const Box&) {}).ok());
}
