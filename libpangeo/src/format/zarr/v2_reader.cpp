// Zarr v2 reader (https://zarr-specs.readthedocs.io/en/latest/v2/v2.0.html) with xarray's
// conventions: _ARRAY_DIMENSIONS names dimensions, fill_value stands for _FillValue.
// Consolidated .zmetadata is used when present, else the store is listed.
#include <algorithm>
#include <atomic>
#include <cstring>
#include <map>

#include "metadata.hpp"
#include "pangeo/format.hpp"
#include "pangeo/grid.hpp"
#include "v2_codecs.hpp"

namespace pangeo {

namespace {

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

struct ArrayInfo {
  std::string key;  // store key prefix of the array ("" for a bare-array store)
  V2Pipeline pipeline;
  Shape chunks;
  Bytes fill;  // raw fill bytes for missing chunks
  ChunkKeyEncoding keys;     // "0.1" unless dimension_separator says "/"
  bool sep_explicit = false;
  std::atomic<int> sep_guess{0};  // 0 unknown, 1 ".", 2 "/"
  bool fortran = false;
  bool big_endian = false;
};

class ZarrV2Reader final : public DatasetReader {
 public:
  ZarrV2Reader(std::shared_ptr<Store> store, std::string name) : store_(std::move(store)), name_(std::move(name)) {}

  Status open() {
    PG_ASSIGN_OR_RETURN(auto zmeta, store_->get(".zmetadata"));
    Status unreadable;
    if (zmeta) {
      // Consolidated metadata is a copy of the arrays' own: one that cannot be read (cut
      // short by a writer that died on a store without atomic writes) is passed over and
      // the store read as zarr.open reads it, from .zgroup/.zarray/.zattrs.
      auto j = parse_metadata_json(*zmeta, ".zmetadata");
      if (j.ok() && j->contains("metadata") && (*j)["metadata"].is_object()) {
        meta_ = std::move((*j)["metadata"]);
        consolidated_ = true;
      }
      if (!j.ok()) unreadable = j.status();
    }
    if (!consolidated_) {
      auto listed = store_->list("");
      // A store that cannot be listed (plain https://) has nothing else to go by.
      if (!listed.ok()) return unreadable.ok() ? listed.status() : unreadable;
      const auto& keys = *listed;
      meta_ = Json::object();
      for (const auto& k : keys) {
        auto base = k.substr(k.rfind('/') == std::string::npos ? 0 : k.rfind('/') + 1);
        if (base != ".zarray" && base != ".zgroup" && base != ".zattrs") continue;
        PG_ASSIGN_OR_RETURN(auto b, store_->get(k));
        if (!b) continue;
        PG_ASSIGN_OR_RETURN(meta_[k], parse_metadata_json(*b, k));
      }
    }
    if (meta_.contains(".zarray")) {
      // A bare array: present it as a one-variable dataset named after the store.
      PG_RETURN_IF_ERROR(add_array(root_, "", name_.empty() ? "data" : name_));
      return Status::Ok();
    }
    // The caller names the location.
    if (!meta_.contains(".zgroup")) return unreadable.ok() ? invalid_argument("not a Zarr store (no .zgroup or .zarray)") : unreadable;
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
    return read_region(
        path, v.dtype, v.shape, info.chunks, box, [&](const Shape& idx, const Box&) { return read_chunk(path, info, v, idx); },
        fetch_into(path, info, v));
  }

  Status read_pieces(const std::string& path, const Box& box, const PieceSink& sink) override {
    PG_ASSIGN_OR_RETURN(VarRef ref, find_variable(root_, path));
    ArrayInfo& info = *arrays_.at(path);
    const Variable& v = *ref.var;
    return read_region_pieces(
        path, v.dtype, v.shape, info.chunks, box, [&](const Shape& idx, const Box&) { return read_chunk(path, info, v, idx); },
        fetch_into(path, info, v), sink);
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
        std::string key = info->keys.key(info->key, idx);
        PG_ASSIGN_OR_RETURN(auto sz, store_->size(key));
        if (!sz && !info->sep_explicit && idx.size() > 1) {
          PG_ASSIGN_OR_RETURN(sz, store_->size(ChunkKeyEncoding{"", "/"}.key(info->key, idx)));
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
    PG_RETURN_IF_ERROR(check_group_depth(prefix));
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
      if (za.value("zarr_format", 2) != 2) return ctx(unsupported("zarr_format {}", za.value("zarr_format", Json()).dump()));
      if (!za.contains("dtype")) return ctx(corrupt("{}: no dtype", zkey));
      if (!za.at("dtype").is_string()) return ctx(unsupported("structured dtype {}", za.at("dtype").dump()));
      auto dt = parse_numpy_dtype(za.at("dtype").get<std::string>(), &info->big_endian);
      if (!dt.ok()) return ctx(dt.status());
      v.dtype = *dt;
      auto shape = json_shape(za.value("shape", Json()), zkey + ": shape");
      if (!shape.ok()) return ctx(shape.status());
      v.shape = *shape;
      auto chunks = json_shape(za.value("chunks", Json()), zkey + ": chunks");
      if (!chunks.ok()) return ctx(chunks.status());
      info->chunks = *chunks;
      if (info->chunks.size() != v.shape.size()) return ctx(corrupt("{}: chunks and shape differ in rank", zkey));
      if (Status s = check_array_layout(v.shape, info->chunks, v.dtype.itemsize); !s.ok()) return ctx(s);
      std::string order = za.value("order", "C");
      info->fortran = order == "F";
      if (za.contains("dimension_separator") && za["dimension_separator"].is_string()) {
        info->keys.separator = za["dimension_separator"].get<std::string>();
        info->sep_explicit = true;
        if (info->keys.separator != "." && info->keys.separator != "/")
          return ctx(corrupt("bad dimension_separator \"{}\"", info->keys.separator));
      }
      const Json compressor = za.value("compressor", Json());
      const Json filters = za.value("filters", Json());
      auto pipe = make_v2_pipeline(filters, compressor, v.dtype);
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
      v.storage.dimension_separator = info->keys.separator;
      v.attrs = Attributes::from_json(meta_.value(akey, Json::object()));
      // xarray: the Zarr fill_value is the variable's _FillValue (text for bytes).
      if (!fill.is_null() && (v.dtype.kind == DTypeKind::kChar || v.dtype.kind == DTypeKind::kBytes)) {
        std::string text(info->fill.begin(), info->fill.end());
        text.erase(text.find_last_not_of('\0') + 1);
        v.attrs.set("_FillValue", AttrValue::text(text));
      }
      if (!fill.is_null() && v.dtype.is_numeric() && v.dtype.kind != DTypeKind::kBool) {
        v.attrs.erase("_FillValue");
        v.attrs.set("_FillValue", AttrValue{v.dtype, fill.is_string() ? Json(load_as_double(v.dtype, info->fill.data(), 0)) : fill});
      }
    } catch (const Json::exception& e) {
      return ctx(corrupt("{}: {}", zkey, json_error_text(e)));
    }
    // Dimension names from xarray's _ARRAY_DIMENSIONS, else dim_0, dim_1, ...
    const AttrValue* dims = v.attrs.find("_ARRAY_DIMENSIONS");
    PG_RETURN_IF_ERROR(ctx(name_dimensions(g, v, dims ? dims->value : Json())));
    v.attrs.erase("_ARRAY_DIMENSIONS");
    std::string path = full_path(key);
    arrays_[path] = std::move(info);
    g.vars.push_back(std::move(v));
    return Status::Ok();
  }

