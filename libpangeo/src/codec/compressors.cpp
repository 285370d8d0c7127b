// Bytes-to-bytes compressors with numcodecs' framing.
#include <blosc.h>
#include <bzlib.h>
#include <libdeflate.h>
#include <lz4.h>
#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

#include <cstring>
#include <memory>

#include "codec_impl.hpp"

namespace pangeo::codecs {

namespace {

size_t bound_of(size_t limit) { return limit ? limit : kMaxDecodedBytes; }
Status too_large(const char* name, size_t limit) {
  return corrupt("{}: the data decodes to more than the {} bytes expected", name, bound_of(limit));
}
// Decoders that grow their output stop at one byte past the bound: a stream that fills
// that byte decodes to too much. The first size is the bound (plus that byte) when it is a
// known chunk size, else a guess from the input.
size_t first_size(size_t limit, size_t in, size_t ratio) {
  return limit ? limit + 1 : std::min(bound_of(limit) + 1, std::max<size_t>(in * ratio, 1024));
}
// Doubles `out` toward the bound; false when it is already there.
bool grow(Bytes& out, size_t limit) {
  if (out.size() > bound_of(limit)) return false;
  out.resize(std::min(out.size() * 2, bound_of(limit) + 1));
  return true;
}

// Streams `in` through zlib's inflate with the given window bits (15 zlib, 31 gzip,
// 47 either). gzip input may hold several members, as Python's gzip module allows.
Result<Bytes> inflate_stream(const Bytes& in, int window_bits, size_t limit, const char* name) {
  Bytes out(first_size(limit, in.size(), 4));
  size_t pos_in = 0, pos_out = 0;
  while (pos_in < in.size()) {
    z_stream zs{};
    if (inflateInit2(&zs, window_bits) != Z_OK) return internal_error("{}: inflateInit failed", name);
    zs.next_in = const_cast<Bytef*>(in.data() + pos_in);
    zs.avail_in = uInt(in.size() - pos_in);
    int rc;
    do {
      if (pos_out == out.size() && !grow(out, limit)) {
        inflateEnd(&zs);
        return too_large(name, limit);
      }
      zs.next_out = out.data() + pos_out;
      zs.avail_out = uInt(out.size() - pos_out);
      rc = inflate(&zs, Z_NO_FLUSH);
      pos_out = out.size() - zs.avail_out;
      if (rc == Z_BUF_ERROR && zs.avail_in == 0 && zs.avail_out != 0) {
        inflateEnd(&zs);
        return corrupt("{}: truncated stream", name);
      }
      if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
        std::string msg = zs.msg ? zs.msg : "data error";
        inflateEnd(&zs);
        return corrupt("{}: {}", name, msg);
      }
    } while (rc != Z_STREAM_END);
    pos_in = in.size() - zs.avail_in;
    inflateEnd(&zs);
    if (window_bits == 15) break;  // zlib format: a single stream
    while (pos_in < in.size() && in[pos_in] == 0) ++pos_in;  // gzip padding
  }
  out.resize(pos_out);
  return out;
}

class ZlibCodec final : public Codec {
 public:
  ZlibCodec(int level, bool gzip) : level_(level), gzip_(gzip) {}
  Json config() const override { return {{"id", gzip_ ? "gzip" : "zlib"}, {"level", level_}}; }
  Result<Bytes> encode(const Bytes& in) const override {
    // libdeflate writes standard zlib/gzip streams, faster than zlib at equal levels.
    libdeflate_compressor* c = libdeflate_alloc_compressor(std::max(level_, 0));
    if (!c) return internal_error("zlib: cannot allocate compressor");
    size_t bound = gzip_ ? libdeflate_gzip_compress_bound(c, in.size()) : libdeflate_zlib_compress_bound(c, in.size());
    Bytes out(bound);
    size_t n = gzip_ ? libdeflate_gzip_compress(c, in.data(), in.size(), out.data(), out.size())
                     : libdeflate_zlib_compress(c, in.data(), in.size(), out.data(), out.size());
    libdeflate_free_compressor(c);
    if (n == 0) return internal_error("{}: compression failed", gzip_ ? "gzip" : "zlib");
    out.resize(n);
    return out;
  }
  Result<Bytes> decode(const Bytes& in, size_t limit) const override {
    if (!gzip_ && limit > 0) {
      libdeflate_decompressor* d = libdeflate_alloc_decompressor();
      if (!d) return resource_exhausted("zlib: cannot allocate a decompressor");
      Bytes out(limit);
      size_t got = 0;
      auto rc = libdeflate_zlib_decompress(d, in.data(), in.size(), out.data(), out.size(), &got);
      libdeflate_free_decompressor(d);
      if (rc == LIBDEFLATE_SUCCESS) {
        out.resize(got);
        return out;
      }
      if (rc == LIBDEFLATE_BAD_DATA) return corrupt("zlib: invalid compressed data");
      if (rc == LIBDEFLATE_INSUFFICIENT_SPACE) return too_large("zlib", limit);
    }
    return inflate_stream(in, gzip_ ? 31 : 15, limit, gzip_ ? "gzip" : "zlib");
  }

