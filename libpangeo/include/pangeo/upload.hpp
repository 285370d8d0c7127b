// Uploads of Zarr stores and files to object storage (pg-upload): many requests in
// flight, Content-MD5 on every PUT with the ETag checked, multipart for large files,
// chunks before metadata (so nobody sees half a store), rerunnable with --skip-existing.
#pragma once

#include <string>
#include <vector>

#include "pangeo/executor.hpp"
#include "pangeo/status.hpp"
#include "pangeo/store.hpp"

namespace pangeo {

struct UploadOptions {
  unsigned jobs = 64;
  bool skip_existing = false;
  bool dry_run = false;
  bool overwrite = false;                       // local destinations
  uint64_t multipart_threshold = 64ull << 20;   // files at least this large go in parts
  uint64_t part_size = 16ull << 20;
  CloudOptions cloud;                           // how to reach object storage
  ExecOptions exec;                             // progress
};

struct UploadReport {
  uint64_t objects = 0, bytes = 0;      // sent (or to send, with dry_run)
  uint64_t skipped = 0, skipped_bytes = 0;
  uint64_t parts = 0;                   // parts of a multipart upload (0: single PUTs)
  double seconds = 0;
  std::vector<std::string> failed;      // "key: reason"
  bool metadata_written = false;
};

// SOURCE: a Zarr store directory, a single file (netCDF), or "-" (a stream on stdin).
// DEST: s3://, gs://, http(s):// (PUT) or a local path. Failed objects are reported, not
// fatal at once: the other objects still go, and metadata is sent only when every chunk
// arrived. An error Status is returned only for problems before any transfer.
Result<UploadReport> upload(const std::string& source, const std::string& dest, const UploadOptions& options);

std::string format_upload_report(const UploadReport& r, bool json);

}  // namespace pangeo
