// ScratchFileStore: values appended to files (one per writing thread), indexed in memory.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "pangeo/store.hpp"

namespace pangeo {

Result<int> ScratchFileStore::open_file(const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return io_error("{}: {}", path.string(), std::strerror(errno));
  // Unlinked at once: the space lives as long as the descriptor, so nothing is left
  // behind however the process ends (kill -9 included).
  ::unlink(path.c_str());
  return fd;
}

Result<std::shared_ptr<ScratchFileStore>> ScratchFileStore::create(const std::filesystem::path& path) {
  std::shared_ptr<ScratchFileStore> store(new ScratchFileStore(path));
  PG_ASSIGN_OR_RETURN(int fd, store->open_file(path));
  store->files_.push_back({fd, 0});
  return store;
}

ScratchFileStore::~ScratchFileStore() {
  for (const File& f : files_) ::close(f.fd);
}

Status ScratchFileStore::put(const std::string& key, const Bytes& value) {
  Where at;
  int fd;
  {
    std::lock_guard lock(mu_);
    auto it = writers_.try_emplace(std::this_thread::get_id(), writers_.size()).first;
    if (it->second == files_.size()) {  // a writer beyond the files made so far
      auto opened = open_file(path_.string() + "." + std::to_string(it->second));
      if (!opened.ok()) {
        writers_.erase(it);
        return opened.status();
      }
      files_.push_back({*opened, 0});
    }
    File& f = files_[it->second];
    at = {it->second, f.end, value.size()};
    f.end += value.size();
    fd = f.fd;
  }
  for (uint64_t done = 0; done < value.size();) {
    ssize_t n = ::pwrite(fd, value.data() + done, value.size() - done, off_t(at.offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return io_error("{}: {}", path_.string(), n < 0 ? std::strerror(errno) : "no space written");
    done += uint64_t(n);
  }
  std::lock_guard lock(mu_);
  index_[key] = at;
  return Status::Ok();
}

Result<std::optional<Bytes>> ScratchFileStore::get_range(const std::string& key, uint64_t offset, uint64_t length) {
  Where where;
  int fd;
  {
    std::lock_guard lock(mu_);
    auto it = index_.find(key);
    if (it == index_.end()) return std::optional<Bytes>();
    where = it->second;
    fd = files_[where.file].fd;
  }
  offset = std::min(offset, where.length);
  Bytes out(std::min(length, where.length - offset));
  for (uint64_t done = 0; done < out.size();) {
    ssize_t n = ::pread(fd, out.data() + done, out.size() - done, off_t(where.offset + offset + done));
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
  return std::optional<uint64_t>(it->second.length);
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
