// pg-upload: copy a Zarr store or a file to object storage, many requests at once.
#include "common/cli.hpp"
#include "pangeo/upload.hpp"

int main(int argc, char** argv) {
  CLI::App app{"Upload a Zarr store, a netCDF file or a stream (-) to s3://, gs://, https:// or a local path: chunks "
               "first and metadata last, every object checked, rerunnable.",
               "pg-upload"};
  pgtool::CommonOptions common;
  pangeo::UploadOptions o;
  std::string source, dest;
  bool dry_run = false;

  app.add_option("SOURCE", source, "Zarr store directory, file, or - for a stream on stdin")->required();
  app.add_option("DEST", dest, "s3://BUCKET/PATH, gs://BUCKET/PATH, https://HOST/PATH or a local path")->required();
  app.add_option("--jobs", o.jobs, "Requests in flight (default 64)")->check(CLI::PositiveNumber);
  app.add_flag("--skip-existing", o.skip_existing, "Skip objects already there with the same size and MD5");
  app.add_flag("--dry-run", dry_run, "List what would be sent and send nothing");
  pgtool::add_spec_option(app, "--multipart-threshold", o.multipart_threshold, pgtool::parse_size,
                          "Files at least this large go in parallel parts (default 64M)");
  pgtool::add_spec_option(app, "--part-size", o.part_size,
                          [](const std::string& s) -> pangeo::Result<uint64_t> {
                            PG_ASSIGN_OR_RETURN(uint64_t n, pgtool::parse_size(s));
                            if (n == 0) return pangeo::invalid_argument("the part size must be positive");
                            return n;
                          },
                          "Size of each part of a multipart upload (default 16M, at least 5M on S3)");
  pgtool::add_common_options(app, common,
                             pgtool::kOverwrite | pgtool::kQuiet | pgtool::kProgress | pgtool::kJson | pgtool::kRemote);
  return pgtool::run_tool("pg-upload", app, argc, argv, [&]() -> pangeo::Status {
    o.dry_run = dry_run;
    o.overwrite = common.overwrite;
    PG_ASSIGN_OR_RETURN(o.exec, pgtool::exec_options(common, "upload"));
    o.cloud = common.cloud;
    PG_ASSIGN_OR_RETURN(pangeo::UploadReport r, pangeo::upload(source, dest, o));
    if (dry_run) {
      if (common.json) pgtool::print_out(pangeo::format_upload_report(r, true));
      else pgtool::print_out(fmt::format("would send {} objects, {} bytes to {}\n", r.objects, r.bytes, dest));
      return pangeo::Status::Ok();
    }
    if (common.json) pgtool::print_out(pangeo::format_upload_report(r, true));
    else if (!common.quiet || !r.failed.empty()) std::fputs(pangeo::format_upload_report(r, false).c_str(), stderr);
    if (!r.failed.empty())
      return pangeo::io_error("{} of {} objects failed", r.failed.size(), r.failed.size() + r.objects);
    return pangeo::Status::Ok();
  });
}
