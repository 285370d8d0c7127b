#include "metadata.hpp"

#include <cmath>
#include <cstring>

#include "pangeo/grid.hpp"

namespace pangeo {

Result<NdArray> read_region(const DType& dtype, const Shape& shape, const Shape& chunks, const Box& box,
                            const std::function<Result<NdArray>(const Shape&, const Box&)>& fetch) {
  const ChunkGrid grid(shape, chunks);
  if (grid.rank() == 0) return fetch({}, Box{});
  for (size_t d = 0; d < grid.rank(); ++d)
    if (box.start[d] + box.count[d] > shape[d]) return invalid_argument("read beyond the array's shape");
  NdArray out(dtype, box.count);
  if (box.size() == 0) return out;
  const Box touched = grid.chunks_touching(box);
  if (touched.size() == 1) {  // one whole chunk: no copy
    Box full{Shape(grid.rank()), chunks};
    for (size_t d = 0; d < grid.rank(); ++d) full.start[d] = touched.start[d] * chunks[d];
    if (full == box) return fetch(touched.start, box);
  }
  Status status;
  grid.for_each_chunk_in(box, [&](const Shape& idx, const Box& cbox, const Box& part) {
    if (!status.ok()) return;
    auto c = fetch(idx, part);
    if (!c.ok()) {
      status = c.status();
      return;
    }
    copy_region(*c, cbox.start, out, box.start, part);
  });
  if (!status.ok()) return status;
  return out;
}

std::string ChunkKeyEncoding::key(const std::string& array_key, const Shape& index) const {
  std::string k = array_key.empty() ? "" : array_key + "/";
  k += prefix;
  if (prefix.empty() && index.empty()) return k + "0";
  for (size_t d = 0; d < index.size(); ++d) {
    if (d || !prefix.empty()) k += separator;
    k += std::to_string(index[d]);
  }
  return k;
}

Status name_dimensions(Group& g, Variable& v, const Json& names) {
  const bool given = names.is_array() && names.size() == v.shape.size();
  v.dims.clear();
  for (size_t d = 0; d < v.shape.size(); ++d)
    v.dims.push_back(given && names[d].is_string() ? names[d].get<std::string>() : fmt::format("dim_{}", d));
  for (size_t d = 0; d < v.shape.size(); ++d) {
    const Dimension* existing = g.find_dim(v.dims[d]);
    if (!existing) {
      g.dims.push_back({v.dims[d], v.shape[d], false});
    } else if (existing->size != v.shape[d]) {
      if (given)
        return corrupt("dimension \"{}\" has size {} here and {} elsewhere", v.dims[d], v.shape[d], existing->size);
      v.dims[d] = fmt::format("{}_dim_{}", v.name, d);
      g.dims.push_back({v.dims[d], v.shape[d], false});
    }
  }
  return Status::Ok();
}

void to_native_order(NdArray& a) {
  const size_t isz = a.dtype.itemsize;
  const uint64_t n = a.size();
  switch (a.dtype.kind) {
    case DTypeKind::kComplex64: case DTypeKind::kComplex128: byteswap_inplace(a.bytes.data(), n * 2, isz / 2); break;
    case DTypeKind::kUnicode: byteswap_inplace(a.bytes.data(), n * isz / 4, 4); break;
    case DTypeKind::kBytes: case DTypeKind::kChar: case DTypeKind::kString: break;
    default: byteswap_inplace(a.bytes.data(), n, isz);
  }
}

int zarr_write_rank(const std::string& key) {
  if (key == ".zmetadata" || key == "zarr.json") return 2;
  const std::string base = key.substr(key.rfind('/') == std::string::npos ? 0 : key.rfind('/') + 1);
  return base == ".zarray" || base == ".zattrs" || base == ".zgroup" || base == "zarr.json" ? 1 : 0;
}

Result<Shape> chunk_index_of(const Box& box, const Shape& chunks) {
  Shape idx(chunks.size());
  for (size_t d = 0; d < chunks.size(); ++d) {
    if (box.start[d] % chunks[d] != 0) return internal_error("unaligned chunk write");
    idx[d] = box.start[d] / chunks[d];
  }
  return idx;
}

const NdArray& full_size_chunk(const NdArray& data, const Box& box, const Shape& chunks, const Bytes& fill,
                               NdArray& padded) {
  if (box.count == chunks) return data;
  padded = NdArray(data.dtype, chunks);
  padded.fill_with(fill);
  copy_region(data, box.start, padded, box.start, box);
  return padded;
}

Result<Json> parse_metadata_json(const Bytes& b, const std::string& key) {
  std::string text(b.begin(), b.end());
  try {
    return Json::parse(text);
  } catch (const Json::exception& e) {
    for (const char* bad : {"-Infinity", "Infinity", "NaN"}) {
      std::string quoted = std::string("\"") + bad + "\"";
      size_t p = 0;
      while ((p = text.find(bad, p)) != std::string::npos) {
        bool inside_string = p > 0 && text[p - 1] == '"';
        if (!inside_string && !(bad[0] != '-' && p > 0 && text[p - 1] == '-')) {
          text.replace(p, std::strlen(bad), quoted);
          p += quoted.size();
        } else {
          p += std::strlen(bad);
        }
      }
    }
    try {
      return Json::parse(text);
    } catch (const Json::exception&) {
      return corrupt("{}: invalid JSON: {}", key, e.what());
    }
  }
}

FillChoice choose_fill_value(const Variable& v) {
  FillChoice f;
  if (auto fb = v.fill_value_bytes()) {
    f.raw = *fb;
    f.json = scalar_bytes_to_json(*fb, v.dtype);
  } else if (v.dtype.is_float()) {
    f.json = "NaN";
    f.raw.resize(v.dtype.itemsize);
    store_from_double(v.dtype, f.raw.data(), 0, std::nan(""));
  } else if (v.dtype.kind != DTypeKind::kString) {
    f.raw.assign(v.dtype.itemsize, 0);
  }
  return f;
}

}  // namespace pangeo
