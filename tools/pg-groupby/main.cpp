// pg-groupby: statistics per group of time (month, season, ...) or per value of a
// variable; resampling; anomalies. Like xarray's groupby and resample.
#include "common/cli.hpp"
#include "pangeo/reduce.hpp"

int main(int argc, char** argv) {
  CLI::App app{"Group along time (time.month, time.season, ...) or by a variable's values, or resample time; "
               "reduce each group, or subtract its statistic (--anomaly). Like xarray's groupby and resample.",
               "pg-groupby"};
  pgtool::CommonOptions common;
  pgtool::OutputOptions out;
  std::vector<std::string> inputs;
  pangeo::GroupByOptions g;
  int ddof = 0;
  bool no_skipna = false;
  app.add_option("INPUT", inputs, "netCDF file(s) or Zarr store")->required();
  auto* by = app.add_option_function<std::string>(
      "--by", [&](const std::string& s) { pgtool::check_usage("--by", pgtool::parse_by(s, g)); },
      "time.month, time.season, time.year, time.dayofyear, time.day, time.hour, or a variable");
  auto* resample = app.add_option_function<std::string>(
      "--resample", [&](const std::string& s) { pgtool::check_usage("--resample", pgtool::parse_resample(s, g)); },
      "time=day|month|season|year: one value per period (like CDO monmean)");
  by->excludes(resample);
  app.add_flag("--anomaly", g.anomaly, "Output each value minus its group's statistic, shaped like the input");
  pgtool::add_spec_option(app, "--op", g.op, pgtool::parse_op, "mean (default), sum, min, max, std, var, count, median, quantile:Q");
  app.add_option("--ddof", ddof, "Delta degrees of freedom for std and var (default 0)");
  app.add_flag("--no-skipna", no_skipna, "Let NaN and missing values propagate instead of skipping them");
  pgtool::PartitionOptions parts;
  pgtool::add_partition_options(app, parts);
  parts.part_option->excludes(app.get_option("--anomaly"));
  pgtool::add_output_options(app, out);
  pgtool::add_common_options(app, common, ~0u & ~pgtool::kJson);
  return pgtool::run_tool("pg-groupby", app, argc, argv, [&]() -> pangeo::Status {
    if (common.output.empty()) return pangeo::invalid_argument("no output given (-o PATH)");
    if (parts.merge)
      return pgtool::run_merge("groupby", inputs, common, out,
                               {by, resample, app.get_option("--anomaly"), app.get_option("--op"), app.get_option("--ddof"),
                                app.get_option("--no-skipna")});
    if (!by->count() && !resample->count()) return pgtool::usage_error("give --by or --resample");
    if (!parts.part && !pgtool::under_mpi()) PG_RETURN_IF_ERROR(pgtool::check_output(inputs, common, out));
    g.op.ddof = ddof;
    g.op.skipna = !no_skipna;
    PG_ASSIGN_OR_RETURN(g.exec, pgtool::exec_options(common, "groupby"));
    if (parts.part) return pangeo::groupby_part({inputs, *parts.part, common.output, common.overwrite, common.cloud, nullptr}, g);
    if (pgtool::under_mpi() && g.anomaly)
      return pangeo::unsupported("under mpirun, anomalies are not split (their output is shaped like the input): run without mpirun");
    if (pgtool::under_mpi())
      return pgtool::run_mpi_parts(inputs, common, out, [&](const pangeo::PartRequest& p) { return pangeo::groupby_part(p, g); });
    PG_ASSIGN_OR_RETURN(std::shared_ptr<pangeo::DatasetReader> in, pangeo::open_inputs(inputs, common.cloud));
    PG_ASSIGN_OR_RETURN(auto result, pangeo::groupby_dataset(in, g));
    return pgtool::write_result(*result, inputs, common, out, g.exec);
  }, true);
}
