// What pg-reduce, pg-groupby and rolling windows share: the mapping from input positions
// to output cells, the chunk-parallel reduction kernel over the accumulator family, and
// the rules for the output schema (xarray's dtypes, attributes and coordinates).
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "accumulator.hpp"
#include "pangeo/cf.hpp"
#include "pangeo/reduce.hpp"

namespace pangeo {

// For one variable: each input dimension is kept (identity), grouped (positions map to
// group numbers) or reduced (all positions map to 0, and the dimension is squeezed).
struct Mapping {
  std::vector<std::vector<int64_t>> to_out;  // empty: identity
  std::vector<uint64_t> out_len;
  std::vector<bool> squeeze;
  std::vector<std::vector<double>> weights;  // empty: 1
  Shape out_shape() const {
    Shape s;
    for (size_t d = 0; d < out_len.size(); ++d)
      if (!squeeze[d]) s.push_back(out_len[d]);
    return s;
  }
  uint64_t out_cells() const { return element_count(out_len); }
  bool reduces() const {
    for (const auto& t : to_out)
      if (!t.empty()) return true;
    return false;
  }
};

struct Work {
  std::string path;
  const Variable* var;
  Mapping map;
  DType out_dtype;
};

// Whether the mapping of `v` (a position table of `shape[d]` entries for each dimension
// that `mapped` marks) and its accumulators over `out_cells` output cells fit in the memory
// this process may use (results are held whole: not data in flight); errors name the variable.
Status check_reduction_size(const Variable& v, const std::vector<bool>& mapped, uint64_t out_cells);

// The dtype xarray gives a statistic of `v`.
DType result_dtype(const Variable& v, const OpSpec& op);

// Reduces every Work item; each result has shape out_len, squeezed as the mapping says.
// Mergeable statistics accumulate fixed batches of read units whose partials merge in
// batch order (the same answer for any thread count); medians and quantiles gather
// exactly per block of output cells within the memory budget.
// With `partial`, a part run computes only its share and hands it to the partial store
// (the results are then meaningless), and a merge run takes everything from it.
class PartialStore;
Result<std::vector<NdArray>> reduce_arrays(DatasetReader& in, std::vector<Work>& work, const OpSpec& op,
                                           const ExecOptions& exec, PartialStore* partial = nullptr);

// Decoded doubles (masked values NaN, packing applied) of `box` of variable `path`.
Result<std::vector<double>> read_decoded(DatasetReader& in, const std::string& path, const Variable& v, const Box& box);

// ---- output schema --------------------------------------------------------------------

bool has_dim(const Variable& v, const std::string& d);
// Whether `v` (of the root group) is one of `coords` (coordinate_paths of the root) or a
// dimension coordinate.
bool is_coordinate(const Variable& v, const std::set<std::string>& coords);
// Attributes that describe the stored encoding, not the decoded values, removed.
bool is_encoding_attr(const Attribute& a);
Attributes decoded_attrs(const Attributes& in);

// What xarray's Dataset reductions make of a data variable without the reduced
// dimensions: the type it takes (nullopt: it keeps its values), and its values then.
std::optional<DType> unreduced_dtype(const Variable& v, const OpSpec& op);
Result<NdArray> unreduced_values(DatasetReader& in, const Variable& v, DType dt, const OpSpec& op);

// The type of quantiles of `v`, as xarray's: numpy's nanquantile fills its output in the
// type of its first cell's result, float32 for float32 data where that cell has no value
// (all NaN), else float64; groups are stacked (float64 if any group's is). `firsts`: the
// flat index in `r` of each part's first cell. Narrows `r` (and `out`'s type) to float32 so.
void quantile_type(NdArray& r, const Variable& v, const OpSpec& op, const std::vector<size_t>& firsts, Variable& out);
// `v` as the mapping shapes it (grouped dimensions renamed to group_dim_names[d]).
Variable output_variable(const Variable& v, const Mapping& m, DType dtype, const std::vector<std::string>& group_dim_names);
// The "coordinates" attribute of an output variable: of the input's non-index coordinates
// `coords` (its own "coordinates" attribute first, then those listed for the dataset), the
// ones that survive in `out` with dimensions the variable still has (xarray keeps such
// non-index coordinates, and writes them so).
void keep_coordinates(const Variable& src, Variable& dst, const Group& out, const std::set<std::string>& coords);
Group copy_group_header(const Group& g, bool keep_attrs);
void add_dims_of(Group& g, const Variable& v);

}  // namespace pangeo
