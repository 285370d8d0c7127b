// A reader of the netCDF-3 header just deep enough to know where the data ends
// (https://docs.unidata.ucar.edu/netcdf-c/current/file_format_specifications.html).
#include "netcdf3_layout.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <algorithm>
#include <cstring>
#include <vector>

namespace pangeo {

namespace {

class HeaderReader {
 public:
  HeaderReader(int fd, std::string path, uint64_t file_size) : fd_(fd), path_(std::move(path)), file_size_(file_size) {}
  uint64_t file_size() const { return file_size_; }
  Result<uint64_t> u(int bytes) {  // big-endian unsigned integer
    uint8_t b[8];
    PG_RETURN_IF_ERROR(read(b, size_t(bytes)));
    uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) v = (v << 8) | b[i];
    return v;
  }
  Status skip(uint64_t n) {
    if (n > file_size_ - std::min(pos_, file_size_)) return corrupt("{}: truncated netCDF-3 header", path_);
    pos_ += n;
    return Status::Ok();
  }
  Status read(uint8_t* out, size_t n) {
    ssize_t got = ::pread(fd_, out, n, off_t(pos_));
    if (got < 0) return io_error("{}: {}", path_, std::strerror(errno));
    if (size_t(got) != n) return corrupt("{}: truncated netCDF-3 header", path_);
    pos_ += n;
    return Status::Ok();
  }

 private:
  int fd_;
  std::string path_;
  uint64_t file_size_;
  uint64_t pos_ = 0;
};

size_t type_size(uint64_t t) {
  switch (t) {
    case 1: case 2: case 7: return 1;
    case 3: case 8: return 2;
    case 4: case 5: case 9: return 4;
    case 6: case 10: case 11: return 8;
    default: return 0;
  }
}

uint64_t pad4(uint64_t n) { return (n + 3) & ~uint64_t(3); }

}  // namespace

