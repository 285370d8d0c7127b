#include "netcdf_types.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "netcdf_lock.hpp"

namespace pangeo {

std::recursive_mutex& netcdf_mutex() {
  static std::recursive_mutex mu;
  return mu;
}

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
Result<DType> dtype_of(int grp, nc_type t, Json* enum_out) {
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

static Result<AttrValue> read_attribute(int grp, int varid, const char* name) {
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

}  // namespace pangeo
