// Zarr v3 reader (https://zarr-specs.readthedocs.io/en/latest/v3/core/index.html):
// zarr.json groups and arrays, consolidated metadata inline in the root (else a listing),
// and the sharding codec (v3/codecs/sharding-indexed): a sharded array is read as a grid
// of inner chunks, each shard's index read once and cached, then only the byte range of
// each needed inner chunk.
#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>

#include "metadata.hpp"
#include "pangeo/executor.hpp"
#include "pangeo/grid.hpp"
#include "pangeo/format.hpp"
#include "v3_codecs.hpp"

namespace pangeo {

namespace {

struct Array3 {
  std::string key;  // store key prefix ("" for a bare array)
  Shape chunks;     // the chunk grid (shards, when sharded)
  std::unique_ptr<V3Chain> chain;
  Bytes fill;
  ChunkKeyEncoding keys;  // "c/0/1" (default) or "0.1" (v2)
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
    return read_region(path, v.dtype, v.shape, grid_of(a), box, fetch(path, a, v));
  }

  Status read_pieces(const std::string& path, const Box& box, const PieceSink& sink) override {
    PG_ASSIGN_OR_RETURN(VarRef ref, find_variable(root_, path));
    const Variable& v = *ref.var;
    Array3& a = *arrays_.at(path);
    return read_region_pieces(path, v.dtype, v.shape, grid_of(a), box, fetch(path, a, v), nullptr, sink);
  }

  // The chunks reads go by (a shard's inner chunks), and how one is read.
  static Shape grid_of(const Array3& a) { return a.chain->kind == V3Chain::Kind::kShard ? a.chain->inner : a.chunks; }
  std::function<Result<NdArray>(const Shape&, const Box&)> fetch(const std::string& path, Array3& a, const Variable& v) {
    if (a.chain->kind == V3Chain::Kind::kShard)
      return [this, &path, &a, &v](const Shape& idx, const Box&) -> Result<NdArray> {
        std::string key;
        auto r = read_inner(a, v, idx, &key);
        if (!r.ok()) return r.status().with_context(fmt::format("zarr: array \"{}\": shard \"{}\"", path, key));
        return r;
      };
    return [this, &path, &a, &v](const Shape& idx, const Box&) -> Result<NdArray> {
      auto r = read_chunk(a, v, idx);
      if (!r.ok()) return r.status().with_context(fmt::format("zarr: array \"{}\": chunk \"{}\"", path, a.keys.key(a.key, idx)));
      return r;
    };
  }

  // Sharded arrays are read an inner chunk at a time.
  Shape read_chunks(const std::string& path) const override {
    auto it = arrays_.find(path);
    if (it != arrays_.end() && it->second->chain->kind == V3Chain::Kind::kShard) return it->second->chain->inner;
    return DatasetReader::read_chunks(path);
  }

