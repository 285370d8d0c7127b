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
  pgtool::add_common_options(app, common, ~0u & ~pgtool::kJson);
  return pgtool::run_tool("pg-select", app, argc, argv, [&]() -> pangeo::Status {
    if (common.output.empty()) return pangeo::invalid_argument("no output given (-o PATH)");
    PG_ASSIGN_OR_RETURN(std::shared_ptr<pangeo::DatasetReader> in, pangeo::open_inputs(inputs, common.cloud));
    PG_ASSIGN_OR_RETURN(auto view, pgtool::apply_selection(in, sel));
    PG_ASSIGN_OR_RETURN(auto exec, pgtool::exec_options(common, "select"));
    return pgtool::write_result(*view, inputs, common, out, exec);
  });
}
