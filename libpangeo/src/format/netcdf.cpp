// netCDF-3 and netCDF-4 through netCDF-C. Every netCDF-C call holds netcdf_mutex().
#include <netcdf.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>

#include <sys/stat.h>

#include "hdf5_chunks.hpp"
#include "netcdf3_layout.hpp"
#include "netcdf_lock.hpp"
#include "pangeo/format.hpp"

namespace pangeo {

std::recursive_mutex& netcdf_mutex() {
  static std::recursive_mutex mu;
  return mu;
}

namespace {

using Lock = std::lock_guard<std::recursive_mutex>;

// numpy "<Un" elements (UCS-4, NUL padded) as UTF-8 strings, as netCDF4-python writes them.
std::vector<std::string> ucs4_to_utf8(const NdArray& a) {
  const size_t chars = a.dtype.itemsize / 4;
  std::vector<std::string> out(a.size());
  for (size_t i = 0; i < out.size(); ++i) {
    std::string& s = out[i];
    for (size_t c = 0; c < chars; ++c) {
      uint32_t cp;
      std::memcpy(&cp, a.bytes.data() + (i * chars + c) * 4, 4);
      if (cp == 0) break;
      if (cp < 0x80) {
        s += char(cp);
      } else if (cp < 0x800) {
        s += char(0xC0 | (cp >> 6));
        s += char(0x80 | (cp & 0x3F));
      } else if (cp < 0x10000) {
        s += char(0xE0 | (cp >> 12));
        s += char(0x80 | ((cp >> 6) & 0x3F));
        s += char(0x80 | (cp & 0x3F));
      } else {
        s += char(0xF0 | (cp >> 18));
        s += char(0x80 | ((cp >> 12) & 0x3F));
        s += char(0x80 | ((cp >> 6) & 0x3F));
        s += char(0x80 | (cp & 0x3F));
      }
    }
  }
  return out;
}

Status nc_check(int rc, const std::string& where) {
  if (rc == NC_NOERR) return Status::Ok();
  ErrorCode code = ErrorCode::kIo;
  if (rc == NC_ENOTNC || rc == NC_EHDFERR || rc == NC_ENOTBUILT || rc == NC_EINVAL) code = ErrorCode::kCorrupt;
  if (rc == NC_ENOMEM) code = ErrorCode::kResourceExhausted;
  if (rc == NC_ENOTVAR || rc == NC_EBADDIM || rc == NC_ENOTATT) code = ErrorCode::kNotFound;
  return Status(code, fmt::format("{}: {}", where, nc_strerror(rc)));
}

Result<DType> dtype_of(nc_type t) {
  switch (t) {
    case NC_BYTE: return DType::of(DTypeKind::kInt8);
    case NC_UBYTE: return DType::of(DTypeKind::kUInt8);
    case NC_CHAR: return DType::of(DTypeKind::kChar);
    case NC_SHORT: return DType::of(DTypeKind::kInt16);
    case NC_USHORT: return DType::of(DTypeKind::kUInt16);
    case NC_INT: return DType::of(DTypeKind::kInt32);
    case NC_UINT: return DType::of(DTypeKind::kUInt32);
    case NC_INT64: return DType::of(DTypeKind::kInt64);
    case NC_UINT64: return DType::of(DTypeKind::kUInt64);
    case NC_FLOAT: return DType::of(DTypeKind::kFloat32);
    case NC_DOUBLE: return DType::of(DTypeKind::kFloat64);
    case NC_STRING: return DType::of(DTypeKind::kString);
    default: return unsupported("user-defined netCDF type {}", t);
  }
}

// The element type of `t` in group `grp`: atomic types, and enums as their base integer
// type (as netCDF4-python and xarray read them). Other user-defined types (compound,
// vlen, opaque) are refused with their class and name.
Result<DType> dtype_of(int grp, nc_type t, Json* enum_out = nullptr) {
  if (t <= NC_MAX_ATOMIC_TYPE) return dtype_of(t);
  char name[NC_MAX_NAME + 1] = "";
  size_t size = 0, nfields = 0;
  nc_type base = NC_NAT;
  int cls = 0;
  if (nc_inq_user_type(grp, t, name, &size, &base, &nfields, &cls) != NC_NOERR)
    return unsupported("unknown netCDF type {}", t);
  if (cls == NC_ENUM) {
    PG_ASSIGN_OR_RETURN(DType dt, dtype_of(base));
    if (enum_out) {
      Json members = Json::object();
      for (size_t i = 0; i < nfields; ++i) {
        char label[NC_MAX_NAME + 1] = "";
        Bytes raw(8);  // wide enough for every base type
        if (nc_inq_enum_member(grp, t, int(i), label, raw.data()) != NC_NOERR) continue;
        members[to_valid_utf8(label)] = int64_t(load_as_double(dt, raw.data(), 0));
      }
      *enum_out = Json{{"name", to_valid_utf8(name)}, {"members", members}};
    }
    return dt;
  }
  const char* kind = cls == NC_COMPOUND ? "compound" : cls == NC_VLEN ? "variable-length" : cls == NC_OPAQUE ? "opaque" : "user-defined";
  return unsupported("netCDF {} type \"{}\" is not supported", kind, name);
}

Result<nc_type> nc_type_of(const DType& d) {
  switch (d.kind) {
    case DTypeKind::kBool: case DTypeKind::kInt8: return NC_BYTE;
    case DTypeKind::kUInt8: return NC_UBYTE;
    case DTypeKind::kChar: case DTypeKind::kBytes: return NC_CHAR;
    case DTypeKind::kInt16: return NC_SHORT;
    case DTypeKind::kUInt16: return NC_USHORT;
    case DTypeKind::kInt32: return NC_INT;
    case DTypeKind::kUInt32: return NC_UINT;
    case DTypeKind::kInt64: return NC_INT64;
    case DTypeKind::kUInt64: return NC_UINT64;
    case DTypeKind::kFloat32: return NC_FLOAT;
    case DTypeKind::kFloat64: return NC_DOUBLE;
    case DTypeKind::kString: case DTypeKind::kUnicode: return NC_STRING;
    default: return unsupported("netCDF has no {} type", d.numpy_name());
  }
}

Result<AttrValue> read_attribute(int grp, int varid, const char* name) {
  nc_type t;
  size_t len;
  PG_RETURN_IF_ERROR(nc_check(nc_inq_att(grp, varid, name, &t, &len), name));
  if (t == NC_CHAR) {
    std::string s(len, '\0');
    if (len) PG_RETURN_IF_ERROR(nc_check(nc_get_att_text(grp, varid, name, s.data()), name));
    // netCDF4-python drops NUL characters from text attributes.
    s.erase(std::remove(s.begin(), s.end(), '\0'), s.end());
    return AttrValue::text(to_valid_utf8(s));
  }
  if (t == NC_STRING) {
    std::vector<char*> p(len);
    PG_RETURN_IF_ERROR(nc_check(nc_get_att_string(grp, varid, name, p.data()), name));
    Json j = Json::array();
    for (auto* c : p) j.push_back(c ? to_valid_utf8(c) : std::string());
    nc_free_string(len, p.data());
    if (len == 1) return AttrValue{DType::of(DTypeKind::kString), j[0]};
    return AttrValue{DType::of(DTypeKind::kString), j};
  }
  PG_ASSIGN_OR_RETURN(DType dt, dtype_of(grp, t));
  Bytes buf(std::max<size_t>(len, 1) * dt.itemsize);
  PG_RETURN_IF_ERROR(nc_check(nc_get_att(grp, varid, name, buf.data()), name));
  auto elem = [&](size_t i) -> Json {
    if (dt.kind == DTypeKind::kInt64) { int64_t v; std::memcpy(&v, buf.data() + 8 * i, 8); return v; }
    if (dt.kind == DTypeKind::kUInt64) { uint64_t v; std::memcpy(&v, buf.data() + 8 * i, 8); return v; }
    double v = load_as_double(dt, buf.data(), i);
    if (dt.is_integer()) return int64_t(v);
    return v;
  };
  if (len == 1) return AttrValue{dt, elem(0)};
  Json arr = Json::array();
  for (size_t i = 0; i < len; ++i) arr.push_back(elem(i));
  return AttrValue{dt, arr};
}

Status read_attributes(int grp, int varid, int natts, Attributes& out) {
  for (int a = 0; a < natts; ++a) {
    char name[NC_MAX_NAME + 1];
    PG_RETURN_IF_ERROR(nc_check(nc_inq_attname(grp, varid, a, name), "attribute"));
    PG_ASSIGN_OR_RETURN(AttrValue v, read_attribute(grp, varid, name));
    out.set(name, std::move(v));
  }
  return Status::Ok();
}

struct NcVar {
  int grp, varid;
};

class NetcdfReader final : public DatasetReader {
 public:
  explicit NetcdfReader(std::string path) : path_(std::move(path)) {}
  ~NetcdfReader() override {
    chunks_.reset();
    Lock lock(netcdf_mutex());
    if (ncid_ >= 0) nc_close(ncid_);
  }

