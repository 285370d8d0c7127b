// Every numcodecs-fixture case of our codecs decodes to its .npy array.
#include <gtest/gtest.h>

#include <cmath>

#include "../corpus.hpp"
#include "pangeo/codec.hpp"
#include "pangeo/store.hpp"

namespace fs = std::filesystem;
using namespace pangeo;
using testing_corpus::Npy;

namespace {

std::string two(int i) { return fmt::format("{:02d}", i); }

struct Case {
  std::string dir;  // under numcodecs-fixture
};

class NumcodecsFixture : public ::testing::TestWithParam<std::string> {};

// Decodes every encoded.NN.dat of every codec.MM in `dir`, comparing to array.NN.npy.
// Lossy filters (quantize, fixedscaleoffset) are compared within their precision.
TEST_P(NumcodecsFixture, DecodesToArray) {
  fs::path dir = testing_corpus::corpus_dir() / "numcodecs-fixture" / GetParam();
  if (!fs::exists(dir)) GTEST_SKIP() << "no corpus at " << dir;
  int checked = 0;
  for (int c = 0; fs::exists(dir / ("codec." + two(c))); ++c) {
    fs::path cdir = dir / ("codec." + two(c));
    auto cfg_bytes = read_file(cdir / "config.json");
    ASSERT_TRUE(cfg_bytes.ok());
    Json cfg = Json::parse(std::string(cfg_bytes->begin(), cfg_bytes->end()));
    for (int a = 0; fs::exists(dir / ("array." + two(a) + ".npy")); ++a) {
      fs::path enc = cdir / ("encoded." + two(a) + ".dat");
      if (!fs::exists(enc)) continue;
      Npy npy;
      ASSERT_TRUE(testing_corpus::read_npy(dir / ("array." + two(a) + ".npy"), &npy));
      auto encoded = read_file(enc);
      ASSERT_TRUE(encoded.ok());
      SCOPED_TRACE(enc.string() + " " + cfg.dump());
      if (npy.descr == "|O") {
        // Object arrays are pickled in .npy: check decode/encode gives back the same bytes.
        auto codec = make_codec(cfg, DType::of(DTypeKind::kString));
        ASSERT_TRUE(codec.ok()) << codec.status().message();
        auto strings = (*codec)->decode_strings(*encoded, 0);
        ASSERT_TRUE(strings.ok()) << strings.status().message();
        auto again = (*codec)->encode_strings(*strings);
        ASSERT_TRUE(again.ok());
        EXPECT_EQ(*again, *encoded);
        ++checked;
        continue;
      }
      bool big = false;
      auto dt = parse_numpy_dtype(npy.descr, &big);
      if (!dt.ok() || big) continue;  // big-endian fixture arrays: not a codec matter
      auto codec = make_codec(cfg, *dt);
      ASSERT_TRUE(codec.ok()) << codec.status().message();
      auto decoded = (*codec)->decode(*encoded, npy.data.size());
      ASSERT_TRUE(decoded.ok()) << decoded.status().message();
      std::string id = cfg["id"];
      if (id == "quantize" || id == "fixedscaleoffset" || id == "astype") {
        DType out_dt = *dt;
        if (id == "quantize") out_dt = *parse_numpy_dtype(cfg["dtype"].get<std::string>());
        double tol = id == "quantize"   ? std::pow(10.0, -cfg["digits"].get<int>())
                     : id == "astype"   ? 1e-3
                                        : 1.0 / cfg["scale"].get<double>();
        size_t n = npy.data.size() / dt->itemsize;
        ASSERT_EQ(decoded->size(), n * out_dt.itemsize);
        for (size_t i = 0; i < n; ++i)
          ASSERT_NEAR(load_as_double(out_dt, decoded->data(), i), load_as_double(*dt, npy.data.data(), i), tol * 1.5)
              << "element " << i;
      } else {
        ASSERT_EQ(decoded->size(), npy.data.size());
        EXPECT_TRUE(*decoded == npy.data);
      }
      ++checked;
    }
  }
  EXPECT_GT(checked, 0);
}

INSTANTIATE_TEST_SUITE_P(Codecs, NumcodecsFixture,
                         ::testing::Values("blosc", "zlib", "gzip", "zstd", "lz4", "bz2", "lzma", "shuffle", "crc32",
                                           "crc32c", "adler32", "delta/bool", "delta/float32", "delta/float64",
                                           "delta/int32", "delta/uint16", "fixedscaleoffset", "quantize", "astype/f", "astype/i",
                                           "vlen-utf8", "vlen-bytes"),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (auto& ch : n)
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           return n;
                         });

