// What the Zarr readers share: assembling a requested region from the chunks of a
// regular grid, and the metadata JSON parsing that tolerates zarr-python's NaN/Infinity.
#pragma once

#include <functional>

#include "pangeo/dataset.hpp"

namespace pangeo {

// Reads `box` of an array of `shape` stored in chunks of `chunks`: fetch(chunk index,
// chunk box) gives the decoded chunk (full chunk shape, C order).
Result<NdArray> read_region(const DType& dtype, const Shape& shape, const Shape& chunks, const Box& box,
                            const std::function<Result<NdArray>(const Shape& index, const Box& chunk_box)>& fetch);

// Parses metadata JSON; bare NaN/Infinity/-Infinity (as Python writes them) are accepted.
Result<Json> parse_metadata_json(const Bytes& b, const std::string& key);

// The fill value a Zarr writer stores for `v`: its _FillValue, else NaN for floats (as
// xarray writes), else zeros. `json` is null where there is no _FillValue and the type is
// not a float (Zarr v2 then writes null; v3 needs a value of the type).
struct FillChoice {
  Bytes raw;
  Json json;
};
FillChoice choose_fill_value(const Variable& v);

}  // namespace pangeo
