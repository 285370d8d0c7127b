#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <random>

#include "pangeo/store.hpp"

namespace fs = std::filesystem;

namespace pangeo {

namespace {
std::mutex g_pending_mu;
std::vector<fs::path>& pending() {
  static std::vector<fs::path> p;
  return p;
}
void track(const fs::path& p) {
  std::lock_guard lock(g_pending_mu);
  pending().push_back(p);
}
void untrack(const fs::path& p) {
  std::lock_guard lock(g_pending_mu);
  auto& v = pending();
  v.erase(std::remove(v.begin(), v.end(), p), v.end());
}
}  // namespace

std::string host_name() {
  char h[256] = {};
  if (::gethostname(h, sizeof h - 1) != 0 || !h[0]) return "localhost";
  std::string s(h);
  std::replace(s.begin(), s.end(), '-', '_');  // the name's fields are split at '-'
  return s;
}

// True when `name` ends in "HOST-PID-RAND" (or "HOST-PID-RAND.old") written by a process of
// this host that no longer runs: a temporary that a kill -9 (or a crash) left behind.
bool orphaned(std::string name) {
  if (name.size() > 4 && name.compare(name.size() - 4, 4, ".old") == 0) name.resize(name.size() - 4);
  const size_t r = name.rfind('-');
  if (r == std::string::npos || r == 0) return false;
  const size_t p = name.rfind('-', r - 1);
  if (p == std::string::npos) return false;
  const std::string pid_text = name.substr(p + 1, r - p - 1);
  if (pid_text.empty() || pid_text.size() > 9 || !std::all_of(pid_text.begin(), pid_text.end(), [](char c) { return c >= '0' && c <= '9'; })) return false;
  const size_t h = name.rfind(".pgtmp-", p);
  const size_t s = name.rfind("pg-stream-", p);
  const size_t host_at = h != std::string::npos ? h + 7 : s != std::string::npos ? s + 10 : std::string::npos;
  if (host_at == std::string::npos || host_at > p || name.substr(host_at, p - host_at) != host_name()) return false;
  const pid_t pid = pid_t(std::stol(pid_text));
  return pid > 0 && pid != ::getpid() && ::kill(pid, 0) != 0 && errno == ESRCH;
}

void remove_orphans(const fs::path& dir, const std::string& prefix) {
  std::error_code ec;
  for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.compare(0, prefix.size(), prefix) != 0 || !orphaned(name)) continue;
    std::error_code rm;
    fs::remove_all(it->path(), rm);
  }
}

std::string temporary_tag() { return fmt::format("{}-{}", host_name(), ::getpid()); }

void register_temporary(const fs::path& p) { track(p); }
void unregister_temporary(const fs::path& p) { untrack(p); }

std::vector<fs::path> pending_temporaries() {
  std::lock_guard lock(g_pending_mu);
  return pending();
}

void remove_pending_temporaries() {
  for (const auto& p : pending_temporaries()) {
    std::error_code ec;
    fs::remove_all(p, ec);
  }
}

Status AtomicOutput::check(const fs::path& target, bool overwrite) {
  std::error_code ec;
  if (fs::exists(fs::symlink_status(target, ec)) && !overwrite)
    return already_exists("{}: output exists (use -O to overwrite)", target.string());
  const fs::path parent = target.parent_path().empty() ? fs::path(".") : target.parent_path();
  if (!fs::is_directory(parent, ec)) return not_found("{}: no such directory", parent.string());
  return Status::Ok();
}

Result<std::unique_ptr<AtomicOutput>> AtomicOutput::create(const fs::path& target, bool overwrite, bool directory) {
  PG_RETURN_IF_ERROR(check(target, overwrite));
  std::error_code ec;
  const fs::path parent = target.parent_path().empty() ? fs::path(".") : target.parent_path();
  // Temporaries of this target that an earlier run, killed, left behind go first.
  remove_orphans(parent, fmt::format(".{}.pgtmp-", target.filename().string()));
  std::random_device rd;
  for (int attempt = 0; attempt < 16; ++attempt) {
    fs::path temp = parent / fmt::format(".{}.pgtmp-{}-{:08x}", target.filename().string(), temporary_tag(), rd());
    if (fs::exists(temp, ec)) continue;
    if (directory) {
      if (!fs::create_directory(temp, ec)) return io_error("{}: {}", temp.string(), ec.message());
    }
    track(temp);
    return std::unique_ptr<AtomicOutput>(new AtomicOutput(target, temp, overwrite));
  }
  return io_error("{}: cannot create a temporary output", target.string());
}

