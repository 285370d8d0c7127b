// CF time units ("days since 1850-01-01 00:00:00 UTC") and calendars from untrusted text,
// then dates computed from them.
#include <cmath>
#include <cstring>

#include "common.hpp"
#include "pangeo/cf.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto parts = fuzz::split(data, size, 3);
  auto units = pangeo::TimeUnits::parse(parts[0], parts[1]);
  if (!units.ok()) return 0;
  double value = 0;
  if (parts[2].size() >= 8) std::memcpy(&value, parts[2].data(), 8);
  if (std::isfinite(value) && std::fabs(value) < 1e15) (void)units->to_datetime(value).iso(true);
  return 0;
}
