// Zarr v2 (https://zarr-specs.readthedocs.io/en/latest/v2/v2.0.html) with xarray's
// conventions: _ARRAY_DIMENSIONS names dimensions, fill_value stands for _FillValue.
#include <algorithm>
#include <cstring>
#include <map>
#include <atomic>
#include <cmath>
#include <mutex>

#include "pangeo/codec.hpp"
#include "chunked.hpp"
#include "pangeo/grid.hpp"
#include "pangeo/format.hpp"

namespace pangeo {

namespace {

Result<Json> parse_json(const Bytes& b, const std::string& key) { return parse_metadata_json(b, key); }

Bytes base64_decode(const std::string& s) {
  auto val = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  Bytes out;
  int buf = 0, bits = 0;
  for (char c : s) {
    int v = val(c);
    if (v < 0) continue;
    buf = (buf << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(uint8_t((buf >> bits) & 0xff));
    }
  }
  return out;
}

std::string chunk_key(const std::string& array_key, const Shape& idx, const std::string& sep) {
  std::string k = array_key.empty() ? "" : array_key + "/";
  if (idx.empty()) return k + "0";
  for (size_t d = 0; d < idx.size(); ++d) {
    if (d) k += sep;
    k += std::to_string(idx[d]);
  }
  return k;
}

// The codec chain of one array: filters then compressor.
struct Pipeline {
  std::vector<std::unique_ptr<Codec>> filters;
  std::unique_ptr<Codec> compressor;
  bool object_codec = false;
};

Result<Pipeline> make_pipeline(const Json& filters, const Json& compressor, const DType& dtype) {
  Pipeline p;
  DType dt = dtype;
  if (filters.is_array()) {
    for (const auto& f : filters) {
      PG_ASSIGN_OR_RETURN(auto c, make_codec(f, dt));
      if (c->is_object_codec()) {
        p.object_codec = true;
        dt = DType::of(DTypeKind::kUInt8);
      } else {
        dt = c->encoded_dtype(dt);
      }
      p.filters.push_back(std::move(c));
    }
  }
  if (!compressor.is_null()) {
    PG_ASSIGN_OR_RETURN(p.compressor, make_codec(compressor, dt));
  }
  if (dtype.kind == DTypeKind::kString && !p.object_codec)
    return unsupported("object array without a vlen-utf8 or vlen-bytes filter");
  return p;
}

struct ArrayInfo {
  std::string key;  // store key prefix of the array ("" for a bare-array store)
  Pipeline pipeline;
  Shape chunks;
  Bytes fill;  // raw fill bytes for missing chunks
  bool sep_explicit = false;
  std::string sep = ".";
  std::atomic<int> sep_guess{0};  // 0 unknown, 1 ".", 2 "/"
  bool fortran = false;
  bool big_endian = false;
};

class ZarrV2Reader final : public DatasetReader {
 public:
  ZarrV2Reader(std::shared_ptr<Store> store, std::string name) : store_(std::move(store)), name_(std::move(name)) {}

  Status open() {
    PG_ASSIGN_OR_RETURN(auto zmeta, store_->get(".zmetadata"));
    if (zmeta) {
      PG_ASSIGN_OR_RETURN(Json j, parse_json(*zmeta, ".zmetadata"));
      if (j.contains("metadata") && j["metadata"].is_object()) {
        meta_ = j["metadata"];
        consolidated_ = true;
      }
    }
    if (!consolidated_) {
      PG_ASSIGN_OR_RETURN(auto keys, store_->list(""));
      meta_ = Json::object();
      for (const auto& k : keys) {
        auto base = k.substr(k.rfind('/') == std::string::npos ? 0 : k.rfind('/') + 1);
        if (base != ".zarray" && base != ".zgroup" && base != ".zattrs") continue;
        PG_ASSIGN_OR_RETURN(auto b, store_->get(k));
        if (!b) continue;
        PG_ASSIGN_OR_RETURN(meta_[k], parse_json(*b, k));
      }
    }
    if (meta_.contains(".zarray")) {
      // A bare array: present it as a one-variable dataset named after the store.
      PG_RETURN_IF_ERROR(add_array(root_, "", name_.empty() ? "data" : name_));
      return Status::Ok();
    }
    // The caller names the location.
    if (!meta_.contains(".zgroup")) return invalid_argument("not a Zarr store (no .zgroup or .zarray)");
    return load_group(root_, "");
  }

