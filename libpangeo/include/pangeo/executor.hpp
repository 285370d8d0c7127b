// Chunk-parallel execution: a fixed set of worker threads pulls task indices in order,
// each task holding its share of a memory budget while it runs, so a fast producer
// waits instead of filling memory. The first error stops the run.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>

#include <string>

#include "pangeo/status.hpp"
#include "pangeo/store.hpp"

namespace pangeo {

struct ExecOptions {
  unsigned threads = 0;           // 0: all cores
  uint64_t memory_budget = 0;     // bytes of data in flight; 0: unlimited
  // Where intermediate copies go (rechunking in two stages): a directory or a store URL
  // (opened with scratch_cloud); empty: $TMPDIR, else /tmp.
  std::string scratch;
  CloudOptions scratch_cloud;
  // Called (from worker threads, serialised) after each task with done/total counts.
  std::function<void(uint64_t done, uint64_t total)> progress;
};

// The process-wide stop request, set from a signal handler; running work ends with
// a kCancelled error at the next task boundary.
std::atomic<bool>& stop_requested();

// Runs task(i) for i in [0, n). `cost(i)` is the number of bytes task i holds while it
// runs (may be null). Returns the error of the lowest-numbered failing task, or
// kCancelled when a stop was requested. Results do not depend on the thread count as
// long as tasks only write their own outputs.
Status run_tasks(uint64_t n, const std::function<Status(uint64_t)>& task,
                 const std::function<uint64_t(uint64_t)>& cost, const ExecOptions& options);

// Bytes of data the tasks of this process have finished with so far (the sum of their
// costs): progress bars show a rate from it.
uint64_t processed_bytes();

// The memory this process may use: the smallest of physical memory, the cgroup's limit
// (v2 memory.max, v1 memory.limit_in_bytes) and RLIMIT_AS, as they were at the first call.
uint64_t available_memory();
// The default budget for data in flight: the smaller of 2 GiB and a quarter of
// available_memory().
uint64_t default_memory_budget();

// The most data one read may hold at once: readers check a region or a chunk against it
// before allocating, so a size taken from metadata that cannot fit is an error naming the
// array (kResourceExhausted) instead of an allocation failure. The tools set it to their
// memory budget; unset (0), it is available_memory().
void set_data_limit(uint64_t bytes);
// OK when `bytes` fit the limit; else "needs X MiB, more than the memory budget of Y MiB".
// With `budgeted` false only available_memory() bounds it (results held whole, which the
// budget for data in flight does not cover).
Status check_data_size(uint64_t bytes, bool budgeted = true);

// The number of threads `options` resolves to.
unsigned resolve_threads(const ExecOptions& options);

}  // namespace pangeo
