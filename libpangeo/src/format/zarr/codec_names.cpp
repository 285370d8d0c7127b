#include "codec_names.hpp"

#include <algorithm>
#include <string_view>

namespace pangeo {

namespace {

const char* const kShuffles[] = {"noshuffle", "shuffle", "bitshuffle"};

Json blosc_to_v3(const Json& c, const DType& dt) {
  const int sh = std::clamp(c.value("shuffle", 1), 0, 2);
  return {{"cname", c.value("cname", "lz4")},
          {"clevel", c.value("clevel", 5)},
          {"shuffle", kShuffles[sh]},
          {"typesize", dt.kind == DTypeKind::kString ? 1 : dt.itemsize},
          {"blocksize", c.value("blocksize", 0)}};
}
Json blosc_from_v3(const Json& cfg) {
  const Json shuffle = cfg.value("shuffle", Json("noshuffle"));
  int sh = 0;
  if (shuffle.is_string()) {
    for (int i = 0; i < 3; ++i)
      if (shuffle == kShuffles[i]) sh = i;
  } else if (shuffle.is_number()) {
    sh = shuffle.get<int>();
  }
  return {{"id", "blosc"}, {"cname", cfg.value("cname", "lz4")}, {"clevel", cfg.value("clevel", 5)},
          {"shuffle", sh}, {"blocksize", cfg.value("blocksize", 0)}};
}

Json zstd_to_v3(const Json& c, const DType&) { return {{"level", c.value("level", 0)}, {"checksum", false}}; }
Json zstd_from_v3(const Json& cfg) {
  return {{"id", "zstd"}, {"level", cfg.value("level", 0)}, {"checksum", cfg.value("checksum", false)}};
}

Json level_to_v3(const Json& c, const DType&) { return {{"level", c.value("level", 1)}}; }
Json gzip_from_v3(const Json& cfg) { return {{"id", "gzip"}, {"level", cfg.value("level", 1)}}; }

Json no_configuration(const Json&, const DType&) { return Json::object(); }
Json crc32c_from_v3(const Json&) { return {{"id", "crc32c"}}; }

struct CodecName {
  std::string_view numcodecs_id;
  std::string_view v3_name;
  Json (*to_v3)(const Json& numcodecs, const DType& dtype);  // the v3 configuration
  Json (*from_v3)(const Json& configuration);              // null: write-only row
};

// One row per codec whose v3 form is not "numcodecs.ID" with the same configuration.
// zlib is written as the core gzip codec (the same deflate stream, gzip framing), which
// every v3 reader knows.
constexpr CodecName kCodecNames[] = {
    {"blosc", "blosc", blosc_to_v3, blosc_from_v3},
    {"zstd", "zstd", zstd_to_v3, zstd_from_v3},
    {"gzip", "gzip", level_to_v3, gzip_from_v3},
    {"crc32c", "crc32c", no_configuration, crc32c_from_v3},
    {"zlib", "gzip", level_to_v3, nullptr},
};

constexpr std::string_view kNumcodecsPrefix = "numcodecs.";

}  // namespace

Result<Json> v3_codec_for(const Json& c, const DType& dtype) {
  if (c.is_null()) return Json();
  if (!c.is_object() || !c.contains("id") || !c["id"].is_string()) return invalid_argument("codec without an id: {}", c.dump());
  const std::string id = c["id"].get<std::string>();
  for (const auto& row : kCodecNames)
    if (row.numcodecs_id == id) return Json{{"name", row.v3_name}, {"configuration", row.to_v3(c, dtype)}};
  Json cfg = c;
  cfg.erase("id");
  return Json{{"name", std::string(kNumcodecsPrefix) + id}, {"configuration", cfg}};
}

Result<Json> numcodecs_for(const Json& v3) {
  const std::string name = v3.is_string() ? v3.get<std::string>() : v3.value("name", "");
  Json cfg = v3.is_object() ? v3.value("configuration", Json::object()) : Json::object();
  if (!cfg.is_object()) return unsupported("codec \"{}\": configuration is not an object", name);
  for (const auto& row : kCodecNames)
    if (row.v3_name == name && row.from_v3) return row.from_v3(cfg);
  if (name.rfind(kNumcodecsPrefix, 0) == 0) {  // zarr-python 3 names for numcodecs codecs
    cfg["id"] = name.substr(kNumcodecsPrefix.size());
    return cfg;
  }
  return unsupported("unknown codec \"{}\"", name);
}

}  // namespace pangeo