  const Group& root() const override { return root_; }
  std::string format_name() const override { return "Zarr v2"; }
  Status check_input() override { return store_->verify_complete(); }
  std::string location() const override { return store_->describe(); }

  Result<NdArray> read(const std::string& path, const Box& box) override {
    PG_ASSIGN_OR_RETURN(VarRef ref, find_variable(root_, path));
    ArrayInfo& info = *arrays_.at(path);
    const Variable& v = *ref.var;
    return read_region(v.dtype, v.shape, info.chunks, box,
                       [&](const Shape& idx, const Box&) { return read_chunk(path, info, v, idx); });
  }

  Result<std::optional<StoreStats>> store_stats() override {
    StoreStats s;
    PG_ASSIGN_OR_RETURN(auto keys, store_->list(""));
    s.objects = keys.size();
    for (const auto& [path, info] : arrays_) {
      PG_ASSIGN_OR_RETURN(VarRef ref, find_variable(root_, path));
      const Variable& v = *ref.var;
      const ChunkGrid grid(v.shape, info->chunks);
      s.chunks_expected += grid.num_chunks();
      uint64_t chunk_bytes = element_count(info->chunks) * (v.dtype.kind == DTypeKind::kString ? 8 : v.dtype.itemsize);
      for (uint64_t i = 0; i < grid.num_chunks(); ++i) {
        const Shape idx = grid.chunk_index(i);
        std::string key = chunk_key(info->key, idx, info->sep);
        PG_ASSIGN_OR_RETURN(auto sz, store_->size(key));
        if (!sz && !info->sep_explicit && idx.size() > 1) {
          PG_ASSIGN_OR_RETURN(sz, store_->size(chunk_key(info->key, idx, "/")));
        }
        if (sz) {
          s.stored_bytes += *sz;
          s.raw_bytes += chunk_bytes;
        } else {
          ++s.chunks_missing;
        }
      }
    }
    return std::optional<StoreStats>(s);
  }

 private:
  Status load_group(Group& g, const std::string& prefix) {
    const Json& attrs = meta_.value(prefix + ".zattrs", Json::object());
    g.attrs = Attributes::from_json(attrs);
    // Children: names directly under `prefix` that have .zarray or .zgroup.
    std::vector<std::string> arrays, groups;
    for (auto it = meta_.begin(); it != meta_.end(); ++it) {
      const std::string& k = it.key();
      if (k.compare(0, prefix.size(), prefix) != 0) continue;
      std::string rest = k.substr(prefix.size());
      size_t slash = rest.find('/');
      if (slash == std::string::npos) continue;
      std::string child = rest.substr(0, slash), leaf = rest.substr(slash + 1);
      if (leaf == ".zarray") arrays.push_back(child);
      else if (leaf == ".zgroup") groups.push_back(child);
    }
    std::sort(arrays.begin(), arrays.end());
    std::sort(groups.begin(), groups.end());
    for (const auto& a : arrays) PG_RETURN_IF_ERROR(add_array(g, prefix + a, a));
    for (const auto& name : groups) {
      Group sub;
      sub.name = name;
      PG_RETURN_IF_ERROR(load_group(sub, prefix + name + "/"));
      g.groups.push_back(std::move(sub));
    }
    return Status::Ok();
  }

