// Selection by position (isel) and by coordinate label (sel), as xarray's isel/sel:
// a lazy view of a dataset that reads only what the selection touches.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pangeo/format.hpp"

namespace pangeo {

// One dimension's selection: one item (the dimension is dropped, as xarray does for a
// scalar), a list of items, or a slice with bounds as text ("" for an open end).
struct Selector {
  std::string dim;
  enum class Kind { kItems, kSlice } kind = Kind::kItems;
  std::vector<std::string> items;
  std::string start, stop, step;  // step: positions only
};

struct SelectOptions {
  std::vector<Selector> isel;  // positions: integers, Python semantics (negative from the end)
  std::vector<Selector> sel;   // labels: numbers or CF time strings; slices inclusive
  bool nearest = false;        // labels: the nearest value instead of an exact match
  std::optional<double> tolerance;  // with nearest: the largest distance accepted
};

// The positions one dimension keeps, in output order; `scalar` drops the dimension
// (a single label or position, as xarray does).
struct DimIndexer {
  std::string dim;
  std::vector<uint64_t> index;
  bool scalar = false;
};

// Resolves the selections against `in`'s coordinates. Errors: unknown dimension,
// unparsable label or date, label not found (or nothing within --tolerance), empty
// selection, slice on a non-monotonic coordinate.
Result<std::vector<DimIndexer>> resolve_selection(DatasetReader& in, const SelectOptions& options);

// A view of `in` with the indexers applied to every variable that has their dimensions.
std::unique_ptr<DatasetReader> make_selection_reader(std::shared_ptr<DatasetReader> in,
                                                     std::vector<DimIndexer> indexers);

// Start and end (exclusive), in seconds of `units`' calendar, of the period a CF time
// string names: "1982", "1982-08", "1982-08-07", "1982-08-07T12", "1982-08-07 12:30:00".
// `exact` is set when the string names an instant to the second.
struct TimeSpan {
  double start = 0, end = 0;
  bool exact = false;
};
Result<TimeSpan> parse_time_label(const std::string& text, const class TimeUnits& units);

// Reads a whole 1-D variable as doubles (decoded: masked values NaN, packing applied).
Result<std::vector<double>> read_coordinate(DatasetReader& in, const std::string& path);

}  // namespace pangeo