Result<uint64_t> netcdf3_required_size(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return io_error("{}: {}", path, std::strerror(errno));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) return io_error("{}: {}", path, std::strerror(errno));
  HeaderReader r(fd, path, uint64_t(st.st_size));
  uint8_t magic[4];
  PG_RETURN_IF_ERROR(r.read(magic, 4));
  const int version = magic[3];
  const int nsz = version == 5 ? 8 : 4;      // sizes and counts
  const int osz = version == 1 ? 4 : 8;      // offsets
  PG_ASSIGN_OR_RETURN(uint64_t numrecs, r.u(nsz));
  const bool streaming = nsz == 4 ? numrecs == 0xFFFFFFFFu : numrecs == ~uint64_t(0);
  auto bad = [&] { return corrupt("{}: corrupt netCDF-3 header", path); };
  if (magic[0] != 'C' || magic[1] != 'D' || magic[2] != 'F' || (version != 1 && version != 2 && version != 5))
    return corrupt("{}: not a netCDF-3 file", path);

  // Names: at most NC_MAX_NAME (256) bytes.
  auto skip_name = [&]() -> Status {
    PG_ASSIGN_OR_RETURN(uint64_t n, r.u(nsz));
    if (n == 0 || n > 256) return corrupt("{}: corrupt netCDF-3 header (a name of {} bytes)", path, n);
    return r.skip(pad4(n));
  };
  // A list of `count` entries of at least `min_entry` bytes each, all inside the file.
  auto list_header = [&](uint64_t want_tag, uint64_t min_entry, uint64_t* count) -> Status {
    PG_ASSIGN_OR_RETURN(uint64_t tag, r.u(4));
    PG_ASSIGN_OR_RETURN(*count, r.u(nsz));
    if (tag == 0 && *count == 0) return Status::Ok();
    if (tag != want_tag) return bad();
    if (*count > r.file_size() / min_entry)
      return corrupt("{}: corrupt netCDF-3 header ({} entries in a file of {} bytes)", path, *count, r.file_size());
    return Status::Ok();
  };
  auto skip_attributes = [&]() -> Status {
    uint64_t n;
    PG_RETURN_IF_ERROR(list_header(0x0C, nsz + 4 + 4 + nsz, &n));
    for (uint64_t i = 0; i < n; ++i) {
      PG_RETURN_IF_ERROR(skip_name());
      PG_ASSIGN_OR_RETURN(uint64_t t, r.u(4));
      PG_ASSIGN_OR_RETURN(uint64_t count, r.u(nsz));
      if (!type_size(t) || (version != 5 && t > 6)) return bad();
      if (count > r.file_size()) return corrupt("{}: corrupt netCDF-3 header (an attribute of {} values)", path, count);
      PG_RETURN_IF_ERROR(r.skip(pad4(count * type_size(t))));
    }
    return Status::Ok();
  };

  uint64_t ndims;
  PG_RETURN_IF_ERROR(list_header(0x0A, nsz + 4 + nsz, &ndims));
  if (ndims > 1024) return bad();  // NC_MAX_DIMS
  std::vector<uint64_t> dim_len(ndims);
  for (uint64_t i = 0; i < ndims; ++i) {
    PG_RETURN_IF_ERROR(skip_name());
    PG_ASSIGN_OR_RETURN(dim_len[i], r.u(nsz));
  }
  PG_RETURN_IF_ERROR(skip_attributes());
  uint64_t nvars;
  PG_RETURN_IF_ERROR(list_header(0x0B, nsz + 4 + nsz + 4 + nsz + 4 + nsz + osz, &nvars));
  struct Var {
    bool record;
    uint64_t bytes;  // one record's worth (record vars) or the whole variable
    uint64_t begin;
  };
  std::vector<Var> vars;
  for (uint64_t i = 0; i < nvars; ++i) {
    PG_RETURN_IF_ERROR(skip_name());
    PG_ASSIGN_OR_RETURN(uint64_t nd, r.u(nsz));
    if (nd > 1024) return bad();  // NC_MAX_VAR_DIMS
    Var v{false, 1, 0};
    for (uint64_t d = 0; d < nd; ++d) {
      PG_ASSIGN_OR_RETURN(uint64_t id, r.u(nsz));
      if (id >= ndims) return bad();
      if (dim_len[id] == 0 && d != 0) return corrupt("{}: corrupt netCDF-3 header (the record dimension not first)", path);
      if (d == 0 && dim_len[id] == 0) v.record = true;
      else if (__builtin_mul_overflow(v.bytes, dim_len[id], &v.bytes)) return corrupt("{}: a variable of more than 2^64 bytes", path);
    }
    PG_RETURN_IF_ERROR(skip_attributes());
    PG_ASSIGN_OR_RETURN(uint64_t t, r.u(4));
    if (!type_size(t) || (version != 5 && t > 6)) return bad();
    if (__builtin_mul_overflow(v.bytes, type_size(t), &v.bytes)) return corrupt("{}: a variable of more than 2^64 bytes", path);
    PG_ASSIGN_OR_RETURN(uint64_t vsize, r.u(nsz));
    (void)vsize;  // may be clipped for huge variables: recompute from the dimensions
    PG_ASSIGN_OR_RETURN(v.begin, r.u(osz));
    vars.push_back(v);
  }
  uint64_t recsize = 0, nrecvars = 0;
  for (const auto& v : vars)
    if (v.record) {
      if (v.bytes > (uint64_t(1) << 62) || __builtin_add_overflow(recsize, pad4(v.bytes), &recsize))
        return corrupt("{}: corrupt netCDF-3 header (records beyond 2^64 bytes)", path);
      ++nrecvars;
    }
  if (nrecvars == 1)
    for (const auto& v : vars)
      if (v.record) recsize = v.bytes;  // a lone record variable is not padded
  uint64_t need = 0;
  const auto too_big = [&] { return corrupt("{}: corrupt netCDF-3 header (data beyond 2^64 bytes)", path); };
  for (const auto& v : vars) {
    uint64_t end;
    if (!v.record) {
      if (__builtin_add_overflow(v.begin, v.bytes, &end)) return too_big();
    } else if (streaming || numrecs == 0) {
      continue;
    } else {
      uint64_t span;
      if (__builtin_mul_overflow(numrecs - 1, recsize, &span) || __builtin_add_overflow(v.begin, span, &end) ||
          __builtin_add_overflow(end, v.bytes, &end))
        return too_big();
    }
    need = std::max(need, end);
  }
  return need;
}

}  // namespace pangeo
