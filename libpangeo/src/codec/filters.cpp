// Array filters (numcodecs shuffle, delta, fixedscaleoffset, quantize, astype),
// checksums (crc32, crc32c, adler32) and object codecs (vlen-utf8, vlen-bytes).
#include <zlib.h>

#include <cmath>
#include <array>
#include <cstring>

#include "codec_impl.hpp"

namespace pangeo::codecs {

Result<DType> config_dtype(const Json& config, const char* key, const DType& fallback) {
  if (!config.contains(key) || config[key].is_null()) return fallback;
  bool big = false;
  PG_ASSIGN_OR_RETURN(DType dt, parse_numpy_dtype(config[key].get<std::string>(), &big));
  if (big) return unsupported("big-endian {} \"{}\"", key, config[key].get<std::string>());
  // Filters convert numbers: text, bytes or complex element types have no meaning here.
  if (!dt.is_numeric() || dt.itemsize == 0 || dt.kind == DTypeKind::kComplex64 || dt.kind == DTypeKind::kComplex128)
    return unsupported("{} \"{}\" is not a numeric type", key, config[key].get<std::string>());
  return dt;
}

namespace {

// Calls fn(T{}) with T the C++ type of a numeric dtype.
template <typename Fn>
Status dispatch_numeric(const DType& dt, Fn&& fn) {
  switch (dt.kind) {
    case DTypeKind::kBool: fn(bool{}); break;
    case DTypeKind::kInt8: fn(int8_t{}); break;
    case DTypeKind::kInt16: fn(int16_t{}); break;
    case DTypeKind::kInt32: fn(int32_t{}); break;
    case DTypeKind::kInt64: fn(int64_t{}); break;
    case DTypeKind::kUInt8: fn(uint8_t{}); break;
    case DTypeKind::kUInt16: fn(uint16_t{}); break;
    case DTypeKind::kUInt32: fn(uint32_t{}); break;
    case DTypeKind::kUInt64: fn(uint64_t{}); break;
    case DTypeKind::kFloat32: fn(float{}); break;
    case DTypeKind::kFloat64: fn(double{}); break;
    default: return unsupported("dtype {} in this filter", dt.numpy_name());
  }
  return Status::Ok();
}

// Converts between element types like numpy's astype (float -> int truncates).
Bytes convert(const Bytes& in, const DType& from, const DType& to) {
  if (from == to) return in;
  size_t n = in.size() / from.itemsize;
  Bytes out(n * to.itemsize);
  for (size_t i = 0; i < n; ++i) {
    double v = load_as_double(from, in.data(), i);
    if (to.is_integer() && std::isfinite(v)) v = std::trunc(v);
    store_from_double(to, out.data(), i, v);
  }
  return out;
}

class ShuffleCodec final : public Codec {
 public:
  explicit ShuffleCodec(size_t elementsize) : es_(elementsize) {}
  Json config() const override { return {{"id", "shuffle"}, {"elementsize", es_}}; }
  Result<Bytes> encode(const Bytes& in) const override { return run(in, true); }
  Result<Bytes> decode(const Bytes& in, size_t) const override { return run(in, false); }

 private:
  Bytes run(const Bytes& in, bool forward) const {
    if (es_ <= 1) return in;
    Bytes out(in);
    size_t count = in.size() / es_;
    for (size_t i = 0; i < count; ++i)
      for (size_t b = 0; b < es_; ++b) {
        if (forward) out[b * count + i] = in[i * es_ + b];
        else out[i * es_ + b] = in[b * count + i];
      }
    return out;
  }
  size_t es_;
};

class DeltaCodec final : public Codec {
 public:
  DeltaCodec(DType dtype, DType astype) : dt_(dtype), as_(astype) {}
  Json config() const override {
    return {{"id", "delta"}, {"dtype", numpy_dtype_string(dt_)}, {"astype", numpy_dtype_string(as_)}};
  }
  DType encoded_dtype(const DType&) const override { return as_; }
  Result<Bytes> encode(const Bytes& in) const override {
    Bytes diff(in.size());
    PG_RETURN_IF_ERROR(dispatch_numeric(dt_, [&](auto t) {
      using T = decltype(t);
      size_t n = in.size() / sizeof(T);
      const T* a = reinterpret_cast<const T*>(in.data());
      T* d = reinterpret_cast<T*>(diff.data());
      for (size_t i = n; i-- > 1;) {
        if constexpr (std::is_same_v<T, bool>) d[i] = a[i] != a[i - 1];
        else if constexpr (std::is_integral_v<T>)
          d[i] = T(std::make_unsigned_t<T>(a[i]) - std::make_unsigned_t<T>(a[i - 1]));
        else d[i] = a[i] - a[i - 1];
      }
      if (n) d[0] = a[0];
    }));
    return convert(diff, dt_, as_);
  }
  Result<Bytes> decode(const Bytes& in, size_t) const override {
    Bytes out = convert(in, as_, dt_);
    PG_RETURN_IF_ERROR(dispatch_numeric(dt_, [&](auto t) {
      using T = decltype(t);
      size_t n = out.size() / sizeof(T);
      T* a = reinterpret_cast<T*>(out.data());
      for (size_t i = 1; i < n; ++i) {
        if constexpr (std::is_same_v<T, bool>) a[i] = a[i] != a[i - 1];
        else if constexpr (std::is_integral_v<T>)
          a[i] = T(std::make_unsigned_t<T>(a[i]) + std::make_unsigned_t<T>(a[i - 1]));
        else a[i] = a[i] + a[i - 1];
      }
    }));
    return out;
  }