  Status open() {
    Lock lock(netcdf_mutex());
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
    if (netcdf4_) {
      chunks_ = Hdf5ChunkReader::open(path_);
    } else {
      PG_ASSIGN_OR_RETURN(uint64_t need, netcdf3_required_size(path_));
      struct stat st {};
      if (::stat(path_.c_str(), &st) == 0 && uint64_t(st.st_size) < need)
        return corrupt("{}: truncated netCDF-3 file ({} bytes; its header describes {})", path_, st.st_size, need);
    }
    auto s = load_group(ncid_, root_, "");
    return s.with_context(path_);
  }

  const Group& root() const override { return root_; }
  std::string format_name() const override { return format_; }
  std::string location() const override { return path_; }

  Result<NdArray> read(const std::string& path, const Box& box) override {
    if (auto ref = find_variable(root_, path); ref.ok() && !ref->var->storage.unsupported.empty())
      return unsupported("{}: variable \"{}\": {}", path_, path, ref->var->storage.unsupported);
    auto it = vars_.find(path);
    if (it == vars_.end()) return not_found("{}: no variable \"{}\"", path_, path);
    PG_ASSIGN_OR_RETURN(VarRef ref, find_variable(root_, path));
    const Variable& v = *ref.var;
    NdArray out(v.dtype, box.count);
    if (box.size() == 0 && !box.count.empty()) return out;
    if (chunks_ && !v.storage.chunks.empty()) {
      PG_ASSIGN_OR_RETURN(bool done, chunks_->read(path, v, box, out));
      if (done) return out;
    }
    std::vector<size_t> start(box.start.begin(), box.start.end()), count(box.count.begin(), box.count.end());
    Lock lock(netcdf_mutex());
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
    int ndims = 0;
    PG_RETURN_IF_ERROR(nc_check(nc_inq_dimids(grp, &ndims, nullptr, 0), "dimensions"));
    std::vector<int> dimids(ndims);
    if (ndims) PG_RETURN_IF_ERROR(nc_check(nc_inq_dimids(grp, &ndims, dimids.data(), 0), "dimensions"));
    int nunlim = 0;
    nc_inq_unlimdims(grp, &nunlim, nullptr);
    std::vector<int> unlim(std::max(nunlim, 0));
    if (nunlim > 0) nc_inq_unlimdims(grp, &nunlim, unlim.data());
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
      vars_[prefix + v.name] = NcVar{grp, varid};
      g.vars.push_back(std::move(v));
    }
    int ngrps = 0;
    nc_inq_grps(grp, &ngrps, nullptr);
    std::vector<int> grps(std::max(ngrps, 0));
    if (ngrps > 0) nc_inq_grps(grp, &ngrps, grps.data());
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

// ---------------------------------------------------------------------------------------

class NetcdfWriter final : public DatasetWriter {
 public:
  NetcdfWriter(std::string path, OutputFormat format) : path_(std::move(path)), format_(format) {}
  ~NetcdfWriter() override {
    Lock lock(netcdf_mutex());
    if (ncid_ >= 0) nc_close(ncid_);
  }