// Our encoders must give bytes the decoders (ours, and so numcodecs') read back.
TEST(Codecs, RoundTripEveryCodec) {
  Bytes data(40000);
  for (size_t i = 0; i < data.size() / 4; ++i) {
    float f = float(int(i % 300) - 100);
    std::memcpy(data.data() + 4 * i, &f, 4);
  }
  DType f4 = DType::of(DTypeKind::kFloat32);
  for (const Json& cfg : {Json{{"id", "zlib"}, {"level", 1}}, Json{{"id", "gzip"}, {"level", 9}},
                          Json{{"id", "zstd"}, {"level", 3}}, Json{{"id", "lz4"}, {"acceleration", 1}},
                          Json{{"id", "bz2"}, {"level", 9}},
                          Json{{"id", "blosc"}, {"cname", "zstd"}, {"clevel", 3}, {"shuffle", 1}, {"blocksize", 0}},
                          Json{{"id", "blosc"}, {"cname", "lz4"}, {"clevel", 5}, {"shuffle", 2}, {"blocksize", 0}},
                          Json{{"id", "blosc"}, {"cname", "lz4hc"}, {"clevel", 9}, {"shuffle", 0}, {"blocksize", 0}},
                          Json{{"id", "blosc"}, {"cname", "zlib"}, {"clevel", 1}, {"shuffle", 1}, {"blocksize", 0}},
                          Json{{"id", "blosc"}, {"cname", "blosclz"}, {"clevel", 5}, {"shuffle", 1}, {"blocksize", 0}}}) {
    const std::string spec = cfg.dump();
    auto codec = make_codec(cfg, f4);
    ASSERT_TRUE(codec.ok()) << spec;
    auto enc = (*codec)->encode(data);
    ASSERT_TRUE(enc.ok()) << spec;
    EXPECT_LT(enc->size(), data.size()) << spec;
    auto from = (*codec)->encode_from(data.data(), data.size());  // the same bytes, read in place
    ASSERT_TRUE(from.ok()) << spec;
    EXPECT_TRUE(*from == *enc) << spec;
    auto dec = (*codec)->decode(*enc, data.size());
    ASSERT_TRUE(dec.ok()) << spec;
    EXPECT_TRUE(*dec == data) << spec;
  }
  for (Json cfg : {Json{{"id", "shuffle"}, {"elementsize", 4}}, Json{{"id", "delta"}, {"dtype", "<i4"}},
                   Json{{"id", "crc32"}}, Json{{"id", "crc32c"}}, Json{{"id", "adler32"}}, Json{{"id", "fletcher32"}}}) {
    auto codec = make_codec(cfg, f4);
    ASSERT_TRUE(codec.ok());
    auto enc = (*codec)->encode(data);
    auto dec = (*codec)->decode(*enc, 0);
    ASSERT_TRUE(dec.ok()) << cfg.dump();
    EXPECT_TRUE(*dec == data) << cfg.dump();
  }
}

TEST(Codecs, UnknownCodecIsNamed) {
  auto c = make_codec(Json{{"id", "snappy-turbo"}}, DType::of(DTypeKind::kUInt8));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), ErrorCode::kUnsupported);
  EXPECT_NE(c.status().message().find("snappy-turbo"), std::string::npos);
}

TEST(Codecs, CorruptInputIsAnError) {
  Bytes junk(100, 0x5a);
  for (Json cfg : {Json{{"id", "blosc"}}, Json{{"id", "zlib"}}, Json{{"id", "gzip"}}, Json{{"id", "zstd"}},
                   Json{{"id", "lz4"}}, Json{{"id", "bz2"}, {"level", 1}}, Json{{"id", "crc32c"}}}) {
    auto codec = make_codec(cfg, DType::of(DTypeKind::kUInt8));
    ASSERT_TRUE(codec.ok());
    auto dec = (*codec)->decode(junk, 1000);
    EXPECT_FALSE(dec.ok()) << cfg.dump();
  }
}

TEST(Codecs, Crc32cKnownValue) {
  // RFC 3720 B.4: 32 bytes of zeros.
  Bytes zeros(32, 0);
  EXPECT_EQ(crc32c(zeros.data(), zeros.size()), 0x8a9136aau);
  const char* s = "123456789";
  EXPECT_EQ(crc32c(reinterpret_cast<const uint8_t*>(s), 9), 0xe3069283u);
}

}  // namespace