 private:
  DType dt_, as_;
};

class FixedScaleOffsetCodec final : public Codec {
 public:
  FixedScaleOffsetCodec(double scale, double offset, DType dtype, DType astype)
      : scale_(scale), offset_(offset), dt_(dtype), as_(astype) {}
  Json config() const override {
    return {{"id", "fixedscaleoffset"}, {"scale", scale_}, {"offset", offset_},
            {"dtype", numpy_dtype_string(dt_)}, {"astype", numpy_dtype_string(as_)}};
  }
  DType encoded_dtype(const DType&) const override { return as_; }
  Result<Bytes> encode(const Bytes& in) const override {
    size_t n = in.size() / dt_.itemsize;
    Bytes out(n * as_.itemsize);
    for (size_t i = 0; i < n; ++i)
      store_from_double(as_, out.data(), i, std::nearbyint((load_as_double(dt_, in.data(), i) - offset_) * scale_));
    return out;
  }
  Result<Bytes> decode(const Bytes& in, size_t) const override {
    size_t n = in.size() / as_.itemsize;
    Bytes out(n * dt_.itemsize);
    for (size_t i = 0; i < n; ++i) {
      double v = load_as_double(as_, in.data(), i) / scale_ + offset_;
      if (dt_.is_integer()) v = std::trunc(v);
      store_from_double(dt_, out.data(), i, v);
    }
    return out;
  }

 private:
  double scale_, offset_;
  DType dt_, as_;
};

class QuantizeCodec final : public Codec {
 public:
  QuantizeCodec(int digits, DType dtype, DType astype) : digits_(digits), dt_(dtype), as_(astype) {}
  Json config() const override {
    return {{"id", "quantize"}, {"digits", digits_}, {"dtype", numpy_dtype_string(dt_)},
            {"astype", numpy_dtype_string(as_)}};
  }
  DType encoded_dtype(const DType&) const override { return as_; }
  Result<Bytes> encode(const Bytes& in) const override {
    double precision = std::pow(10.0, -digits_);
    double e = std::log10(precision);
    int exp = e < 0 ? int(std::floor(e)) : int(std::ceil(e));
    double bits = std::ceil(std::log2(std::pow(10.0, -exp)));
    double scale = std::pow(2.0, bits);
    size_t n = in.size() / dt_.itemsize;
    Bytes out(n * as_.itemsize);
    for (size_t i = 0; i < n; ++i)
      store_from_double(as_, out.data(), i, std::nearbyint(scale * load_as_double(dt_, in.data(), i)) / scale);
    return out;
  }
  Result<Bytes> decode(const Bytes& in, size_t) const override { return convert(in, as_, dt_); }

 private:
  int digits_;
  DType dt_, as_;
};

class AsTypeCodec final : public Codec {
 public:
  AsTypeCodec(DType decode_dt, DType encode_dt) : dec_(decode_dt), enc_(encode_dt) {}
  Json config() const override {
    return {{"id", "astype"}, {"decode_dtype", numpy_dtype_string(dec_)}, {"encode_dtype", numpy_dtype_string(enc_)}};
  }
  DType encoded_dtype(const DType&) const override { return enc_; }
  Result<Bytes> encode(const Bytes& in) const override { return convert(in, dec_, enc_); }
  Result<Bytes> decode(const Bytes& in, size_t) const override { return convert(in, enc_, dec_); }

