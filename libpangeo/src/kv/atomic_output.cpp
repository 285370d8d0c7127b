#include <unistd.h>

#include <algorithm>
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

Result<std::unique_ptr<AtomicOutput>> AtomicOutput::create(const fs::path& target, bool overwrite, bool directory) {
  std::error_code ec;
  if (fs::exists(fs::symlink_status(target, ec)) && !overwrite)
    return already_exists("{}: output exists (use -O to overwrite)", target.string());
  fs::path parent = target.parent_path();
  if (parent.empty()) parent = ".";
  if (!fs::is_directory(parent, ec)) return not_found("{}: no such directory", parent.string());
  std::random_device rd;
  for (int attempt = 0; attempt < 16; ++attempt) {
    fs::path temp = parent / fmt::format(".{}.pgtmp-{}-{:08x}", target.filename().string(), ::getpid(), rd());
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
    // Move the old output aside first so the target is never missing a complete version
    // for longer than two renames.
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

}  // namespace pangeo
