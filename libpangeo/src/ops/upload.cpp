#include "pangeo/upload.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>

#include "pangeo/cloud.hpp"
#include "pangeo/dataset.hpp"
#include "pangeo/format.hpp"
#include "pangeo/store.hpp"

namespace fs = std::filesystem;

namespace pangeo {

namespace {

// A large file in parts of `part_size`, `jobs` parts in flight; aborted on failure.
Status put_multipart(S3Store& s3, const std::string& path, uint64_t size, const UploadOptions& o) {
  PG_ASSIGN_OR_RETURN(std::string upload_id, s3.start_multipart(""));
  const uint64_t nparts = std::max<uint64_t>(1, (size + o.part_size - 1) / o.part_size);
  std::vector<std::string> etags(nparts);
  auto task = [&](uint64_t i) -> Status {
    const uint64_t off = i * o.part_size, len = std::min(o.part_size, size - off);
    Bytes part(len);
    std::ifstream in(path, std::ios::binary);
    in.seekg(std::streamoff(off));
    in.read(reinterpret_cast<char*>(part.data()), std::streamsize(len));
    if (!in) return io_error("{}: read failed", path);
    PG_ASSIGN_OR_RETURN(etags[i], s3.put_part("", upload_id, i + 1, part));
    return Status::Ok();
  };
  ExecOptions exec;
  exec.threads = o.jobs;
  Status s = run_tasks(nparts, task, [&](uint64_t) { return o.part_size; }, exec);
  if (!s.ok()) {
    s3.abort_multipart("", upload_id);
    return s;
  }
  return s3.complete_multipart("", upload_id, etags).status();
}

// Where an upload goes: object storage (S3/GCS, with checked PUTs), another remote store,
// or a local path written through an AtomicOutput.
struct Destination {
  std::string url;
  bool remote = false;
  std::shared_ptr<Store> store;
  std::shared_ptr<S3Store> s3;
  std::string local_path() const { return url.rfind("file://", 0) == 0 ? url.substr(7) : url; }
};

Result<Destination> open_destination(const std::string& dest, const UploadOptions& o) {
  Destination d;
  d.url = dest;
  d.remote = dest.find("://") != std::string::npos && dest.rfind("file://", 0) != 0;
  if (dest.rfind("s3://", 0) == 0 || dest.rfind("gs://", 0) == 0) {
    PG_ASSIGN_OR_RETURN(d.s3, S3Store::open(dest, o.cloud));
    d.store = d.s3;
  } else if (d.remote) {
    PG_ASSIGN_OR_RETURN(d.store, open_store(dest, o.cloud));
  }
  return d;
}

// One file as one object (in parts when large).
Status upload_file(const std::string& file, Destination& d, const UploadOptions& o, UploadReport& report) {
  std::error_code ec;
  const uint64_t size = fs::file_size(file, ec);
  report.objects = 1;
  report.bytes = size;
  if (o.dry_run) return Status::Ok();
  if (!d.remote) {
    PG_ASSIGN_OR_RETURN(auto out, AtomicOutput::create(d.local_path(), o.overwrite, false));
    fs::copy_file(file, out->temp_path(), ec);
    if (ec) return io_error("{}: {}", d.local_path(), ec.message());
    return out->commit();
  }
  if (d.s3 && o.skip_existing) {
    PG_ASSIGN_OR_RETURN(auto info, d.s3->head(""));
    if (info && info->size == size) {
      report.objects = report.bytes = 0;
      report.skipped = 1;
      report.skipped_bytes = size;
      return Status::Ok();
    }
  }
  Status s;
  if (d.s3 && size >= o.multipart_threshold) {
    s = put_multipart(*d.s3, file, size, o);
    report.parts = (size + o.part_size - 1) / o.part_size;
  } else {
    PG_ASSIGN_OR_RETURN(Bytes b, read_file(file));
    s = d.store->put("", b);
  }
  if (!s.ok()) report.failed.push_back(d.url + ": " + s.message());
  report.metadata_written = report.failed.empty();
  return Status::Ok();
}

// Every key of a store: chunks in parallel, then metadata in order, only when every chunk
// arrived.
Status upload_store(Store& src, Destination& d, const UploadOptions& o, UploadReport& report) {
  PG_ASSIGN_OR_RETURN(std::vector<std::string> keys, src.list(""));
  keys.erase(std::remove_if(keys.begin(), keys.end(),
                            [](const std::string& k) { return k.find(".pgtmp") != std::string::npos; }),
             keys.end());
  std::vector<std::string> chunks, meta;
  for (auto& k : keys) (zarr_write_rank(k) ? meta : chunks).push_back(k);
  std::stable_sort(meta.begin(), meta.end(), [](auto& a, auto& b) { return zarr_write_rank(a) < zarr_write_rank(b); });
  if (o.dry_run) {
    for (auto& k : keys) {
      PG_ASSIGN_OR_RETURN(auto sz, src.size(k));
      report.bytes += sz.value_or(0);
    }
    report.objects = keys.size();
    return Status::Ok();
  }
  std::unique_ptr<AtomicOutput> local_out;
  if (!d.remote) {
    PG_ASSIGN_OR_RETURN(local_out, AtomicOutput::create(d.local_path(), o.overwrite, true));
    d.store = std::make_shared<DirectoryStore>(local_out->temp_path());
  }
  std::mutex mu;
  auto send = [&](const std::string& key) -> Status {
    auto body = src.get(key);
    if (!body.ok() || !*body) {
      std::lock_guard lock(mu);
      report.failed.push_back(key + ": cannot read the source");
      return Status::Ok();
    }
    const Bytes& b = **body;
    if (o.skip_existing && d.s3) {
      auto info = d.s3->head(key);
      if (info.ok() && *info && (*info)->size == b.size() && (*info)->etag == hex(md5(b.data(), b.size()))) {
        std::lock_guard lock(mu);
        ++report.skipped;
        report.skipped_bytes += b.size();
        return Status::Ok();
      }
    }
    Status s = d.store->put(key, b);
    std::lock_guard lock(mu);
    if (s.code() == ErrorCode::kCancelled) return s;
    if (!s.ok()) {
      report.failed.push_back(key + ": " + s.message());
    } else {
      ++report.objects;
      report.bytes += b.size();
    }
    return Status::Ok();
  };
  ExecOptions exec = o.exec;
  exec.threads = d.remote ? o.jobs : std::min<unsigned>(o.jobs, 8);
  const uint64_t total = chunks.size() + meta.size();
  auto progress = exec.progress;
  exec.progress = [&](uint64_t done, uint64_t) {
    if (progress) progress(done, total);
  };
  PG_RETURN_IF_ERROR(run_tasks(chunks.size(), [&](uint64_t i) { return send(chunks[i]); }, nullptr, exec));
  if (report.failed.empty()) {
    // Metadata after every chunk: arrays before groups' consolidated metadata.
    for (auto& k : meta) {
      PG_RETURN_IF_ERROR(send(k));
      if (progress) progress(chunks.size() + (&k - meta.data()) + 1, total);
    }
    report.metadata_written = report.failed.empty();
  }
  if (local_out) {
    if (report.failed.empty()) PG_RETURN_IF_ERROR(local_out->commit());
    else local_out->abandon();
  }
  std::sort(report.failed.begin(), report.failed.end());
  return Status::Ok();
}

}  // namespace

Result<UploadReport> upload(const std::string& source, const std::string& dest, const UploadOptions& o) {
  UploadReport report;
  const auto t0 = std::chrono::steady_clock::now();
  // The source: a store whose keys are listed, or one file sent as one object.
  std::shared_ptr<Store> src;
  if (source == "-") {
    PG_ASSIGN_OR_RETURN(auto stream, TarStreamReader::start(0));
    PG_RETURN_IF_ERROR(stream->verify_complete());
    src = stream;
  } else {
    std::error_code ec;
    if (!fs::exists(source, ec)) return not_found("{}: no such file or directory", source);
    if (fs::is_directory(source, ec)) src = std::make_shared<DirectoryStore>(source);
  }
  PG_ASSIGN_OR_RETURN(Destination d, open_destination(dest, o));
  PG_RETURN_IF_ERROR(src ? upload_store(*src, d, o, report) : upload_file(source, d, o, report));
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return report;
}

std::string format_upload_report(const UploadReport& r, bool json) {
  double rate = r.seconds > 0 ? double(r.objects) / r.seconds : 0;
  double mbps = r.seconds > 0 ? double(r.bytes) / r.seconds / 1e6 : 0;
  if (json) {
    Json j{{"objects", r.objects}, {"bytes", r.bytes}, {"skipped", r.skipped}, {"skipped_bytes", r.skipped_bytes},
           {"parts", r.parts}, {"seconds", r.seconds}, {"objects_per_second", rate}, {"megabytes_per_second", mbps},
           {"failed", r.failed}, {"complete", r.failed.empty()}};
    return j.dump(2) + "\n";
  }
  std::string out = fmt::format("{} objects, {} bytes in {:.2f} s ({:.0f} objects/s, {:.1f} MB/s)", r.objects, r.bytes,
                                r.seconds, rate, mbps);
  if (r.skipped) out += fmt::format("; {} already there ({} bytes) skipped", r.skipped, r.skipped_bytes);
  out += "\n";
  if (!r.failed.empty()) {
    out += fmt::format("{} objects failed (metadata not sent; rerun with --skip-existing):\n", r.failed.size());
    for (auto& f : r.failed) out += "  " + f + "\n";
  }
  return out;
}

}  // namespace pangeo
