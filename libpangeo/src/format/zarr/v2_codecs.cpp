#include "v2_codecs.hpp"

#include <algorithm>

#include "metadata.hpp"

namespace pangeo {

Result<V2Pipeline> make_v2_pipeline(const Json& filters, const Json& compressor, const DType& dtype) {
  V2Pipeline p;
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

Result<NdArray> decode_v2_chunk(const V2Pipeline& p, Bytes data, const DType& dtype, const Shape& shape, bool big_endian,
                                bool fortran) {
  NdArray chunk;
  chunk.dtype = dtype;
  chunk.shape = shape;
  const uint64_t n = chunk.size();
  const size_t expect = dtype.kind == DTypeKind::kString ? 0 : n * dtype.itemsize;
  if (p.compressor) {
    // What the compressor must give back: the chunk's bytes, or with filters the largest
    // element size along the chain (plus room for checksums); strings are bounded only by
    // kMaxDecodedBytes.
    size_t limit = expect;
    if (!p.filters.empty()) {
      DType dt = dtype;
      size_t widest = dtype.itemsize;
      for (const auto& f : p.filters) {
        if (f->is_object_codec()) {
          widest = 0;
          break;
        }
        dt = f->encoded_dtype(dt);
        widest = std::max<size_t>(widest, dt.itemsize);
      }
      limit = widest ? n * widest + 16 * p.filters.size() : 0;
    }
    PG_ASSIGN_OR_RETURN(data, p.compressor->decode(data, limit));
  }
  for (size_t f = p.filters.size(); f-- > 0;) {
    const Codec& codec = *p.filters[f];
    if (codec.is_object_codec()) {
      PG_ASSIGN_OR_RETURN(chunk.strings, codec.decode_strings(data, n));
      data.clear();
      break;
    }
    PG_ASSIGN_OR_RETURN(data, codec.decode(data, 0));
  }
  if (dtype.kind != DTypeKind::kString) {
    if (data.size() != expect) return corrupt("decoded to {} bytes where {} were expected", data.size(), expect);
    chunk.bytes = std::move(data);
    if (big_endian) to_native_order(chunk);
  }
  if (fortran) chunk = fortran_to_c(chunk);
  return chunk;
}

Result<const Bytes*> encode_v2_chunk(const V2Pipeline& p, const NdArray& chunk, Bytes& bytes) {
  // `current` points at the latest encoding, starting with the chunk's own bytes (no copy).
  const Bytes* current = &chunk.bytes;
  size_t f = 0;
  if (chunk.dtype.kind == DTypeKind::kString) {
    if (!p.object_codec) return internal_error("strings need vlen-utf8");
    PG_ASSIGN_OR_RETURN(bytes, p.filters[0]->encode_strings(chunk.strings));
    current = &bytes;
    f = 1;
  }
  for (; f < p.filters.size(); ++f) {
    PG_ASSIGN_OR_RETURN(bytes, p.filters[f]->encode(*current));
    current = &bytes;
  }
  if (p.compressor) {
    PG_ASSIGN_OR_RETURN(bytes, p.compressor->encode(*current));
    current = &bytes;
  }
  return current;
}

}  // namespace pangeo
