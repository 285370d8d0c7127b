// Descriptions of a dataset: xarray-like summary, ncdump -h style CDL, JSON, statistics.
#pragma once

#include <string>
#include <vector>

#include "pangeo/executor.hpp"
#include "pangeo/format.hpp"

namespace pangeo {

// A summary like xarray's Dataset repr (dimensions, coordinates, data variables,
// attributes), with CF times decoded.
Result<std::string> format_summary(DatasetReader& in);
// The header in CDL, as `ncdump -h` prints it; `name` is the dataset name on line one.
std::string format_cdl(const Group& root, const std::string& name);
// A number as CDL writes attribute values ("1.e+34f", "360.", "3s", "7LL").
std::string cdl_number(double v, const DType& dt);

// Per-variable statistics of decoded values (fill and missing values masked, packing
// applied), computed chunk-parallel with mergeable accumulators.
struct VarStats {
  std::string path;
  uint64_t count = 0;      // valid (non-NaN) values
  uint64_t nan_count = 0;  // NaN or masked values
  double min = 0, max = 0, mean = 0;
  bool numeric = false;
  // CF time variables: min, max and mean as dates of their calendar ("" otherwise).
  std::string min_date, max_date, mean_date;
};
Result<std::vector<VarStats>> compute_stats(DatasetReader& in, const ExecOptions& exec);

// The JSON description (schema in pg-info(1)).
Json describe_json(DatasetReader& in, const std::vector<VarStats>* stats, const std::optional<StoreStats>* store);

// Text table of statistics (pg-info --stats).
std::string format_stats(const std::vector<VarStats>& stats, const std::optional<StoreStats>& store);

}  // namespace pangeo