 private:
  DType dec_, enc_;
};

enum class Sum { kCrc32, kCrc32c, kAdler32, kFletcher32 };

// numcodecs' Fletcher-32 (as zarr-python 3 stores it): 16-bit big-endian words, sums
// folded every 360 words, the checksum appended little-endian.
uint32_t fletcher32(const uint8_t* p, size_t n) {
  uint32_t sum1 = 0xffff, sum2 = 0xffff;
  size_t words = n / 2;
  const uint8_t* w = p;
  while (words) {
    size_t t = words > 360 ? 360 : words;
    words -= t;
    while (t--) {
      sum1 += (uint32_t(w[0]) << 8) | uint32_t(w[1]);
      w += 2;
      sum2 += sum1;
    }
    sum1 = (sum1 & 0xffff) + (sum1 >> 16);
    sum2 = (sum2 & 0xffff) + (sum2 >> 16);
  }
  if (n & 1) {
    sum1 += p[n - 1];
    sum2 += sum1;
    sum1 = (sum1 & 0xffff) + (sum1 >> 16);
    sum2 = (sum2 & 0xffff) + (sum2 >> 16);
  }
  sum1 = (sum1 & 0xffff) + (sum1 >> 16);
  sum2 = (sum2 & 0xffff) + (sum2 >> 16);
  return (sum2 << 16) | sum1;
}

class ChecksumCodec final : public Codec {
 public:
  ChecksumCodec(Sum kind, bool at_end) : kind_(kind), at_end_(at_end) {}
  Json config() const override {
    const char* id = kind_ == Sum::kCrc32    ? "crc32"
                     : kind_ == Sum::kCrc32c ? "crc32c"
                     : kind_ == Sum::kAdler32 ? "adler32"
                                              : "fletcher32";
    Json j{{"id", id}};
    bool default_end = kind_ == Sum::kCrc32c || kind_ == Sum::kFletcher32;
    if (at_end_ != default_end) j["location"] = at_end_ ? "end" : "start";
    return j;
  }
  Result<Bytes> encode(const Bytes& in) const override {
    uint32_t sum = compute(in.data(), in.size());
    Bytes out;
    out.reserve(in.size() + 4);
    uint8_t le[4];
    std::memcpy(le, &sum, 4);
    if (!at_end_) out.insert(out.end(), le, le + 4);
    out.insert(out.end(), in.begin(), in.end());
    if (at_end_) out.insert(out.end(), le, le + 4);
    return out;
  }
  Result<Bytes> decode(const Bytes& in, size_t) const override {
    if (in.size() < 4) return corrupt("{}: buffer too short for a checksum", config()["id"].get<std::string>());
    const uint8_t* payload = in.data() + (at_end_ ? 0 : 4);
    size_t n = in.size() - 4;
    uint32_t stored;
    std::memcpy(&stored, in.data() + (at_end_ ? n : 0), 4);
    if (compute(payload, n) != stored)
      return corrupt("{} checksum mismatch", config()["id"].get<std::string>());
    return Bytes(payload, payload + n);
  }

 private:
  uint32_t compute(const uint8_t* p, size_t n) const {
    switch (kind_) {
      case Sum::kCrc32: return uint32_t(::crc32_z(0, p, n));
      case Sum::kAdler32: return uint32_t(::adler32_z(1, p, n));
      case Sum::kCrc32c: return pangeo::crc32c(p, n);
      case Sum::kFletcher32: return fletcher32(p, n);
    }
    return 0;
  }
  Sum kind_;
  bool at_end_;
};

class VlenCodec final : public Codec {
 public:
  explicit VlenCodec(bool utf8) : utf8_(utf8) {}
  Json config() const override { return {{"id", utf8_ ? "vlen-utf8" : "vlen-bytes"}}; }
  bool is_object_codec() const override { return true; }
  Result<Bytes> encode(const Bytes&) const override { return unsupported("{} needs strings", id()); }
  Result<Bytes> decode(const Bytes&, size_t) const override { return unsupported("{} gives strings", id()); }
  Result<Bytes> encode_strings(const std::vector<std::string>& in) const override {
    size_t total = 4;
    for (const auto& s : in) total += 4 + s.size();
    Bytes out;
    out.reserve(total);
    auto put32 = [&](uint32_t v) {
      uint8_t b[4];
      std::memcpy(b, &v, 4);
      out.insert(out.end(), b, b + 4);
    };
    put32(uint32_t(in.size()));
    for (const auto& s : in) {
      put32(uint32_t(s.size()));
      out.insert(out.end(), s.begin(), s.end());
    }
    return out;
  }
  Result<std::vector<std::string>> decode_strings(const Bytes& in, size_t count) const override {
    if (in.size() < 4) return corrupt("{}: buffer too short", id());
    uint32_t n;
    std::memcpy(&n, in.data(), 4);
    if (count && n != count) return corrupt("{}: {} items where {} were expected", id(), n, count);
    // Each item takes at least its 4-byte length: a count the buffer cannot hold is refused
    // before anything is reserved for it.
    if (n > (in.size() - 4) / 4) return corrupt("{}: {} items in {} bytes", id(), n, in.size());
    std::vector<std::string> out;
    out.reserve(n);
    size_t pos = 4;
    for (uint32_t i = 0; i < n; ++i) {
      if (pos + 4 > in.size()) return corrupt("{}: truncated", id());
      uint32_t len;
      std::memcpy(&len, in.data() + pos, 4);
      pos += 4;
      if (pos + len > in.size()) return corrupt("{}: truncated", id());
      out.emplace_back(reinterpret_cast<const char*>(in.data() + pos), len);
      pos += len;
    }
    return out;
  }

