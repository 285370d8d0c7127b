// The Zarr v3 array model shared by the v3 reader and writer: data types and fill values
// as zarr.json states them, and codec chains (array-to-array transpose, one
// array-to-bytes codec: bytes, vlen-utf8/vlen-bytes or sharding_indexed, then
// bytes-to-bytes codecs) parsed once and used to encode and decode chunks.
#pragma once

#include <memory>
#include <vector>

#include "pangeo/codec.hpp"

namespace pangeo {

// A data type: "float32", ..., "string", or {"name": "fixed_length_utf32",
// "configuration": {"length_bytes": N}} (numpy's <U, as zarr-python 3 writes it).
Result<DType> v3_data_type(const Json& j);
// The data_type we write for `d`; null when v3 has none (fixed-width bytes and chars).
Json v3_data_type_json(const DType& d);

// A fill value in any form the spec allows: numbers, "NaN"/"Infinity"/"-Infinity",
// "0x..." bit patterns for floats, booleans, [re, im] for complex, text for strings.
Result<Bytes> v3_fill_bytes(const Json& f, const DType& dt);

// A codec chain, ready to encode or decode one chunk of `shape`.
struct V3Chain {
  std::vector<std::vector<size_t>> transposes;  // array -> array, in encoding order
  enum class Kind { kBytes, kVlen, kShard } kind = Kind::kBytes;
  bool big_endian = false;
  std::vector<std::unique_ptr<Codec>> bb;  // bytes -> bytes, in encoding order
  std::unique_ptr<Codec> vlen;
  // sharding_indexed
  Shape inner;
  std::unique_ptr<V3Chain> inner_chain, index_chain;
  bool index_at_end = true;
  size_t index_overhead = 0;  // bytes the index codecs add (crc32c: 4)
};

Result<std::unique_ptr<V3Chain>> parse_v3_chain(const Json& codecs, const DType& dt, const Shape& shape);

// One chunk through a chain without sharding (decoded: native byte order, C order).
Result<NdArray> decode_v3_chunk(const V3Chain& ch, Bytes data, const DType& dt, const Shape& shape);
Result<Bytes> encode_v3_chunk(const V3Chain& ch, const NdArray& a);

}  // namespace pangeo
