// pg-select: select by position (--isel) or coordinate label (--sel), like xarray.
#include "common/cli.hpp"
#include "pangeo/select.hpp"

int main(int argc, char** argv) {
  CLI::App app{"Select along dimensions by position (--isel) or by coordinate label (--sel), as xarray's isel/sel.",
               "pg-select"};
  pgtool::CommonOptions common;
  pgtool::OutputOptions out;
  std::vector<std::string> inputs;
  pgtool::SelectionOptions sel;
  app.add_option("INPUT", inputs, "netCDF file(s) or Zarr store")->required();
  pgtool::add_selection_options(app, sel);
  pgtool::add_output_options(app, out);
  auto* init = app.add_flag("--init", out.layout_only, "Write the Zarr store's metadata and coordinates only (--part writes fill the data)");
  std::optional<pangeo::Part> part;
  auto* part_opt = pgtool::add_spec_option(
      app, "--part", part, pgtool::parse_part_option,
      "I/N or auto: write part I (0..N-1) of the selection's chunks into the store -o laid out by --init; "
      "auto: from Slurm arrays, Kubernetes Indexed Jobs or MPI");
  part_opt->excludes(init);
  pgtool::add_common_options(app, common, ~0u & ~pgtool::kJson);
  return pgtool::run_tool("pg-select", app, argc, argv, [&]() -> pangeo::Status {
    if (common.output.empty()) return pangeo::invalid_argument("no output given (-o PATH)");
    if (part && (!out.chunks.empty() || out.compressor || !out.format.empty() || !common.vars.empty() || !common.drop.empty()))
      return pgtool::usage_error("the store decides variables, chunks, codecs and format when writing into it");
    PG_ASSIGN_OR_RETURN(std::shared_ptr<pangeo::DatasetReader> in, pangeo::open_inputs(inputs, common.cloud));
    PG_ASSIGN_OR_RETURN(auto view, pgtool::apply_selection(in, sel));
    PG_ASSIGN_OR_RETURN(auto exec, pgtool::exec_options(common, "select"));
    if (part) return pgtool::write_region_of(*view, common.output, pangeo::Selector(), common, exec, part);
    return pgtool::write_result(*view, inputs, common, out, exec);
  });
}
