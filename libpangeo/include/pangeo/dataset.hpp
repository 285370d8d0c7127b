// The data model: groups of dimensions, variables and typed attributes, with the storage
// encoding that formats read and write. Values here are *stored* values: CF decoding
// (fill masks, scale/offset, time) is done by cf.hpp on demand, as xarray's coders do.
#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pangeo/array.hpp"

namespace pangeo {

using Json = nlohmann::json;

// JSON from outside (metadata, partial results, listings) is parsed only within these
// limits: nesting deeper than kMaxJsonDepth levels or text longer than kMaxJsonBytes is
// refused before parsing, so no input can exhaust the stack or memory of the parser (or
// of the code that walks the result).
inline constexpr size_t kMaxJsonDepth = 128;
inline constexpr size_t kMaxJsonBytes = size_t(256) << 20;
// Groups nested deeper than this are refused when a dataset is opened.
inline constexpr size_t kMaxGroupDepth = 64;
// The error for a group at `prefix` ("a/b/c/") when it nests too deep (OK otherwise).
Status check_group_depth(const std::string& prefix);

// Parses `text` within the limits above; errors are kCorrupt and name `what` (a key or a
// file). Exceptions from the JSON library do not escape.
Result<Json> parse_json(std::string_view text, const std::string& what);
// The text of an exception from the JSON library without its "[json.exception...]" tag.
std::string json_error_text(const std::exception& e);
// The same check alone: OK when `text` nests no deeper than kMaxJsonDepth.
Status check_json_limits(std::string_view text, const std::string& what);

// An attribute value: a JSON scalar or array of numbers or strings, plus the element
// type it has (or would have) in netCDF. Float32 values are kept as the exact double;
// NaN and infinities are kept as such (JSON numbers that plain JSON cannot print: Zarr
// metadata writes them bare, as zarr-python does). Text is valid UTF-8. A JSON object
// (found in Zarr attributes) is kept whole; netCDF receives it as text.
struct AttrValue {
  DType dtype = DType::of(DTypeKind::kString);
  Json value;

  static AttrValue text(std::string s) { return {DType::of(DTypeKind::kChar), Json(std::move(s))}; }
  static AttrValue number(double v, DType dt = DType::of(DTypeKind::kFloat64)) { return {dt, Json(v)}; }
  static AttrValue integer(int64_t v, DType dt = DType::of(DTypeKind::kInt64)) { return {dt, Json(v)}; }
  // Builds a value from JSON (as read from Zarr attributes), guessing the netCDF type
  // the way xarray/netCDF4-python would: str -> char, int -> int64, float -> double.
  static AttrValue from_json(const Json& j);
  bool is_text() const { return value.is_string() || (value.is_array() && !value.empty() && value[0].is_string()); }
  // Element count (1 for scalars and for text).
  size_t length() const;
  // The numeric elements as doubles (empty for text).
  std::vector<double> numbers() const;
  bool operator==(const AttrValue& o) const;
};

struct Attribute {
  std::string name;
  AttrValue value;
};

// Attributes keep their insertion order (netCDF order); Zarr writes them sorted.
class Attributes {
 public:
  const AttrValue* find(std::string_view name) const;
  void set(std::string name, AttrValue value);
  bool erase(std::string_view name);
  std::optional<std::string> text(std::string_view name) const;
  std::optional<double> number(std::string_view name) const;
  const std::vector<Attribute>& items() const { return items_; }
  bool empty() const { return items_.empty(); }
  size_t size() const { return items_.size(); }
  Json to_json() const;  // name -> value object (sorted keys)
  static Attributes from_json(const Json& object);

 private:
  std::vector<Attribute> items_;
};

struct Dimension {
  std::string name;
  uint64_t size = 0;
  bool unlimited = false;
};

// How a variable's values are stored. Formats fill what they know; writers take what they
// can use. Codec configs are numcodecs-style JSON ({"id": "blosc", ...}).
struct StorageEncoding {
  Shape chunks;                // empty: contiguous / not chunked
  Json compressor;             // null: none
  Json filters;                // null or array of codec configs
  char order = 'C';            // Zarr memory order of chunks
  bool big_endian = false;     // Zarr dtype byte order
  std::string dimension_separator = ".";
  Json zarr_fill_value;        // the Zarr fill_value as stored (null when absent)
  Json zarr_v3_codecs;         // a Zarr v3 codec chain as stored (null for other formats);
                               // a v3 writer given one writes it as it is (writing into a store)
  std::string zarr_chunk_keys; // Zarr v3 chunk key encoding as stored: "default/", "v2." ...
  Shape shard_chunks;          // Zarr v3 sharding: the inner chunk shape (empty: none)
  Json netcdf_enum;            // a netCDF-4 enum the values belong to: {"name", "members":
                               // {label: value}} (null: none); netCDF-4 output keeps it
  std::string unsupported;     // why the values cannot be read (a user-defined netCDF type):
                               // listed, but refused when used; -v/--drop can leave it out
  int deflate_level = 0;       // netCDF-4 zlib level (0: none)
  bool shuffle = false;        // netCDF-4 shuffle filter
};

struct Variable {
  std::string name;
  std::vector<std::string> dims;
  Shape shape;
  DType dtype;
  Attributes attrs;
  StorageEncoding storage;

  size_t rank() const { return shape.size(); }
  uint64_t size() const { return element_count(shape); }
  // The position of dimension `dim` among dims, if the variable has it.
  std::optional<size_t> axis(std::string_view dim) const {
    for (size_t d = 0; d < dims.size(); ++d)
      if (dims[d] == dim) return d;
    return std::nullopt;
  }
  // A 1-D variable named as its dimension (xarray's index coordinate).
  bool is_dimension_coordinate() const { return dims.size() == 1 && dims[0] == name; }
  // The `_FillValue` attribute as raw bytes of `dtype`, if present.
  std::optional<Bytes> fill_value_bytes() const;
};

struct Group {
  std::string name;  // "" for the root
  std::vector<Dimension> dims;
  std::vector<Variable> vars;
  Attributes attrs;
  std::vector<Group> groups;

  const Variable* find_var(std::string_view name) const;
  Variable* find_var(std::string_view name);
  const Dimension* find_dim(std::string_view name) const;
  const Group* find_group(std::string_view name) const;
};

// `j` with every NaN or infinite number replaced by spell(value), recursively (plain JSON
// has no such numbers: each output spells them its own way).
Json replace_non_finite(const Json& j, const std::function<Json(double)>& spell);

// `s` with every ill-formed UTF-8 sequence replaced by U+FFFD, as Python's
// bytes.decode("utf-8", "replace") does (netCDF4-python reads text attributes so).
std::string to_valid_utf8(std::string_view s);

// Converts a scalar JSON number/"NaN"/"Infinity"/"-Infinity" to raw bytes of `dtype`.
Result<Bytes> json_to_scalar_bytes(const Json& j, const DType& dtype);
// Converts raw bytes of a numeric `dtype` to JSON as zarr-python writes a fill_value
// ("NaN", "Infinity", "-Infinity" for non-finite floats).
Json scalar_bytes_to_json(const Bytes& raw, const DType& dtype);

}  // namespace pangeo