 private:
  std::string id() const { return utf8_ ? "vlen-utf8" : "vlen-bytes"; }
  bool utf8_;
};

bool location_end(const Json& c, bool def) {
  if (!c.contains("location")) return def;
  return c["location"].get<std::string>() == "end";
}

}  // namespace

Result<std::unique_ptr<Codec>> make_shuffle(const Json& c, const DType& dt) {
  return std::unique_ptr<Codec>(new ShuffleCodec(c.value("elementsize", size_t(dt.itemsize))));
}
Result<std::unique_ptr<Codec>> make_delta(const Json& c, const DType& dt) {
  PG_ASSIGN_OR_RETURN(DType d, config_dtype(c, "dtype", dt));
  PG_ASSIGN_OR_RETURN(DType a, config_dtype(c, "astype", d));
  return std::unique_ptr<Codec>(new DeltaCodec(d, a));
}
Result<std::unique_ptr<Codec>> make_fixedscaleoffset(const Json& c, const DType& dt) {
  PG_ASSIGN_OR_RETURN(DType d, config_dtype(c, "dtype", dt));
  PG_ASSIGN_OR_RETURN(DType a, config_dtype(c, "astype", d));
  return std::unique_ptr<Codec>(new FixedScaleOffsetCodec(c.at("scale").get<double>(), c.at("offset").get<double>(), d, a));
}
Result<std::unique_ptr<Codec>> make_quantize(const Json& c, const DType& dt) {
  PG_ASSIGN_OR_RETURN(DType d, config_dtype(c, "dtype", dt));
  PG_ASSIGN_OR_RETURN(DType a, config_dtype(c, "astype", d));
  if (!d.is_float()) return invalid_argument("quantize needs a float dtype");
  const int digits = c.at("digits").get<int>();
  // A double holds 17 significant digits: anything far beyond is a broken configuration.
  if (digits < -30 || digits > 30) return invalid_argument("quantize: {} digits (at most 30)", digits);
  return std::unique_ptr<Codec>(new QuantizeCodec(digits, d, a));
}
Result<std::unique_ptr<Codec>> make_astype(const Json& c, const DType& dt) {
  PG_ASSIGN_OR_RETURN(DType d, config_dtype(c, "decode_dtype", dt));
  PG_ASSIGN_OR_RETURN(DType e, config_dtype(c, "encode_dtype", d));
  return std::unique_ptr<Codec>(new AsTypeCodec(d, e));
}
Result<std::unique_ptr<Codec>> make_crc32(const Json& c, const DType&) {
  return std::unique_ptr<Codec>(new ChecksumCodec(Sum::kCrc32, location_end(c, false)));
}
Result<std::unique_ptr<Codec>> make_crc32c(const Json& c, const DType&) {
  return std::unique_ptr<Codec>(new ChecksumCodec(Sum::kCrc32c, location_end(c, true)));
}
Result<std::unique_ptr<Codec>> make_adler32(const Json& c, const DType&) {
  return std::unique_ptr<Codec>(new ChecksumCodec(Sum::kAdler32, location_end(c, false)));
}
Result<std::unique_ptr<Codec>> make_fletcher32(const Json&, const DType&) {
  return std::unique_ptr<Codec>(new ChecksumCodec(Sum::kFletcher32, true));
}
Result<std::unique_ptr<Codec>> make_vlen_utf8(const Json&, const DType&) {
  return std::unique_ptr<Codec>(new VlenCodec(true));
}
Result<std::unique_ptr<Codec>> make_vlen_bytes(const Json&, const DType&) {
  return std::unique_ptr<Codec>(new VlenCodec(false));
}

}  // namespace pangeo::codecs

namespace pangeo {

// CRC-32C (Castagnoli), reflected, as in iSCSI and numcodecs' crc32c: slice-by-one table.
uint32_t crc32c(const uint8_t* data, size_t n, uint32_t crc) {
  static const auto table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  crc = ~crc;
  for (size_t i = 0; i < n; ++i) crc = table[(crc ^ data[i]) & 0xff] ^ (crc >> 8);
  return ~crc;
}

}  // namespace pangeo
