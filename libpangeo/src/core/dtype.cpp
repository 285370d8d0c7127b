#include "pangeo/dtype.hpp"

#include <cmath>
#include <cstring>

namespace pangeo {

const char* error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk: return "ok";
    case ErrorCode::kInvalidArgument: return "invalid argument";
    case ErrorCode::kNotFound: return "not found";
    case ErrorCode::kAlreadyExists: return "already exists";
    case ErrorCode::kCorrupt: return "corrupt";
    case ErrorCode::kUnsupported: return "unsupported";
    case ErrorCode::kIo: return "i/o error";
    case ErrorCode::kCancelled: return "cancelled";
    case ErrorCode::kResourceExhausted: return "resource exhausted";
    case ErrorCode::kInternal: return "internal error";
    case ErrorCode::kBrokenPipe: return "broken pipe";
  }
  return "unknown";
}

DType DType::of(DTypeKind kind, uint32_t itemsize) {
  DType d;
  d.kind = kind;
  switch (kind) {
    case DTypeKind::kBool: case DTypeKind::kInt8: case DTypeKind::kUInt8: case DTypeKind::kChar:
      d.itemsize = 1; break;
    case DTypeKind::kInt16: case DTypeKind::kUInt16: case DTypeKind::kFloat16: d.itemsize = 2; break;
    case DTypeKind::kInt32: case DTypeKind::kUInt32: case DTypeKind::kFloat32: d.itemsize = 4; break;
    case DTypeKind::kInt64: case DTypeKind::kUInt64: case DTypeKind::kFloat64:
    case DTypeKind::kComplex64: d.itemsize = 8; break;
    case DTypeKind::kComplex128: d.itemsize = 16; break;
    case DTypeKind::kBytes: case DTypeKind::kUnicode: d.itemsize = itemsize; break;
    case DTypeKind::kString: d.itemsize = sizeof(void*); break;
  }
  return d;
}

bool DType::is_integer() const {
  switch (kind) {
    case DTypeKind::kInt8: case DTypeKind::kInt16: case DTypeKind::kInt32: case DTypeKind::kInt64:
    case DTypeKind::kUInt8: case DTypeKind::kUInt16: case DTypeKind::kUInt32: case DTypeKind::kUInt64:
      return true;
    default: return false;
  }
}
bool DType::is_signed() const {
  switch (kind) {
    case DTypeKind::kInt8: case DTypeKind::kInt16: case DTypeKind::kInt32: case DTypeKind::kInt64:
      return true;
    default: return is_float();
  }
}
bool DType::is_float() const {
  return kind == DTypeKind::kFloat16 || kind == DTypeKind::kFloat32 || kind == DTypeKind::kFloat64;
}

std::string DType::numpy_name() const {
  switch (kind) {
    case DTypeKind::kBool: return "bool";
    case DTypeKind::kInt8: return "int8";
    case DTypeKind::kInt16: return "int16";
    case DTypeKind::kInt32: return "int32";
    case DTypeKind::kInt64: return "int64";
    case DTypeKind::kUInt8: return "uint8";
    case DTypeKind::kUInt16: return "uint16";
    case DTypeKind::kUInt32: return "uint32";
    case DTypeKind::kUInt64: return "uint64";
    case DTypeKind::kFloat16: return "float16";
    case DTypeKind::kFloat32: return "float32";
    case DTypeKind::kFloat64: return "float64";
    case DTypeKind::kComplex64: return "complex64";
    case DTypeKind::kComplex128: return "complex128";
    case DTypeKind::kChar: return "|S1";
    case DTypeKind::kBytes: return "|S" + std::to_string(itemsize);
    case DTypeKind::kUnicode: return "<U" + std::to_string(itemsize / 4);
    case DTypeKind::kString: return "object";
  }
  return "?";
}

std::string DType::cdl_name() const {
  switch (kind) {
    case DTypeKind::kInt8: return "byte";
    case DTypeKind::kInt16: return "short";
    case DTypeKind::kInt32: return "int";
    case DTypeKind::kInt64: return "int64";
    case DTypeKind::kUInt8: return "ubyte";
    case DTypeKind::kUInt16: return "ushort";
    case DTypeKind::kUInt32: return "uint";
    case DTypeKind::kUInt64: return "uint64";
    case DTypeKind::kFloat32: return "float";
    case DTypeKind::kFloat64: return "double";
    case DTypeKind::kChar: return "char";
    case DTypeKind::kString: case DTypeKind::kUnicode: return "string";
    case DTypeKind::kBool: return "byte";
    default: return "";
  }
}

