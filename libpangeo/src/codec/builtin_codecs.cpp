// The codec registry: one row per numcodecs id.
#include <string_view>

#include "codec_impl.hpp"

namespace pangeo {

namespace {
struct CodecRow {
  std::string_view id;
  codecs::CodecFactory make;
};
constexpr CodecRow kCodecs[] = {
    {"blosc", codecs::make_blosc},
    {"zlib", codecs::make_zlib},
    {"gzip", codecs::make_gzip},
    {"zstd", codecs::make_zstd},
    {"lz4", codecs::make_lz4},
    {"bz2", codecs::make_bz2},
    {"lzma", codecs::make_lzma},
    {"shuffle", codecs::make_shuffle},
    {"delta", codecs::make_delta},
    {"fixedscaleoffset", codecs::make_fixedscaleoffset},
    {"quantize", codecs::make_quantize},
    {"astype", codecs::make_astype},
    {"crc32", codecs::make_crc32},
    {"crc32c", codecs::make_crc32c},
    {"adler32", codecs::make_adler32},
    {"fletcher32", codecs::make_fletcher32},
    {"vlen-utf8", codecs::make_vlen_utf8},
    {"vlen-bytes", codecs::make_vlen_bytes},
};
}  // namespace

Result<std::unique_ptr<Codec>> make_codec(const Json& config, const DType& dtype) {
  if (!config.is_object() || !config.contains("id") || !config["id"].is_string())
    return invalid_argument("codec configuration without an \"id\": {}", config.dump().substr(0, 200));
  const std::string id = config["id"].get<std::string>();
  for (const auto& row : kCodecs)
    if (row.id == id) {
      try {
        auto r = row.make(config, dtype);
        if (!r.ok()) return r.status().with_context(id);
        return r;
      } catch (const Json::exception& e) {
        return invalid_argument("{}: bad configuration {}: {}", id, config.dump().substr(0, 200), json_error_text(e));
      }
    }
  return unsupported("unknown codec \"{}\"", id);
}

std::vector<std::string> codec_ids() {
  std::vector<std::string> ids;
  for (const auto& row : kCodecs) ids.emplace_back(row.id);
  return ids;
}

}  // namespace pangeo
