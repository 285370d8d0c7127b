// Zarr v3 (https://zarr-specs.readthedocs.io/en/latest/v3/core/index.html) with the
// sharding codec (v3/codecs/sharding-indexed): read side.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <mutex>

#include "chunked.hpp"
#include "pangeo/grid.hpp"
#include "pangeo/codec.hpp"
#include "pangeo/format.hpp"

namespace pangeo {

namespace {

Result<DType> v3_dtype(const Json& j) {
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

// A fill value in any form the spec allows: numbers, "NaN"/"Infinity"/"-Infinity",
// "0x..." bit patterns for floats, booleans, [re, im] for complex.
Result<Bytes> v3_fill(const Json& f, const DType& dt) {
  if (dt.kind == DTypeKind::kString) return Bytes();
  if (f.is_string()) {
    const std::string& s = f.get_ref<const std::string&>();
    if (s.rfind("0x", 0) == 0 && dt.is_float()) {
      uint64_t bits = std::stoull(s.substr(2), nullptr, 16);
      Bytes b(dt.itemsize);
      std::memcpy(b.data(), &bits, dt.itemsize);  // little-endian host
      return b;
    }
  }
  return json_to_scalar_bytes(f, dt);
}

// numcodecs configuration for a v3 bytes-to-bytes codec.
Result<Json> bytes_codec_config(const Json& c) {
  const std::string name = c.value("name", "");
  const Json cfg = c.value("configuration", Json::object());
  if (name == "gzip") return Json{{"id", "gzip"}, {"level", cfg.value("level", 1)}};
  if (name == "zstd") return Json{{"id", "zstd"}, {"level", cfg.value("level", 0)}, {"checksum", cfg.value("checksum", false)}};
  if (name == "crc32c") return Json{{"id", "crc32c"}};
  if (name == "blosc") {
    Json shuffle = cfg.value("shuffle", Json("noshuffle"));
    int sh = 0;
    if (shuffle.is_string()) sh = shuffle == "shuffle" ? 1 : shuffle == "bitshuffle" ? 2 : 0;
    else if (shuffle.is_number()) sh = shuffle.get<int>();
    return Json{{"id", "blosc"}, {"cname", cfg.value("cname", "lz4")}, {"clevel", cfg.value("clevel", 5)},
                {"shuffle", sh}, {"blocksize", cfg.value("blocksize", 0)}};
  }
  if (name.rfind("numcodecs.", 0) == 0) {  // zarr-python 3 names for numcodecs codecs
    Json j = cfg;
    j["id"] = name.substr(10);
    return j;
  }
  return unsupported("unknown codec \"{}\"", name);
}

// A codec chain, ready to decode one chunk of `shape`.
struct Chain {
  std::vector<std::vector<size_t>> transposes;  // array -> array, in encoding order
  enum class Kind { kBytes, kVlen, kShard } kind = Kind::kBytes;
  bool big_endian = false;
  std::vector<std::unique_ptr<Codec>> bb;  // bytes -> bytes, in encoding order
  std::unique_ptr<Codec> vlen;
  // sharding_indexed
  Shape inner;
  std::unique_ptr<Chain> inner_chain, index_chain;
  bool index_at_end = true;
  size_t index_overhead = 0;  // bytes the index codecs add (crc32c: 4)
};

Result<std::unique_ptr<Chain>> parse_chain(const Json& codecs, const DType& dt, const Shape& shape) {
  auto ch = std::make_unique<Chain>();
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
      ch->transposes.push_back(order);
    } else if (!seen_ab && name == "bytes") {
      seen_ab = true;
      ch->big_endian = cfg.value("endian", "little") == "big";
    } else if (!seen_ab && (name == "vlen-utf8" || name == "vlen-bytes")) {
      seen_ab = true;
      ch->kind = Chain::Kind::kVlen;
      PG_ASSIGN_OR_RETURN(ch->vlen, make_codec(Json{{"id", name}}, dt));
      typesize_dt = DType::of(DTypeKind::kUInt8);
    } else if (!seen_ab && name == "sharding_indexed") {
      seen_ab = true;
      ch->kind = Chain::Kind::kShard;
      ch->inner = cfg.at("chunk_shape").get<Shape>();
      if (ch->inner.size() != shape.size()) return corrupt("inner chunk shape of the wrong rank");
      for (size_t d = 0; d < shape.size(); ++d)
        if (ch->inner[d] == 0 || shape[d] % ch->inner[d] != 0) return corrupt("shard shape is not a multiple of the inner chunks");
      PG_ASSIGN_OR_RETURN(ch->inner_chain, parse_chain(cfg.at("codecs"), dt, ch->inner));
      Shape index_shape = shape;
      for (size_t d = 0; d < shape.size(); ++d) index_shape[d] = shape[d] / ch->inner[d];
      index_shape.push_back(2);
      PG_ASSIGN_OR_RETURN(ch->index_chain, parse_chain(cfg.value("index_codecs", Json::array({Json{{"name", "bytes"}}})),
                                                       DType::of(DTypeKind::kUInt64), index_shape));
      for (const auto& c2 : cfg.value("index_codecs", Json::array()))
        if (c2.value("name", "") == "crc32c") ch->index_overhead += 4;
      ch->index_at_end = cfg.value("index_location", "end") == "end";
    } else if (seen_ab) {
      PG_ASSIGN_OR_RETURN(Json nc, bytes_codec_config(c));
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

struct Array3 {
  std::string key;  // store key prefix ("" for a bare array)
  Shape chunks;     // the chunk grid (shards, when sharded)
  std::unique_ptr<Chain> chain;
  Bytes fill;
  bool default_keys = true;  // "c/0/1" (default) or "0.1" (v2)
  std::string sep = "/";
};

class ZarrV3Reader final : public DatasetReader {
 public:
  ZarrV3Reader(std::shared_ptr<Store> store, std::string name) : store_(std::move(store)), name_(std::move(name)) {}

  Status open() {
    PG_ASSIGN_OR_RETURN(auto root_bytes, store_->get("zarr.json"));
    if (!root_bytes) return invalid_argument("not a Zarr v3 store (no zarr.json)");
    PG_ASSIGN_OR_RETURN(Json root, parse_metadata_json(*root_bytes, "zarr.json"));
    if (root.value("zarr_format", 0) != 3) return unsupported("zarr_format {}", root.value("zarr_format", Json()).dump());
    meta_[""] = root;
    if (root.value("node_type", "") == "array") {
      return add_array(root_, "", name_.empty() ? "data" : name_, root);
    }
    const Json consolidated = root.value("consolidated_metadata", Json());
    if (consolidated.is_object() && consolidated.contains("metadata")) {
      for (auto it = consolidated["metadata"].begin(); it != consolidated["metadata"].end(); ++it)
        meta_[it.key()] = it.value();
    } else {
      PG_ASSIGN_OR_RETURN(auto keys, store_->list(""));
      for (const auto& k : keys) {
        if (k == "zarr.json" || k.size() < 10 || k.compare(k.size() - 10, 10, "/zarr.json") != 0) continue;
        PG_ASSIGN_OR_RETURN(auto b, store_->get(k));
        if (!b) continue;
        PG_ASSIGN_OR_RETURN(meta_[k.substr(0, k.size() - 10)], parse_metadata_json(*b, k));
      }
    }
    return load_group(root_, "", root);
  }

  const Group& root() const override { return root_; }
  std::string format_name() const override { return "Zarr v3"; }
  std::string location() const override { return store_->describe(); }
  Status check_input() override { return store_->verify_complete(); }

  Result<NdArray> read(const std::string& path, const Box& box) override {
    PG_ASSIGN_OR_RETURN(VarRef ref, find_variable(root_, path));
    const Variable& v = *ref.var;
    Array3& a = *arrays_.at(path);
    if (a.chain->kind == Chain::Kind::kShard) {
      return read_region(v.dtype, v.shape, a.chain->inner, box, [&](const Shape& idx, const Box&) -> Result<NdArray> {
        std::string key;
        auto r = read_inner(a, v, idx, &key);
        if (!r.ok()) return r.status().with_context(fmt::format("zarr: array \"{}\": shard \"{}\"", path, key));
        return r;
      });
    }
    return read_region(v.dtype, v.shape, a.chunks, box, [&](const Shape& idx, const Box&) -> Result<NdArray> {
      auto r = read_chunk(a, v, idx);
      if (!r.ok()) return r.status().with_context(fmt::format("zarr: array \"{}\": chunk \"{}\"", path, chunk_key(a, idx)));
      return r;
    });
  }

  // Sharded arrays are read an inner chunk at a time.
  Shape read_chunks(const std::string& path) const override {
    auto it = arrays_.find(path);
    if (it != arrays_.end() && it->second->chain->kind == Chain::Kind::kShard) return it->second->chain->inner;
    return DatasetReader::read_chunks(path);
  }

 private:
  Status load_group(Group& g, const std::string& prefix, const Json& meta) {
    g.attrs = Attributes::from_json(meta.value("attributes", Json::object()));
    std::vector<std::pair<std::string, const Json*>> arrays, groups;
    for (const auto& [path, m] : meta_) {
      if (path.empty() || path.compare(0, prefix.size(), prefix) != 0) continue;
      std::string rest = path.substr(prefix.size());
      if (rest.empty() || rest.find('/') != std::string::npos) continue;
      (m.value("node_type", "") == "array" ? arrays : groups).emplace_back(rest, &m);
    }
    for (const auto& [name, m] : arrays) PG_RETURN_IF_ERROR(add_array(g, prefix + name, name, *m));
    for (const auto& [name, m] : groups) {
      Group sub;
      sub.name = name;
      PG_RETURN_IF_ERROR(load_group(sub, prefix + name + "/", *m));
      g.groups.push_back(std::move(sub));
    }
    return Status::Ok();
  }

  Status add_array(Group& g, const std::string& key, const std::string& name, const Json& m) {
    auto ctx = [&](const Status& s) { return s.with_context(fmt::format("zarr: array \"{}\"", name)); };
    Variable v;
    v.name = name;
    auto a = std::make_unique<Array3>();
    a->key = key;
    try {
      auto dt = v3_dtype(m.at("data_type"));
      if (!dt.ok()) return ctx(dt.status());
      v.dtype = *dt;
      v.shape = m.at("shape").get<Shape>();
      const Json grid = m.at("chunk_grid");
      if (grid.value("name", "") != "regular") return ctx(unsupported("chunk grid \"{}\"", grid.value("name", "")));
      a->chunks = grid.at("configuration").at("chunk_shape").get<Shape>();
      if (a->chunks.size() != v.shape.size()) return ctx(corrupt("chunk shape of the wrong rank"));
      const Json cke = m.value("chunk_key_encoding", Json{{"name", "default"}});
      a->default_keys = cke.value("name", "default") == "default";
      a->sep = cke.value("configuration", Json::object()).value("separator", a->default_keys ? "/" : ".");
      auto chain = parse_chain(m.at("codecs"), v.dtype, a->chunks);
      if (!chain.ok()) return ctx(chain.status());
      a->chain = std::move(chain).value();
      auto fill = v3_fill(m.value("fill_value", Json(0)), v.dtype);
      if (!fill.ok()) return ctx(fill.status());
      a->fill = *fill;
    } catch (const Json::exception& e) {
      return ctx(corrupt("bad zarr.json: {}", e.what()));
    }
    v.storage.chunks = a->chunks;
    v.storage.zarr_fill_value = m.value("fill_value", Json());
    v.storage.zarr_v3_codecs = m.at("codecs");
    if (a->chain->kind == Chain::Kind::kShard) v.storage.shard_chunks = a->chain->inner;
    v.attrs = Attributes::from_json(m.value("attributes", Json::object()));
    // JSON has no NaN: fill values in attributes come as "NaN"/"Infinity" strings.
    for (const char* k : {"_FillValue", "missing_value"})
      if (const AttrValue* a = v.attrs.find(k); a && v.dtype.is_numeric()) {
        auto b = json_to_scalar_bytes(a->value, v.dtype);
        if (b.ok()) v.attrs.set(k, AttrValue{v.dtype, scalar_bytes_to_json(*b, v.dtype).is_string()
                                                           ? Json(load_as_double(v.dtype, b->data(), 0))
                                                           : scalar_bytes_to_json(*b, v.dtype)});
      }
    const Json names = m.value("dimension_names", Json());
    for (size_t d = 0; d < v.shape.size(); ++d) {
      if (names.is_array() && d < names.size() && names[d].is_string()) v.dims.push_back(names[d].get<std::string>());
      else v.dims.push_back(fmt::format("dim_{}", d));
    }
    for (size_t d = 0; d < v.shape.size(); ++d) {
      const Dimension* existing = g.find_dim(v.dims[d]);
      if (!existing) g.dims.push_back({v.dims[d], v.shape[d], false});
      else if (existing->size != v.shape[d]) {
        if (names.is_array()) return ctx(corrupt("dimension \"{}\" has size {} here and {} elsewhere", v.dims[d], v.shape[d], existing->size));
        v.dims[d] = fmt::format("{}_dim_{}", name, d);
        g.dims.push_back({v.dims[d], v.shape[d], false});
      }
    }
    arrays_[key.empty() ? (name_.empty() ? "data" : name_) : key] = std::move(a);
    g.vars.push_back(std::move(v));
    return Status::Ok();
  }

  std::string chunk_key(const Array3& a, const Shape& idx) const {
    std::string k = a.key.empty() ? "" : a.key + "/";
    if (a.default_keys) {
      k += "c";
      for (auto i : idx) k += a.sep + std::to_string(i);
      return k;
    }
    if (idx.empty()) return k + "0";
    for (size_t d = 0; d < idx.size(); ++d) k += (d ? a.sep : "") + std::to_string(idx[d]);
    return k;
  }

  // Decodes one encoded chunk through `ch` (not sharding).
  Result<NdArray> decode(const Chain& ch, Bytes data, const DType& dt, const Shape& shape) {
    for (size_t i = ch.bb.size(); i-- > 0;) {
      PG_ASSIGN_OR_RETURN(data, ch.bb[i]->decode(data, 0));
    }
    // The shape as encoded: each transpose permuted it.
    Shape enc = shape;
    for (const auto& order : ch.transposes) {
      Shape next(enc.size());
      for (size_t i = 0; i < enc.size(); ++i) next[i] = enc[order[i]];
      enc = next;
    }
    NdArray a;
    if (ch.kind == Chain::Kind::kVlen) {
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

  Result<NdArray> read_chunk(const Array3& a, const Variable& v, const Shape& idx) {
    const std::string key = chunk_key(a, idx);
    PG_ASSIGN_OR_RETURN(auto raw, store_->get(key));
    if (!raw) {
      NdArray out(v.dtype, a.chunks);
      out.fill_with(a.fill);
      return out;
    }
    return decode(*a.chain, std::move(*raw), v.dtype, a.chunks);
  }

  // The index of a shard ((offset, nbytes) per inner chunk), read once and kept; null for
  // an absent shard.
  Result<std::shared_ptr<const std::vector<uint64_t>>> shard_index(const Array3& a, const std::string& key,
                                                                   uint64_t n_inner, const Shape& per,
                                                                   uint64_t* total) {
    {
      std::lock_guard lock(index_mu_);
      auto it = indexes_.find(key);
      if (it != indexes_.end()) {
        *total = it->second.first;
        return it->second.second;
      }
    }
    const Chain& ch = *a.chain;
    const uint64_t index_bytes = n_inner * 16 + ch.index_overhead;
    PG_ASSIGN_OR_RETURN(auto size, store_->size(key));
    std::shared_ptr<const std::vector<uint64_t>> entries;
    if (size) {
      if (*size < index_bytes) return corrupt("shard of {} bytes is shorter than its index ({} bytes)", *size, index_bytes);
      PG_ASSIGN_OR_RETURN(auto raw, store_->get_range(key, ch.index_at_end ? *size - index_bytes : 0, index_bytes));
      if (!raw || raw->size() != index_bytes) return corrupt("truncated shard index");
      Shape ishape = per;
      ishape.push_back(2);
      auto index = decode(*ch.index_chain, std::move(*raw), DType::of(DTypeKind::kUInt64), ishape);
      if (!index.ok()) return index.status().with_context("shard index");
      auto e = std::make_shared<std::vector<uint64_t>>(index->data<uint64_t>(), index->data<uint64_t>() + 2 * n_inner);
      for (uint64_t i = 0; i < n_inner; ++i) {
        uint64_t off = (*e)[2 * i], len = (*e)[2 * i + 1];
        if (!(off == ~uint64_t(0) && len == ~uint64_t(0)) && (off > *size || len > *size - off))
          return corrupt("inner chunk {} lies beyond the shard's end", i);
      }
      entries = e;
    }
    *total = size.value_or(0);
    std::lock_guard lock(index_mu_);
    if (indexes_.size() > 4096) indexes_.clear();  // bounded: indexes are small but shards many
    indexes_[key] = {*total, entries};
    return entries;
  }

  // One inner chunk of a sharded array, by its position in the grid of inner chunks: only
  // the byte range of that chunk is read.
  Result<NdArray> read_inner(const Array3& a, const Variable& v, const Shape& inner_idx, std::string* key_out) {
    const Chain& ch = *a.chain;
    const size_t rank = a.chunks.size();
    Shape shard(rank), per(rank);
    uint64_t n_inner = 1, lin = 0;
    for (size_t d = 0; d < rank; ++d) {
      per[d] = a.chunks[d] / ch.inner[d];
      n_inner *= per[d];
      shard[d] = inner_idx[d] / per[d];
      lin = lin * per[d] + inner_idx[d] % per[d];
    }
    const std::string key = chunk_key(a, shard);
    *key_out = key;
    NdArray out(v.dtype, ch.inner);
    uint64_t total = 0;
    PG_ASSIGN_OR_RETURN(auto entries, shard_index(a, key, n_inner, per, &total));
    const uint64_t off = entries ? (*entries)[2 * lin] : ~uint64_t(0), len = entries ? (*entries)[2 * lin + 1] : ~uint64_t(0);
    if (off == ~uint64_t(0) && len == ~uint64_t(0)) {  // absent shard or empty inner chunk
      out.fill_with(a.fill);
      return out;
    }
    PG_ASSIGN_OR_RETURN(auto raw, store_->get_range(key, off, len));
    if (!raw || raw->size() != len) return corrupt("truncated shard");
    auto inner = decode(*ch.inner_chain, std::move(*raw), v.dtype, ch.inner);
    if (!inner.ok()) return inner.status().with_context(fmt::format("inner chunk {}", lin));
    return inner;
  }

  std::shared_ptr<Store> store_;
  std::string name_;
  std::map<std::string, Json> meta_;
  Group root_;
  std::map<std::string, std::unique_ptr<Array3>> arrays_;
  std::mutex index_mu_;
  std::map<std::string, std::pair<uint64_t, std::shared_ptr<const std::vector<uint64_t>>>> indexes_;
};

}  // namespace

Result<std::unique_ptr<DatasetReader>> open_zarr_v3(std::shared_ptr<Store> store, const std::string& name) {
  auto r = std::make_unique<ZarrV3Reader>(std::move(store), name);
  PG_RETURN_IF_ERROR(r->open());
  return std::unique_ptr<DatasetReader>(std::move(r));
}

}  // namespace pangeo

namespace pangeo {

namespace {

std::string v3_type_name(const DType& d) {
  switch (d.kind) {
    case DTypeKind::kString: return "string";
    case DTypeKind::kChar: case DTypeKind::kBytes: case DTypeKind::kUnicode: return "";
    default: return d.numpy_name();
  }
}

// The v3 form of a numcodecs compressor configuration.
Result<Json> v3_compressor(const Json& c, const DType& dt) {
  if (c.is_null()) return Json();
  const std::string id = c.value("id", "");
  if (id == "blosc") {
    static const char* shuffles[] = {"noshuffle", "shuffle", "bitshuffle"};
    int sh = c.value("shuffle", 1);
    return Json{{"name", "blosc"},
                {"configuration", {{"cname", c.value("cname", "lz4")}, {"clevel", c.value("clevel", 5)},
                                   {"shuffle", shuffles[std::clamp(sh, 0, 2)]}, {"typesize", dt.kind == DTypeKind::kString ? 1 : dt.itemsize},
                                   {"blocksize", c.value("blocksize", 0)}}}};
  }
  if (id == "zstd") return Json{{"name", "zstd"}, {"configuration", {{"level", c.value("level", 0)}, {"checksum", false}}}};
  if (id == "gzip" || id == "zlib") return Json{{"name", "gzip"}, {"configuration", {{"level", c.value("level", 1)}}}};
  Json cfg = c;
  cfg.erase("id");
  return Json{{"name", "numcodecs." + id}, {"configuration", cfg}};
}

struct Writer3Array {
  std::string key;
  Shape shape, chunks, inner;  // inner empty: not sharded
  DType dtype;
  Bytes fill;
  std::unique_ptr<Chain> chain;        // the whole chain (sharding included)
  std::vector<Json> chunk_codecs;      // codecs of a (inner) chunk
};

class ZarrV3Writer final : public DatasetWriter {
 public:
  ZarrV3Writer(std::shared_ptr<Store> store, bool consolidated) : store_(std::move(store)), consolidated_(consolidated) {}

  Status create(const Group& root) override {
    Json consolidated = Json::object();
    PG_RETURN_IF_ERROR(define_group(root, "", consolidated));
    Json rj{{"zarr_format", 3}, {"node_type", "group"}, {"attributes", root.attrs.to_json()}};
    if (consolidated_)
      rj["consolidated_metadata"] = {{"kind", "inline"}, {"must_understand", false}, {"metadata", consolidated}};
    return put_json("zarr.json", rj);
  }

  Status write(const std::string& path, const Box& box, const NdArray& data) override {
    auto it = arrays_.find(path);
    if (it == arrays_.end()) return internal_error("zarr: write to undefined array \"{}\"", path);
    Writer3Array& a = it->second;
    const size_t rank = a.shape.size();
    Shape idx(rank);
    for (size_t d = 0; d < rank; ++d) idx[d] = box.start[d] / a.chunks[d];
    std::string key = a.key + "/c";
    for (auto i : idx) key += "/" + std::to_string(i);
    if (rank == 0) key = a.key + "/c";
    auto ctx = [&](const Status& s) { return s.with_context(fmt::format("zarr: array \"{}\": chunk \"{}\"", path, key)); };
    // The chunk (or shard) at full size: edge chunks are padded with the fill value.
    NdArray padded;
    if (box.count != a.chunks) {
      padded = NdArray(a.dtype, a.chunks);
      padded.fill_with(a.fill);
      copy_region(data, box.start, padded, box.start, box);
    }
    const NdArray& full = box.count != a.chunks ? padded : data;
    if (a.inner.empty()) {
      auto enc = encode(a.chain.get(), full);
      if (!enc.ok()) return ctx(enc.status());
      return ctx(store_->put(key, *enc));
    }
    // Sharding: encode every inner chunk that holds array elements, then the index.
    const Chain& inner = *a.chain->inner_chain;
    Shape per(rank);
    uint64_t n_inner = 1;
    for (size_t d = 0; d < rank; ++d) {
      per[d] = a.chunks[d] / a.inner[d];
      n_inner *= per[d];
    }
    Bytes shard;
    std::vector<uint64_t> index(2 * n_inner, ~uint64_t(0));
    const ChunkGrid inner_grid(a.chunks, a.inner);
    for (uint64_t i = 0; i < n_inner; ++i) {
      Box ibox = inner_grid.chunk_box(i);
      bool inside = true;
      for (size_t d = 0; d < rank; ++d) {
        ibox.start[d] += box.start[d];
        inside &= ibox.start[d] < a.shape[d];
      }
      if (!inside) continue;
      NdArray part(a.dtype, a.inner);
      copy_region(full, box.start, part, ibox.start, ibox);
      auto enc = encode(&inner, part);
      if (!enc.ok()) return ctx(enc.status().with_context(fmt::format("inner chunk {}", i)));
      index[2 * i] = shard.size();
      index[2 * i + 1] = enc->size();
      shard.insert(shard.end(), enc->begin(), enc->end());
    }
    Bytes ib(index.size() * 8);
    std::memcpy(ib.data(), index.data(), ib.size());
    for (const auto& c : a.chain->index_chain->bb) {
      auto e = c->encode(ib);
      if (!e.ok()) return ctx(e.status());
      ib = std::move(e).value();
    }
    shard.insert(shard.end(), ib.begin(), ib.end());
    return ctx(store_->put(key, shard));
  }

  Status finish() override { return Status::Ok(); }

 private:
  Result<Bytes> encode(const Chain* ch, const NdArray& a) {
    Bytes b;
    if (ch->kind == Chain::Kind::kVlen) {
      PG_ASSIGN_OR_RETURN(b, ch->vlen->encode_strings(a.strings));
    } else {
      b = a.bytes;
    }
    for (const auto& c : ch->bb) {
      PG_ASSIGN_OR_RETURN(b, c->encode(b));
    }
    return b;
  }

  Status put_json(const std::string& key, const Json& j) {
    std::string text = j.dump(2, ' ', true);
    return store_->put(key, Bytes(text.begin(), text.end()));
  }

  Status define_group(const Group& g, const std::string& prefix, Json& consolidated) {
    for (const auto& v : g.vars) PG_RETURN_IF_ERROR(define_array(v, prefix, consolidated));
    for (const auto& sub : g.groups) {
      Json gj{{"zarr_format", 3}, {"node_type", "group"}, {"attributes", sub.attrs.to_json()}};
      consolidated[prefix + sub.name] = gj;
      PG_RETURN_IF_ERROR(put_json(prefix + sub.name + "/zarr.json", gj));
      PG_RETURN_IF_ERROR(define_group(sub, prefix + sub.name + "/", consolidated));
    }
    return Status::Ok();
  }

  Status define_array(const Variable& v, const std::string& prefix, Json& consolidated) {
    const std::string key = prefix + v.name;
    auto ctx = [&](const Status& s) { return s.with_context(fmt::format("zarr: array \"{}\"", key)); };
    const std::string type = v3_type_name(v.dtype);
    if (type.empty()) return ctx(unsupported("{} in Zarr v3 output", v.dtype.numpy_name()));
    Writer3Array a;
    a.key = key;
    a.shape = v.shape;
    a.dtype = v.dtype;
    a.chunks = v.storage.chunks.empty() ? v.shape : v.storage.chunks;
    for (auto& c : a.chunks) c = std::max<uint64_t>(c, 1);
    a.inner = v.storage.shard_chunks;
    // fill_value: the _FillValue, else NaN for floats, else zero (v3 always has one).
    FillChoice choice = choose_fill_value(v);
    a.fill = choice.raw;
    Json fill = choice.json;
    if (fill.is_null())  // v3 always has a fill value of the array's type
      fill = v.dtype.kind == DTypeKind::kString ? Json("") : v.dtype.kind == DTypeKind::kBool ? Json(false) : Json(0);
    Json codecs = Json::array();
    codecs.push_back(v.dtype.kind == DTypeKind::kString ? Json{{"name", "vlen-utf8"}, {"configuration", Json::object()}}
                                                        : Json{{"name", "bytes"}, {"configuration", {{"endian", "little"}}}});
    auto comp = v3_compressor(v.storage.compressor, v.dtype);
    if (!comp.ok()) return ctx(comp.status());
    if (!comp->is_null()) codecs.push_back(*comp);
    if (!a.inner.empty()) {
      for (size_t d = 0; d < a.inner.size(); ++d)
        if (a.chunks[d] % a.inner[d] != 0) return ctx(invalid_argument("the shard shape must be a multiple of the chunk shape"));
      Json index_codecs = Json::array({Json{{"name", "bytes"}, {"configuration", {{"endian", "little"}}}}, Json{{"name", "crc32c"}}});
      codecs = Json::array({Json{{"name", "sharding_indexed"},
                                 {"configuration", {{"chunk_shape", a.inner}, {"codecs", codecs}, {"index_codecs", index_codecs},
                                                    {"index_location", "end"}}}}});
    }
    auto chain = parse_chain(codecs, v.dtype, a.chunks);
    if (!chain.ok()) return ctx(chain.status());
    a.chain = std::move(chain).value();
    Attributes attrs = v.attrs;
    Json aj = attrs.to_json();
    Json zj{{"zarr_format", 3},
            {"node_type", "array"},
            {"shape", v.shape},
            {"data_type", type},
            {"chunk_grid", {{"name", "regular"}, {"configuration", {{"chunk_shape", a.chunks}}}}},
            {"chunk_key_encoding", {{"name", "default"}, {"configuration", {{"separator", "/"}}}}},
            {"fill_value", fill},
            {"codecs", codecs},
            {"attributes", aj},
            {"dimension_names", v.dims},
            {"storage_transformers", Json::array()}};
    consolidated[key] = zj;
    PG_RETURN_IF_ERROR(ctx(put_json(key + "/zarr.json", zj)));
    arrays_.emplace(key, std::move(a));
    return Status::Ok();
  }

  std::shared_ptr<Store> store_;
  bool consolidated_;
  std::map<std::string, Writer3Array> arrays_;
};

}  // namespace

std::unique_ptr<DatasetWriter> make_zarr_v3_writer(std::shared_ptr<Store> store, bool consolidated) {
  return std::make_unique<ZarrV3Writer>(std::move(store), consolidated);
}

}  // namespace pangeo