 private:
  int level_;
  bool gzip_;
};

class ZstdCodec final : public Codec {
 public:
  explicit ZstdCodec(int level, bool checksum) : level_(level), checksum_(checksum) {}
  Json config() const override {
    Json j{{"id", "zstd"}, {"level", level_}};
    if (checksum_) j["checksum"] = true;
    return j;
  }
  Result<Bytes> encode(const Bytes& in) const override {
    thread_local const std::unique_ptr<ZSTD_CCtx, size_t (*)(ZSTD_CCtx*)> owner(ZSTD_createCCtx(), ZSTD_freeCCtx);
    ZSTD_CCtx* cctx = owner.get();
    if (!cctx) return resource_exhausted("zstd: cannot allocate a compression context");
    ZSTD_CCtx_reset(cctx, ZSTD_reset_session_and_parameters);
    ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, level_);
    ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, checksum_ ? 1 : 0);
    Bytes out(ZSTD_compressBound(in.size()));
    size_t n = ZSTD_compress2(cctx, out.data(), out.size(), in.data(), in.size());
    if (ZSTD_isError(n)) return internal_error("zstd: {}", ZSTD_getErrorName(n));
    out.resize(n);
    return out;
  }
  Result<Bytes> decode(const Bytes& in, size_t limit) const override {
    thread_local const std::unique_ptr<ZSTD_DCtx, size_t (*)(ZSTD_DCtx*)> owner(ZSTD_createDCtx(), ZSTD_freeDCtx);
    ZSTD_DCtx* dctx = owner.get();
    if (!dctx) return resource_exhausted("zstd: cannot allocate a decompression context");
    unsigned long long size = ZSTD_getFrameContentSize(in.data(), in.size());
    if (size == ZSTD_CONTENTSIZE_ERROR) return corrupt("zstd: not a zstd frame");
    if (size != ZSTD_CONTENTSIZE_UNKNOWN) {
      if (size > bound_of(limit)) return too_large("zstd", limit);
      Bytes out(size);
      size_t n = ZSTD_decompressDCtx(dctx, out.data(), out.size(), in.data(), in.size());
      if (ZSTD_isError(n)) return corrupt("zstd: {}", ZSTD_getErrorName(n));
      out.resize(n);
      return out;
    }
    // Streaming frames written without a content size.
    ZSTD_DCtx_reset(dctx, ZSTD_reset_session_only);
    Bytes out(first_size(limit, in.size(), 4));
    ZSTD_inBuffer ib{in.data(), in.size(), 0};
    size_t pos = 0;
    while (true) {
      if (pos == out.size() && !grow(out, limit)) return too_large("zstd", limit);
      ZSTD_outBuffer ob{out.data() + pos, out.size() - pos, 0};
      size_t rc = ZSTD_decompressStream(dctx, &ob, &ib);
      if (ZSTD_isError(rc)) return corrupt("zstd: {}", ZSTD_getErrorName(rc));
      pos += ob.pos;
      if (rc == 0 && ib.pos == ib.size) break;
      if (ob.pos == 0 && ib.pos == ib.size) return corrupt("zstd: truncated frame");
    }
    out.resize(pos);
    return out;
  }

 private:
  int level_;
  bool checksum_;
};

