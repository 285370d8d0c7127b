// Calls into a library we cannot interrupt (netCDF-C and HDF5 opening a file) are bounded
// in time: a damaged file can make HDF5 loop forever inside nc_open, and a tool must not
// hang. A StallGuard lives around such a call; if it lives longer than its time, the stall
// handler runs on the watchdog's thread. The tools' handler prints one line naming the
// call and exits 1 (removing their temporaries): the stuck thread cannot be stopped short
// of ending the process.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace pangeo {

class StallGuard {
 public:
  // `what` names the call for the message ("/data/x.nc: opening the file").
  explicit StallGuard(std::string what, double seconds = library_timeout());
  ~StallGuard();
  StallGuard(const StallGuard&) = delete;
  StallGuard& operator=(const StallGuard&) = delete;

  // Seconds a library call may take: PG_LIBRARY_TIMEOUT if set, else 120.
  static double library_timeout();

 private:
  uint64_t id_;
};

// Replaces the stall handler (the default writes the message to stderr and aborts).
// `what` is the guard's text, `seconds` its limit.
void set_stall_handler(std::function<void(const std::string& what, double seconds)> handler);

}  // namespace pangeo
