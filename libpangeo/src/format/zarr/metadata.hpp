// What Zarr v2 and v3 share, readers and writers: metadata JSON parsing that tolerates
// zarr-python's NaN/Infinity, chunk keys, dimension names, fill values, and assembling a
// requested region from the chunks of a regular grid.
#pragma once

#include <functional>

#include "pangeo/dataset.hpp"
#include "pangeo/format.hpp"

namespace pangeo {

// Reads `box` of an array of `shape` stored in chunks of `chunks`: fetch(chunk index,
// chunk box) gives the decoded chunk (full chunk shape, C order). Where a whole chunk lies
// in the box as one contiguous range of the result, fetch_into(chunk index, destination)
// may decode it straight there (true), or decline (false: fetch is used).
using FetchInto = std::function<Result<bool>(const Shape& index, uint8_t* dst)>;
// The region and each chunk are checked against check_data_size() first (errors name
// the array `name`).
Result<NdArray> read_region(const std::string& name, const DType& dtype, const Shape& shape, const Shape& chunks,
                            const Box& box,
                            const std::function<Result<NdArray>(const Shape& index, const Box& chunk_box)>& fetch,
                            const FetchInto& fetch_into = nullptr);

// The pieces of read_pieces() for such an array: each chunk touching `box`, decoded by
// fetch_into (into a buffer kept by the thread) where it may, else by fetch.
Status read_region_pieces(const std::string& name, const DType& dtype, const Shape& shape, const Shape& chunks,
                          const Box& box,
                          const std::function<Result<NdArray>(const Shape& index, const Box& chunk_box)>& fetch,
                          const FetchInto& fetch_into, const DatasetReader::PieceSink& sink);

// A shape or chunk shape from metadata: an array of non-negative integers (anything else
// is a kCorrupt error naming `what`).
Result<Shape> json_shape(const Json& j, const std::string& what);

// How chunk indices become store keys: v2 "0.1" (or "0/1"), v3 default "c/0/1", v3 "v2"
// encoding "0.1". A rank-0 array's only chunk is "0" (v2) or "c" (v3 default).
struct ChunkKeyEncoding {
  std::string prefix;    // "c" for the v3 default encoding, "" otherwise
  std::string separator = ".";
  std::string key(const std::string& array_key, const Shape& index) const;
};

// Names `v`'s dimensions (`names` from _ARRAY_DIMENSIONS or dimension_names, null when
// absent: dim_0, dim_1, ...) and records them in `g`. A size clash with a dimension of the
// same name is corrupt metadata when the names were given, and renames the dimension
// ("NAME_dim_D") when they were made up.
Status name_dimensions(Group& g, Variable& v, const Json& names);

// Swaps a big-endian buffer into native order, element by element (complex numbers by
// part, UCS-4 text by code point, bytes untouched).
void to_native_order(NdArray& a);

// The chunk shape a writer uses: the storage's chunks, or the whole array; lengths >= 1.
Shape writer_chunks(const Variable& v);

// The grid index of the chunk a writer was given (`box` must start on a chunk boundary).
Result<Shape> chunk_index_of(const Box& box, const Shape& chunks);

// The chunk at `box` as stored: Zarr keeps full-size chunks, so an edge chunk is copied
// into `padded` (filled with `fill` around it) and that is returned; a whole chunk is
// returned as it is.
const NdArray& full_size_chunk(const NdArray& data, const Box& box, const Shape& chunks, const Bytes& fill,
                               NdArray& padded);

// Parses metadata JSON; bare NaN/Infinity/-Infinity (as Python writes them) are accepted
// and become doubles. Errors name `key` and say what is wrong, in one line.
Result<Json> parse_metadata_json(const Bytes& b, const std::string& key);
// Runs a reader's open(), turning metadata of an unexpected form anywhere in the tree
// (which the JSON library reports by throwing) into one corrupt-store error.
template <typename Reader>
Result<std::unique_ptr<DatasetReader>> open_reader(std::unique_ptr<Reader> r);

// Metadata JSON as zarr-python writes it (sorted keys, ASCII, `indent`), non-finite
// numbers as bare NaN/Infinity/-Infinity; text that is not UTF-8 cannot reach here (the
// readers make it valid), but would print as U+FFFD.
std::string dump_metadata_json(const Json& j, int indent);

// The fill value a Zarr writer stores for `v`: its _FillValue, else NaN for floats (as
// xarray writes), else zeros. `json` is null where there is no _FillValue and the type is
// not a float (Zarr v2 then writes null; v3 needs a value of the type).
struct FillChoice {
  Bytes raw;
  Json json;
  bool keep_attribute = false;  // the _FillValue attribute stays (the fill value cannot say it)
};
FillChoice choose_fill_value(const Variable& v);

template <typename Reader>
Result<std::unique_ptr<DatasetReader>> open_reader(std::unique_ptr<Reader> r) {
  try {
    PG_RETURN_IF_ERROR(r->open());
  } catch (const Json::exception& e) {
    return corrupt("zarr: metadata of an unexpected form: {}", json_error_text(e));
  }
  return std::unique_ptr<DatasetReader>(std::move(r));
}

}  // namespace pangeo
