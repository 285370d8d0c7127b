// Descriptions of a dataset: xarray-like summary, ncdump -h style CDL, JSON, statistics.
#pragma once

#include <string>
#include <vector>

#include "pangeo/executor.hpp"
#include "pangeo/format.hpp"
#include "pangeo/reduce.hpp"

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
// The same in parts (pg-info --stats --part): part `request.part` computes the statistics of
// its share of the chunks (every numeric variable's chunks in order, split as part_range
// splits them) and writes them as a partial result (see PartRequest); merge_stats gives,
// from parts 0..N-1 of one input, what compute_stats gives, bit for bit, and the input
// opened again in `input`.
Status stats_part(const PartRequest& request, const ExecOptions& exec);
Result<std::vector<VarStats>> merge_stats(const std::vector<std::string>& partials, const CloudOptions& cloud,
                                          const ExecOptions& exec, std::shared_ptr<DatasetReader>* input);

// The JSON description (schema in pg-info(1)).
Json describe_json(DatasetReader& in, const std::vector<VarStats>* stats, const std::optional<StoreStats>* store);

// Text table of statistics (pg-info --stats).
std::string format_stats(const std::vector<VarStats>& stats, const std::optional<StoreStats>& store);

}  // namespace pangeo