  Status add_array(Group& g, const std::string& key, const std::string& name) {
    const std::string zkey = key.empty() ? ".zarray" : key + "/.zarray";
    const std::string akey = key.empty() ? ".zattrs" : key + "/.zattrs";
    auto ctx = [&](const Status& s) { return s.with_context(fmt::format("zarr: array \"{}\"", name)); };
    const Json& za = meta_.at(zkey);
    Variable v;
    v.name = name;
    auto info = std::make_unique<ArrayInfo>();
    info->key = key;
    try {
      if (za.value("zarr_format", 2) != 2) return ctx(unsupported("zarr_format {}", za["zarr_format"].dump()));
      if (!za["dtype"].is_string()) return ctx(unsupported("structured dtype {}", za["dtype"].dump()));
      auto dt = parse_numpy_dtype(za["dtype"].get<std::string>(), &info->big_endian);
      if (!dt.ok()) return ctx(dt.status());
      v.dtype = *dt;
      v.shape = za.at("shape").get<Shape>();
      info->chunks = za.at("chunks").get<Shape>();
      if (info->chunks.size() != v.shape.size()) return ctx(corrupt("chunks and shape differ in rank"));
      for (auto& c : info->chunks)
        if (c == 0) return ctx(corrupt("zero chunk length"));
      std::string order = za.value("order", "C");
      info->fortran = order == "F";
      if (za.contains("dimension_separator") && za["dimension_separator"].is_string()) {
        info->sep = za["dimension_separator"].get<std::string>();
        info->sep_explicit = true;
        if (info->sep != "." && info->sep != "/") return ctx(corrupt("bad dimension_separator \"{}\"", info->sep));
      }
      const Json compressor = za.value("compressor", Json());
      const Json filters = za.value("filters", Json());
      auto pipe = make_pipeline(filters, compressor, v.dtype);
      if (!pipe.ok()) return ctx(pipe.status());
      info->pipeline = std::move(pipe).value();
      const Json fill = za.value("fill_value", Json());
      v.storage.zarr_fill_value = fill;
      if (!fill.is_null()) {
        if ((v.dtype.kind == DTypeKind::kChar || v.dtype.kind == DTypeKind::kBytes) && fill.is_string()) {
          Bytes b = base64_decode(fill.get<std::string>());
          b.resize(v.dtype.itemsize, 0);
          info->fill = b;
        } else if (v.dtype.kind == DTypeKind::kUnicode && fill.is_string()) {
          Bytes b(v.dtype.itemsize, 0);
          const std::string& s = fill.get_ref<const std::string&>();
          for (size_t i = 0; i < s.size() && i * 4 < b.size(); ++i) b[i * 4] = uint8_t(s[i]);
          info->fill = b;
        } else if (v.dtype.kind != DTypeKind::kString) {
          auto fb = json_to_scalar_bytes(fill, v.dtype);
          if (!fb.ok()) return ctx(fb.status());
          info->fill = *fb;
        }
      }
      if (info->fill.empty() && v.dtype.kind != DTypeKind::kString) info->fill.assign(v.dtype.itemsize, 0);
      v.storage.chunks = info->chunks;
      v.storage.compressor = compressor;
      v.storage.filters = filters;
      v.storage.order = info->fortran ? 'F' : 'C';
      v.storage.big_endian = info->big_endian;
      v.storage.dimension_separator = info->sep;
      v.attrs = Attributes::from_json(meta_.value(akey, Json::object()));
      // xarray: the Zarr fill_value is the variable's _FillValue.
      if (!fill.is_null() && v.dtype.is_numeric() && v.dtype.kind != DTypeKind::kBool) {
        v.attrs.erase("_FillValue");
        v.attrs.set("_FillValue", AttrValue{v.dtype, fill.is_string() ? Json(load_as_double(v.dtype, info->fill.data(), 0)) : fill});
      }
    } catch (const Json::exception& e) {
      return ctx(corrupt("bad .zarray: {}", e.what()));
    }
    // Dimension names from xarray's _ARRAY_DIMENSIONS, else dim_0, dim_1, ...
    const AttrValue* dims = v.attrs.find("_ARRAY_DIMENSIONS");
    if (dims && dims->value.is_array() && dims->value.size() == v.shape.size()) {
      for (const auto& d : dims->value) v.dims.push_back(d.is_string() ? d.get<std::string>() : "dim");
    } else {
      for (size_t d = 0; d < v.shape.size(); ++d) v.dims.push_back(fmt::format("dim_{}", d));
    }
    v.attrs.erase("_ARRAY_DIMENSIONS");
    for (size_t d = 0; d < v.shape.size(); ++d) {
      const Dimension* existing = g.find_dim(v.dims[d]);
      if (!existing) {
        g.dims.push_back({v.dims[d], v.shape[d], false});
      } else if (existing->size != v.shape[d]) {
        if (dims) return ctx(corrupt("dimension \"{}\" has size {} here and {} elsewhere", v.dims[d], v.shape[d], existing->size));
        v.dims[d] = fmt::format("{}_dim_{}", name, d);
        g.dims.push_back({v.dims[d], v.shape[d], false});
      }
    }
    std::string path = full_path(key);
    arrays_[path] = std::move(info);
    g.vars.push_back(std::move(v));
    return Status::Ok();
  }

