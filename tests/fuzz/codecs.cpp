// Every codec's decode on untrusted bytes. Input: one byte choosing the codec, four bytes
// of the decode limit, then the encoded data.
#include <cstring>

#include "common.hpp"
#include "pangeo/codec.hpp"

namespace {
const char* const kConfigs[] = {
    R"({"id": "zlib", "level": 1})", R"({"id": "gzip", "level": 1})", R"({"id": "bz2", "level": 1})",
    R"({"id": "lzma"})", R"({"id": "lzma", "format": 3, "filters": [{"id": 33, "preset": 1}]})",
    R"({"id": "zstd", "level": 1})", R"({"id": "lz4", "acceleration": 1})",
    R"({"id": "blosc", "cname": "lz4", "clevel": 5, "shuffle": 1})", R"({"id": "blosc", "cname": "zstd", "shuffle": 2})",
    R"({"id": "shuffle", "elementsize": 4})", R"({"id": "delta", "dtype": "<i4", "astype": "<i2"})",
    R"({"id": "fixedscaleoffset", "scale": 10, "offset": 1, "dtype": "<f8", "astype": "<u1"})",
    R"({"id": "quantize", "digits": 3, "dtype": "<f4"})", R"({"id": "astype", "encode_dtype": "<f2", "decode_dtype": "<f8"})",
    R"({"id": "crc32"})", R"({"id": "crc32c"})", R"({"id": "adler32"})", R"({"id": "fletcher32"})",
    R"({"id": "vlen-utf8"})", R"({"id": "vlen-bytes"})"};
constexpr size_t kCount = sizeof kConfigs / sizeof kConfigs[0];
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 5) return 0;
  const size_t which = data[0] % kCount;
  uint32_t limit;
  std::memcpy(&limit, data + 1, 4);
  limit %= (4u << 20);  // the limit a chunk of up to 4 MiB gives
  const pangeo::DType dt = pangeo::DType::of(pangeo::DTypeKind::kFloat32);
  auto codec = pangeo::make_codec(pangeo::Json::parse(kConfigs[which]), dt);
  if (!codec.ok()) return 0;
  const pangeo::Bytes in(data + 5, data + size);
  if ((*codec)->is_object_codec()) {
    (void)(*codec)->decode_strings(in, limit % 1024);
    return 0;
  }
  auto out = (*codec)->decode(in, limit);
  constexpr size_t kCompressors = 9;  // the first configurations: the limit must hold for them
  if (which < kCompressors && out.ok() && limit && out->size() > limit) __builtin_trap();
  if (limit) {
    pangeo::Bytes exact(limit);
    (void)(*codec)->decode_into(in, exact.data(), exact.size());
  }
  return 0;
}
