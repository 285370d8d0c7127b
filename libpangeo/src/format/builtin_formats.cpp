// The format registry: each row recognises its format from the first bytes of a file
// or the keys of a directory, and opens it.
#include <fcntl.h>
#include <algorithm>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <string_view>

#include "pangeo/format.hpp"

namespace fs = std::filesystem;

namespace pangeo {

namespace {

struct Probe {
  std::string location;  // as given
  std::string path;      // local path (file:// stripped)
  bool is_dir = false;
  Bytes head;            // first bytes of a file
};

bool has_prefix(const Bytes& b, std::string_view p) {
  return b.size() >= p.size() && std::memcmp(b.data(), p.data(), p.size()) == 0;
}

bool is_netcdf3(const Probe& p) {
  return !p.is_dir && (has_prefix(p.head, std::string_view("CDF\x01", 4)) || has_prefix(p.head, std::string_view("CDF\x02", 4)) ||
                       has_prefix(p.head, std::string_view("CDF\x05", 4)));
}
bool is_hdf5(const Probe& p) {
  // The HDF5 superblock sits at 0, 512, 1024, 2048, ...
  static const std::string_view sig("\x89HDF\r\n\x1a\n", 8);
  if (p.is_dir) return false;
  for (size_t off = 0; off + 8 <= p.head.size(); off = off ? off * 2 : 512)
    if (std::memcmp(p.head.data() + off, sig.data(), 8) == 0) return true;
  return false;
}
bool is_zarr_v2(const Probe& p) {
  std::error_code ec;
  return p.is_dir && (fs::exists(fs::path(p.path) / ".zgroup", ec) || fs::exists(fs::path(p.path) / ".zarray", ec) ||
                      fs::exists(fs::path(p.path) / ".zmetadata", ec));
}

bool is_zarr_v3(const Probe& p) {
  std::error_code ec;
  return p.is_dir && fs::exists(fs::path(p.path) / "zarr.json", ec);
}

Result<std::unique_ptr<DatasetReader>> open_nc(const Probe& p) { return open_netcdf(p.path); }
// A Zarr store of either version, named after its directory.
template <Result<std::unique_ptr<DatasetReader>> (*Open)(std::shared_ptr<Store>, const std::string&)>
Result<std::unique_ptr<DatasetReader>> open_zarr_dir(const Probe& p) {
  PG_ASSIGN_OR_RETURN(auto store, open_store(p.location));
  std::string name = fs::path(p.path).lexically_normal().filename().string();
  if (name.empty()) name = fs::path(p.path).lexically_normal().parent_path().filename().string();
  auto r = Open(store, name);
  if (!r.ok()) return r.status().with_context(p.path);
  return r;
}

struct FormatRow {
  std::string_view name;
  bool (*recognise)(const Probe&);
  Result<std::unique_ptr<DatasetReader>> (*open)(const Probe&);
};
constexpr FormatRow kFormats[] = {
    {"netCDF-3", is_netcdf3, open_nc},
    {"netCDF-4/HDF5", is_hdf5, open_nc},
    {"Zarr v3", is_zarr_v3, open_zarr_dir<open_zarr_v3>},
    {"Zarr v2", is_zarr_v2, open_zarr_dir<open_zarr>},
};

}  // namespace

Result<std::unique_ptr<DatasetReader>> open_dataset(const std::string& location) {
  Probe p;
  p.location = location;
  p.path = location.rfind("file://", 0) == 0 ? location.substr(7) : location;
  if (location.find("://") != std::string::npos && location.rfind("file://", 0) != 0) {
    // Remote locations hold Zarr stores (consolidated metadata first, chunks on demand).
    PG_ASSIGN_OR_RETURN(auto store, open_store(location));
    std::string name = location.substr(location.rfind('/') + 1);
    auto r = open_zarr(store, name);
    if (!r.ok()) return r.status().with_context(location);
    return r;
  }
  std::error_code ec;
  auto st = fs::status(p.path, ec);
  if (ec || !fs::exists(st)) return not_found("{}: no such file or directory", p.path);
  p.is_dir = fs::is_directory(st);
  if (!p.is_dir) {
    int fd = ::open(p.path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return io_error("{}: {}", p.path, std::strerror(errno));
    p.head.resize(4096);
    ssize_t n = ::read(fd, p.head.data(), p.head.size());
    ::close(fd);
    p.head.resize(n > 0 ? size_t(n) : 0);
  }
  for (const auto& row : kFormats)
    if (row.recognise(p)) return row.open(p);
  if (p.is_dir) return invalid_argument("{}: not a Zarr store (no .zgroup, .zarray or .zmetadata)", p.path);
  return invalid_argument("{}: not a netCDF file or Zarr store", p.path);
}

Result<OutputFormat> output_format_for(const std::string& path, const std::string& explicit_format) {
  if (!explicit_format.empty()) {
    if (explicit_format == "zarr") return OutputFormat::kZarr;
    if (explicit_format == "netcdf4" || explicit_format == "netcdf") return OutputFormat::kNetcdf4;
    if (explicit_format == "netcdf3") return OutputFormat::kNetcdf3;
    return invalid_argument("--format {}: expected zarr, netcdf4 or netcdf3", explicit_format);
  }
  if (path == "-") return OutputFormat::kZarr;  // the pipe format
  if (path.find("://") != std::string::npos && path.rfind("file://", 0) != 0 && explicit_format.empty())
    return OutputFormat::kZarr;  // object storage holds Zarr
  std::string p = path;
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  auto ends = [&](std::string_view s) { return p.size() >= s.size() && p.compare(p.size() - s.size(), s.size(), s) == 0; };
  if (ends(".zarr")) return OutputFormat::kZarr;
  if (ends(".nc") || ends(".nc4") || ends(".cdf") || ends(".netcdf")) return OutputFormat::kNetcdf4;
  std::error_code ec;
  if (fs::is_directory(p, ec) && (fs::exists(fs::path(p) / ".zgroup", ec) || fs::exists(fs::path(p) / ".zmetadata", ec) ||
                                  fs::exists(fs::path(p) / "zarr.json", ec)))
    return OutputFormat::kZarr;
  return invalid_argument("{}: cannot tell the output format from the name; use a .nc or .zarr name or --format",
                          path);
}

}  // namespace pangeo

#include <glob.h>

namespace pangeo {

Result<std::unique_ptr<DatasetReader>> open_inputs(const std::vector<std::string>& inputs) {
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
      auto r = open_zarr(stream, "stream");
      if (!r.ok()) {
        // A stream that is not a store: say why the stream itself failed, if it did.
        Status whole = stream->verify_complete();
        return (whole.ok() ? r.status() : whole).with_context("-");
      }
      readers.push_back(std::move(r).value());
      continue;
    }
    PG_ASSIGN_OR_RETURN(auto r, open_dataset(p));
    readers.push_back(std::move(r));
  }
  return open_concatenated(std::move(readers));
}

}  // namespace pangeo
