// pg-reduce: reductions over dimensions and rolling windows, like xarray.
#include "common/cli.hpp"
#include "pangeo/reduce.hpp"

int main(int argc, char** argv) {
  CLI::App app{"Reduce over dimensions (mean, sum, min, max, std, var, count, median, quantile) or along a rolling "
               "window, as xarray does.",
               "pg-reduce"};
  pgtool::CommonOptions common;
  pgtool::OutputOptions out;
  std::vector<std::string> inputs;
  std::vector<std::string> dims;
  pangeo::OpSpec spec;
  std::string weights;
  std::pair<std::string, uint64_t> rolling;
  int ddof = 0;
  bool no_skipna = false, center = false;
  uint64_t min_periods = 0;
  app.add_option("INPUT", inputs, "netCDF file(s) or Zarr store")->required();
  auto* dim = pgtool::add_spec_option(
      app, "--dim", dims, [](const std::string& s) { return pangeo::Result<std::vector<std::string>>(pgtool::split_list(s)); },
      "Dimensions to reduce, comma-separated");
  pgtool::add_spec_option(app, "--op", spec, pgtool::parse_op, "mean (default), sum, min, max, std, var, count, median, quantile:Q");
  app.add_option("--ddof", ddof, "Delta degrees of freedom for std and var (default 0)");
  app.add_flag("--no-skipna", no_skipna, "Let NaN and missing values propagate instead of skipping them");
  app.add_option("--weights", weights, "cos-lat, or a 1-D weight variable (mean and sum)");
  auto* roll = pgtool::add_spec_option(app, "--rolling", rolling, pgtool::parse_rolling, "DIM=N: a trailing window of N along DIM");
  auto* ctr = app.add_flag("--center", center, "With --rolling: centre the window on each label");
  auto* mp = app.add_option("--min-periods", min_periods, "With --rolling: values needed for a result (default N)");
  roll->excludes(dim);
  ctr->needs(roll);
  mp->needs(roll);
  pgtool::PartitionOptions parts;
  pgtool::add_partition_options(app, parts);
  parts.part_option->excludes(roll);
  pgtool::add_output_options(app, out);
  pgtool::add_common_options(app, common, ~0u & ~pgtool::kJson);
  return pgtool::run_tool("pg-reduce", app, argc, argv, [&]() -> pangeo::Status {
    if (common.output.empty()) return pangeo::invalid_argument("no output given (-o PATH)");
    if (parts.merge)
      return pgtool::run_merge("reduce", inputs, common, out,
                               {dim, roll, app.get_option("--op"), app.get_option("--weights"), app.get_option("--ddof"),
                                app.get_option("--no-skipna")});
    if (!roll->count() && !dim->count()) return pgtool::usage_error("give --dim or --rolling");
    if (!parts.part && !pgtool::under_mpi()) PG_RETURN_IF_ERROR(pgtool::check_output(inputs, common, out));
    spec.ddof = ddof;
    spec.skipna = !no_skipna;
    PG_ASSIGN_OR_RETURN(auto exec, pgtool::exec_options(common, "reduce"));
    PG_ASSIGN_OR_RETURN(std::shared_ptr<pangeo::DatasetReader> in, pangeo::open_inputs(inputs, common.cloud));
    std::unique_ptr<pangeo::DatasetReader> result;
    if (roll->count()) {
      if (pgtool::under_mpi()) return pangeo::unsupported("under mpirun, rolling windows are not split: run without mpirun");
      pangeo::RollingOptions r;
      r.dim = rolling.first;
      r.window = rolling.second;
      r.center = center;
      if (mp->count()) r.min_periods = min_periods;
      r.op = spec;
      PG_ASSIGN_OR_RETURN(result, pangeo::rolling_dataset(in, r));
    } else {
      pangeo::ReduceOptions r;
      r.dims = dims;
      r.op = spec;
      r.weights = weights;
      r.exec = exec;
      if (parts.part) return pangeo::reduce_part({inputs, *parts.part, common.output, common.overwrite, common.cloud, nullptr}, r);
      if (pgtool::under_mpi())
        return pgtool::run_mpi_parts(inputs, common, out, [&](const pangeo::PartRequest& p) { return pangeo::reduce_part(p, r); });
      PG_ASSIGN_OR_RETURN(result, pangeo::reduce_dataset(in, r));
    }
    return pgtool::write_result(*result, inputs, common, out, exec);
  }, true);
}