AtomicOutput::~AtomicOutput() {
  if (!done_) abandon();
}

void AtomicOutput::abandon() {
  std::error_code ec;
  fs::remove_all(temp_, ec);
  untrack(temp_);
  done_ = true;
}

Status AtomicOutput::commit() {
  std::error_code ec;
  if (fs::exists(fs::symlink_status(target_, ec))) {
    if (!overwrite_) {
      abandon();
      return already_exists("{}: output appeared while writing; left untouched", target_.string());
    }
    // Swap the new output and the old one in one step where the file system can (the
    // target is never missing, whenever the process dies); else move the old one aside
    // first, so the target is missing a complete version for two renames at most.
    if (::renameat2(AT_FDCWD, temp_.c_str(), AT_FDCWD, target_.c_str(), RENAME_EXCHANGE) == 0) {
      fs::path old = temp_;
      old += ".old";
      fs::rename(temp_, old, ec);  // still hidden, and now named as what it is
      fs::remove_all(ec ? temp_ : old, ec);
      untrack(temp_);
      done_ = true;
      return Status::Ok();
    }
    fs::path old = temp_;
    old += ".old";
    fs::rename(target_, old, ec);
    if (ec) return io_error("{}: {}", target_.string(), ec.message());
    fs::rename(temp_, target_, ec);
    if (ec) {
      fs::rename(old, target_);
      return io_error("{}: {}", target_.string(), ec.message());
    }
    fs::remove_all(old, ec);
  } else {
    fs::rename(temp_, target_, ec);
    if (ec) return io_error("{}: {}", target_.string(), ec.message());
  }
  untrack(temp_);
  done_ = true;
  return Status::Ok();
}

Status check_output_is_not_an_input(const std::string& output, const std::vector<std::string>& inputs) {
  auto bare = [](std::string u) {
    while (u.size() > 1 && u.back() == '/') u.pop_back();
    return u;
  };
  if (output == "-") return Status::Ok();  // standard output: never an input
  for (const auto& input : inputs) {
    std::error_code ec;
    const bool same = bare(input) == bare(output) || (fs::exists(output, ec) && fs::equivalent(input, output, ec));
    if (same) return invalid_argument("{}: output is the same as an input", output);
  }
  return Status::Ok();
}

Status write_whole(const std::string& location, const Bytes& data, bool overwrite, const CloudOptions& cloud) {
  if (location.find("://") != std::string::npos && location.rfind("file://", 0) != 0) {
    PG_ASSIGN_OR_RETURN(auto store, open_store(location, cloud));
    if (!overwrite) {
      PG_ASSIGN_OR_RETURN(auto size, store->size(""));
      if (size) return already_exists("{}: output exists (use -O to overwrite)", location);
    }
    return store->put("", data);
  }
  const std::string path = location.rfind("file://", 0) == 0 ? location.substr(7) : location;
  std::error_code ec;
  if (fs::is_directory(path, ec)) return already_exists("{}: is a directory", path);
  PG_ASSIGN_OR_RETURN(auto out, AtomicOutput::create(path, overwrite, false));
  FILE* f = std::fopen(out->temp_path().c_str(), "wb");
  if (!f) return io_error("{}: {}", path, std::strerror(errno));
  const bool written = std::fwrite(data.data(), 1, data.size(), f) == data.size();
  const int err = errno;
  if (std::fclose(f) != 0 || !written) return io_error("{}: {}", path, std::strerror(written ? errno : err));
  return out->commit();
}

}  // namespace pangeo
