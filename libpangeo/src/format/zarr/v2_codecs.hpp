// The Zarr v2 codec pipeline of one array (filters, then the compressor), shared by the
// v2 reader and writer: building it from .zarray's "filters" and "compressor", and
// encoding or decoding one chunk through it.
#pragma once

#include <memory>
#include <vector>

#include "pangeo/codec.hpp"

namespace pangeo {

struct V2Pipeline {
  std::vector<std::unique_ptr<Codec>> filters;
  std::unique_ptr<Codec> compressor;
  bool object_codec = false;  // the first filter turns strings into bytes (vlen-utf8)
};

// `dtype` is the array's element type. Object arrays need a vlen-utf8/vlen-bytes filter.
Result<V2Pipeline> make_v2_pipeline(const Json& filters, const Json& compressor, const DType& dtype);

// One chunk of `shape` from its stored bytes: decoded, in native byte order, C order.
Result<NdArray> decode_v2_chunk(const V2Pipeline& p, Bytes data, const DType& dtype, const Shape& shape, bool big_endian,
                                bool fortran);
// The stored bytes of one full-size C-order chunk: `scratch` holds them, or, with no
// codec to apply, the chunk's own bytes are returned without a copy.
Result<const Bytes*> encode_v2_chunk(const V2Pipeline& p, const NdArray& chunk, Bytes& scratch);

}  // namespace pangeo