class Lz4Codec final : public Codec {
 public:
  explicit Lz4Codec(int acceleration) : accel_(acceleration) {}
  Json config() const override { return {{"id", "lz4"}, {"acceleration", accel_}}; }
  Result<Bytes> encode(const Bytes& in) const override {
    if (in.size() > size_t(LZ4_MAX_INPUT_SIZE)) return invalid_argument("lz4: input too large");
    Bytes out(4 + size_t(LZ4_compressBound(int(in.size()))));
    uint32_t n = uint32_t(in.size());
    std::memcpy(out.data(), &n, 4);  // numcodecs: little-endian original size first
    int c = LZ4_compress_fast(reinterpret_cast<const char*>(in.data()), reinterpret_cast<char*>(out.data() + 4),
                              int(in.size()), int(out.size() - 4), accel_);
    if (c <= 0) return internal_error("lz4: compression failed");
    out.resize(4 + size_t(c));
    return out;
  }
  Result<Bytes> decode(const Bytes& in, size_t limit) const override {
    if (in.size() < 4) return corrupt("lz4: buffer too short");
    uint32_t n;
    std::memcpy(&n, in.data(), 4);
    // The size header is the writer's word: past the bound (or past what lz4 can expand
    // this input to, 255 bytes per byte) it is refused before anything is allocated.
    if (n > bound_of(limit) || uint64_t(n) > uint64_t(in.size()) * 255 + 16) return too_large("lz4", limit);
    Bytes out(n);
    int d = LZ4_decompress_safe(reinterpret_cast<const char*>(in.data() + 4), reinterpret_cast<char*>(out.data()),
                                int(in.size() - 4), int(n));
    if (d < 0 || uint32_t(d) != n) return corrupt("lz4: corrupt block");
    return out;
  }

 private:
  int accel_;
};

class Bz2Codec final : public Codec {
 public:
  explicit Bz2Codec(int level) : level_(level) {}
  Json config() const override { return {{"id", "bz2"}, {"level", level_}}; }
  Result<Bytes> encode(const Bytes& in) const override {
    unsigned len = unsigned(in.size() + in.size() / 100 + 600);
    Bytes out(len);
    int rc = BZ2_bzBuffToBuffCompress(reinterpret_cast<char*>(out.data()), &len,
                                      const_cast<char*>(reinterpret_cast<const char*>(in.data())),
                                      unsigned(in.size()), level_, 0, 0);
    if (rc != BZ_OK) return internal_error("bz2: compression failed ({})", rc);
    out.resize(len);
    return out;
  }
  Result<Bytes> decode(const Bytes& in, size_t limit) const override {
    Bytes out(first_size(limit, in.size(), 6));
    bz_stream s{};
    if (BZ2_bzDecompressInit(&s, 0, 0) != BZ_OK) return internal_error("bz2: init failed");
    s.next_in = const_cast<char*>(reinterpret_cast<const char*>(in.data()));
    s.avail_in = unsigned(in.size());
    size_t pos = 0;
    int rc;
    do {
      if (pos == out.size() && !grow(out, limit)) {
        BZ2_bzDecompressEnd(&s);
        return too_large("bz2", limit);
      }
      s.next_out = reinterpret_cast<char*>(out.data() + pos);
      s.avail_out = unsigned(out.size() - pos);
      rc = BZ2_bzDecompress(&s);
      pos = out.size() - s.avail_out;
      if (rc != BZ_OK && rc != BZ_STREAM_END) {
        BZ2_bzDecompressEnd(&s);
        return corrupt("bz2: corrupt stream ({})", rc);
      }
      if (rc == BZ_OK && s.avail_in == 0 && s.avail_out != 0) {
        BZ2_bzDecompressEnd(&s);
        return corrupt("bz2: truncated stream");
      }
    } while (rc != BZ_STREAM_END);
    BZ2_bzDecompressEnd(&s);
    out.resize(pos);
    return out;
  }

 private:
  int level_;
};

