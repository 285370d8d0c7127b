#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "pangeo/executor.hpp"

using namespace pangeo;

TEST(Executor, RunsEveryTaskOnce) {
  std::vector<std::atomic<int>> hits(1000);
  ExecOptions o;
  o.threads = 4;
  std::atomic<uint64_t> last_done{0};
  o.progress = [&](uint64_t done, uint64_t total) {
    EXPECT_EQ(total, 1000u);
    last_done = done;
  };
  ASSERT_TRUE(run_tasks(1000, [&](uint64_t i) { ++hits[i]; return Status::Ok(); }, nullptr, o).ok());
  for (auto& h : hits) EXPECT_EQ(h.load(), 1);
  EXPECT_EQ(last_done.load(), 1000u);
}

TEST(Executor, ReportsTheLowestFailingTask) {
  ExecOptions o;
  o.threads = 3;
  Status s = run_tasks(
      100, [&](uint64_t i) { return i == 40 || i == 70 ? corrupt("task {}", i) : Status::Ok(); }, nullptr, o);
  EXPECT_EQ(s.code(), ErrorCode::kCorrupt);
  EXPECT_EQ(s.message(), "task 40");
}

TEST(Executor, MemoryBudgetBoundsBytesInFlight) {
  ExecOptions o;
  o.threads = 8;
  o.memory_budget = 300;
  std::atomic<int> in_flight{0}, peak{0};
  Status s = run_tasks(
      64,
      [&](uint64_t) {
        int now = ++in_flight;
        int p = peak.load();
        while (now > p && !peak.compare_exchange_weak(p, now)) {}
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
        --in_flight;
        return Status::Ok();
      },
      [](uint64_t) { return uint64_t(100); }, o);
  ASSERT_TRUE(s.ok());
  EXPECT_LE(peak.load(), 3);
  EXPECT_GE(peak.load(), 1);
}

TEST(Executor, StopRequestCancels) {
  ExecOptions o;
  o.threads = 2;
  Status s = run_tasks(
      1000,
      [&](uint64_t i) {
        if (i == 10) stop_requested() = true;
        return Status::Ok();
      },
      nullptr, o);
  stop_requested() = false;
  EXPECT_EQ(s.code(), ErrorCode::kCancelled);
}

