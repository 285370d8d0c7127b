#include "v3_codecs.hpp"

#include <cstring>
#include <map>

#include "codec_names.hpp"
#include "metadata.hpp"

namespace pangeo {

Result<DType> v3_data_type(const Json& j) {
  if (j.is_object() && j.value("name", "") == "fixed_length_utf32") {
    const Json n = j.value("configuration", Json::object()).value("length_bytes", Json());
    if (!n.is_number_unsigned() || n.get<uint64_t>() % 4 != 0 || n.get<uint64_t>() > (1u << 30))
      return corrupt("fixed_length_utf32 needs length_bytes, a multiple of 4");
    return DType::of(DTypeKind::kUnicode, n.get<uint32_t>());
  }
  if (j.is_object() && j.contains("name") && j.value("configuration", Json::object()).empty()) return v3_data_type(j["name"]);
  if (!j.is_string()) return unsupported("data type {}", j.dump());
  static const std::map<std::string, DTypeKind> kinds = {
      {"bool", DTypeKind::kBool},         {"int8", DTypeKind::kInt8},       {"int16", DTypeKind::kInt16},
      {"int32", DTypeKind::kInt32},       {"int64", DTypeKind::kInt64},     {"uint8", DTypeKind::kUInt8},
      {"uint16", DTypeKind::kUInt16},     {"uint32", DTypeKind::kUInt32},   {"uint64", DTypeKind::kUInt64},
      {"float16", DTypeKind::kFloat16},   {"float32", DTypeKind::kFloat32}, {"float64", DTypeKind::kFloat64},
      {"complex64", DTypeKind::kComplex64}, {"complex128", DTypeKind::kComplex128}, {"string", DTypeKind::kString}};
  auto it = kinds.find(j.get<std::string>());
  if (it == kinds.end()) return unsupported("data type \"{}\"", j.get<std::string>());
  return DType::of(it->second);
}

Json v3_data_type_json(const DType& d) {
  switch (d.kind) {
    case DTypeKind::kString: return "string";
    case DTypeKind::kUnicode: return Json{{"name", "fixed_length_utf32"}, {"configuration", {{"length_bytes", d.itemsize}}}};
    case DTypeKind::kChar: case DTypeKind::kBytes: return Json();
    default: return d.numpy_name();
  }
}

// A fill value in any form the spec allows: numbers, "NaN"/"Infinity"/"-Infinity",
// "0x..." bit patterns for floats, booleans, [re, im] for complex.
Result<Bytes> v3_fill_bytes(const Json& f, const DType& dt) {
  if (dt.kind == DTypeKind::kString) return Bytes();
  if (dt.kind == DTypeKind::kUnicode) {
    // Text: code points (UTF-8 decoded) as UCS-4, padded with zeros.
    Bytes b(dt.itemsize, 0);
    if (!f.is_string()) return b;
    const std::string& s = f.get_ref<const std::string&>();
    size_t o = 0;
    for (size_t i = 0; i < s.size() && o + 4 <= b.size();) {
      uint32_t cp = uint8_t(s[i]);
      int extra = cp >= 0xf0 ? 3 : cp >= 0xe0 ? 2 : cp >= 0xc0 ? 1 : 0;
      if (extra) cp &= 0x3fu >> extra;
      for (int k = 1; k <= extra && i + size_t(k) < s.size(); ++k) cp = (cp << 6) | (uint8_t(s[i + size_t(k)]) & 0x3f);
      i += size_t(extra) + 1;
      std::memcpy(b.data() + o, &cp, 4);
      o += 4;
    }
    return b;
  }
  if (f.is_string()) {
    const std::string& s = f.get_ref<const std::string&>();
    if (s.rfind("0x", 0) == 0 && dt.is_float()) {
      uint64_t bits = 0;
      try {
        bits = std::stoull(s.substr(2), nullptr, 16);
      } catch (const std::exception&) {
        return corrupt("fill value \"{}\" is not a hexadecimal bit pattern", s);
      }
      Bytes b(dt.itemsize);
      std::memcpy(b.data(), &bits, dt.itemsize);  // little-endian host
      return b;
    }
  }
  return json_to_scalar_bytes(f, dt);
}

Result<std::unique_ptr<V3Chain>> parse_v3_chain(const Json& codecs, const DType& dt, const Shape& shape) {
  auto ch = std::make_unique<V3Chain>();
  if (!codecs.is_array() || codecs.empty()) return corrupt("no codecs");
  bool seen_ab = false;
  DType typesize_dt = dt;
  for (const auto& c : codecs) {
    const std::string name = c.is_string() ? c.get<std::string>() : c.value("name", "");
    const Json cfg = c.is_object() ? c.value("configuration", Json::object()) : Json::object();
    if (!seen_ab && name == "transpose") {
      std::vector<size_t> order;
      if (cfg.contains("order") && cfg["order"].is_array()) {
        order = cfg["order"].get<std::vector<size_t>>();
      } else if (cfg.value("order", "") == "F") {
        for (size_t i = shape.size(); i-- > 0;) order.push_back(i);
      } else {
        for (size_t i = 0; i < shape.size(); ++i) order.push_back(i);
      }
      if (order.size() != shape.size()) return corrupt("transpose order of the wrong rank");
      std::vector<bool> seen(order.size(), false);
      for (size_t o : order) {
        if (o >= order.size() || seen[o]) return corrupt("transpose order is not a permutation");
        seen[o] = true;
      }
      ch->transposes.push_back(order);
    } else if (!seen_ab && name == "bytes") {
      seen_ab = true;
      ch->big_endian = cfg.value("endian", "little") == "big";
    } else if (!seen_ab && (name == "vlen-utf8" || name == "vlen-bytes")) {
      seen_ab = true;
      ch->kind = V3Chain::Kind::kVlen;
      PG_ASSIGN_OR_RETURN(ch->vlen, make_codec(Json{{"id", name}}, dt));
      typesize_dt = DType::of(DTypeKind::kUInt8);
    } else if (!seen_ab && name == "sharding_indexed") {
      seen_ab = true;
      ch->kind = V3Chain::Kind::kShard;
      PG_ASSIGN_OR_RETURN(ch->inner, json_shape(cfg.value("chunk_shape", Json()), "inner chunk_shape"));
      if (ch->inner.size() != shape.size()) return corrupt("inner chunk shape of the wrong rank");
      for (size_t d = 0; d < shape.size(); ++d)
        if (ch->inner[d] == 0 || shape[d] % ch->inner[d] != 0) return corrupt("shard shape is not a multiple of the inner chunks");
      PG_ASSIGN_OR_RETURN(ch->inner_chain, parse_v3_chain(cfg.at("codecs"), dt, ch->inner));
      Shape index_shape = shape;
      for (size_t d = 0; d < shape.size(); ++d) index_shape[d] = shape[d] / ch->inner[d];
      index_shape.push_back(2);
      PG_ASSIGN_OR_RETURN(ch->index_chain, parse_v3_chain(cfg.value("index_codecs", Json::array({Json{{"name", "bytes"}}})),
                                                       DType::of(DTypeKind::kUInt64), index_shape));
      for (const auto& c2 : cfg.value("index_codecs", Json::array()))
        if (c2.value("name", "") == "crc32c") ch->index_overhead += 4;
      ch->index_at_end = cfg.value("index_location", "end") == "end";
    } else if (seen_ab) {
      PG_ASSIGN_OR_RETURN(Json nc, numcodecs_for(c));
      DType tdt = typesize_dt;
      if (name == "blosc" && cfg.contains("typesize")) tdt.itemsize = cfg["typesize"].get<uint32_t>();
      PG_ASSIGN_OR_RETURN(auto codec, make_codec(nc, tdt));
      ch->bb.push_back(std::move(codec));
    } else {
      return unsupported("unknown codec \"{}\"", name);
    }
  }
  if (!seen_ab) return corrupt("no array-to-bytes codec");
  return ch;
}

// Decodes one encoded chunk through `ch` (not sharding).
Result<NdArray> decode_v3_chunk(const V3Chain& ch, Bytes data, const DType& dt, const Shape& shape) {
  // Plain arrays decode to the chunk's bytes (checksum codecs add 4 bytes each on the way);
  // text is bounded only by kMaxDecodedBytes.
  const size_t limit = ch.kind == V3Chain::Kind::kVlen ? 0 : element_count(shape) * dt.itemsize + 16 * ch.bb.size();
  for (size_t i = ch.bb.size(); i-- > 0;) {
    PG_ASSIGN_OR_RETURN(data, ch.bb[i]->decode(data, limit));
  }
  // The shape as encoded: each transpose permuted it.
  Shape enc = shape;
  for (const auto& order : ch.transposes) {
    Shape next(enc.size());
    for (size_t i = 0; i < enc.size(); ++i) next[i] = enc[order[i]];
    enc = next;
  }
  NdArray a;
  if (ch.kind == V3Chain::Kind::kVlen) {
    a = NdArray(dt, enc);
    PG_ASSIGN_OR_RETURN(a.strings, ch.vlen->decode_strings(data, a.size()));
  } else {
    const uint64_t want = element_count(enc) * dt.itemsize;
    if (data.size() != want) return corrupt("decoded to {} bytes where {} were expected", data.size(), want);
    a = NdArray::adopt(dt, enc, std::move(data));
    if (ch.big_endian && dt.itemsize > 1) {
      if (dt.kind == DTypeKind::kComplex64 || dt.kind == DTypeKind::kComplex128) byteswap_inplace(a.bytes.data(), a.size() * 2, dt.itemsize / 2);
      else byteswap_inplace(a.bytes.data(), a.size(), dt.itemsize);
    }
  }
  for (size_t t = ch.transposes.size(); t-- > 0;) {
    const auto& order = ch.transposes[t];
    std::vector<size_t> inverse(order.size());
    for (size_t i = 0; i < order.size(); ++i) inverse[order[i]] = i;
    a = permute_axes(a, inverse);
  }
  return a;
}


Result<Bytes> encode_v3_chunk(const V3Chain& ch, const NdArray& a) {
  const NdArray* src = &a;
  NdArray permuted;
  for (const auto& order : ch.transposes) {
    permuted = permute_axes(*src, order);
    src = &permuted;
  }
  Bytes b;
  if (ch.kind == V3Chain::Kind::kVlen) {
    PG_ASSIGN_OR_RETURN(b, ch.vlen->encode_strings(src->strings));
  } else {
    b = src->bytes;
  }
  for (const auto& c : ch.bb) {
    PG_ASSIGN_OR_RETURN(b, c->encode(b));
  }
  return b;
}

}  // namespace pangeo
