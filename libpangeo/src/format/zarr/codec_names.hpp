// The names codecs have in Zarr metadata, both directions in one table: the numcodecs
// configuration of a v2 .zarray ({"id": "blosc", ...}) and the v3 codec object of a
// zarr.json ({"name": "blosc", "configuration": {...}}). The algorithms live in codec/;
// adding a codec there needs a row here only when its v3 name or configuration differs
// from zarr-python 3's "numcodecs.ID" convention.
#pragma once

#include "pangeo/dataset.hpp"

namespace pangeo {

// The v3 codec object for a numcodecs configuration; `dtype` is the element type the
// codec sees (blosc records it as typesize). Null in, null out.
Result<Json> v3_codec_for(const Json& numcodecs, const DType& dtype);

// The numcodecs configuration of a v3 bytes-to-bytes codec object. Unknown names are a
// kUnsupported error naming them.
Result<Json> numcodecs_for(const Json& v3_codec);

}  // namespace pangeo
