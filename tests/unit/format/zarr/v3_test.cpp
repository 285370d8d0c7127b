// Zarr v3 stores written by zarr-python 3 and zarrs read with the values they hold.
#include <gtest/gtest.h>

#include <unistd.h>

#include <fstream>

#include "../../corpus.hpp"
#include "pangeo/format.hpp"

namespace fs = std::filesystem;
using namespace pangeo;

namespace {

using testing_corpus::read_whole;

fs::path data() { return testing_corpus::corpus_dir() / "zarrs-test-data"; }

TEST(ZarrV3, EveryCodecVariantEqualsTheV2Twin) {
  if (!fs::exists(data())) GTEST_SKIP() << "no corpus";
  auto twin = read_whole(data() / "v2" / "array_none_C.zarr");
  ASSERT_TRUE(twin.ok()) << twin.status().message();
  int n = 0;
  for (const char* dir : {"v3", "v3_zarr_python"})
    for (const char* name : {"array_none.zarr", "array_blosc.zarr", "array_gzip.zarr", "array_zstd.zarr", "array_bz2.zarr",
                             "array_none_transpose.zarr", "array_blosc_transpose.zarr", "array_zlib.zarr",
                             "array_adler32.zarr", "array_fletcher32.zarr"}) {
      fs::path p = data() / dir / name;
      if (!fs::exists(p)) continue;
      auto a = read_whole(p);
      ASSERT_TRUE(a.ok()) << p << ": " << a.status().message();
      EXPECT_EQ(a->shape, twin->shape) << p;
      EXPECT_TRUE(a->bytes == twin->bytes) << p;
      ++n;
    }
  EXPECT_GE(n, 13);
}

TEST(ZarrV3, UnknownCodecsAreNamed) {
  if (!fs::exists(data())) GTEST_SKIP() << "no corpus";
  for (auto [name, codec] : {std::pair{"array_pcodec.zarr", "pcodec"}, std::pair{"array_zfpy.zarr", "zfpy"}}) {
    auto r = open_dataset((data() / "v3" / name).string());
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find(codec), std::string::npos) << r.status().message();
  }
}

TEST(ZarrV3, ShardedArrayAndStrings) {
  if (!fs::exists(data())) GTEST_SKIP() << "no corpus";
  auto r = open_dataset((data() / "sharded_array_write_read.zarr" / "group").string());
  ASSERT_TRUE(r.ok()) << r.status().message();
  auto a = (*r)->read("array", Box{{0, 0}, {8, 8}});
  ASSERT_TRUE(a.ok()) << a.status().message();
  for (uint16_t i = 0; i < 64; ++i) ASSERT_EQ(a->data<uint16_t>()[i], i);
  auto part = (*r)->read("array", Box{{3, 2}, {2, 5}});  // crosses inner chunks and shards
  ASSERT_TRUE(part.ok());
  EXPECT_EQ(part->data<uint16_t>()[0], 3 * 8 + 2);
  EXPECT_EQ(part->data<uint16_t>()[9], 4 * 8 + 6);
  auto cities = read_whole(data() / "v3" / "cities.zarr");
  ASSERT_TRUE(cities.ok()) << cities.status().message();
  std::ifstream csv(data() / "cities.csv");
  std::string line;
  for (size_t i = 0; i < 5 && std::getline(csv, line); ++i) EXPECT_EQ(cities->strings[i], line);
}

TEST(ZarrV3, ConformanceInt32) {
  fs::path p = testing_corpus::corpus_dir() / "zarr-conformance-tests-data" / "int32_v3.zarr";
  if (!fs::exists(p)) GTEST_SKIP() << "no corpus";
  auto a = read_whole(p);
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_EQ(a->size(), 4u);
}

