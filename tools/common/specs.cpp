#include "specs.hpp"

#include <sstream>

namespace pgtool {

using pangeo::invalid_argument;
using pangeo::Json;
using pangeo::Result;

std::string option_name(const std::string& names) { return names.substr(names.rfind(',') + 1); }

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  std::string part;
  while (std::getline(ss, part, ','))
    if (!part.empty()) out.push_back(part);
  return out;
}

namespace {

// Splits at every `sep`, keeping empty parts ("a::b" -> a, "", b; "" -> one empty part).
std::vector<std::string> split_all(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (true) {
    size_t c = s.find(sep, pos);
    out.push_back(s.substr(pos, c == std::string::npos ? std::string::npos : c - pos));
    if (c == std::string::npos) return out;
    pos = c + 1;
  }
}

Result<std::pair<std::string, std::string>> split_assignment(const std::string& text, const char* what) {
  auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0) return invalid_argument("\"{}\": expected {}", text, what);
  return std::make_pair(text.substr(0, eq), text.substr(eq + 1));
}

Result<int> level(const std::string& s, int def, int lo, int hi, const std::string& spec) {
  if (s.empty()) return def;
  auto v = parse_integer(s);
  if (!v.ok() || *v < lo || *v > hi) return invalid_argument("{}: level must be an integer from {} to {}", spec, lo, hi);
  return int(*v);
}

}  // namespace

Result<int64_t> parse_integer(const std::string& text) {
  try {
    size_t used = 0;
    long long v = std::stoll(text, &used);
    if (used == text.size()) return int64_t(v);
  } catch (const std::exception&) {
  }
  return invalid_argument("\"{}\" is not an integer", text);
}

Result<double> parse_number(const std::string& text) {
  try {
    size_t used = 0;
    double v = std::stod(text, &used);
    if (used == text.size()) return v;
  } catch (const std::exception&) {
  }
  return invalid_argument("\"{}\" is not a number", text);
}

Result<std::map<std::string, int64_t>> parse_dim_lengths(const std::string& spec) {
  std::map<std::string, int64_t> out;
  for (const auto& item : split_list(spec)) {
    PG_ASSIGN_OR_RETURN(auto kv, split_assignment(item, "DIM=N[,DIM=N...]"));
    auto n = parse_integer(kv.second);
    if (!n.ok() || (*n < 1 && *n != -1)) return invalid_argument("{}: \"{}\" is not a positive length or -1", spec, kv.second);
    out[kv.first] = *n;
  }
  if (out.empty()) return invalid_argument("\"{}\": expected DIM=N[,DIM=N...]", spec);
  return out;
}

Result<Json> parse_compressor(const std::string& spec) {
  auto parts = split_all(spec, ':');
  const std::string& name = parts[0];
  auto part = [&](size_t i) { return i < parts.size() ? parts[i] : std::string(); };
  if (name == "none" && parts.size() == 1) return Json(nullptr);
  if ((name == "zlib" || name == "gzip") && parts.size() <= 2) {
    PG_ASSIGN_OR_RETURN(int l, level(part(1), 1, 0, 9, spec));
    return Json{{"id", name}, {"level", l}};
  }
  if (name == "bz2" && parts.size() <= 2) {
    PG_ASSIGN_OR_RETURN(int l, level(part(1), 1, 1, 9, spec));
    return Json{{"id", "bz2"}, {"level", l}};
  }
  if (name == "zstd" && parts.size() <= 2) {
    PG_ASSIGN_OR_RETURN(int l, level(part(1), 1, -131072, 22, spec));
    return Json{{"id", "zstd"}, {"level", l}};
  }
  if (name == "lz4" && parts.size() <= 2) {
    PG_ASSIGN_OR_RETURN(int accel, level(part(1), 1, 1, 65537, spec));
    return Json{{"id", "lz4"}, {"acceleration", accel}};
  }
  if (name == "blosc" && parts.size() <= 4) {
    std::string cname = part(1).empty() ? "lz4" : part(1);
    if (cname != "lz4" && cname != "lz4hc" && cname != "zstd" && cname != "zlib" && cname != "blosclz")
      return invalid_argument("{}: blosc compressor must be lz4, lz4hc, zstd, zlib or blosclz", spec);
    PG_ASSIGN_OR_RETURN(int clevel, level(part(2), 5, 0, 9, spec));
    int shuffle = 1;
    const std::string s = part(3);
    if (s == "noshuffle" || s == "0") shuffle = 0;
    else if (s.empty() || s == "shuffle" || s == "1") shuffle = 1;
    else if (s == "bitshuffle" || s == "2") shuffle = 2;
    else return invalid_argument("{}: shuffle must be noshuffle, shuffle or bitshuffle", spec);
    return Json{{"id", "blosc"}, {"cname", cname}, {"clevel", clevel}, {"shuffle", shuffle}, {"blocksize", 0}};
  }
  return invalid_argument(
      "\"{}\": expected none, zlib[:LEVEL], gzip[:LEVEL], zstd[:LEVEL], lz4, bz2[:LEVEL] or "
      "blosc[:CNAME[:CLEVEL[:SHUFFLE]]]",
      spec);
}