Result<DType> parse_numpy_dtype(std::string_view text, bool* big_endian) {
  if (big_endian) *big_endian = false;
  if (text.size() < 2) return invalid_argument("unrecognised dtype \"{}\"", text);
  char order = text[0];
  if (order != '<' && order != '>' && order != '|' && order != '=')
    return invalid_argument("unrecognised dtype \"{}\"", text);
  if (order == '>' && big_endian) *big_endian = true;
  char kind = text[1];
  std::string_view rest = text.substr(2);
  uint64_t n = 0;
  for (char c : rest) {
    if (c < '0' || c > '9') return unsupported("unsupported dtype \"{}\"", text);
    n = n * 10 + unsigned(c - '0');
    // Fixed-width text of more than 16 MiB per element is refused (and no count overflows).
    if (n > (uint64_t(1) << 24)) return unsupported("dtype \"{}\": elements of more than 16 MiB", text.substr(0, 40));
  }
  auto bad = [&] { return unsupported("unsupported dtype \"{}\"", text); };
  switch (kind) {
    case 'b': if (n == 1) return DType::of(DTypeKind::kBool); return bad();
    case 'i':
      if (n == 1) return DType::of(DTypeKind::kInt8);
      if (n == 2) return DType::of(DTypeKind::kInt16);
      if (n == 4) return DType::of(DTypeKind::kInt32);
      if (n == 8) return DType::of(DTypeKind::kInt64);
      return bad();
    case 'u':
      if (n == 1) return DType::of(DTypeKind::kUInt8);
      if (n == 2) return DType::of(DTypeKind::kUInt16);
      if (n == 4) return DType::of(DTypeKind::kUInt32);
      if (n == 8) return DType::of(DTypeKind::kUInt64);
      return bad();
    case 'f':
      if (n == 2) return DType::of(DTypeKind::kFloat16);
      if (n == 4) return DType::of(DTypeKind::kFloat32);
      if (n == 8) return DType::of(DTypeKind::kFloat64);
      return bad();
    case 'c':
      if (n == 8) return DType::of(DTypeKind::kComplex64);
      if (n == 16) return DType::of(DTypeKind::kComplex128);
      return bad();
    case 'S':
      if (n == 1) return DType::of(DTypeKind::kChar);
      if (n > 1) return DType::of(DTypeKind::kBytes, uint32_t(n));
      return bad();
    case 'U':
      if (n >= 1) return DType::of(DTypeKind::kUnicode, uint32_t(n * 4));
      return bad();
    case 'O':
      if (rest.empty()) return DType::of(DTypeKind::kString);
      return bad();
    default: return bad();
  }
}

std::string numpy_dtype_string(const DType& d, bool big_endian) {
  const char bo = big_endian ? '>' : '<';
  auto num = [&](char k) { return std::string(d.itemsize == 1 ? "|" : std::string(1, bo)) + k + std::to_string(d.itemsize); };
  switch (d.kind) {
    case DTypeKind::kBool: return "|b1";
    case DTypeKind::kInt8: case DTypeKind::kInt16: case DTypeKind::kInt32: case DTypeKind::kInt64: return num('i');
    case DTypeKind::kUInt8: case DTypeKind::kUInt16: case DTypeKind::kUInt32: case DTypeKind::kUInt64: return num('u');
    case DTypeKind::kFloat16: case DTypeKind::kFloat32: case DTypeKind::kFloat64: return num('f');
    case DTypeKind::kComplex64: case DTypeKind::kComplex128: return num('c');
    case DTypeKind::kChar: return "|S1";
    case DTypeKind::kBytes: return "|S" + std::to_string(d.itemsize);
    case DTypeKind::kUnicode: return std::string(1, bo) + "U" + std::to_string(d.itemsize / 4);
    case DTypeKind::kString: return "|O";
  }
  return "?";
}

float half_to_float(uint16_t h) {
  uint32_t sign = uint32_t(h & 0x8000) << 16;
  uint32_t exp = (h >> 10) & 0x1f;
  uint32_t mant = h & 0x3ff;
  uint32_t bits;
  if (exp == 0) {
    if (mant == 0) {
      bits = sign;
    } else {  // subnormal: renormalise
      exp = 127 - 15 + 1;
      while (!(mant & 0x400)) { mant <<= 1; --exp; }
      mant &= 0x3ff;
      bits = sign | (exp << 23) | (mant << 13);
    }
  } else if (exp == 31) {
    bits = sign | 0x7f800000u | (mant << 13);
  } else {
    bits = sign | ((exp + 127 - 15) << 23) | (mant << 13);
  }
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

uint16_t float_to_half(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  uint16_t sign = uint16_t((x >> 16) & 0x8000);
  int32_t exp = int32_t((x >> 23) & 0xff) - 127 + 15;
  uint32_t mant = x & 0x7fffff;
  if (((x >> 23) & 0xff) == 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  if (exp >= 31) return sign | 0x7c00;
  if (exp <= 0) {
    if (exp < -10) return sign;
    mant |= 0x800000;
    uint32_t shift = uint32_t(14 - exp);
    uint32_t half = mant >> shift;
    uint32_t rem = mant & ((1u << shift) - 1);
    uint32_t mid = 1u << (shift - 1);
    if (rem > mid || (rem == mid && (half & 1))) ++half;
    return sign | uint16_t(half);
  }
  uint32_t half = (uint32_t(exp) << 10) | (mant >> 13);
  uint32_t rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem == 0x1000 && (half & 1))) ++half;  // round half to even
  return sign | uint16_t(half);
}