TEST(ZarrV3, DamagedShardsNameTheShard) {
  if (!fs::exists(data())) GTEST_SKIP() << "no corpus";
  fs::path tmp = fs::temp_directory_path() / fmt::format("pg-v3-{}", ::getpid());
  fs::remove_all(tmp);
  fs::copy(data() / "sharded_array_write_read.zarr", tmp, fs::copy_options::recursive);
  fs::path shard = tmp / "group" / "array" / "c" / "0" / "0";
  auto bytes = std::vector<char>(fs::file_size(shard));
  {
    std::ifstream in(shard, std::ios::binary);
    in.read(bytes.data(), std::streamsize(bytes.size()));
  }
  auto read_all = [&]() {
    auto r = open_dataset((tmp / "group").string());
    if (!r.ok()) return r.status();
    return (*r)->read("array", Box{{0, 0}, {8, 8}}).status();
  };
  // A flipped byte in the index: its crc32c no longer matches.
  auto damaged = bytes;
  damaged[damaged.size() - 10] ^= 0x55;
  std::ofstream(shard, std::ios::binary | std::ios::trunc).write(damaged.data(), std::streamsize(damaged.size()));
  Status s = read_all();
  EXPECT_EQ(s.code(), ErrorCode::kCorrupt);
  EXPECT_NE(s.message().find("c/0/0"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("crc32c"), std::string::npos) << s.message();
  // Truncated: the index at the end is gone.
  std::ofstream(shard, std::ios::binary | std::ios::trunc).write(bytes.data(), std::streamsize(bytes.size() / 3));
  s = read_all();
  EXPECT_EQ(s.code(), ErrorCode::kCorrupt);
  EXPECT_NE(s.message().find("c/0/0"), std::string::npos) << s.message();
  fs::remove_all(tmp);
}

}  // namespace

namespace {

// zarr-python 3's fixed_length_utf32 reads as the v2 twins (little- and big-endian <U4)
// read, and our v3 writer gives it back in the same form.
TEST(ZarrV3, FixedLengthUtf32LikeItsV2Twins) {
  fs::path dir = data() / "zarr_python_compat";
  if (!fs::exists(dir)) GTEST_SKIP() << "no corpus";
  auto v3 = read_whole(dir / "fixed_length_utf32_v3_le.zarr");
  ASSERT_TRUE(v3.ok()) << v3.status().message();
  EXPECT_EQ(v3->dtype.kind, DTypeKind::kUnicode);
  EXPECT_EQ(v3->dtype.itemsize, 16u);
  for (const char* twin : {"fixed_length_utf32_v2_le.zarr", "fixed_length_utf32_v2_be.zarr"}) {
    auto v2 = read_whole(dir / twin);
    ASSERT_TRUE(v2.ok()) << v2.status().message();
    EXPECT_EQ(v2->dtype, v3->dtype) << twin;
    EXPECT_TRUE(v2->bytes == v3->bytes) << twin;
  }
  auto in = open_dataset((dir / "fixed_length_utf32_v3_le.zarr").string());
  ASSERT_TRUE(in.ok());
  auto store = std::make_shared<MemoryStore>();
  auto w = make_zarr_v3_writer(store, true);
  Group root = (*in)->root();
  ASSERT_TRUE(w->create(root).ok());
  const Variable& v = root.vars[0];
  ASSERT_TRUE(w->write(v.name, Box::whole(v.shape), *v3).ok());
  ASSERT_TRUE(w->finish().ok());
  auto meta = store->get(v.name + "/zarr.json");
  ASSERT_TRUE(meta.ok() && *meta);
  auto j = Json::parse(std::string((*meta)->begin(), (*meta)->end()));
  EXPECT_EQ(j["data_type"]["name"], "fixed_length_utf32");
  EXPECT_EQ(j["data_type"]["configuration"]["length_bytes"], 16);
  EXPECT_EQ(j["fill_value"], "");
  auto back = open_zarr_v3(store, "x");
  ASSERT_TRUE(back.ok()) << back.status().message();
  auto again = (*back)->read(v.name, Box::whole(v.shape));
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_TRUE(again->bytes == v3->bytes);
}

}  // namespace