Result<pangeo::OpSpec> parse_op(const std::string& text) {
  using pangeo::ReduceOp;
  pangeo::OpSpec s;
  static const std::pair<const char*, ReduceOp> names[] = {
      {"mean", ReduceOp::kMean}, {"sum", ReduceOp::kSum}, {"min", ReduceOp::kMin},     {"max", ReduceOp::kMax},
      {"std", ReduceOp::kStd},   {"var", ReduceOp::kVar}, {"count", ReduceOp::kCount}, {"median", ReduceOp::kMedian}};
  for (auto& [n, op] : names)
    if (text == n) {
      s.op = op;
      return s;
    }
  if (text.rfind("quantile:", 0) == 0) {
    s.op = ReduceOp::kQuantile;
    auto q = parse_number(text.substr(9));
    if (!q.ok()) return invalid_argument("{}: the quantile must be a number", text);
    s.q = *q;
    if (!(s.q >= 0 && s.q <= 1)) return invalid_argument("{}: the quantile must be within 0..1", text);
    return s;
  }
  return invalid_argument("\"{}\": expected mean, sum, min, max, std, var, count, median or quantile:Q", text);
}

Result<uint64_t> parse_size(const std::string& text) {
  size_t i = 0;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
  auto v = parse_number(text.substr(0, i));
  if (i == 0 || !v.ok()) return invalid_argument("bad size \"{}\" (expected e.g. 512M or 2G)", text);
  std::string unit = text.substr(i);
  for (auto& c : unit) c = char(std::toupper(static_cast<unsigned char>(c)));
  static const std::pair<const char*, double> units[] = {
      {"", 1},         {"B", 1},         {"K", 1024.0},    {"KB", 1024.0},    {"KIB", 1024.0},
      {"M", 1 << 20},  {"MB", 1 << 20},  {"MIB", 1 << 20}, {"G", 1 << 30},    {"GB", 1 << 30},
      {"GIB", 1 << 30}, {"T", 1099511627776.0}, {"TB", 1099511627776.0}, {"TIB", 1099511627776.0}};
  for (const auto& [name, mult] : units)
    if (unit == name) {
      const double bytes = *v * mult;
      if (!(bytes < 18446744073709551616.0)) return invalid_argument("size \"{}\" is too large", text);
      return uint64_t(bytes);
    }
  return invalid_argument("bad size \"{}\" (units: K, M, G, T)", text);
}

Result<pangeo::Part> parse_part_option(const std::string& text) {
  if (text == "auto") return pangeo::part_from_environment();
  return pangeo::parse_part(text);
}

Result<std::pair<std::string, uint64_t>> parse_rolling(const std::string& text) {
  PG_ASSIGN_OR_RETURN(auto kv, split_assignment(text, "DIM=N"));
  auto n = parse_integer(kv.second);
  if (!n.ok() || *n < 1) return invalid_argument("{}: N must be a positive integer", text);
  return std::make_pair(kv.first, uint64_t(*n));
}

