// netCDF-3 and netCDF-4 read through netCDF-C (every call holds netcdf_mutex()); the
// data of netCDF-4 variables straight from their HDF5 chunks where possible
// (hdf5_chunks), netCDF-3 files checked against their header layout (netcdf3_layout).
#include <netcdf.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hdf5_chunks.hpp"
#include "netcdf3_layout.hpp"
#include "netcdf_lock.hpp"
#include "netcdf_types.hpp"
#include "pangeo/format.hpp"
#include "pangeo/executor.hpp"
#include "pangeo/grid.hpp"
#include "pangeo/watchdog.hpp"

namespace pangeo {

namespace {

// The ids netCDF-C lists with inq(grp, &n, ids): the count first, then the ids.
std::vector<int> ids_of(int grp, int (*inq)(int, int*, int*)) {
  int n = 0;
  inq(grp, &n, nullptr);
  std::vector<int> ids(std::max(n, 0));
  if (n > 0) inq(grp, &n, ids.data());
  return ids;
}

class NetcdfReader final : public DatasetReader {
 public:
  explicit NetcdfReader(std::string path) : path_(std::move(path)) {}
  ~NetcdfReader() override {
    chunks_.reset();
    NetcdfLock lock(netcdf_mutex());
    if (ncid_ >= 0) nc_close(ncid_);
  }

  Status open() {
    // netCDF-3 headers are checked by our own reader first: netCDF-C trusts their counts
    // and sizes (a header claiming 2^64-1 of something crashes it inside nc_open).
    uint64_t need = 0;
    bool classic = false;
    if (int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK); fd >= 0) {
      struct stat st {};
      char magic[4] = {};
      const bool regular = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
      classic = regular && ::pread(fd, magic, 4, 0) == 4 && std::memcmp(magic, "CDF", 3) == 0;
      ::close(fd);
      // netCDF-C needs to seek: a FIFO or a device would block it or never end.
      if (!regular) return invalid_argument("{}: not a regular file", path_);
    }
    if (classic) {
      PG_ASSIGN_OR_RETURN(need, netcdf3_required_size(path_));
      struct stat st {};
      if (::stat(path_.c_str(), &st) == 0 && uint64_t(st.st_size) < need)
        return corrupt("{}: truncated netCDF-3 file ({} bytes; its header describes {})", path_, st.st_size, need);
    }
    NetcdfLock lock(netcdf_mutex());
    // A damaged netCDF-4 file can make HDF5 loop forever here: bounded by the watchdog.
    StallGuard guard(path_ + ": opening the file");
    int rc = nc_open(path_.c_str(), NC_NOWRITE, &ncid_);
    if (rc != NC_NOERR) {
      ncid_ = -1;
      if (rc == NC_ENOTNC || rc == NC_EHDFERR)
        return corrupt("{}: not a valid netCDF file ({})", path_, nc_strerror(rc));
      return nc_check(rc, path_);
    }
    int fmt_code = 0;
    nc_inq_format(ncid_, &fmt_code);
    switch (fmt_code) {
      case NC_FORMAT_CLASSIC: format_ = "netCDF-3 classic"; break;
      case NC_FORMAT_64BIT_OFFSET: format_ = "netCDF-3 64-bit offset"; break;
      case NC_FORMAT_CDF5: format_ = "netCDF-3 CDF5"; break;
      case NC_FORMAT_NETCDF4: format_ = "netCDF-4"; netcdf4_ = true; break;
      case NC_FORMAT_NETCDF4_CLASSIC: format_ = "netCDF-4 classic model"; netcdf4_ = true; break;
      default: format_ = "netCDF"; break;
    }
    if (netcdf4_) chunks_ = Hdf5ChunkReader::open(path_);
    auto s = load_group(ncid_, root_, "");
    return s.with_context(path_);
  }

  const Group& root() const override { return root_; }
  std::string format_name() const override { return format_; }
  std::string location() const override { return path_; }

  bool reads_in_place(const std::string& path) const override {
    auto ref = find_variable(root_, path);
    if (!ref.ok() || ref->var->dtype.kind == DTypeKind::kString) return false;
    if (!netcdf4_ || ref->var->storage.chunks.empty()) return ref->var->storage.deflate_level == 0;  // netCDF-3, contiguous
    return chunks_ && chunks_->reads_in_place(path, *ref->var);
  }

  Result<NdArray> read(const std::string& path, const Box& box) override {
    if (auto ref = find_variable(root_, path); ref.ok() && !ref->var->storage.unsupported.empty())
      return unsupported("{}: variable \"{}\": {}", path_, path, ref->var->storage.unsupported);
    auto it = vars_.find(path);
    if (it == vars_.end()) return not_found("{}: no variable \"{}\"", path_, path);
    PG_ASSIGN_OR_RETURN(VarRef ref, find_variable(root_, path));
    const Variable& v = *ref.var;
    const size_t item = v.dtype.kind == DTypeKind::kString ? sizeof(std::string) : v.dtype.itemsize;
    if (Status s = check_data_size(element_count(box.count) * item, false); !s.ok())
      return s.with_context(fmt::format("{}: variable \"{}\": a region of {} elements", path_, path, element_count(box.count)));
    NdArray out(v.dtype, box.count);
    if (box.size() == 0 && !box.count.empty()) return out;
    if (chunks_ && !v.storage.chunks.empty()) {
      PG_ASSIGN_OR_RETURN(bool done, chunks_->read(path, v, box, out));
      if (done) return out;
    }
    std::vector<size_t> start(box.start.begin(), box.start.end()), count(box.count.begin(), box.count.end());
    NetcdfLock lock(netcdf_mutex());
    int rc;
    if (v.dtype.kind == DTypeKind::kString) {
      std::vector<char*> p(out.size());
      rc = nc_get_vara_string(it->second.grp, it->second.varid, start.data(), count.data(), p.data());
      if (rc == NC_NOERR) {
        for (size_t i = 0; i < p.size(); ++i) out.strings[i] = p[i] ? p[i] : "";
        nc_free_string(p.size(), p.data());
      }
    } else {
      rc = nc_get_vara(it->second.grp, it->second.varid, start.data(), count.data(), out.bytes.data());
    }
    if (rc != NC_NOERR) {
      Status s = nc_check(rc, fmt::format("{}: variable \"{}\"", path_, path));
      if (rc == NC_EHDFERR || rc == NC_EIO || rc == NC_EEDGE || rc == NC_EINVALCOORDS)
        return Status(ErrorCode::kCorrupt, s.message() + " (truncated or damaged file?)");
      return s;
    }
    return out;
  }