  Status create(const Group& root) override {
    Lock lock(netcdf_mutex());
    bool nc3 = format_ == OutputFormat::kNetcdf3;
    int mode = NC_CLOBBER;
    if (nc3) {
      mode |= needs_cdf5(root) ? NC_64BIT_DATA : NC_64BIT_OFFSET;
      if (!root.groups.empty()) return unsupported("{}: netCDF-3 has no groups", path_);
    } else {
      mode |= NC_NETCDF4;
    }
    PG_RETURN_IF_ERROR(nc_check(nc_create(path_.c_str(), mode, &ncid_), path_));
    nc_set_fill(ncid_, NC_NOFILL, nullptr);
    PG_RETURN_IF_ERROR(define_group(ncid_, root, "").with_context(path_));
    return nc_check(nc_enddef(ncid_), path_);
  }

  Status write(const std::string& path, const Box& box, const NdArray& data) override {
    auto it = vars_.find(path);
    if (it == vars_.end()) return internal_error("netCDF: write to undefined variable \"{}\"", path);
    std::vector<size_t> start(box.start.begin(), box.start.end()), count(box.count.begin(), box.count.end());
    if (data.dtype.kind == DTypeKind::kBytes) {  // written as char with a trailing string dimension
      start.push_back(0);
      count.push_back(data.dtype.itemsize);
    }
    Lock lock(netcdf_mutex());
    int rc;
    if (data.dtype.kind == DTypeKind::kString || data.dtype.kind == DTypeKind::kUnicode) {
      std::vector<std::string> utf8;
      const std::vector<std::string>* strings = &data.strings;
      if (data.dtype.kind == DTypeKind::kUnicode) {
        utf8 = ucs4_to_utf8(data);
        strings = &utf8;
      }
      std::vector<const char*> p(strings->size());
      for (size_t i = 0; i < p.size(); ++i) p[i] = (*strings)[i].c_str();
      rc = nc_put_vara_string(it->second.grp, it->second.varid, start.data(), count.data(), p.data());
    } else {
      rc = nc_put_vara(it->second.grp, it->second.varid, start.data(), count.data(), data.bytes.data());
    }
    return nc_check(rc, fmt::format("{}: variable \"{}\"", path_, path));
  }

