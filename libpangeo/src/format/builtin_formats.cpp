// The format table: one row per format, with how to recognise it (from a file's first
// bytes, or from the keys of a store, read through the Store so that every store works:
// directory, tar stream, s3://, gs://, https://), how to open it, and how to write it.
// Adding a format touches format/ and one row here.
#include <fcntl.h>
#include <glob.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <string_view>

#include "pangeo/format.hpp"

namespace fs = std::filesystem;

namespace pangeo {

namespace {

struct Probe {
  std::string location;          // as given, for messages
  std::string path;              // local path (file:// stripped), or the URL
  std::shared_ptr<Store> store;  // directories, streams and object storage
  Bytes head;                    // first bytes of a local file
};

bool has_prefix(const Bytes& b, std::string_view p) {
  return b.size() >= p.size() && std::memcmp(b.data(), p.data(), p.size()) == 0;
}

Result<bool> is_netcdf3(const Probe& p) {
  if (p.store) return false;
  for (char version : {'\x01', '\x02', '\x05'})
    if (has_prefix(p.head, std::string("CDF") + version)) return true;
  return false;
}

Result<bool> is_hdf5(const Probe& p) {
  // The HDF5 superblock sits at 0, 512, 1024, 2048, ...
  static const std::string_view sig("\x89HDF\r\n\x1a\n", 8);
  if (p.store) return false;
  for (size_t off = 0; off + 8 <= p.head.size(); off = off ? off * 2 : 512)
    if (std::memcmp(p.head.data() + off, sig.data(), 8) == 0) return true;
  return false;
}

// Whether any of `keys` is in the store (checked in order: a stream delivers .zgroup and
// .zmetadata first, so the first answer comes without waiting for the stream's end).
Result<bool> has_any_key(const Probe& p, std::initializer_list<const char*> keys) {
  if (!p.store) return false;
  for (const char* k : keys) {
    PG_ASSIGN_OR_RETURN(auto size, p.store->size(k));
    if (size) return true;
  }
  return false;
}
Result<bool> is_zarr_v2(const Probe& p) { return has_any_key(p, {".zgroup", ".zmetadata", ".zarray"}); }
Result<bool> is_zarr_v3(const Probe& p) { return has_any_key(p, {"zarr.json"}); }

// The name a bare array takes: its directory's or object prefix's last part.
std::string store_name(const std::string& path) {
  std::string p = path;
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  return p.substr(p.rfind('/') == std::string::npos ? 0 : p.rfind('/') + 1);
}

Result<std::unique_ptr<DatasetReader>> open_nc(const Probe& p) { return open_netcdf(p.path); }
Result<std::unique_ptr<DatasetReader>> open_v2(const Probe& p) { return open_zarr(p.store, store_name(p.path)); }
Result<std::unique_ptr<DatasetReader>> open_v3(const Probe& p) { return open_zarr_v3(p.store, store_name(p.path)); }

struct WriteTarget {
  std::shared_ptr<Store> store;  // Zarr
  std::string path;              // netCDF
  bool consolidated = true;
};
std::unique_ptr<DatasetWriter> write_v2(const WriteTarget& t) { return make_zarr_writer(t.store, t.consolidated); }
std::unique_ptr<DatasetWriter> write_v3(const WriteTarget& t) { return make_zarr_v3_writer(t.store, t.consolidated); }
std::unique_ptr<DatasetWriter> write_nc4(const WriteTarget& t) { return make_netcdf_writer(t.path, OutputFormat::kNetcdf4); }
std::unique_ptr<DatasetWriter> write_nc3(const WriteTarget& t) { return make_netcdf_writer(t.path, OutputFormat::kNetcdf3); }

struct FormatRow {
  std::string_view name;
  Result<bool> (*recognise)(const Probe&);
  Result<std::unique_ptr<DatasetReader>> (*open)(const Probe&);
  OutputFormat output;
  int zarr_format;  // 0 for netCDF
  std::unique_ptr<DatasetWriter> (*make_writer)(const WriteTarget&);
};
// Probed in this order. Zarr v2 comes before v3 so that a stream (Zarr v2) answers at
// once; a store holding both versions' metadata reads as v2, as zarr-python 2 would.
const FormatRow kFormats[] = {
    {"netCDF-3", is_netcdf3, open_nc, OutputFormat::kNetcdf3, 0, write_nc3},
    {"netCDF-4/HDF5", is_hdf5, open_nc, OutputFormat::kNetcdf4, 0, write_nc4},
    {"Zarr v2", is_zarr_v2, open_v2, OutputFormat::kZarr, 2, write_v2},
    {"Zarr v3", is_zarr_v3, open_v3, OutputFormat::kZarr, 3, write_v3},
};

bool is_remote(const std::string& location) {
  return location.find("://") != std::string::npos && location.rfind("file://", 0) != 0;
}

Result<std::unique_ptr<DatasetReader>> open_probed(const Probe& p) {
  for (const auto& row : kFormats) {
    auto yes = row.recognise(p);
    if (!yes.ok()) return yes.status().with_context(p.location);
    if (!*yes) continue;
    auto r = row.open(p);
    if (!r.ok() && r.status().message().rfind(p.location + ":", 0) != 0) return r.status().with_context(p.location);
    return r;
  }
  if (p.store) return invalid_argument("{}: not a Zarr store (no .zgroup, .zarray, .zmetadata or zarr.json)", p.location);
  return invalid_argument("{}: not a netCDF file or Zarr store", p.location);
}

}  // namespace

Result<std::unique_ptr<DatasetReader>> open_dataset(const std::string& location, const CloudOptions& cloud) {
  Probe p;
  p.location = location;
  p.path = location.rfind("file://", 0) == 0 ? location.substr(7) : location;
  if (is_remote(location)) {
    // Remote locations hold Zarr stores (metadata first, chunks on demand).
    PG_ASSIGN_OR_RETURN(p.store, open_store(location, cloud));
    return open_probed(p);
  }
  std::error_code ec;
  auto st = fs::status(p.path, ec);
  if (ec || !fs::exists(st)) return not_found("{}: no such file or directory", p.path);
  p.location = p.path;
  if (fs::is_directory(st)) {
    PG_ASSIGN_OR_RETURN(p.store, open_store(p.path));
    return open_probed(p);
  }
  // Datasets are files that can be read at any offset: a FIFO would block here (or feed
  // netCDF-C something it cannot seek in), a device never ends. Streams come as "-".
  if (!fs::is_regular_file(st)) return invalid_argument("{}: not a regular file (netCDF needs a file it can seek in; Zarr streams come as -)", p.path);
  int fd = ::open(p.path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return io_error("{}: {}", p.path, std::strerror(errno));
  p.head.resize(4096);
  ssize_t n = ::read(fd, p.head.data(), p.head.size());
  ::close(fd);
  p.head.resize(n > 0 ? size_t(n) : 0);
  return open_probed(p);
}

Result<std::unique_ptr<DatasetReader>> open_store_dataset(std::shared_ptr<Store> store, const std::string& name,
                                                          const std::string& location) {
  Probe p;
  p.location = location.empty() ? name : location;
  p.path = name;
  p.store = std::move(store);
  return open_probed(p);
}

Result<bool> store_holds_dataset(std::shared_ptr<Store> store) {
  Probe p;
  p.store = std::move(store);
  for (const auto& row : kFormats) {
    PG_ASSIGN_OR_RETURN(bool yes, row.recognise(p));
    if (yes) return true;
  }
  return false;
}

Result<std::unique_ptr<DatasetWriter>> make_writer(const OutputSpec& spec, std::shared_ptr<Store> store,
                                                   const std::string& path) {
  for (const auto& row : kFormats) {
    if (row.output != spec.format || (row.zarr_format && row.zarr_format != spec.zarr_format)) continue;
    if (row.zarr_format && !store) return internal_error("a Zarr writer needs a store");
    return row.make_writer(WriteTarget{std::move(store), path, spec.consolidated});
  }
  return invalid_argument("no writer for Zarr format {}", spec.zarr_format);
}

Result<OutputFormat> output_format_for(const std::string& path, const std::string& explicit_format) {
  if (!explicit_format.empty()) {
    if (explicit_format == "zarr") return OutputFormat::kZarr;
    if (explicit_format == "netcdf4" || explicit_format == "netcdf") return OutputFormat::kNetcdf4;
    if (explicit_format == "netcdf3") return OutputFormat::kNetcdf3;
    return invalid_argument("unknown output format \"{}\" (zarr, netcdf4 or netcdf3)", explicit_format);
  }
  if (path == "-") return OutputFormat::kZarr;  // the pipe format
  if (is_remote(path)) return OutputFormat::kZarr;  // object storage holds Zarr
  std::string p = path;
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  auto ends = [&](std::string_view s) { return p.size() >= s.size() && p.compare(p.size() - s.size(), s.size(), s) == 0; };
  if (ends(".zarr")) return OutputFormat::kZarr;
  if (ends(".nc") || ends(".nc4") || ends(".cdf") || ends(".netcdf")) return OutputFormat::kNetcdf4;
  std::error_code ec;
  if (fs::is_directory(p, ec)) {
    auto holds = store_holds_dataset(std::make_shared<DirectoryStore>(p));
    if (holds.ok() && *holds) return OutputFormat::kZarr;
  }
  return invalid_argument("{}: cannot tell the output format from the name (.nc or .zarr)",
                          path);
}

Result<std::unique_ptr<DatasetReader>> open_inputs(const std::vector<std::string>& inputs, const CloudOptions& cloud) {
  std::vector<std::string> paths;
  for (const auto& in : inputs) {
    bool pattern = in.find_first_of("*?[") != std::string::npos && in.find("://") == std::string::npos;
    if (!pattern) {
      paths.push_back(in);
      continue;
    }
    glob_t g{};
    int rc = ::glob(in.c_str(), 0, nullptr, &g);
    if (rc == GLOB_NOMATCH) {
      globfree(&g);
      return not_found("{}: no files match", in);
    }
    for (size_t i = 0; i < g.gl_pathc; ++i) paths.emplace_back(g.gl_pathv[i]);
    globfree(&g);
  }
  if (paths.empty()) return invalid_argument("no input given");
  if (std::count(paths.begin(), paths.end(), "-") > 1) return invalid_argument("stdin (-) can be read only once");
  std::vector<std::unique_ptr<DatasetReader>> readers;
  for (const auto& p : paths) {
    if (p == "-") {
      PG_ASSIGN_OR_RETURN(auto stream, TarStreamReader::start(0));
      auto r = open_store_dataset(stream, "stream", "-");
      if (!r.ok()) {
        // A stream that is not a store: say why the stream itself failed, if it did.
        Status whole = stream->verify_complete();
        return whole.ok() ? r.status() : whole.with_context("-");  // r's error names "-" already
      }
      readers.push_back(std::move(r).value());
      continue;
    }
    PG_ASSIGN_OR_RETURN(auto r, open_dataset(p, cloud));
    readers.push_back(std::move(r));
  }
  return open_concatenated(std::move(readers));
}

}  // namespace pangeo
