#include "chunked.hpp"

#include <cmath>
#include <cstring>

namespace pangeo {

Result<NdArray> read_region(const DType& dtype, const Shape& shape, const Shape& chunks, const Box& box,
                            const std::function<Result<NdArray>(const Shape&, const Box&)>& fetch) {
  const size_t rank = shape.size();
  if (rank == 0) return fetch({}, Box{});
  for (size_t d = 0; d < rank; ++d)
    if (box.start[d] + box.count[d] > shape[d]) return invalid_argument("read beyond the array's shape");
  NdArray out(dtype, box.count);
  if (box.size() == 0) return out;
  Shape lo(rank), hi(rank), idx(rank);
  for (size_t d = 0; d < rank; ++d) {
    lo[d] = box.start[d] / chunks[d];
    hi[d] = (box.start[d] + box.count[d] - 1) / chunks[d];
  }
  auto chunk_box = [&](const Shape& i) {
    Box c{Shape(rank), chunks};
    for (size_t d = 0; d < rank; ++d) c.start[d] = i[d] * chunks[d];
    return c;
  };
  if (lo == hi && chunk_box(lo) == box) return fetch(lo, box);  // one whole chunk: no copy
  idx = lo;
  while (true) {
    Box cbox = chunk_box(idx);
    Box region;
    if (intersect(cbox, box, &region)) {
      PG_ASSIGN_OR_RETURN(NdArray c, fetch(idx, region));
      copy_region(c, cbox.start, out, box.start, region);
    }
    size_t d = rank;
    while (d-- > 0) {
      if (++idx[d] <= hi[d]) break;
      idx[d] = lo[d];
      if (d == 0) return out;
    }
  }
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

NdArray permute_axes(const NdArray& in, const std::vector<size_t>& perm) {
  const size_t rank = in.shape.size();
  Shape out_shape(rank);
  for (size_t i = 0; i < rank; ++i) out_shape[i] = in.shape[perm[i]];
  NdArray out(in.dtype, out_shape);
  Shape in_stride(rank, 1);
  for (size_t d = rank; d-- > 1;) in_stride[d - 1] = in_stride[d] * in.shape[d];
  const size_t isz = in.dtype.itemsize;
  Shape idx(rank, 0);
  const uint64_t n = out.size();
  for (uint64_t o = 0; o < n; ++o) {
    uint64_t s = 0;
    for (size_t i = 0; i < rank; ++i) s += idx[i] * in_stride[perm[i]];
    if (in.dtype.kind == DTypeKind::kString) out.strings[o] = in.strings[s];
    else std::memcpy(out.bytes.data() + o * isz, in.bytes.data() + s * isz, isz);
    for (size_t d = rank; d-- > 0;) {
      if (++idx[d] < out_shape[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

}  // namespace pangeo
