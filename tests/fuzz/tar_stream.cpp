// The tar stream reader (the pipe format) on untrusted bytes: every entry it accepts is
// listed and read back.
#include <sys/mman.h>
#include <unistd.h>

#include "common.hpp"
#include "pangeo/store.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  int fd = ::memfd_create("fuzz-stream", MFD_CLOEXEC);
  if (fd < 0) return 0;
  if (::write(fd, data, size) != ssize_t(size) || ::lseek(fd, 0, SEEK_SET) != 0) {
    ::close(fd);
    return 0;
  }
  {
    auto r = pangeo::TarStreamReader::start(fd);
    if (r.ok()) {
      auto keys = (*r)->list("");
      if (keys.ok())
        for (const auto& k : *keys) (void)(*r)->get(k);
      auto in = pangeo::open_store_dataset(*r, "fuzz");
      if (in.ok()) fuzz::read_everything(**in);
    }
  }
  ::close(fd);
  return 0;
}
