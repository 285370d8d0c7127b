// netCDF-4 and netCDF-3 (64-bit offset, CDF5 where the types need it) written through
// netCDF-C; every call holds netcdf_mutex().
#include <netcdf.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>

#include <sys/stat.h>

#include "netcdf_lock.hpp"
#include "netcdf_types.hpp"
#include "pangeo/format.hpp"

namespace pangeo {

namespace {

class NetcdfWriter final : public DatasetWriter {
 public:
  NetcdfWriter(std::string path, OutputFormat format) : path_(std::move(path)), format_(format) {}
  ~NetcdfWriter() override {
    NetcdfLock lock(netcdf_mutex());
    if (ncid_ >= 0) nc_close(ncid_);
  }

  Status create(const Group& root) override {
    NetcdfLock lock(netcdf_mutex());
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
    NetcdfLock lock(netcdf_mutex());
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
    NetcdfLock lock(netcdf_mutex());
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
        // Whole chunks are written once each: a small cache (larger chunks bypass it)
        // instead of netCDF-C's default of many MiB per variable, outside the budget.
        PG_RETURN_IF_ERROR(nc_check(nc_set_var_chunk_cache(grp, varid, 1u << 20, 101, 1.0f), "chunk cache"));
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

std::unique_ptr<DatasetWriter> make_netcdf_writer(const std::string& path, OutputFormat format) {
  return std::make_unique<NetcdfWriter>(path, format);
}

}  // namespace pangeo
