// ScratchFileStore: values appended to one file, indexed in memory.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "pangeo/store.hpp"

namespace pangeo {

Result<std::shared_ptr<ScratchFileStore>> ScratchFileStore::create(const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return io_error("{}: {}", path.string(), std::strerror(errno));
  // Unlinked at once: the space lives as long as the descriptor, so nothing is left
  // behind however the process ends (kill -9 included).
  ::unlink(path.c_str());
  return std::shared_ptr<ScratchFileStore>(new ScratchFileStore(path, fd));
}

ScratchFileStore::~ScratchFileStore() { ::close(fd_); }

Status ScratchFileStore::put(const std::string& key, const Bytes& value) {
  uint64_t at;
  {
    std::lock_guard lock(mu_);
    at = end_;
    end_ += value.size();
  }
  for (uint64_t done = 0; done < value.size();) {
    ssize_t n = ::pwrite(fd_, value.data() + done, value.size() - done, off_t(at + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return io_error("{}: {}", path_.string(), n < 0 ? std::strerror(errno) : "no space written");
    done += uint64_t(n);
  }
  std::lock_guard lock(mu_);
  index_[key] = {at, value.size()};
  return Status::Ok();
}

Result<std::optional<Bytes>> ScratchFileStore::get_range(const std::string& key, uint64_t offset, uint64_t length) {
  std::pair<uint64_t, uint64_t> where;
  {
    std::lock_guard lock(mu_);
    auto it = index_.find(key);
    if (it == index_.end()) return std::optional<Bytes>();
    where = it->second;
  }
  offset = std::min(offset, where.second);
  Bytes out(std::min(length, where.second - offset));
  for (uint64_t done = 0; done < out.size();) {
    ssize_t n = ::pread(fd_, out.data() + done, out.size() - done, off_t(where.first + offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return io_error("{}: {}", path_.string(), n < 0 ? std::strerror(errno) : "cut short");
    done += uint64_t(n);
  }
  return std::optional<Bytes>(std::move(out));
}

Result<std::optional<Bytes>> ScratchFileStore::get(const std::string& key) { return get_range(key, 0, UINT64_MAX); }

Result<std::optional<uint64_t>> ScratchFileStore::size(const std::string& key) {
  std::lock_guard lock(mu_);
  auto it = index_.find(key);
  if (it == index_.end()) return std::optional<uint64_t>();
  return std::optional<uint64_t>(it->second.second);
}

Status ScratchFileStore::erase(const std::string& key) {
  std::lock_guard lock(mu_);
  index_.erase(key);
  return Status::Ok();
}

Result<std::vector<std::string>> ScratchFileStore::list(const std::string& prefix) {
  std::lock_guard lock(mu_);
  return keys_with_prefix(index_, prefix);
}

}  // namespace pangeo
