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
  std::string dims, op = "mean", weights, rolling;
  int ddof = 0;
  bool no_skipna = false, center = false;
  uint64_t min_periods = 0;
  app.add_option("INPUT", inputs, "netCDF file(s) or Zarr store")->required();
  app.add_option("--dim", dims, "Dimensions to reduce, comma-separated");
  app.add_option("--op", op, "mean (default), sum, min, max, std, var, count, median, quantile:Q");
  app.add_option("--ddof", ddof, "Delta degrees of freedom for std and var (default 0)");
  app.add_flag("--no-skipna", no_skipna, "Let NaN and missing values propagate instead of skipping them");
  app.add_option("--weights", weights, "cos-lat, or a 1-D weight variable (mean and sum)");
  app.add_option("--rolling", rolling, "DIM=N: a trailing window of N along DIM");
  app.add_flag("--center", center, "With --rolling: centre the window on each label");
  auto* mp = app.add_option("--min-periods", min_periods, "With --rolling: values needed for a result (default N)");
  pgtool::add_output_options(app, out);
  pgtool::add_common_options(app, common, ~0u & ~pgtool::kJson);
  return pgtool::run_tool("pg-reduce", app, argc, argv, [&]() -> pangeo::Status {
    if (common.output.empty()) return pangeo::invalid_argument("no output given (-o PATH)");
    PG_ASSIGN_OR_RETURN(pangeo::OpSpec spec, pangeo::parse_op(op));
    spec.ddof = ddof;
    spec.skipna = !no_skipna;
    PG_ASSIGN_OR_RETURN(auto exec, pgtool::exec_options(common, "reduce"));
    PG_ASSIGN_OR_RETURN(std::shared_ptr<pangeo::DatasetReader> in, pangeo::open_inputs(inputs, common.cloud));
    std::unique_ptr<pangeo::DatasetReader> result;
    if (!rolling.empty()) {
      if (!dims.empty()) return pangeo::invalid_argument("give --dim or --rolling, not both");
      pangeo::RollingOptions r;
      auto eq = rolling.find('=');
      if (eq == std::string::npos) return pangeo::invalid_argument("--rolling {}: expected DIM=N", rolling);
      r.dim = rolling.substr(0, eq);
      try {
        r.window = std::stoull(rolling.substr(eq + 1));
      } catch (const std::exception&) {
        return pangeo::invalid_argument("--rolling {}: N must be a positive integer", rolling);
      }
      r.center = center;
      if (mp->count()) r.min_periods = min_periods;
      r.op = spec;
      PG_ASSIGN_OR_RETURN(result, pangeo::rolling_dataset(in, r));
    } else {
      if (center || mp->count()) return pangeo::invalid_argument("--center and --min-periods go with --rolling");
      pangeo::ReduceOptions r;
      r.dims = pangeo::split_list(dims);
      r.op = spec;
      r.weights = weights;
      r.exec = exec;
      PG_ASSIGN_OR_RETURN(result, pangeo::reduce_dataset(in, r));
    }
    return pgtool::write_result(*result, inputs, common, out, exec);
  });
}
