#include "pangeo/watchdog.hpp"

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <thread>

namespace pangeo {

namespace {

using Clock = std::chrono::steady_clock;

struct Watch {
  Clock::time_point deadline;
  std::string what;
  double seconds;
};

// One thread, started with the first guard, sleeps until the earliest deadline.
class Watchdog {
 public:
  static Watchdog& get() {
    static Watchdog* w = new Watchdog();  // never destroyed: guards may outlive static destruction
    return *w;
  }
  uint64_t add(std::string what, double seconds) {
    std::lock_guard lock(mu_);
    if (!thread_started_) {
      std::thread([this] { run(); }).detach();
      thread_started_ = true;
    }
    const uint64_t id = ++next_;
    const auto span = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
    watches_[id] = Watch{Clock::now() + span, std::move(what), seconds};
    cv_.notify_all();
    return id;
  }
  void remove(uint64_t id) {
    std::lock_guard lock(mu_);
    watches_.erase(id);
  }
  void set_handler(std::function<void(const std::string&, double)> h) {
    std::lock_guard lock(mu_);
    handler_ = std::move(h);
  }

 private:
  void run() {
    std::unique_lock lock(mu_);
    for (;;) {
      if (watches_.empty()) {
        cv_.wait(lock);
        continue;
      }
      auto first = watches_.begin();
      for (auto it = watches_.begin(); it != watches_.end(); ++it)
        if (it->second.deadline < first->second.deadline) first = it;
      // A copy: the guard (and its entry) may go while this thread waits.
      const Clock::time_point deadline = first->second.deadline;
      if (Clock::now() < deadline) {
        cv_.wait_until(lock, deadline);
        continue;
      }
      const Watch stalled = first->second;
      auto handler = handler_;
      lock.unlock();
      if (handler) handler(stalled.what, stalled.seconds);
      std::fprintf(stderr, "error: %s: no answer in %g s\n", stalled.what.c_str(), stalled.seconds);
      std::abort();
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::map<uint64_t, Watch> watches_;
  uint64_t next_ = 0;
  bool thread_started_ = false;
  std::function<void(const std::string&, double)> handler_;
};

}  // namespace

double StallGuard::library_timeout() {
  if (const char* s = std::getenv("PG_LIBRARY_TIMEOUT"); s && *s) {
    char* end = nullptr;
    const double v = std::strtod(s, &end);
    if (end != s && v > 0) return v;
  }
  return 120;
}

StallGuard::StallGuard(std::string what, double seconds) : id_(Watchdog::get().add(std::move(what), seconds)) {}
StallGuard::~StallGuard() { Watchdog::get().remove(id_); }

void set_stall_handler(std::function<void(const std::string& what, double seconds)> handler) {
  Watchdog::get().set_handler(std::move(handler));
}

}  // namespace pangeo
