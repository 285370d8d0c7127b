// Reductions with xarray's semantics: over dimensions (pg-reduce), over groups of a
// coordinate (pg-groupby), rolling windows, and anomalies from a group statistic.
// Sums, means, variances, extremes and counts are mergeable float64 accumulators over
// input chunks (init / add chunk / merge / finish), merged in chunk order so the answer
// does not depend on the thread count; medians and quantiles are exact, per output block.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pangeo/cf.hpp"  // decoded_dtype
#include "pangeo/executor.hpp"
#include "pangeo/format.hpp"
#include "pangeo/partition.hpp"

namespace pangeo {

enum class ReduceOp { kMean, kSum, kMin, kMax, kStd, kVar, kCount, kMedian, kQuantile };

class PartialStore;  // partitioned runs (ops/partials.hpp)

struct OpSpec {
  ReduceOp op = ReduceOp::kMean;
  double q = 0.5;     // quantile
  int ddof = 0;       // std, var
  bool skipna = true;
};

struct ReduceOptions {
  std::vector<std::string> dims;  // dimensions to reduce
  OpSpec op;
  std::string weights;            // "", "cos-lat" or a variable name (mean and sum only)
  ExecOptions exec;
  std::shared_ptr<PartialStore> partials;  // set by reduce_part and merge_parts
};

// Groups: by the values of a variable, by a component of a time coordinate (xarray's
// groupby("time.month")), or by resampling periods (resample(time="MS")). Set `variable`
// alone, `time_coordinate` with `component` (and `variable` naming "COORD.COMPONENT":
// a variable of that name wins, as in xarray), or `time_coordinate` with `period`.
struct GroupByOptions {
  std::string variable;
  std::string time_coordinate;  // "time" also finds a CF time coordinate of another name
  std::string component;        // one of time_component_names()
  std::string period;           // one of resample_period_names()
  bool anomaly = false;         // each value minus its group's statistic
  OpSpec op;
  ExecOptions exec;
  std::shared_ptr<PartialStore> partials;  // set by groupby_part and merge_parts
};

struct RollingOptions {
  std::string dim;
  uint64_t window = 1;
  bool center = false;
  std::optional<uint64_t> min_periods;
  OpSpec op;
};

// The results, as readers of the output dataset (computed, or lazy where the output is
// shaped like the input).
Result<std::unique_ptr<DatasetReader>> reduce_dataset(std::shared_ptr<DatasetReader> in, const ReduceOptions& o);
Result<std::unique_ptr<DatasetReader>> groupby_dataset(std::shared_ptr<DatasetReader> in, const GroupByOptions& o);
Result<std::unique_ptr<DatasetReader>> rolling_dataset(std::shared_ptr<DatasetReader> in, const RollingOptions& o);

// A dataset whose variables are computed arrays, lazy functions of a box, or variables of
// another reader passed through unchanged.
class DerivedReader : public DatasetReader {
 public:
  using Compute = std::function<Result<NdArray>(const Box&)>;
  DerivedReader(std::shared_ptr<DatasetReader> source, Group root, std::string format)
      : source_(std::move(source)), root_(std::move(root)), format_(std::move(format)) {}
  void set_array(const std::string& path, NdArray a) { arrays_[path] = std::move(a); }
  void set_compute(const std::string& path, Compute f, Shape chunks) {
    computes_[path] = std::move(f);
    chunks_[path] = std::move(chunks);
  }
  const Group& root() const override { return root_; }
  std::string format_name() const override { return format_; }
  std::string location() const override { return source_ ? source_->location() : "memory"; }
  Shape read_chunks(const std::string& path) const override;
  bool reads_in_place(const std::string& path) const override;
  Status check_input() override { return source_ ? source_->check_input() : Status::Ok(); }
  Result<NdArray> read(const std::string& path, const Box& box) override;

 private:
  std::shared_ptr<DatasetReader> source_;
  Group root_;
  std::string format_;
  std::map<std::string, NdArray> arrays_;
  std::map<std::string, Compute> computes_;
  std::map<std::string, Shape> chunks_;
};

// Partitioned runs, for many processes or machines that share only storage: part I of N
// computes its share of the reduction's batches (or exact blocks) of `inputs` and writes
// them as a partial store to `output` (a directory, made atomically, or a store URL); the
// merge takes the N parts' stores, checks they are parts 0..N-1 of one command, once
// each, and gives the result reduce_dataset / groupby_dataset would give, bit for bit
// (batches merge in the same order whatever N). Anomalies are not partitioned (their
// output is shaped like the input: pg-convert --part splits such writes).
struct PartRequest {
  std::vector<std::string> inputs;
  Part part;
  std::string output;
  bool overwrite = false;
  CloudOptions cloud;
  std::shared_ptr<Store> store;  // set: the partial result goes there instead of `output`
};
Status reduce_part(const PartRequest& request, const ReduceOptions& o);
Status groupby_part(const PartRequest& request, const GroupByOptions& o);
// "reduce" or "groupby": the command the partial stores hold.
Result<std::string> partial_command(const std::vector<std::string>& partials, const CloudOptions& cloud);
// The merged result; `inputs` receives the command's inputs (for the output's history).
Result<std::unique_ptr<DatasetReader>> merge_parts(const std::vector<std::string>& partials, const CloudOptions& cloud,
                                                   const ExecOptions& exec, std::vector<std::string>* inputs);
// The same from the parts' stores themselves (named by `names` in messages).
Result<std::unique_ptr<DatasetReader>> merge_part_stores(const std::vector<std::shared_ptr<Store>>& stores,
                                                         const std::vector<std::string>& names, const CloudOptions& cloud,
                                                         const ExecOptions& exec, std::vector<std::string>* inputs);

// The names of the time components and resampling periods groupby_dataset knows.
std::vector<std::string> time_component_names();  // month, season, year, dayofyear, day, hour
std::vector<std::string> resample_period_names();  // day, month, season, year

}  // namespace pangeo