template <typename T>
static T load(const void* p, size_t i) {
  T v;
  std::memcpy(&v, static_cast<const char*>(p) + i * sizeof(T), sizeof(T));
  return v;
}
template <typename T>
static void store(void* p, size_t i, T v) {
  std::memcpy(static_cast<char*>(p) + i * sizeof(T), &v, sizeof(T));
}

double load_as_double(const DType& d, const void* p, size_t i) {
  switch (d.kind) {
    case DTypeKind::kBool: return load<uint8_t>(p, i) ? 1.0 : 0.0;
    case DTypeKind::kInt8: return load<int8_t>(p, i);
    case DTypeKind::kInt16: return load<int16_t>(p, i);
    case DTypeKind::kInt32: return load<int32_t>(p, i);
    case DTypeKind::kInt64: return double(load<int64_t>(p, i));
    case DTypeKind::kUInt8: case DTypeKind::kChar: return load<uint8_t>(p, i);
    case DTypeKind::kUInt16: return load<uint16_t>(p, i);
    case DTypeKind::kUInt32: return load<uint32_t>(p, i);
    case DTypeKind::kUInt64: return double(load<uint64_t>(p, i));
    case DTypeKind::kFloat16: return half_to_float(load<uint16_t>(p, i));
    case DTypeKind::kFloat32: return load<float>(p, i);
    case DTypeKind::kFloat64: return load<double>(p, i);
    case DTypeKind::kComplex64: return load<float>(p, 2 * i);
    case DTypeKind::kComplex128: return load<double>(p, 2 * i);
    default: return std::nan("");
  }
}

template <typename T>
static T saturating_cast(double v) {
  // numpy leaves out-of-range float->int casts undefined; a defined clamp is kinder.
  if (std::isnan(v)) return T(0);
  if (v <= double(std::numeric_limits<T>::lowest())) return std::numeric_limits<T>::lowest();
  if (v >= double(std::numeric_limits<T>::max())) return std::numeric_limits<T>::max();
  return T(v);
}

void store_from_double(const DType& d, void* p, size_t i, double v) {
  switch (d.kind) {
    case DTypeKind::kBool: store<uint8_t>(p, i, v != 0 ? 1 : 0); break;
    case DTypeKind::kInt8: store(p, i, saturating_cast<int8_t>(v)); break;
    case DTypeKind::kInt16: store(p, i, saturating_cast<int16_t>(v)); break;
    case DTypeKind::kInt32: store(p, i, saturating_cast<int32_t>(v)); break;
    case DTypeKind::kInt64: store(p, i, saturating_cast<int64_t>(v)); break;
    case DTypeKind::kUInt8: case DTypeKind::kChar: store(p, i, saturating_cast<uint8_t>(v)); break;
    case DTypeKind::kUInt16: store(p, i, saturating_cast<uint16_t>(v)); break;
    case DTypeKind::kUInt32: store(p, i, saturating_cast<uint32_t>(v)); break;
    case DTypeKind::kUInt64: store(p, i, saturating_cast<uint64_t>(v)); break;
    case DTypeKind::kFloat16: store<uint16_t>(p, i, float_to_half(float(v))); break;
    case DTypeKind::kFloat32: store<float>(p, i, float(v)); break;
    case DTypeKind::kFloat64: store<double>(p, i, v); break;
    case DTypeKind::kComplex64: store<float>(p, 2 * i, float(v)); store<float>(p, 2 * i + 1, 0.f); break;
    case DTypeKind::kComplex128: store<double>(p, 2 * i, v); store<double>(p, 2 * i + 1, 0.0); break;
    default: break;
  }
}

void byteswap_inplace(void* data, size_t n, size_t itemsize) {
  if (itemsize <= 1) return;
  auto* b = static_cast<unsigned char*>(data);
  for (size_t i = 0; i < n; ++i) {
    unsigned char* e = b + i * itemsize;
    for (size_t a = 0, z = itemsize - 1; a < z; ++a, --z) std::swap(e[a], e[z]);
  }
}

}  // namespace pangeo