Result<pangeo::Selector> parse_selector(const std::string& text, bool positions) {
  PG_ASSIGN_OR_RETURN(auto kv, split_assignment(text, "DIM=VALUE"));
  pangeo::Selector s;
  s.dim = kv.first;
  const std::string& spec = kv.second;
  if (spec.find(':') != std::string::npos) {
    s.kind = pangeo::Selector::Kind::kSlice;
    if (positions) {
      auto parts = split_all(spec, ':');
      if (parts.size() > 3) return invalid_argument("{}: bad slice \"{}\"", text, spec);
      for (const auto& p : parts)
        if (!p.empty() && !parse_integer(p).ok()) return invalid_argument("{}: \"{}\" is not an integer", text, p);
      if (parts.size() == 3 && !parts[2].empty() && *parse_integer(parts[2]) == 0)
        return invalid_argument("{}: slice step cannot be zero", text);
      s.start = parts[0];
      s.stop = parts[1];
      s.step = parts.size() == 3 ? parts[2] : "";
    } else {
      size_t c = spec.find(':');
      s.start = spec.substr(0, c);
      s.stop = spec.substr(c + 1);
    }
    return s;
  }
  s.items = split_all(spec, ',');
  for (const auto& item : s.items) {
    if (item.empty()) return invalid_argument("{}: empty value", text);
    if (positions && !parse_integer(item).ok()) return invalid_argument("{}: \"{}\" is not an integer", text, item);
  }
  return s;
}

pangeo::Status parse_by(const std::string& text, pangeo::GroupByOptions& o) {
  if (text.empty()) return invalid_argument("empty value");
  o.variable = text;
  // COORD.COMPONENT groups by a time component, unless the dataset has a variable of
  // that very name (decided by the library, which sees the dataset).
  if (auto dot = text.rfind('.'); dot != std::string::npos && dot > 0 && dot + 1 < text.size()) {
    o.time_coordinate = text.substr(0, dot);
    o.component = text.substr(dot + 1);
  }
  return pangeo::Status::Ok();
}

pangeo::Status parse_resample(const std::string& text, pangeo::GroupByOptions& o) {
  auto kv = split_assignment(text, "COORD=PERIOD");
  std::string names;
  for (const auto& name : pangeo::resample_period_names()) {
    names += (names.empty() ? "" : "|") + name;
    if (kv.ok() && kv->second == name) {
      o.time_coordinate = kv->first;
      o.period = name;
      return pangeo::Status::Ok();
    }
  }
  return invalid_argument("\"{}\": expected time={}", text, names);
}

Result<pangeo::Selector> parse_region(const std::string& text) {
  PG_ASSIGN_OR_RETURN(pangeo::Selector s, parse_selector(text, false));
  if (s.kind != pangeo::Selector::Kind::kSlice || s.start.empty() || s.stop.empty())
    return invalid_argument("\"{}\": expected DIM=START:STOP", text);
  return s;
}

Result<int> parse_zarr_format(const std::string& text) {
  if (text == "2" || text == "3") return text[0] - '0';
  return invalid_argument("\"{}\": expected 2 or 3", text);
}

Result<std::string> parse_format(const std::string& text) {
  if (text == "zarr" || text == "netcdf4" || text == "netcdf3") return text;
  if (text == "netcdf") return std::string("netcdf4");
  return invalid_argument("\"{}\": expected zarr, netcdf4 or netcdf3", text);
}

Result<std::pair<uint32_t, uint32_t>> parse_picture_size(const std::string& text) {
  const auto x = text.find_first_of("xX");
  auto w = x == std::string::npos ? Result<int64_t>(invalid_argument("")) : parse_integer(text.substr(0, x));
  auto h = x == std::string::npos ? Result<int64_t>(invalid_argument("")) : parse_integer(text.substr(x + 1));
  if (!w.ok() || !h.ok() || *w < 1 || *h < 1 || *w > 1 << 20 || *h > 1 << 20)
    return invalid_argument("bad size \"{}\" (expected WIDTHxHEIGHT in pixels, e.g. 1200x400)", text);
  return std::pair<uint32_t, uint32_t>(uint32_t(*w), uint32_t(*h));
}

}  // namespace pgtool
