// Both directions of the codec-name table agree: numcodecs -> v3 -> numcodecs is the
// identity for every codec with a v3 name of its own, and others go as numcodecs.ID.
#include <gtest/gtest.h>

#include "format/zarr/codec_names.hpp"

using namespace pangeo;

TEST(ZarrCodecNames, RoundTrips) {
  const DType f4 = DType::of(DTypeKind::kFloat32);
  for (const Json& c : {Json{{"id", "blosc"}, {"cname", "zstd"}, {"clevel", 3}, {"shuffle", 2}, {"blocksize", 0}},
                        Json{{"id", "zstd"}, {"level", 5}, {"checksum", false}}, Json{{"id", "gzip"}, {"level", 6}},
                        Json{{"id", "crc32c"}}, Json{{"id", "bz2"}, {"level", 9}},
                        Json{{"id", "lz4"}, {"acceleration", 1}}}) {
    auto v3 = v3_codec_for(c, f4);
    ASSERT_TRUE(v3.ok()) << c.dump();
    auto back = numcodecs_for(*v3);
    ASSERT_TRUE(back.ok()) << v3->dump();
    EXPECT_EQ(*back, c) << v3->dump();
  }
  EXPECT_EQ((*v3_codec_for(Json{{"id", "bz2"}, {"level", 9}}, f4))["name"], "numcodecs.bz2");
  EXPECT_EQ((*v3_codec_for(Json{{"id", "blosc"}, {"shuffle", 1}}, f4))["configuration"]["typesize"], 4);
  // zlib is written as the core gzip codec.
  EXPECT_EQ((*v3_codec_for(Json{{"id", "zlib"}, {"level", 4}}, f4))["name"], "gzip");
  EXPECT_TRUE(v3_codec_for(Json(), f4)->is_null());
  auto unknown = numcodecs_for(Json{{"name", "brotli"}});
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("brotli"), std::string::npos);
}
