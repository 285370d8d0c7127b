// pg-info: describe a netCDF file or Zarr store.
#include <filesystem>

#include "common/cli.hpp"
#include "pangeo/info.hpp"

int main(int argc, char** argv) {
  CLI::App app{"Describe a netCDF file or Zarr store: summary, CDL header, JSON, statistics.", "pg-info"};
  pgtool::CommonOptions common;
  std::vector<std::string> inputs;
  bool cdl = false, stats = false;
  app.add_option("INPUT", inputs, "netCDF file or Zarr store (several files are joined like pg-convert)")->required();
  app.add_flag("--cdl", cdl, "Print the header as CDL, like ncdump -h");
  app.add_flag("--stats", stats, "Per-variable min/max/mean/NaN count; store objects and sizes");
  pgtool::add_common_options(app, common, pgtool::kThreads | pgtool::kMemory | pgtool::kQuiet | pgtool::kProgress | pgtool::kJson | pgtool::kRemote);
  return pgtool::run_tool("pg-info", app, argc, argv, [&]() -> pangeo::Status {
    PG_ASSIGN_OR_RETURN(auto in, pangeo::open_inputs(inputs, common.cloud));
    std::optional<std::vector<pangeo::VarStats>> var_stats;
    std::optional<pangeo::StoreStats> store_stats;
    if (stats) {
      PG_ASSIGN_OR_RETURN(auto exec, pgtool::exec_options(common, "stats"));
      PG_ASSIGN_OR_RETURN(var_stats, pangeo::compute_stats(*in, exec));
      PG_ASSIGN_OR_RETURN(store_stats, in->store_stats());
    }
    PG_RETURN_IF_ERROR(in->check_input());
    if (common.json) {
      const auto j = pangeo::describe_json(*in, var_stats ? &*var_stats : nullptr, &store_stats);
      pgtool::print_out(j.dump(2, ' ', false, pangeo::Json::error_handler_t::replace) + "\n");
    } else if (cdl) {
      std::string name = std::filesystem::path(inputs[0]).filename().replace_extension().string();
      pgtool::print_out(pangeo::format_cdl(in->root(), name));
    } else {
      PG_ASSIGN_OR_RETURN(std::string summary, pangeo::format_summary(*in));
      pgtool::print_out(summary);
    }
    if (stats && !common.json) pgtool::print_out(pangeo::format_stats(*var_stats, store_stats));
    return pangeo::Status::Ok();
  });
}
