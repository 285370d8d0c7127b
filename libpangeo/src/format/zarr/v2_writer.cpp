// Zarr v2 writer: metadata as zarr-python and xarray write it (sorted keys, indent 4,
// _ARRAY_DIMENSIONS, fill_value from _FillValue), consolidated .zmetadata written at
// create() so that a stream carries it before the chunks; edge chunks padded to full size.
#include <algorithm>
#include <map>

#include "metadata.hpp"
#include "pangeo/format.hpp"
#include "v2_codecs.hpp"

namespace pangeo {

namespace {

struct WriterArray {
  V2Pipeline pipeline;
  Shape shape, chunks;
  DType dtype;
  Bytes fill;
  std::string key;
};

class ZarrV2Writer final : public DatasetWriter {
 public:
  ZarrV2Writer(std::shared_ptr<Store> store, bool consolidated) : store_(std::move(store)), consolidated_(consolidated) {}

  Status create(const Group& root) override {
    PG_RETURN_IF_ERROR(define_group(root, ""));
    // Consolidated metadata right away: in a stream it must come before the chunks.
    if (!consolidated_) return Status::Ok();
    Json z{{"metadata", metadata_}, {"zarr_consolidated_format", 1}};
    return put_json(".zmetadata", z);
  }

  Status write(const std::string& path, const Box& box, const NdArray& data) override {
    auto it = arrays_.find(path);
    if (it == arrays_.end()) return internal_error("zarr: write to undefined array \"{}\"", path);
    WriterArray& a = it->second;
    PG_ASSIGN_OR_RETURN(Shape idx, chunk_index_of(box, a.chunks));
    const std::string key = ChunkKeyEncoding{}.key(a.key, idx);
    auto ctx = [&](const Status& s) { return s.with_context(fmt::format("zarr: array \"{}\": chunk \"{}\"", path, key)); };
    NdArray padded;
    const NdArray& full = full_size_chunk(data, box, a.chunks, a.fill, padded);
    Bytes scratch;
    auto encoded = encode_v2_chunk(a.pipeline, full, scratch);
    if (!encoded.ok()) return ctx(encoded.status());
    return ctx(store_->put(key, **encoded));
  }

  Status finish() override { return Status::Ok(); }

 private:
  Status put_json(const std::string& key, const Json& j) {
    std::string text = dump_metadata_json(j, 4);
    return store_->put(key, Bytes(text.begin(), text.end()));
  }

  Status put_meta(const std::string& key, const Json& j) {
    metadata_[key] = j;
    return put_json(key, j);
  }

  Status define_group(const Group& g, const std::string& prefix) {
    PG_RETURN_IF_ERROR(put_meta(prefix + ".zgroup", Json{{"zarr_format", 2}}));
    PG_RETURN_IF_ERROR(put_meta(prefix + ".zattrs", g.attrs.to_json()));
    for (const auto& v : g.vars) PG_RETURN_IF_ERROR(define_array(v, prefix));
    for (const auto& sub : g.groups) PG_RETURN_IF_ERROR(define_group(sub, prefix + sub.name + "/"));
    return Status::Ok();
  }

  Status define_array(const Variable& v, const std::string& prefix) {
    const std::string key = prefix + v.name;
    auto ctx = [&](const Status& s) { return s.with_context(fmt::format("zarr: array \"{}\"", key)); };
    WriterArray a;
    a.key = key;
    a.shape = v.shape;
    a.dtype = v.dtype;
    a.chunks = writer_chunks(v);
    if (a.chunks.size() != a.shape.size()) return ctx(invalid_argument("chunks have the wrong rank"));
    Json filters = v.storage.filters;
    if (v.dtype.kind == DTypeKind::kString) {
      bool has = filters.is_array() && !filters.empty() && filters[0].value("id", "") == "vlen-utf8";
      if (!has) filters = Json::array({Json{{"id", "vlen-utf8"}}});
    }
    auto pipe = make_v2_pipeline(filters, v.storage.compressor, v.dtype);
    if (!pipe.ok()) return ctx(pipe.status());
    a.pipeline = std::move(pipe).value();

    // fill_value: the _FillValue attribute, else NaN for floats as xarray writes, else null.
    Attributes attrs = v.attrs;
    FillChoice choice = choose_fill_value(v);
    a.fill = choice.raw;
    const Json fill = choice.json;
    if (!choice.keep_attribute && (v.dtype.is_numeric() || !fill.is_null())) attrs.erase("_FillValue");
    Json za{{"chunks", a.chunks},
            {"compressor", v.storage.compressor},
            {"dtype", numpy_dtype_string(v.dtype)},
            {"fill_value", fill},
            {"filters", filters.is_array() && !filters.empty() ? filters : Json()},
            {"order", "C"},
            {"shape", v.shape},
            {"zarr_format", 2}};
    Json zattrs = attrs.to_json();
    zattrs["_ARRAY_DIMENSIONS"] = v.dims;
    PG_RETURN_IF_ERROR(ctx(put_meta(key + "/.zarray", za)));
    PG_RETURN_IF_ERROR(ctx(put_meta(key + "/.zattrs", zattrs)));
    arrays_.emplace(key, std::move(a));
    return Status::Ok();
  }

  std::shared_ptr<Store> store_;
  bool consolidated_;
  Json metadata_ = Json::object();
  std::map<std::string, WriterArray> arrays_;
};

}  // namespace

std::unique_ptr<DatasetWriter> make_zarr_writer(std::shared_ptr<Store> store, bool consolidated) {
  return std::make_unique<ZarrV2Writer>(std::move(store), consolidated);
}

}  // namespace pangeo
