#include "pangeo/executor.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <string>
#include <cctype>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace pangeo {

std::atomic<bool>& stop_requested() {
  static std::atomic<bool> flag{false};
  return flag;
}

namespace {
// A number in a cgroup file; 0 for "max", a missing file or anything else.
uint64_t cgroup_number(const char* path) {
  std::ifstream f(path);
  std::string text;
  if (!(f >> text) || text.empty() || !std::isdigit(static_cast<unsigned char>(text[0]))) return 0;
  try {
    return std::stoull(text);
  } catch (...) {
    return 0;
  }
}

// The memory this process may use: physical memory, the cgroup's limit, RLIMIT_AS.
uint64_t memory_limit() {
  uint64_t mem = uint64_t(sysconf(_SC_PHYS_PAGES)) * uint64_t(sysconf(_SC_PAGESIZE));
  if (mem == 0) mem = 4ull << 30;
  for (const char* p : {"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"})
    if (uint64_t limit = cgroup_number(p); limit > 0) mem = std::min(mem, limit);
  struct rlimit rl {};
  if (getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) mem = std::min<uint64_t>(mem, rl.rlim_cur);
  return mem;
}
}  // namespace

// Read once: every read checks its size against it, and the limits are files and calls
// (a few microseconds each) that do not change while a tool runs.
uint64_t available_memory() {
  static const uint64_t mem = memory_limit();
  return mem;
}

namespace {
std::atomic<uint64_t> g_data_limit{0};
std::string mib(uint64_t b) { return fmt::format("{:.1f} MiB", double(b) / (1 << 20)); }
}  // namespace

void set_data_limit(uint64_t bytes) { g_data_limit = bytes; }

Status check_data_size(uint64_t bytes, bool budgeted) {
  const uint64_t set = budgeted ? g_data_limit.load() : 0;
  const uint64_t limit = set ? std::min(set, available_memory()) : available_memory();
  if (bytes <= limit) return Status::Ok();
  return resource_exhausted("needs {}, more than the {} of {}", mib(bytes),
                            set && set <= available_memory() ? "memory budget" : "memory this process may use", mib(limit));
}

uint64_t default_memory_budget() { return std::min<uint64_t>(2ull << 30, available_memory() / 4); }

unsigned resolve_threads(const ExecOptions& options) {
  if (options.threads > 0) return options.threads;
  unsigned hc = std::thread::hardware_concurrency();
  return hc ? hc : 1;
}

namespace {
// Bytes in flight: acquire blocks while the budget is used up, except that a task is
// always admitted when nothing else runs (so one oversized chunk still makes progress).
// Waiting tasks are admitted lowest index first: a later task never overtakes an earlier
// one, so work merged in task order (reductions) never piles up behind a starved task.
class MemoryGate {
 public:
  explicit MemoryGate(uint64_t budget) : budget_(budget) {}
  void acquire(uint64_t index, uint64_t bytes) {
    if (!budget_) return;
    std::unique_lock lock(mu_);
    waiting_.insert(index);
    cv_.wait(lock, [&] { return *waiting_.begin() == index && (used_ == 0 || used_ + bytes <= budget_); });
    waiting_.erase(index);
    used_ += bytes;
    cv_.notify_all();  // the next waiting task may fit too
  }
  void release(uint64_t bytes) {
    if (!budget_) return;
    {
      std::lock_guard lock(mu_);
      used_ -= bytes;
    }
    cv_.notify_all();
  }

 private:
  uint64_t budget_;
  uint64_t used_ = 0;
  std::set<uint64_t> waiting_;
  std::mutex mu_;
  std::condition_variable cv_;
};
}  // namespace

std::atomic<uint64_t>& processed_counter() {
  static std::atomic<uint64_t> bytes{0};
  return bytes;
}

uint64_t processed_bytes() { return processed_counter().load(std::memory_order_relaxed); }

Status run_tasks(uint64_t n, const std::function<Status(uint64_t)>& task,
                 const std::function<uint64_t(uint64_t)>& cost, const ExecOptions& options) {
  if (n == 0) return Status::Ok();
  const unsigned threads = unsigned(std::min<uint64_t>(resolve_threads(options), n));
  std::atomic<uint64_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex mu;
  uint64_t done = 0;
  uint64_t error_index = UINT64_MAX;
  Status error;
  MemoryGate gate(options.memory_budget);

  auto worker = [&] {
    while (!failed.load(std::memory_order_relaxed)) {
      if (stop_requested().load(std::memory_order_relaxed)) {
        std::lock_guard lock(mu);
        if (error.ok()) error = cancelled("interrupted");
        failed = true;
        return;
      }
      uint64_t i = next.fetch_add(1);
      if (i >= n) return;
      uint64_t bytes = cost ? cost(i) : 0;
      gate.acquire(i, bytes);
      Status s;
      try {
        s = task(i);
      } catch (const std::bad_alloc&) {
        s = resource_exhausted("out of memory in a task planned for {} bytes", bytes);
      } catch (const std::exception& e) {
        s = internal_error("{}", e.what());
      }
      gate.release(bytes);
      std::lock_guard lock(mu);
      if (!s.ok()) {
        if (i < error_index) {
          error_index = i;
          error = s;
        }
        failed = true;
      } else {
        ++done;
        processed_counter().fetch_add(bytes, std::memory_order_relaxed);
        if (options.progress) options.progress(done, n);
      }
    }
  };
  if (threads <= 1) {
    worker();
  } else {
    std::vector<std::thread> pool;
    pool.reserve(threads);
    for (unsigned t = 0; t < threads; ++t) pool.emplace_back(worker);
    for (auto& t : pool) t.join();
  }
  return error;
}

}  // namespace pangeo