 private:
  Status load_group(int grp, Group& g, const std::string& prefix) {
    PG_RETURN_IF_ERROR(check_group_depth(prefix));
    int ndims = 0;
    PG_RETURN_IF_ERROR(nc_check(nc_inq_dimids(grp, &ndims, nullptr, 0), "dimensions"));
    std::vector<int> dimids(ndims);
    if (ndims) PG_RETURN_IF_ERROR(nc_check(nc_inq_dimids(grp, &ndims, dimids.data(), 0), "dimensions"));
    const std::vector<int> unlim = ids_of(grp, nc_inq_unlimdims);
    for (int id : dimids) {
      char name[NC_MAX_NAME + 1];
      size_t len;
      PG_RETURN_IF_ERROR(nc_check(nc_inq_dim(grp, id, name, &len), "dimension"));
      g.dims.push_back({name, len, std::find(unlim.begin(), unlim.end(), id) != unlim.end()});
    }
    int natts = 0;
    nc_inq_natts(grp, &natts);
    PG_RETURN_IF_ERROR(read_attributes(grp, NC_GLOBAL, natts, g.attrs));
    int nvars = 0;
    PG_RETURN_IF_ERROR(nc_check(nc_inq_varids(grp, &nvars, nullptr), "variables"));
    std::vector<int> varids(nvars);
    if (nvars) nc_inq_varids(grp, &nvars, varids.data());
    for (int varid : varids) {
      char name[NC_MAX_NAME + 1];
      nc_type t;
      int vndims, vnatts;
      int vdimids[NC_MAX_VAR_DIMS];
      PG_RETURN_IF_ERROR(nc_check(nc_inq_var(grp, varid, name, &t, &vndims, vdimids, &vnatts), "variable"));
      Variable v;
      v.name = name;
      auto ctx = [&](const Status& s) { return s.with_context(fmt::format("variable \"{}\"", v.name)); };
      auto dt = dtype_of(grp, t, &v.storage.netcdf_enum);
      if (dt.ok()) {
        v.dtype = *dt;
      } else {
        // Listed with its byte size, refused when used (see StorageEncoding::unsupported).
        size_t size = 1;
        nc_inq_type(grp, t, nullptr, &size);
        v.dtype = DType::of(DTypeKind::kBytes, uint32_t(std::max<size_t>(size, 1)));
        v.storage.unsupported = dt.status().message();
      }
      for (int d = 0; d < vndims; ++d) {
        char dname[NC_MAX_NAME + 1];
        size_t len;
        PG_RETURN_IF_ERROR(ctx(nc_check(nc_inq_dim(grp, vdimids[d], dname, &len), "dimension")));
        v.dims.push_back(dname);
        v.shape.push_back(len);
      }
      PG_RETURN_IF_ERROR(ctx(read_attributes(grp, varid, vnatts, v.attrs)));
      if (netcdf4_) {
        int storage = 0;
        std::vector<size_t> cs(std::max(vndims, 1));
        if (vndims > 0 && nc_inq_var_chunking(grp, varid, &storage, cs.data()) == NC_NOERR && storage == NC_CHUNKED)
          v.storage.chunks.assign(cs.begin(), cs.begin() + vndims);
        int shuffle = 0, deflate = 0, level = 0;
        if (nc_inq_var_deflate(grp, varid, &shuffle, &deflate, &level) == NC_NOERR && deflate) {
          v.storage.deflate_level = level;
          v.storage.shuffle = shuffle != 0;
        }
      }
      PG_RETURN_IF_ERROR(ctx(check_array_layout(v.shape, v.storage.chunks, v.dtype.itemsize)));
      vars_[prefix + v.name] = NcVar{grp, varid};
      g.vars.push_back(std::move(v));
    }
    const std::vector<int> grps = ids_of(grp, nc_inq_grps);
    for (int sub : grps) {
      char name[NC_MAX_NAME + 1];
      nc_inq_grpname(sub, name);
      Group sg;
      sg.name = name;
      PG_RETURN_IF_ERROR(load_group(sub, sg, prefix + name + "/").with_context(fmt::format("group \"{}\"", name)));
      g.groups.push_back(std::move(sg));
    }
    return Status::Ok();
  }

  std::string path_;
  int ncid_ = -1;
  std::string format_;
  bool netcdf4_ = false;
  std::unique_ptr<Hdf5ChunkReader> chunks_;
  Group root_;
  std::map<std::string, NcVar> vars_;
};

}  // namespace

Result<std::unique_ptr<DatasetReader>> open_netcdf(const std::string& path) {
  auto r = std::make_unique<NetcdfReader>(path);
  PG_RETURN_IF_ERROR(r->open());
  return std::unique_ptr<DatasetReader>(std::move(r));
}

}  // namespace pangeo
