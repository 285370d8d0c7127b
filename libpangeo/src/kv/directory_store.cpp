// DirectoryStore: keys as relative paths under a root directory (a missing file, or a
// directory, is a missing key); also read_file and the default ranged reads of Store.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>

#include "pangeo/store.hpp"

namespace fs = std::filesystem;

namespace pangeo {

Result<std::optional<Bytes>> Store::get_range(const std::string& key, uint64_t offset, uint64_t length) {
  PG_ASSIGN_OR_RETURN(auto whole, get(key));
  if (!whole) return std::optional<Bytes>();
  Bytes& b = *whole;
  if (offset >= b.size()) return std::optional<Bytes>(Bytes());
  uint64_t end = std::min<uint64_t>(b.size(), offset + length);
  return std::optional<Bytes>(Bytes(b.begin() + offset, b.begin() + end));
}

Result<std::optional<uint64_t>> Store::size(const std::string& key) {
  PG_ASSIGN_OR_RETURN(auto whole, get(key));
  if (!whole) return std::optional<uint64_t>();
  return std::optional<uint64_t>(whole->size());
}

Result<Bytes> read_file(const fs::path& path) {
  // O_NONBLOCK: opening a FIFO must not wait for a writer (it is refused just below).
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    if (errno == ENOENT || errno == ENOTDIR) return not_found("{}: no such file", path.string());
    return io_error("{}: {}", path.string(), std::strerror(errno));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
    ::close(fd);
    return io_error("{}: is a directory", path.string());
  }
  // Values are files: a device (a link to /dev/zero never ends) or a FIFO is refused.
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return io_error("{}: not a regular file", path.string());
  }
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  // Read straight into the value, sized as the file is (and grown if it grows meanwhile).
  Bytes out(size_t(st.st_size) + 1);
  size_t got = 0;
  while (true) {
    if (got == out.size()) out.resize(out.size() * 2);
    ssize_t n = ::read(fd, out.data() + got, out.size() - got);
    if (n < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      ::close(fd);
      return io_error("{}: {}", path.string(), std::strerror(e));
    }
    if (n == 0) break;
    got += size_t(n);
  }
  ::close(fd);
  out.resize(got);
  return out;
}

Result<fs::path> DirectoryStore::path_of(const std::string& key) const {
  // Keys come from metadata we read: refuse anything that could leave the root.
  if (key.empty() || key[0] == '/' || key.find("..") != std::string::npos)
    return invalid_argument("bad store key \"{}\"", key);
  return root_ / key;
}

Result<std::optional<Bytes>> DirectoryStore::get(const std::string& key) {
  PG_ASSIGN_OR_RETURN(fs::path p, path_of(key));
  auto r = read_file(p);
  if (!r.ok()) {
    if (r.status().code() == ErrorCode::kNotFound) return std::optional<Bytes>();
    std::error_code ec;
    if (fs::is_directory(p, ec)) return std::optional<Bytes>();
    return r.status();
  }
  return std::optional<Bytes>(std::move(r).value());
}

Result<std::optional<Bytes>> DirectoryStore::get_range(const std::string& key, uint64_t offset, uint64_t length) {
  PG_ASSIGN_OR_RETURN(fs::path p, path_of(key));
  int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    if (errno == ENOENT || errno == ENOTDIR) return std::optional<Bytes>();
    return io_error("{}: {}", p.string(), std::strerror(errno));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {  // a directory holds no value
    ::close(fd);
    return std::optional<Bytes>();
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return io_error("{}: not a regular file", p.string());
  }
  length = std::min<uint64_t>(length, offset < uint64_t(st.st_size) ? uint64_t(st.st_size) - offset : 0);
  Bytes out(length);
  uint64_t got = 0;
  while (got < length) {
    ssize_t n = ::pread(fd, out.data() + got, length - got, off_t(offset + got));
    if (n < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      ::close(fd);
      return io_error("{}: {}", p.string(), std::strerror(e));
    }
    if (n == 0) break;
    got += uint64_t(n);
  }
  ::close(fd);
  out.resize(got);
  return std::optional<Bytes>(std::move(out));
}

Result<std::optional<uint64_t>> DirectoryStore::size(const std::string& key) {
  PG_ASSIGN_OR_RETURN(fs::path p, path_of(key));
  std::error_code ec;
  auto s = fs::file_size(p, ec);
  if (ec) return std::optional<uint64_t>();
  return std::optional<uint64_t>(s);
}

Status DirectoryStore::put(const std::string& key, const Bytes& value) {
  PG_ASSIGN_OR_RETURN(fs::path p, path_of(key));
  std::error_code ec;
  fs::create_directories(p.parent_path(), ec);
  if (ec) return io_error("{}: {}", p.parent_path().string(), ec.message());
  int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return io_error("{}: {}", p.string(), std::strerror(errno));
  size_t done = 0;
  while (done < value.size()) {
    ssize_t n = ::write(fd, value.data() + done, value.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      ::close(fd);
      return io_error("{}: {}", p.string(), std::strerror(e));
    }
    done += size_t(n);
  }
  if (::close(fd) != 0) return io_error("{}: {}", p.string(), std::strerror(errno));
  return Status::Ok();
}

Status DirectoryStore::erase(const std::string& key) {
  PG_ASSIGN_OR_RETURN(fs::path p, path_of(key));
  std::error_code ec;
  fs::remove(p, ec);
  if (ec) return io_error("{}: {}", p.string(), ec.message());
  return Status::Ok();
}

Result<std::vector<std::string>> DirectoryStore::list(const std::string& prefix) {
  // Keys nest as groups, arrays and "/"-separated chunk indices do: deeper directories are
  // not a store's (and walking them would take time quadratic in the depth).
  constexpr int kMaxDepth = 2 * 64 + 4;
  std::vector<std::string> keys;
  std::error_code ec;
  if (!fs::exists(root_, ec)) return keys;
  const std::string base = root_.generic_string();
  const size_t skip = base.size() + (base.empty() || base.back() == '/' ? 0 : 1);
  for (auto it = fs::recursive_directory_iterator(root_, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (it.depth() > kMaxDepth) return corrupt("{}: directories nested deeper than {} levels", root_.string(), kMaxDepth);
    if (!it->is_regular_file()) continue;
    std::string rel = it->path().generic_string().substr(skip);
    if (rel.compare(0, prefix.size(), prefix) == 0) keys.push_back(std::move(rel));
  }
  if (ec) return io_error("{}: {}", root_.string(), ec.message());
  std::sort(keys.begin(), keys.end());
  return keys;
}

}  // namespace pangeo
