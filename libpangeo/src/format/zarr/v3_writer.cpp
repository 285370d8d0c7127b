// Zarr v3 writer: zarr.json as zarr-python 3 writes it (consolidated metadata inline in
// the root), bytes + compressor chains, and sharding_indexed where the storage has inner
// chunks: each write() is one whole shard, assembled from its inner chunks and stored once
// with its index at the end (crc32c).
#include <algorithm>
#include <cstring>
#include <map>

#include "codec_names.hpp"
#include "metadata.hpp"
#include "pangeo/format.hpp"
#include "pangeo/grid.hpp"
#include "v3_codecs.hpp"

namespace pangeo {

namespace {

struct Writer3Array {
  std::string key;
  Shape shape, chunks, inner;  // inner empty: not sharded
  DType dtype;
  Bytes fill;
  std::unique_ptr<V3Chain> chain;        // the whole chain (sharding included)
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
    PG_ASSIGN_OR_RETURN(Shape idx, chunk_index_of(box, a.chunks));
    const std::string key = ChunkKeyEncoding{"c", "/"}.key(a.key, idx);
    auto ctx = [&](const Status& s) { return s.with_context(fmt::format("zarr: array \"{}\": chunk \"{}\"", path, key)); };
    NdArray padded;
    const NdArray& full = full_size_chunk(data, box, a.chunks, a.fill, padded);
    if (a.inner.empty()) {
      auto enc = encode_v3_chunk(*a.chain, full);
      if (!enc.ok()) return ctx(enc.status());
      return ctx(store_->put(key, *enc));
    }
    // Sharding: encode every inner chunk that holds array elements, then the index.
    const V3Chain& inner = *a.chain->inner_chain;
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
      auto enc = encode_v3_chunk(inner, part);
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
  Status put_json(const std::string& key, const Json& j) {
    std::string text = dump_metadata_json(j, 2);
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
    const Json type = v3_data_type_json(v.dtype);
    if (type.is_null()) return ctx(unsupported("{} in Zarr v3 output", v.dtype.numpy_name()));
    Writer3Array a;
    a.key = key;
    a.shape = v.shape;
    a.dtype = v.dtype;
    a.chunks = writer_chunks(v);
    a.inner = v.storage.shard_chunks;
    // fill_value: the _FillValue, else NaN for floats, else zero (v3 always has one).
    FillChoice choice = choose_fill_value(v);
    a.fill = choice.raw;
    Json fill = choice.json;
    if (!v.storage.zarr_fill_value.is_null()) {  // writing into a store: its fill value as it is
      fill = v.storage.zarr_fill_value;
      PG_ASSIGN_OR_RETURN(a.fill, v3_fill_bytes(fill, v.dtype));
    }
    if (fill.is_null())  // v3 always has a fill value of the array's type
      fill = v.dtype.kind == DTypeKind::kString || v.dtype.kind == DTypeKind::kUnicode ? Json("")
             : v.dtype.kind == DTypeKind::kBool                                       ? Json(false)
                                                                                      : Json(0);
    Json codecs = Json::array();
    codecs.push_back(v.dtype.kind == DTypeKind::kString ? Json{{"name", "vlen-utf8"}, {"configuration", Json::object()}}
                                                        : Json{{"name", "bytes"}, {"configuration", {{"endian", "little"}}}});
    auto comp = v3_codec_for(v.storage.compressor, v.dtype);
    if (!comp.ok()) return ctx(comp.status());
    if (!comp->is_null()) codecs.push_back(*comp);
    if (v.storage.zarr_v3_codecs.is_array()) {
      codecs = v.storage.zarr_v3_codecs;  // writing into a store: its codecs as they are
    } else if (!a.inner.empty()) {
      for (size_t d = 0; d < a.inner.size(); ++d)
        if (a.chunks[d] % a.inner[d] != 0) return ctx(invalid_argument("the shard shape must be a multiple of the chunk shape"));
      Json index_codecs = Json::array({Json{{"name", "bytes"}, {"configuration", {{"endian", "little"}}}}, Json{{"name", "crc32c"}}});
      codecs = Json::array({Json{{"name", "sharding_indexed"},
                                 {"configuration", {{"chunk_shape", a.inner}, {"codecs", codecs}, {"index_codecs", index_codecs},
                                                    {"index_location", "end"}}}}});
    }
    auto chain = parse_v3_chain(codecs, v.dtype, a.chunks);
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