  Status finish() override {
    Lock lock(netcdf_mutex());
    int rc = nc_close(ncid_);
    ncid_ = -1;
    return nc_check(rc, path_);
  }

 private:
  static bool needs_cdf5(const Group& g) {
    for (const auto& v : g.vars) {
      auto k = v.dtype.kind;
      if (k == DTypeKind::kInt64 || k == DTypeKind::kUInt64 || k == DTypeKind::kUInt8 || k == DTypeKind::kUInt16 ||
          k == DTypeKind::kUInt32)
        return true;
    }
    return false;
  }

  // Attributes netCDF-C keeps for itself (it writes them, and refuses them from us), and
  // NCZarr's bookkeeping, which means nothing outside an NCZarr store.
  static bool reserved(const std::string& name) {
    static const char* const kReserved[] = {"_NCProperties", "_IsNetcdf4", "_SuperblockVersion", "_Netcdf4Dimid",
                                            "_Netcdf4Coordinates", "_Format", "_nc3_strict", "_Codecs"};
    for (const char* r : kReserved)
      if (name == r) return true;
    return name.rfind("_nczarr", 0) == 0 || name.rfind("_NCZARR", 0) == 0;
  }

  Status put_attribute(int grp, int varid, const std::string& name, const AttrValue& a, nc_type var_type) {
    bool nc3 = format_ == OutputFormat::kNetcdf3;
    if (reserved(name)) return Status::Ok();
    if (a.value.is_object()) {
      const std::string s = a.value.dump(-1, ' ', false, Json::error_handler_t::replace);
      return nc_check(nc_put_att_text(grp, varid, name.c_str(), s.size(), s.c_str()), name);
    }
    if (auto vt = dtype_of(grp, var_type); var_type != NC_NAT && vt.ok() && vt->is_integer()) {
      // An integer variable's NaN _FillValue (real files have them) can be no value of
      // the variable: it masks nothing, and netCDF cannot store it. Left out.
      const auto nums = a.numbers();
      if (!nums.empty() && !std::isfinite(nums[0])) return Status::Ok();
    }
    if (a.is_text() && var_type == NC_CHAR && a.value.is_string()) {
      // A char variable's _FillValue is one character; "" (as read) is the NUL character.
      const std::string& s = a.value.get_ref<const std::string&>();
      const char c = s.empty() ? '\0' : s[0];
      return nc_check(nc_put_att_text(grp, varid, name.c_str(), 1, &c), name);
    }
    if (a.is_text()) {
      if (a.value.is_string()) {
        const std::string& s = a.value.get_ref<const std::string&>();
        if (a.dtype.kind == DTypeKind::kString && !nc3) {
          const char* p = s.c_str();
          return nc_check(nc_put_att_string(grp, varid, name.c_str(), 1, &p), name);
        }
        return nc_check(nc_put_att_text(grp, varid, name.c_str(), s.size(), s.c_str()), name);
      }
      std::vector<std::string> items;
      for (const auto& e : a.value) items.push_back(e.is_string() ? e.get<std::string>() : e.dump());
      if (nc3) {
        std::string joined;
        for (size_t i = 0; i < items.size(); ++i) joined += (i ? "\n" : "") + items[i];
        return nc_check(nc_put_att_text(grp, varid, name.c_str(), joined.size(), joined.c_str()), name);
      }
      std::vector<const char*> p;
      for (const auto& s : items) p.push_back(s.c_str());
      return nc_check(nc_put_att_string(grp, varid, name.c_str(), p.size(), p.data()), name);
    }
    DType dt = a.dtype;
    nc_type t;
    if (var_type != NC_NAT) {
      t = var_type;  // _FillValue must have the variable's type (an enum's: its base)
      PG_ASSIGN_OR_RETURN(dt, dtype_of(grp, t));
    } else {
      if (nc3 && (dt.kind == DTypeKind::kInt64 || dt.kind == DTypeKind::kUInt64 || dt.kind == DTypeKind::kUInt32)) {
        // netCDF-3 has no 64-bit integers: int32 when the values fit, as xarray coerces.
        bool fits = true;
        for (double x : a.numbers()) fits &= x >= -2147483648.0 && x <= 2147483647.0;
        dt = DType::of(fits ? DTypeKind::kInt32 : DTypeKind::kFloat64);
      } else if (nc3 && (dt.kind == DTypeKind::kUInt8 || dt.kind == DTypeKind::kUInt16)) {
        dt = DType::of(DTypeKind::kInt32);
      }
      auto nt = nc_type_of(dt);
      if (!nt.ok()) return nt.status().with_context(name);
      t = *nt;
    }
    std::vector<double> nums = a.numbers();
    Bytes buf(std::max<size_t>(nums.size(), 1) * dt.itemsize);
    const bool scalar = !a.value.is_array();
    for (size_t i = 0; i < nums.size(); ++i) {
      const Json& e = scalar ? a.value : a.value[i];
      if (dt.kind == DTypeKind::kInt64 && e.is_number_integer()) {
        int64_t v = e.get<int64_t>();
        std::memcpy(buf.data() + 8 * i, &v, 8);
      } else if (dt.kind == DTypeKind::kUInt64 && e.is_number_unsigned()) {
        uint64_t v = e.get<uint64_t>();
        std::memcpy(buf.data() + 8 * i, &v, 8);
      } else {
        store_from_double(dt, buf.data(), i, nums[i]);
      }
    }
    return nc_check(nc_put_att(grp, varid, name.c_str(), t, nums.size(), buf.data()), name);
  }

