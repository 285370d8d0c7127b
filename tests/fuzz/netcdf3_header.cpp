// The netCDF-3 (classic, 64-bit offset, CDF5) header reader that runs before netCDF-C sees a
// file: it must refuse whatever would make netCDF-C crash or allocate without bound.
#include <sys/mman.h>
#include <unistd.h>

#include <string>

#include "format/netcdf3_layout.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  int fd = ::memfd_create("fuzz-nc3", MFD_CLOEXEC);
  if (fd < 0) return 0;
  if (::write(fd, data, size) == ssize_t(size)) (void)pangeo::netcdf3_required_size("/proc/self/fd/" + std::to_string(fd));
  ::close(fd);
  return 0;
}