class LzmaCodec final : public Codec {
 public:
  LzmaCodec(int format, int check, int preset, Json filters)
      : format_(format), check_(check), preset_(preset), filters_(std::move(filters)) {}
  Json config() const override {
    return {{"id", "lzma"}, {"format", format_}, {"check", check_}, {"preset", preset_ < 0 ? Json() : Json(preset_)},
            {"filters", filters_}};
  }
  Result<Bytes> encode(const Bytes& in) const override {
    if (format_ != 1) return unsupported("lzma: only the xz format (format=1) is written");
    Bytes out(lzma_stream_buffer_bound(in.size()));
    size_t pos = 0;
    lzma_check check = check_ < 0 ? LZMA_CHECK_CRC64 : lzma_check(check_);
    uint32_t preset = preset_ < 0 ? 6 : uint32_t(preset_);
    if (lzma_easy_buffer_encode(preset, check, nullptr, in.data(), in.size(), out.data(), &pos, out.size()) != LZMA_OK)
      return internal_error("lzma: compression failed");
    out.resize(pos);
    return out;
  }
  // The most memory the decoder may use: preset 9 needs 65 MiB; more is a hostile header.
  static constexpr uint64_t kLzmaMemoryLimit = uint64_t(256) << 20;
  Result<Bytes> decode(const Bytes& in, size_t limit) const override {
    lzma_stream s = LZMA_STREAM_INIT;
    if (format_ == 3) {
      // Raw streams: the filter chain comes from the configuration (LZMA1/LZMA2 presets).
      std::vector<lzma_options_lzma> opts(filters_.size());
      std::vector<lzma_filter> chain;
      for (size_t i = 0; i < filters_.size(); ++i) {
        uint64_t id = filters_[i].value("id", uint64_t(0));
        if (id != LZMA_FILTER_LZMA2 && id != LZMA_FILTER_LZMA1) return unsupported("lzma: filter id {}", id);
        if (lzma_lzma_preset(&opts[i], uint32_t(filters_[i].value("preset", 6)))) return invalid_argument("lzma: bad preset");
        chain.push_back({id, &opts[i]});
      }
      chain.push_back({LZMA_VLI_UNKNOWN, nullptr});
      if (lzma_raw_decoder(&s, chain.data()) != LZMA_OK) return internal_error("lzma: raw decoder init failed");
    } else if (lzma_auto_decoder(&s, kLzmaMemoryLimit, LZMA_CONCATENATED) != LZMA_OK) {
      return internal_error("lzma: init failed");
    }
    Bytes out(first_size(limit, in.size(), 6));
    s.next_in = in.data();
    s.avail_in = in.size();
    size_t pos = 0;
    lzma_ret rc;
    do {
      if (pos == out.size() && !grow(out, limit)) {
        lzma_end(&s);
        return too_large("lzma", limit);
      }
      s.next_out = out.data() + pos;
      s.avail_out = out.size() - pos;
      rc = lzma_code(&s, s.avail_in == 0 ? LZMA_FINISH : LZMA_RUN);
      pos = out.size() - s.avail_out;
      if (rc == LZMA_MEMLIMIT_ERROR) {
        lzma_end(&s);
        return corrupt("lzma: the stream needs more than {} MiB to decode", kLzmaMemoryLimit >> 20);
      }
      if (rc == LZMA_BUF_ERROR && s.avail_in == 0) {
        lzma_end(&s);
        return corrupt("lzma: truncated stream");
      }
      if (rc != LZMA_OK && rc != LZMA_STREAM_END) {
        lzma_end(&s);
        return corrupt("lzma: corrupt stream ({})", int(rc));
      }
    } while (rc != LZMA_STREAM_END);
    lzma_end(&s);
    out.resize(pos);
    return out;
  }

 private:
  int format_, check_, preset_;
  Json filters_;
};

class BloscCodec final : public Codec {
 public:
  BloscCodec(std::string cname, int clevel, int shuffle, int blocksize, size_t typesize)
      : cname_(std::move(cname)), clevel_(clevel), shuffle_(shuffle), blocksize_(blocksize), typesize_(typesize) {}
  Json config() const override {
    return {{"id", "blosc"}, {"cname", cname_}, {"clevel", clevel_}, {"shuffle", shuffle_}, {"blocksize", blocksize_}};
  }
  Result<Bytes> encode(const Bytes& in) const override { return encode_from(in.data(), in.size()); }
  Result<Bytes> encode_from(const uint8_t* data, size_t size) const override {
    // numcodecs' AUTOSHUFFLE (-1): bit shuffle for 1-byte items, byte shuffle otherwise.
    int shuffle = shuffle_ >= 0 ? shuffle_ : (typesize_ == 1 ? BLOSC_BITSHUFFLE : BLOSC_SHUFFLE);
    // Compressed into a reused per-thread buffer: no clearing of a chunk-sized one each time.
    thread_local Bytes buffer;
    if (buffer.size() < size + BLOSC_MAX_OVERHEAD) buffer.resize(size + BLOSC_MAX_OVERHEAD);
    int n = blosc_compress_ctx(clevel_, shuffle, typesize_, size, data, buffer.data(), buffer.size(),
                               cname_.c_str(), size_t(blocksize_), 1);
    if (n <= 0) return internal_error("blosc: compression failed ({})", n);
    Bytes out(buffer.begin(), buffer.begin() + n);
    if (buffer.size() > (64u << 20)) Bytes().swap(buffer);  // an unusually large chunk: give it back
    return out;
  }
  Status decode_into(const Bytes& in, uint8_t* out, size_t n) const override {
    size_t nbytes = 0;
    if (in.size() < BLOSC_MIN_HEADER_LENGTH || blosc_cbuffer_validate(in.data(), in.size(), &nbytes) != 0)
      return corrupt("blosc: corrupt header");
    if (nbytes != n) return corrupt("decoded to {} bytes where {} were expected", nbytes, n);
    int got = blosc_decompress_ctx(in.data(), out, n, 1);
    if (got < 0 || size_t(got) != n) return corrupt("blosc: corrupt data ({})", got);
    return Status::Ok();
  }
  Result<Bytes> decode(const Bytes& in, size_t limit) const override {
    size_t nbytes = 0;
    if (in.size() < BLOSC_MIN_HEADER_LENGTH || blosc_cbuffer_validate(in.data(), in.size(), &nbytes) != 0)
      return corrupt("blosc: corrupt header");
    if (nbytes > bound_of(limit)) return too_large("blosc", limit);
    Bytes out(nbytes);
    if (nbytes == 0) return out;
    int n = blosc_decompress_ctx(in.data(), out.data(), out.size(), 1);
    if (n < 0 || size_t(n) != nbytes) return corrupt("blosc: corrupt data ({})", n);
    return out;
  }

