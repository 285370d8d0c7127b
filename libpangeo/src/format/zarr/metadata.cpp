#include "metadata.hpp"

#include "pangeo/http.hpp"

#include <cmath>
#include <cstring>

#include "pangeo/executor.hpp"
#include "pangeo/grid.hpp"

namespace pangeo {

namespace {

// `box` lies within `shape`; the region (when it is assembled: the caller's plan, bounded
// by what the process may use) and one chunk (which must fit the budget itself) can be held.
Status check_region(const std::string& name, const DType& dtype, const Shape& shape, const Shape& chunks, const Box& box,
                    bool assembled) {
  for (size_t d = 0; d < shape.size(); ++d)
    if (box.start[d] + box.count[d] > shape[d]) return invalid_argument("read beyond the array's shape");
  const size_t item = dtype.kind == DTypeKind::kString ? sizeof(std::string) : dtype.itemsize;
  if (Status s = assembled ? check_data_size(element_count(box.count) * item, false) : Status::Ok(); !s.ok())
    return s.with_context(fmt::format("zarr: array \"{}\": a region of {} {}", name, shape_text(box.count), dtype.numpy_name()));
  if (Status s = check_data_size(element_count(chunks) * item); !s.ok())
    return s.with_context(fmt::format("zarr: array \"{}\": chunks of {} {}", name, shape_text(chunks), dtype.numpy_name()));
  return Status::Ok();
}

}  // namespace

Result<NdArray> read_region(const std::string& name, const DType& dtype, const Shape& shape, const Shape& chunks,
                            const Box& box, const std::function<Result<NdArray>(const Shape&, const Box&)>& fetch,
                            const FetchInto& fetch_into) {
  const ChunkGrid grid(shape, chunks);
  if (grid.rank() == 0) return fetch({}, Box{});
  PG_RETURN_IF_ERROR(check_region(name, dtype, shape, chunks, box, true));
  if (box.size() == 0) return NdArray(dtype, box.count);
  const Box touched = grid.chunks_touching(box);
  if (touched.size() == 1) {  // one whole chunk: no copy (and no region to fill first)
    Box full{Shape(grid.rank()), chunks};
    for (size_t d = 0; d < grid.rank(); ++d) full.start[d] = touched.start[d] * chunks[d];
    if (full == box) return fetch(touched.start, box);
  }
  NdArray out(dtype, box.count);
  Status status;
  const bool direct = fetch_into && dtype.kind != DTypeKind::kString;
  grid.for_each_chunk_in(box, [&](const Shape& idx, const Box& cbox, const Box& part) {
    if (!status.ok()) return;
    if (direct && part == cbox && cbox.count == chunks && contiguous_in(box.count, part.count)) {
      auto done = fetch_into(idx, out.bytes.data() + linear_offset(box.count, box.start, part.start) * dtype.itemsize);
      if (!done.ok()) {
        status = done.status();
        return;
      }
      if (*done) return;
    }
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

Status read_region_pieces(const std::string& name, const DType& dtype, const Shape& shape, const Shape& chunks,
                          const Box& box, const std::function<Result<NdArray>(const Shape&, const Box&)>& fetch,
                          const FetchInto& fetch_into, const DatasetReader::PieceSink& sink) {
  const ChunkGrid grid(shape, chunks);
  if (grid.rank() == 0 || box.size() == 0) {
    PG_ASSIGN_OR_RETURN(NdArray all, read_region(name, dtype, shape, chunks, box, fetch, fetch_into));
    sink(all, box.start, box);
    return Status::Ok();
  }
  PG_RETURN_IF_ERROR(check_region(name, dtype, shape, chunks, box, false));
  const bool direct = fetch_into && dtype.kind != DTypeKind::kString;
  thread_local NdArray buffer;
  Status status;
  grid.for_each_chunk_in(box, [&](const Shape& idx, const Box& cbox, const Box& part) {
    if (!status.ok()) return;
    if (direct) {
      if (buffer.shape != chunks || !(buffer.dtype == dtype)) buffer = NdArray(dtype, chunks);
      auto done = fetch_into(idx, buffer.bytes.data());
      if (!done.ok()) {
        status = done.status();
        return;
      }
      if (*done) {
        sink(buffer, cbox.start, part);
        return;
      }
    }
    auto c = fetch(idx, part);
    if (!c.ok()) {
      status = c.status();
      return;
    }
    sink(*c, cbox.start, part);
  });
  return status;
}

Result<Shape> json_shape(const Json& j, const std::string& what) {
  if (!j.is_array()) return corrupt("{} is not a list of lengths", what);
  if (j.size() > kMaxRank) return corrupt("{} has {} dimensions (at most {} are supported)", what, j.size(), kMaxRank);
  Shape s;
  for (const auto& x : j) {
    if (!x.is_number_unsigned()) return corrupt("{} holds {}, not a length", what, x.dump().substr(0, 40));
    s.push_back(x.get<uint64_t>());
  }
  return s;
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
  // Consolidated metadata and the root's own (what readers open first) go after everything
  // else, so a store whose writer died reads either whole or not at all.
  if (key == ".zmetadata") return 3;
  if (key == ".zgroup" || key == ".zattrs" || key == "zarr.json") return 2;
  const std::string base = key.substr(key.rfind('/') == std::string::npos ? 0 : key.rfind('/') + 1);
  return base == ".zarray" || base == ".zattrs" || base == ".zgroup" || base == "zarr.json" ? 1 : 0;
}

Shape writer_chunks(const Variable& v) {
  Shape c = v.storage.chunks.empty() ? v.shape : v.storage.chunks;
  for (auto& x : c) x = std::max<uint64_t>(x, 1);
  return c;
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

namespace {

// Python's json module reads and writes NaN, Infinity and -Infinity as bare words. They
// travel through nlohmann's parser and printer as marked strings, and become doubles (or
// bare words again) on the way in (or out).
constexpr const char* kNonFinite[] = {"-Infinity", "Infinity", "NaN"};
const std::string kMark = "\x01pg-non-finite:";

std::string mark_bare_words(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  bool in_string = false;
  for (size_t i = 0; i < text.size();) {
    const char c = text[i];
    if (in_string) {
      out += c;
      if (c == '\\' && i + 1 < text.size()) out += text[++i];
      else if (c == '"') in_string = false;
      ++i;
      continue;
    }
    if (c == '"') in_string = true;
    bool replaced = false;
    for (const char* word : kNonFinite)
      if (text.compare(i, std::strlen(word), word) == 0) {
        out += "\"\\u0001pg-non-finite:" + std::string(word) + "\"";
        i += std::strlen(word);
        replaced = true;
        break;
      }
    if (!replaced) out += text[i++];
  }
  return out;
}

void unmark(Json& j) {
  if (j.is_string()) {
    const std::string& s = j.get_ref<const std::string&>();
    if (s.rfind(kMark, 0) == 0) {
      const std::string word = s.substr(kMark.size());
      j = word == "NaN" ? std::nan("") : word == "Infinity" ? INFINITY : -INFINITY;
    }
  } else if (j.is_structured()) {
    for (auto& e : j) unmark(e);
  }
}

std::string spelled(double d) { return std::isnan(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity"; }

}  // namespace

Result<Json> parse_metadata_json(const Bytes& b, const std::string& key) {
  const std::string text(b.begin(), b.end());
  PG_RETURN_IF_ERROR(check_json_limits(text, key));
  try {
    Json j = Json::parse(text);
    unmark(j);  // a string that happens to carry the mark stays a string only in theory
    return j;
  } catch (const Json::exception&) {
  }
  try {
    Json j = Json::parse(mark_bare_words(text));
    unmark(j);
    return j;
  } catch (const Json::exception& e) {
    return corrupt("{}: invalid JSON ({})", key, json_error_text(e));
  }
}


std::string dump_metadata_json(const Json& j, int indent) {
  const Json marked = replace_non_finite(j, [](double d) { return Json(kMark + spelled(d)); });
  std::string text = marked.dump(indent, ' ', true, Json::error_handler_t::replace);
  for (const char* word : kNonFinite) {
    const std::string marked = "\"\\u0001pg-non-finite:" + std::string(word) + "\"";
    for (size_t p = 0; (p = text.find(marked, p)) != std::string::npos;) text.replace(p, marked.size(), word);
  }
  return text;
}

FillChoice choose_fill_value(const Variable& v) {
  FillChoice f;
  const AttrValue* attr = v.attrs.find("_FillValue");
  const auto numbers = attr ? attr->numbers() : std::vector<double>();
  if (v.dtype.is_integer() && !numbers.empty() && !std::isfinite(numbers[0])) {
    // An integer variable with a NaN _FillValue (seen in real files): no stored value can
    // equal it, so nothing is masked. The Zarr fill value cannot say NaN for integers: it
    // stays unset (zero for v3), and the attribute stays as it was, so that readers mask
    // nothing either, as they do with the original.
    f.raw.assign(v.dtype.itemsize, 0);
    f.keep_attribute = true;
  } else if ((v.dtype.kind == DTypeKind::kChar || v.dtype.kind == DTypeKind::kBytes) && attr && attr->value.is_string()) {
    // Text fill values: the bytes, and in .zarray their base64 as zarr-python writes it.
    const std::string& s = attr->value.get_ref<const std::string&>();
    f.raw.assign(v.dtype.itemsize, 0);
    std::memcpy(f.raw.data(), s.data(), std::min<size_t>(s.size(), f.raw.size()));
    f.json = base64(Bytes(s.begin(), s.begin() + std::min<size_t>(s.size(), f.raw.size())));
  } else if (auto fb = v.fill_value_bytes()) {
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