  std::string full_path(const std::string& key) const { return key.empty() ? (name_.empty() ? "data" : name_) : key; }

  Result<NdArray> read_chunk(const std::string& path, ArrayInfo& info, const Variable& v, const Shape& idx) {
    std::string key = chunk_key(info.key, idx, info.sep);
    auto ctx = [&](const Status& s) { return s.with_context(fmt::format("zarr: array \"{}\": chunk \"{}\"", path, key)); };
    std::optional<Bytes> raw;
    if (!info.sep_explicit && idx.size() > 1 && info.sep_guess.load() == 2) {
      key = chunk_key(info.key, idx, "/");
    }
    auto got = store_->get(key);
    if (!got.ok()) return ctx(got.status());
    raw = std::move(got).value();
    if (!raw && !info.sep_explicit && idx.size() > 1 && info.sep_guess.load() == 0) {
      std::string nested = chunk_key(info.key, idx, "/");
      auto g2 = store_->get(nested);
      if (!g2.ok()) return ctx(g2.status());
      if (*g2) {
        info.sep_guess = 2;
        key = nested;
        raw = std::move(g2).value();
      }
    }
    if (!raw) {
      NdArray chunk(v.dtype, info.chunks);
      chunk.fill_with(info.fill);
      return chunk;
    }
    NdArray chunk;
    chunk.dtype = v.dtype;
    chunk.shape = info.chunks;
    if (v.dtype.kind == DTypeKind::kString) chunk.strings.resize(element_count(info.chunks));
    const uint64_t n = chunk.size();
    const size_t expect = v.dtype.kind == DTypeKind::kString ? 0 : n * v.dtype.itemsize;
    Bytes data = std::move(*raw);
    if (info.pipeline.compressor) {
      auto d = info.pipeline.compressor->decode(data, expect);
      if (!d.ok()) return ctx(d.status());
      data = std::move(d).value();
    }
    for (size_t f = info.pipeline.filters.size(); f-- > 0;) {
      const Codec& codec = *info.pipeline.filters[f];
      if (codec.is_object_codec()) {
        auto s = codec.decode_strings(data, n);
        if (!s.ok()) return ctx(s.status());
        chunk.strings = std::move(s).value();
        data.clear();
        break;
      }
      auto d = codec.decode(data, 0);
      if (!d.ok()) return ctx(d.status());
      data = std::move(d).value();
    }
    if (v.dtype.kind != DTypeKind::kString) {
      if (data.size() != expect)
        return ctx(corrupt("decoded to {} bytes where {} were expected", data.size(), expect));
      chunk.bytes = std::move(data);
      if (info.big_endian) {
        size_t isz = v.dtype.itemsize;
        if (v.dtype.kind == DTypeKind::kComplex64 || v.dtype.kind == DTypeKind::kComplex128)
          byteswap_inplace(chunk.bytes.data(), n * 2, isz / 2);
        else if (v.dtype.kind == DTypeKind::kUnicode)
          byteswap_inplace(chunk.bytes.data(), n * isz / 4, 4);
        else if (v.dtype.kind != DTypeKind::kBytes && v.dtype.kind != DTypeKind::kChar)
          byteswap_inplace(chunk.bytes.data(), n, isz);
      }
    }
    if (info.fortran) chunk = fortran_to_c(chunk);
    return chunk;
  }