  Status define_group(int grp, const Group& g, const std::string& prefix) {
    // Dimensions: those the group declares, plus any its variables use that no
    // enclosing group has (Zarr has no separate dimension list).
    std::vector<Dimension> dims = g.dims;
    for (const auto& v : g.vars)
      for (size_t d = 0; d < v.dims.size(); ++d) {
        bool known = std::any_of(dims.begin(), dims.end(), [&](const Dimension& x) { return x.name == v.dims[d]; });
        if (!known && !dim_ids_.count(v.dims[d])) dims.push_back({v.dims[d], v.shape[d], false});
      }
    std::map<std::string, int> saved = dim_ids_;
    for (const auto& d : dims) {
      int id;
      size_t len = d.unlimited ? NC_UNLIMITED : size_t(d.size);
      PG_RETURN_IF_ERROR(nc_check(nc_def_dim(grp, d.name.c_str(), len, &id), fmt::format("dimension \"{}\"", d.name)));
      dim_ids_[d.name] = id;
      dim_sizes_[d.name] = d.size;
    }
    for (const auto& a : g.attrs.items())
      PG_RETURN_IF_ERROR(put_attribute(grp, NC_GLOBAL, a.name, a.value, NC_NAT).with_context("global attribute"));
    for (const auto& v : g.vars)
      PG_RETURN_IF_ERROR(define_variable(grp, v, prefix).with_context(fmt::format("variable \"{}\"", v.name)));
    for (const auto& sub : g.groups) {
      int sg;
      PG_RETURN_IF_ERROR(nc_check(nc_def_grp(grp, sub.name.c_str(), &sg), fmt::format("group \"{}\"", sub.name)));
      PG_RETURN_IF_ERROR(define_group(sg, sub, prefix + sub.name + "/"));
    }
    dim_ids_ = saved;
    return Status::Ok();
  }

