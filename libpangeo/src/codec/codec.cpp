#include "pangeo/codec.hpp"

#include <sstream>

namespace pangeo {

Result<Bytes> Codec::encode_strings(const std::vector<std::string>&) const {
  return unsupported("codec {} cannot encode strings", config().value("id", "?"));
}
Result<std::vector<std::string>> Codec::decode_strings(const Bytes&, size_t) const {
  return unsupported("codec {} cannot decode strings", config().value("id", "?"));
}

static std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string part;
  while (std::getline(ss, part, sep)) out.push_back(part);
  if (!s.empty() && s.back() == sep) out.emplace_back();
  return out;
}

static Result<int> parse_level(const std::string& s, int lo, int hi, const std::string& spec) {
  try {
    size_t used = 0;
    int v = std::stoi(s, &used);
    if (used != s.size() || v < lo || v > hi) throw std::out_of_range("level");
    return v;
  } catch (const std::exception&) {
    return invalid_argument("--compressor {}: level must be an integer from {} to {}", spec, lo, hi);
  }
}

Result<Json> parse_compressor_spec(const std::string& spec) {
  auto parts = split(spec, ':');
  if (parts.empty()) return invalid_argument("--compressor: empty value");
  const std::string& name = parts[0];
  auto level_at = [&](size_t i, int def, int lo, int hi) -> Result<int> {
    if (parts.size() <= i || parts[i].empty()) return def;
    return parse_level(parts[i], lo, hi, spec);
  };
  if (name == "none" && parts.size() == 1) return Json(nullptr);
  if ((name == "zlib" || name == "gzip") && parts.size() <= 2) {
    PG_ASSIGN_OR_RETURN(int level, level_at(1, 1, 0, 9));
    return Json{{"id", name}, {"level", level}};
  }
  if (name == "bz2" && parts.size() <= 2) {
    PG_ASSIGN_OR_RETURN(int level, level_at(1, 1, 1, 9));
    return Json{{"id", "bz2"}, {"level", level}};
  }
  if (name == "zstd" && parts.size() <= 2) {
    PG_ASSIGN_OR_RETURN(int level, level_at(1, 1, -131072, 22));
    return Json{{"id", "zstd"}, {"level", level}};
  }
  if (name == "lz4" && parts.size() <= 2) {
    PG_ASSIGN_OR_RETURN(int accel, level_at(1, 1, 1, 65537));
    return Json{{"id", "lz4"}, {"acceleration", accel}};
  }
  if (name == "blosc" && parts.size() <= 4) {
    std::string cname = parts.size() > 1 && !parts[1].empty() ? parts[1] : "lz4";
    if (cname != "lz4" && cname != "lz4hc" && cname != "zstd" && cname != "zlib" && cname != "blosclz")
      return invalid_argument("--compressor {}: blosc compressor must be lz4, lz4hc, zstd, zlib or blosclz", spec);
    PG_ASSIGN_OR_RETURN(int clevel, level_at(2, 5, 0, 9));
    int shuffle = 1;
    if (parts.size() > 3 && !parts[3].empty()) {
      const std::string& s = parts[3];
      if (s == "noshuffle" || s == "0") shuffle = 0;
      else if (s == "shuffle" || s == "1") shuffle = 1;
      else if (s == "bitshuffle" || s == "2") shuffle = 2;
      else return invalid_argument("--compressor {}: shuffle must be noshuffle, shuffle or bitshuffle", spec);
    }
    return Json{{"id", "blosc"}, {"cname", cname}, {"clevel", clevel}, {"shuffle", shuffle}, {"blocksize", 0}};
  }
  return invalid_argument(
      "--compressor {}: expected none, zlib[:LEVEL], gzip[:LEVEL], zstd[:LEVEL], lz4, bz2[:LEVEL] or "
      "blosc[:CNAME[:CLEVEL[:SHUFFLE]]]",
      spec);
}

}  // namespace pangeo