  std::string full_path(const std::string& key) const { return key.empty() ? (name_.empty() ? "data" : name_) : key; }

  // Chunks decoded straight into a destination, where nothing is left to do after the
  // decompressor (no filters, native byte order, C order).
  FetchInto fetch_into(const std::string& path, ArrayInfo& info, const Variable& v) {
    if (!info.pipeline.filters.empty() || info.big_endian || info.fortran) return nullptr;
    return [this, &path, &info, &v](const Shape& idx, uint8_t* dst) { return read_chunk_into(path, info, v, idx, dst); };
  }

  // A stored chunk decoded straight into `dst`; false where the chunk is missing
  // (read_chunk fills it).
  Result<bool> read_chunk_into(const std::string& path, ArrayInfo& info, const Variable& v, const Shape& idx, uint8_t* dst) {
    // Keys as read_chunk finds them; a missing key is left to it (legacy nested keys).
    std::string key = info.keys.key(info.key, idx);
    if (!info.sep_explicit && idx.size() > 1 && info.sep_guess.load() == 2) key = ChunkKeyEncoding{"", "/"}.key(info.key, idx);
    auto ctx = [&](const Status& s) { return s.with_context(fmt::format("zarr: array \"{}\": chunk \"{}\"", path, key)); };
    auto got = store_->get(key);
    if (!got.ok()) return ctx(got.status());
    if (!got->has_value()) return false;
    const Bytes& raw = **got;
    const size_t n = element_count(info.chunks) * v.dtype.itemsize;
    if (info.pipeline.compressor) {
      PG_RETURN_IF_ERROR(ctx(info.pipeline.compressor->decode_into(raw, dst, n)));
    } else {
      if (raw.size() != n) return ctx(corrupt("decoded to {} bytes where {} were expected", raw.size(), n));
      std::memcpy(dst, raw.data(), n);
    }
    return true;
  }

  Result<NdArray> read_chunk(const std::string& path, ArrayInfo& info, const Variable& v, const Shape& idx) {
    const ChunkKeyEncoding nested{"", "/"};
    std::string key = info.keys.key(info.key, idx);
    auto ctx = [&](const Status& s) { return s.with_context(fmt::format("zarr: array \"{}\": chunk \"{}\"", path, key)); };
    // Legacy nested stores name no dimension_separator: try "/" once and remember it.
    const bool guess = !info.sep_explicit && idx.size() > 1;
    if (guess && info.sep_guess.load() == 2) key = nested.key(info.key, idx);
    auto got = store_->get(key);
    if (!got.ok()) return ctx(got.status());
    std::optional<Bytes> raw = std::move(got).value();
    if (!raw && guess && info.sep_guess.load() == 0) {
      std::string other = nested.key(info.key, idx);
      auto g2 = store_->get(other);
      if (!g2.ok()) return ctx(g2.status());
      if (*g2) {
        info.sep_guess = 2;
        key = other;
        raw = std::move(g2).value();
      }
    }
    if (!raw) {
      NdArray chunk(v.dtype, info.chunks);
      chunk.fill_with(info.fill);
      return chunk;
    }
    auto chunk = decode_v2_chunk(info.pipeline, std::move(*raw), v.dtype, info.chunks, info.big_endian, info.fortran);
    if (!chunk.ok()) return ctx(chunk.status());
    return chunk;
  }

  std::shared_ptr<Store> store_;
  std::string name_;
  Json meta_;
  bool consolidated_ = false;
  Group root_;
  std::map<std::string, std::unique_ptr<ArrayInfo>> arrays_;
};

}  // namespace

Result<std::unique_ptr<DatasetReader>> open_zarr(std::shared_ptr<Store> store, const std::string& name) {
  auto r = std::make_unique<ZarrV2Reader>(std::move(store), name);
  return open_reader(std::move(r));
}

}  // namespace pangeo