  std::shared_ptr<Store> store_;
  std::string name_;
  Json meta_;
  bool consolidated_ = false;
  Group root_;
  std::map<std::string, std::unique_ptr<ArrayInfo>> arrays_;
};

// ---------------------------------------------------------------------------------------

struct WriterArray {
  Pipeline pipeline;
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
    const size_t rank = a.shape.size();
    Shape idx(rank);
    bool full = true;
    for (size_t d = 0; d < rank; ++d) {
      if (box.start[d] % a.chunks[d] != 0) return internal_error("zarr: unaligned write to \"{}\"", path);
      idx[d] = box.start[d] / a.chunks[d];
      if (box.count[d] != a.chunks[d]) full = false;
    }
    std::string key = chunk_key(a.key, idx, ".");
    auto ctx = [&](const Status& s) { return s.with_context(fmt::format("zarr: array \"{}\": chunk \"{}\"", path, key)); };
    const NdArray* src = &data;
    NdArray padded;
    if (!full) {  // edge chunk: zarr stores full-size chunks, padded with the fill value
      padded = NdArray(a.dtype, a.chunks);
      padded.fill_with(a.fill);
      copy_region(data, box.start, padded, box.start, Box{box.start, box.count});
      src = &padded;
    }
    // `current` points at the latest encoding, starting with the chunk's own bytes (no copy).
    Bytes bytes;
    const Bytes* current = &src->bytes;
    size_t f = 0;
    if (a.dtype.kind == DTypeKind::kString) {
      if (a.pipeline.filters.empty() || !a.pipeline.filters[0]->is_object_codec())
        return ctx(internal_error("strings need vlen-utf8"));
      auto e = a.pipeline.filters[0]->encode_strings(src->strings);
      if (!e.ok()) return ctx(e.status());
      bytes = std::move(e).value();
      current = &bytes;
      f = 1;
    }
    for (; f < a.pipeline.filters.size(); ++f) {
      auto e = a.pipeline.filters[f]->encode(*current);
      if (!e.ok()) return ctx(e.status());
      bytes = std::move(e).value();
      current = &bytes;
    }
    if (a.pipeline.compressor) {
      auto e = a.pipeline.compressor->encode(*current);
      if (!e.ok()) return ctx(e.status());
      bytes = std::move(e).value();
      current = &bytes;
    }
    return ctx(store_->put(key, *current));
  }

  Status finish() override { return Status::Ok(); }

 private:
  Status put_json(const std::string& key, const Json& j) {
    std::string text = j.dump(4, ' ', true);
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
    a.chunks = v.storage.chunks.empty() ? v.shape : v.storage.chunks;
    for (auto& c : a.chunks) c = std::max<uint64_t>(c, 1);
    if (a.chunks.size() != a.shape.size()) return ctx(invalid_argument("chunks have the wrong rank"));
    Json filters = v.storage.filters;
    if (v.dtype.kind == DTypeKind::kString) {
      bool has = filters.is_array() && !filters.empty() && filters[0].value("id", "") == "vlen-utf8";
      if (!has) filters = Json::array({Json{{"id", "vlen-utf8"}}});
    }
    auto pipe = make_pipeline(filters, v.storage.compressor, v.dtype);
    if (!pipe.ok()) return ctx(pipe.status());
    a.pipeline = std::move(pipe).value();

    // fill_value: the _FillValue attribute, else NaN for floats as xarray writes, else null.
    Attributes attrs = v.attrs;
    FillChoice choice = choose_fill_value(v);
    a.fill = choice.raw;
    const Json fill = choice.json;
    if (v.dtype.is_numeric()) attrs.erase("_FillValue");
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

Result<std::unique_ptr<DatasetReader>> open_zarr(std::shared_ptr<Store> store, const std::string& name) {
  auto r = std::make_unique<ZarrV2Reader>(std::move(store), name);
  PG_RETURN_IF_ERROR(r->open());
  return std::unique_ptr<DatasetReader>(std::move(r));
}

std::unique_ptr<DatasetWriter> make_zarr_writer(std::shared_ptr<Store> store, bool consolidated) {
  return std::make_unique<ZarrV2Writer>(std::move(store), consolidated);
}

}  // namespace pangeo
