// pg-convert: netCDF <-> Zarr, rechunk, recompress; many inputs joined along time.
#include "common/cli.hpp"
#include "pangeo/codec.hpp"
#include "pangeo/convert.hpp"

int main(int argc, char** argv) {
  CLI::App app{"Convert netCDF files and Zarr stores: netCDF -> Zarr, Zarr -> netCDF, rechunk, recompress.",
               "pg-convert"};
  pgtool::CommonOptions common;
  pangeo::ConvertRequest req;
  std::string chunks, compressor, shards;
  bool consolidated = true;
  app.add_option("INPUT", req.inputs, "Input files or stores; a quoted glob is expanded")->required();
  app.add_option("--chunks", chunks, "Output chunks, e.g. time=12,lat=-1,lon=-1 (-1: whole dimension)");
  app.add_option("--compressor", compressor,
                 "none, zlib[:L], gzip[:L], zstd[:L], lz4, bz2[:L], blosc[:CNAME[:CLEVEL[:SHUFFLE]]] "
                 "(default blosc:lz4:5:shuffle)");
  app.add_option("--format", req.format, "Output format: zarr, netcdf4, netcdf3 (default: from the name)");
  app.add_option("--zarr-format", req.options.zarr_format, "Zarr output version: 2 (default) or 3");
  app.add_option("--shards", shards, "Zarr v3: shard lengths, e.g. time=120 (multiples of the chunks)");
  app.add_flag("--consolidated,!--no-consolidated", consolidated, "Write consolidated .zmetadata (default on)");
  app.add_flag("--dry-run", req.dry_run, "Print the plan and write nothing");
  pgtool::add_common_options(app, common, ~0u);
  return pgtool::run_tool("pg-convert", app, argc, argv, [&]() -> pangeo::Status {
    req.output = common.output;
    req.overwrite = common.overwrite;
    req.cloud = common.cloud;
    req.options.consolidated = consolidated;
    if (!chunks.empty()) {
      PG_ASSIGN_OR_RETURN(req.options.chunks, pangeo::parse_chunk_spec(chunks));
    }
    if (!shards.empty()) {
      PG_ASSIGN_OR_RETURN(req.options.shards, pangeo::parse_chunk_spec(shards));
    }
    if (!compressor.empty()) {
      PG_ASSIGN_OR_RETURN(req.options.compressor, pangeo::parse_compressor_spec(compressor));
    }
    req.options.keep_vars = pangeo::split_list(common.vars);
    req.options.drop_vars = pangeo::split_list(common.drop);
    PG_ASSIGN_OR_RETURN(req.options.exec, pgtool::exec_options(common, "convert"));
    PG_ASSIGN_OR_RETURN(pangeo::ConvertPlan plan, pangeo::convert_dataset(req));
    if (req.dry_run) pgtool::print_out(pangeo::format_plan(plan, common.json));
    else if (common.json) pgtool::print_out(pangeo::format_plan(plan, true));
    return pangeo::Status::Ok();
  });
}