 private:
  std::string cname_;
  int clevel_, shuffle_, blocksize_;
  size_t typesize_;
};

}  // namespace

Result<std::unique_ptr<Codec>> make_zlib(const Json& c, const DType&) {
  return std::unique_ptr<Codec>(new ZlibCodec(c.value("level", 1), false));
}
Result<std::unique_ptr<Codec>> make_gzip(const Json& c, const DType&) {
  return std::unique_ptr<Codec>(new ZlibCodec(c.value("level", 1), true));
}
Result<std::unique_ptr<Codec>> make_zstd(const Json& c, const DType&) {
  return std::unique_ptr<Codec>(new ZstdCodec(c.value("level", 0), c.value("checksum", false)));
}
Result<std::unique_ptr<Codec>> make_lz4(const Json& c, const DType&) {
  return std::unique_ptr<Codec>(new Lz4Codec(c.value("acceleration", 1)));
}
Result<std::unique_ptr<Codec>> make_bz2(const Json& c, const DType&) {
  int level = c.value("level", 1);
  if (level < 1 || level > 9) return invalid_argument("bz2: level {} out of range 1..9", level);
  return std::unique_ptr<Codec>(new Bz2Codec(level));
}
Result<std::unique_ptr<Codec>> make_lzma(const Json& c, const DType&) {
  int format = c.value("format", 1);
  int check = c.contains("check") && c["check"].is_number() ? c["check"].get<int>() : -1;
  int preset = c.contains("preset") && c["preset"].is_number() ? c["preset"].get<int>() : -1;
  Json filters = c.value("filters", Json());
  if (format == 3 && !filters.is_array()) return invalid_argument("lzma: raw format needs filters");
  if (format != 3 && !filters.is_null()) return unsupported("lzma: filter chains outside the raw format");
  return std::unique_ptr<Codec>(new LzmaCodec(format, check, preset, filters));
}
Result<std::unique_ptr<Codec>> make_blosc(const Json& c, const DType& dtype) {
  std::string cname = c.value("cname", "lz4");
  if (cname != "lz4" && cname != "lz4hc" && cname != "zstd" && cname != "zlib" && cname != "blosclz" &&
      cname != "snappy")
    return unsupported("blosc: unknown compressor \"{}\"", cname);
  int shuffle = c.value("shuffle", 1);
  if (shuffle < -1 || shuffle > 2) return invalid_argument("blosc: bad shuffle {}", shuffle);
  size_t typesize = dtype.kind == DTypeKind::kString ? 1 : std::max<size_t>(dtype.itemsize, 1);
  if (dtype.kind == DTypeKind::kComplex64 || dtype.kind == DTypeKind::kComplex128) typesize = dtype.itemsize;
  if (typesize > BLOSC_MAX_TYPESIZE) typesize = 1;
  return std::unique_ptr<Codec>(new BloscCodec(cname, c.value("clevel", 5), shuffle, c.value("blocksize", 0), typesize));
}

}  // namespace pangeo::codecs
