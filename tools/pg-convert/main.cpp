// pg-convert: netCDF <-> Zarr, rechunk, recompress; many inputs joined along time.
#include "common/cli.hpp"
#include "pangeo/convert.hpp"

int main(int argc, char** argv) {
  CLI::App app{"Convert netCDF files and Zarr stores: netCDF -> Zarr, Zarr -> netCDF, rechunk, recompress.",
               "pg-convert"};
  pgtool::CommonOptions common;
  pangeo::ConvertRequest req;
  std::vector<std::string> inputs;
  bool consolidated = true;
  app.add_option("INPUT", inputs, "Input files or stores; a quoted glob is expanded")->required();
  pgtool::add_spec_option(app, "--chunks", req.options.chunks, pgtool::parse_dim_lengths,
                          "Output chunks, e.g. time=12,lat=-1,lon=-1 (-1: whole dimension)");
  pgtool::add_spec_option(app, "--compressor", req.options.compressor, pgtool::parse_compressor,
                          "none, zlib[:L], gzip[:L], zstd[:L], lz4, bz2[:L], blosc[:CNAME[:CLEVEL[:SHUFFLE]]] "
                          "(default blosc:lz4:5:shuffle)");
  pgtool::add_spec_option(app, "--format", req.format, pgtool::parse_format,
                          "Output format: zarr, netcdf4, netcdf3 (default: from the name)");
  pgtool::add_spec_option(app, "--zarr-format", req.options.zarr_format, pgtool::parse_zarr_format,
                          "Zarr output version: 2 (default) or 3");
  pgtool::add_spec_option(app, "--shards", req.options.shards, pgtool::parse_dim_lengths,
                          "Zarr v3: shard lengths, e.g. time=120 (multiples of the chunks)");
  app.add_flag("--consolidated,!--no-consolidated", consolidated, "Write consolidated .zmetadata (default on)");
  app.add_flag("--dry-run", req.dry_run, "Print the plan and write nothing");
  std::string append_dim;
  bool allow_gaps = false;
  auto* append = app.add_option("--append-dim", append_dim,
                                "Grow the existing Zarr store -o along DIM with the inputs (in parts: --init, then --part)");
  app.add_flag("--allow-gaps", allow_gaps, "With --append-dim: accept a gap after the store's last value")->needs(append);
  auto* init = app.add_flag("--init", req.options.layout_only,
                            "Write the store's metadata and coordinates only (--region writes fill the data)");
  std::optional<pangeo::Part> part;
  auto* part_opt = pgtool::add_spec_option(
      app, "--part", part, pgtool::parse_part_option,
      "I/N or auto: write part I (0..N-1) of the chunks of the store -o laid out by --init (of its --region if given); "
      "auto: from Slurm arrays, Kubernetes Indexed Jobs or MPI");
  for (const char* o : {"--chunks", "--compressor", "--shards", "--zarr-format", "--format"}) append->excludes(app.get_option(o));
  part_opt->excludes(init);
  pgtool::add_common_options(app, common, ~0u);
  return pgtool::run_tool("pg-convert", app, argc, argv, [&]() -> pangeo::Status {
    if (!req.options.shards.empty() && req.options.zarr_format != 3) return pgtool::usage_error("--shards needs --zarr-format 3");
    pgtool::apply_common(req, inputs, common);
    req.options.consolidated = consolidated;
    PG_ASSIGN_OR_RETURN(req.options.exec, pgtool::exec_options(common, "convert"));
    if (append->count() || common.zarr_region || part) {
      if (append->count() && common.zarr_region) return pgtool::usage_error("--append-dim and --region DIM=START:STOP go separately");
      if (init->count() && !append->count())
        return pgtool::usage_error("--init lays out a store; --region and --part write into one");
      if (!common.vars.empty() || !common.drop.empty() || !req.options.chunks.empty() || req.options.compressor ||
          !req.options.shards.empty() || !req.format.empty())
        return pgtool::usage_error("the store decides variables, chunks, codecs and format when writing into it");
      if (append->count()) return pgtool::run_append(req, append_dim, allow_gaps, common, part);
      return pgtool::run_region(req, common.zarr_region.value_or(pangeo::Selector()), common, part);
    }
    if (pgtool::under_mpi() && !init->count() && !req.dry_run) return pgtool::run_mpi_convert(req, common);
    PG_ASSIGN_OR_RETURN(pangeo::ConvertPlan plan, pangeo::convert_dataset(req));
    if (req.dry_run) pgtool::print_out(pangeo::format_plan(plan, common.json));
    else if (common.json) pgtool::print_out(pangeo::format_plan(plan, true));
    return pangeo::Status::Ok();
  }, true);
}
