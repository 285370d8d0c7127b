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
  auto* stats_opt = app.add_flag("--stats", stats, "Per-variable min/max/mean/NaN count; store objects and sizes");
  pgtool::PartitionOptions parts;
  pgtool::add_partition_options(app, parts);
  parts.part_option->needs(stats_opt);
  app.add_option("-o,--output", common.output, "With --stats --part: where the partial statistics go (a directory or store URL)");
  app.add_flag("-O,--overwrite", common.overwrite, "With --part: replace an existing partial result");
  pgtool::add_common_options(app, common, pgtool::kThreads | pgtool::kMemory | pgtool::kQuiet | pgtool::kProgress | pgtool::kJson | pgtool::kRemote);
  return pgtool::run_tool("pg-info", app, argc, argv, [&]() -> pangeo::Status {
    if (!common.output.empty() && !parts.part) return pgtool::usage_error("-o is where --stats --part writes its partial result");
    PG_ASSIGN_OR_RETURN(auto exec, pgtool::exec_options(common, "stats"));
    if (parts.part) {
      if (common.output.empty()) return pangeo::invalid_argument("no output given (-o PATH) for the partial statistics");
      return pangeo::stats_part({inputs, *parts.part, common.output, common.overwrite, common.cloud, nullptr}, exec);
    }
    std::shared_ptr<pangeo::DatasetReader> in;
    std::optional<std::vector<pangeo::VarStats>> var_stats;
    std::optional<pangeo::StoreStats> store_stats;
    if (parts.merge) {  // INPUT are partial statistics: the statistics of their input
      if (cdl) return pgtool::usage_error("--merge prints the merged statistics (--cdl does not apply)");
      stats = true;
      PG_ASSIGN_OR_RETURN(var_stats, pangeo::merge_stats(inputs, common.cloud, exec, &in));
    } else {
      PG_ASSIGN_OR_RETURN(in, pangeo::open_inputs(inputs, common.cloud));
      if (stats) {
        PG_ASSIGN_OR_RETURN(var_stats, pangeo::compute_stats(*in, exec));
      }
    }
    if (stats) {
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
