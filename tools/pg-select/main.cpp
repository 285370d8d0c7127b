// pg-select: select by position (--isel) or coordinate label (--sel), like xarray.
#include "common/cli.hpp"
#include "pangeo/select.hpp"

int main(int argc, char** argv) {
  CLI::App app{"Select along dimensions by position (--isel) or by coordinate label (--sel), as xarray's isel/sel.",
               "pg-select"};
  pgtool::CommonOptions common;
  pgtool::OutputOptions out;
  std::vector<std::string> inputs;
  pangeo::SelectOptions sel;
  std::string method;
  double tolerance = 0;
  app.add_option("INPUT", inputs, "netCDF file(s) or Zarr store")->required();
  pgtool::add_spec_list_option(app, "--isel", sel.isel, [](const std::string& s) { return pgtool::parse_selector(s, true); },
                               "DIM=SPEC: N, START:STOP[:STEP] (Python slice), or a comma list; repeatable");
  pgtool::add_spec_list_option(app, "--sel", sel.sel, [](const std::string& s) { return pgtool::parse_selector(s, false); },
                               "DIM=SPEC: a label, A:B (inclusive), or a comma list; CF dates allowed; repeatable");
  app.add_option("--method", method, "nearest: pick the closest label")->check(CLI::IsMember({"nearest"}));
  auto* tol = app.add_option("--tolerance", tolerance, "With --method nearest: the largest distance allowed");
  tol->needs(app.get_option("--method"));
  pgtool::add_output_options(app, out);
  pgtool::add_common_options(app, common, ~0u & ~pgtool::kJson);
  return pgtool::run_tool("pg-select", app, argc, argv, [&]() -> pangeo::Status {
    sel.nearest = method == "nearest";
    if (tol->count()) sel.tolerance = tolerance;
    if (common.output.empty()) return pangeo::invalid_argument("no output given (-o PATH)");
    PG_ASSIGN_OR_RETURN(std::shared_ptr<pangeo::DatasetReader> in, pangeo::open_inputs(inputs, common.cloud));
    PG_ASSIGN_OR_RETURN(auto indexers, pangeo::resolve_selection(*in, sel));
    auto view = pangeo::make_selection_reader(in, std::move(indexers));
    PG_ASSIGN_OR_RETURN(auto exec, pgtool::exec_options(common, "select"));
    return pgtool::write_result(*view, inputs, common, out, exec);
  });
}