 private:
  Status load_group(Group& g, const std::string& prefix, const Json& meta) {
    PG_RETURN_IF_ERROR(check_group_depth(prefix));
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
      auto dt = v3_data_type(m.at("data_type"));
      if (!dt.ok()) return ctx(dt.status());
      v.dtype = *dt;
      const std::string file = key.empty() ? "zarr.json" : key + "/zarr.json";
      auto shape = json_shape(m.value("shape", Json()), file + ": shape");
      if (!shape.ok()) return ctx(shape.status());
      v.shape = *shape;
      const Json grid = m.at("chunk_grid");
      if (!grid.is_object() || grid.value("name", "") != "regular")
        return ctx(unsupported("chunk grid {}", grid.is_object() ? grid.value("name", Json()).dump() : grid.dump()));
      auto chunks = json_shape(grid.value("configuration", Json::object()).value("chunk_shape", Json()), file + ": chunk_shape");
      if (!chunks.ok()) return ctx(chunks.status());
      a->chunks = *chunks;
      if (a->chunks.size() != v.shape.size()) return ctx(corrupt("{}: chunk_shape and shape differ in rank", file));
      if (Status s = check_array_layout(v.shape, a->chunks, v.dtype.itemsize); !s.ok()) return ctx(s);
      const Json cke = m.value("chunk_key_encoding", Json{{"name", "default"}});
      const bool default_keys = cke.value("name", "default") == "default";
      const std::string sep = cke.value("configuration", Json::object()).value("separator", default_keys ? "/" : ".");
      a->keys = ChunkKeyEncoding{std::string(default_keys ? 1 : 0, 'c'), sep};
      auto chain = parse_v3_chain(m.at("codecs"), v.dtype, a->chunks);
      if (!chain.ok()) return ctx(chain.status());
      a->chain = std::move(chain).value();
      auto fill = v3_fill_bytes(m.value("fill_value", Json(0)), v.dtype);
      if (!fill.ok()) return ctx(fill.status());
      a->fill = *fill;
    } catch (const Json::exception& e) {
      return ctx(corrupt("{}: {}", key.empty() ? "zarr.json" : key + "/zarr.json", json_error_text(e)));
    }
    v.storage.chunks = a->chunks;
    v.storage.zarr_fill_value = m.value("fill_value", Json());
    v.storage.zarr_v3_codecs = m.at("codecs");
    v.storage.zarr_chunk_keys = (a->keys.prefix.empty() ? "v2" : "default") + a->keys.separator;
    if (a->chain->kind == V3Chain::Kind::kShard) v.storage.shard_chunks = a->chain->inner;
    v.attrs = Attributes::from_json(m.value("attributes", Json::object()));
    // Stores that spelled non-finite fill values as strings ("NaN", "Infinity").
    for (const char* k : {"_FillValue", "missing_value"})
      if (const AttrValue* a = v.attrs.find(k); a && v.dtype.is_float() && a->value.is_string()) {
        auto b = json_to_scalar_bytes(a->value, v.dtype);
        if (b.ok()) v.attrs.set(k, AttrValue{v.dtype, scalar_bytes_to_json(*b, v.dtype).is_string()
                                                           ? Json(load_as_double(v.dtype, b->data(), 0))
                                                           : scalar_bytes_to_json(*b, v.dtype)});
      }
    PG_RETURN_IF_ERROR(ctx(name_dimensions(g, v, m.value("dimension_names", Json()))));
    arrays_[key.empty() ? (name_.empty() ? "data" : name_) : key] = std::move(a);
    g.vars.push_back(std::move(v));
    return Status::Ok();
  }

  Result<NdArray> read_chunk(const Array3& a, const Variable& v, const Shape& idx) {
    const std::string key = a.keys.key(a.key, idx);
    PG_ASSIGN_OR_RETURN(auto raw, store_->get(key));
    if (!raw) {
      NdArray out(v.dtype, a.chunks);
      out.fill_with(a.fill);
      return out;
    }
    return decode_v3_chunk(*a.chain, std::move(*raw), v.dtype, a.chunks);
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
    const V3Chain& ch = *a.chain;
    const uint64_t index_bytes = n_inner * 16 + ch.index_overhead;
    PG_RETURN_IF_ERROR(check_data_size(index_bytes).with_context("shard index"));
    PG_ASSIGN_OR_RETURN(auto size, store_->size(key));
    std::shared_ptr<const std::vector<uint64_t>> entries;
    if (size) {
      if (*size < index_bytes) return corrupt("shard of {} bytes is shorter than its index ({} bytes)", *size, index_bytes);
      PG_ASSIGN_OR_RETURN(auto raw, store_->get_range(key, ch.index_at_end ? *size - index_bytes : 0, index_bytes));
      if (!raw || raw->size() != index_bytes) return corrupt("truncated shard index");
      Shape ishape = per;
      ishape.push_back(2);
      auto index = decode_v3_chunk(*ch.index_chain, std::move(*raw), DType::of(DTypeKind::kUInt64), ishape);
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
    const V3Chain& ch = *a.chain;
    const size_t rank = a.chunks.size();
    Shape shard(rank), per(rank);
    uint64_t n_inner = 1, lin = 0;
    for (size_t d = 0; d < rank; ++d) {
      per[d] = a.chunks[d] / ch.inner[d];
      n_inner *= per[d];
      shard[d] = inner_idx[d] / per[d];
      lin = lin * per[d] + inner_idx[d] % per[d];
    }
    const std::string key = a.keys.key(a.key, shard);
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
    auto inner = decode_v3_chunk(*ch.inner_chain, std::move(*raw), v.dtype, ch.inner);
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
  return open_reader(std::move(r));
}

}  // namespace pangeo