  // The enum type `e` over the integer type `base` in group `grp` (defined once per group).
  Result<nc_type> define_enum(int grp, nc_type base, const Json& e) {
    const std::string name = e.value("name", "enum_t");
    const std::string key = fmt::format("{}/{}", grp, name);
    if (auto it = enum_ids_.find(key); it != enum_ids_.end()) return it->second;
    nc_type id;
    PG_RETURN_IF_ERROR(nc_check(nc_def_enum(grp, base, name.c_str(), &id), fmt::format("enum type \"{}\"", name)));
    PG_ASSIGN_OR_RETURN(DType dt, dtype_of(base));
    const Json members = e.value("members", Json::object());
    for (auto it = members.begin(); it != members.end(); ++it) {
      Bytes raw(dt.itemsize);
      store_from_double(dt, raw.data(), 0, it.value().get<double>());
      PG_RETURN_IF_ERROR(nc_check(nc_insert_enum(grp, id, it.key().c_str(), raw.data()), fmt::format("enum member \"{}\"", it.key())));
    }
    enum_ids_[key] = id;
    return id;
  }

  Status define_variable(int grp, const Variable& v, const std::string& prefix) {
    bool nc3 = format_ == OutputFormat::kNetcdf3;
    if (nc3 && (v.dtype.kind == DTypeKind::kString || v.dtype.kind == DTypeKind::kUnicode))
      return unsupported("netCDF-3 has no string type");
    PG_ASSIGN_OR_RETURN(nc_type t, nc_type_of(v.dtype));
    if (!nc3 && v.storage.netcdf_enum.is_object() && v.dtype.is_integer()) {
      PG_ASSIGN_OR_RETURN(t, define_enum(grp, t, v.storage.netcdf_enum));
    }
    std::vector<int> dimids;
    for (const auto& d : v.dims) {
      auto it = dim_ids_.find(d);
      if (it == dim_ids_.end()) return internal_error("undefined dimension \"{}\"", d);
      dimids.push_back(it->second);
    }
    if (v.dtype.kind == DTypeKind::kBytes) {  // |Sn -> char with a "string{n}" dimension, as xarray does
      std::string sd = fmt::format("string{}", v.dtype.itemsize);
      auto it = dim_ids_.find(sd);
      int id;
      if (it != dim_ids_.end()) {
        id = it->second;
      } else {
        PG_RETURN_IF_ERROR(nc_check(nc_def_dim(grp, sd.c_str(), v.dtype.itemsize, &id), sd));
        dim_ids_[sd] = id;
      }
      dimids.push_back(id);
    }
    int varid;
    PG_RETURN_IF_ERROR(nc_check(nc_def_var(grp, v.name.c_str(), t, int(dimids.size()), dimids.data(), &varid), "define"));
    if (!nc3 && !dimids.empty()) {
      if (!v.storage.chunks.empty() && v.storage.chunks.size() == v.dims.size()) {
        std::vector<size_t> cs;
        for (size_t d = 0; d < v.dims.size(); ++d) {
          uint64_t c = std::max<uint64_t>(1, v.storage.chunks[d]);
          if (v.shape[d] > 0) c = std::min<uint64_t>(c, v.shape[d]);
          cs.push_back(size_t(c));
        }
        if (v.dtype.kind == DTypeKind::kBytes) cs.push_back(v.dtype.itemsize);
        PG_RETURN_IF_ERROR(nc_check(nc_def_var_chunking(grp, varid, NC_CHUNKED, cs.data()), "chunking"));
      }
      if (v.storage.deflate_level > 0 || v.storage.shuffle)
        PG_RETURN_IF_ERROR(nc_check(
            nc_def_var_deflate(grp, varid, v.storage.shuffle ? 1 : 0, v.storage.deflate_level > 0 ? 1 : 0,
                               v.storage.deflate_level),
            "compression"));
    }
    for (const auto& a : v.attrs.items()) {
      bool fill = a.name == "_FillValue";
      if (fill && v.dtype.kind == DTypeKind::kString) continue;
      PG_RETURN_IF_ERROR(put_attribute(grp, varid, a.name, a.value, fill ? t : NC_NAT)
                             .with_context(fmt::format("attribute \"{}\"", a.name)));
    }
    if (v.dtype.kind == DTypeKind::kBool && !v.attrs.find("dtype"))
      PG_RETURN_IF_ERROR(nc_check(nc_put_att_text(grp, varid, "dtype", 4, "bool"), "dtype"));
    vars_[prefix + v.name] = NcVar{grp, varid};
    return Status::Ok();
  }

  std::string path_;
  OutputFormat format_;
  int ncid_ = -1;
  std::map<std::string, int> dim_ids_;
  std::map<std::string, uint64_t> dim_sizes_;
  std::map<std::string, NcVar> vars_;
  std::map<std::string, nc_type> enum_ids_;  // "group id/name"
};

}  // namespace

Result<std::unique_ptr<DatasetReader>> open_netcdf(const std::string& path) {
  auto r = std::make_unique<NetcdfReader>(path);
  PG_RETURN_IF_ERROR(r->open());
  return std::unique_ptr<DatasetReader>(std::move(r));
}

std::unique_ptr<DatasetWriter> make_netcdf_writer(const std::string& path, OutputFormat format) {
  return std::make_unique<NetcdfWriter>(path, format);
}

}  // namespace pangeo
