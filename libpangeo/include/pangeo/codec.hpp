// Codecs: pure functions of (configuration, bytes). No threading inside; each call is
// independent, so any number of threads may share one codec object.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "pangeo/array.hpp"
#include "pangeo/dataset.hpp"

namespace pangeo {

// The most a decoder produces when its caller knows no bound.
inline constexpr size_t kMaxDecodedBytes = size_t(1) << 30;

class Codec {
 public:
  virtual ~Codec() = default;
  // The numcodecs configuration ({"id": ..., ...}) that recreates this codec.
  virtual Json config() const = 0;
  virtual Result<Bytes> encode(const Bytes& in) const = 0;
  // encode() of the `n` bytes at `data` (compressors that read straight from there save
  // copying them into a Bytes first).
  virtual Result<Bytes> encode_from(const uint8_t* data, size_t n) const;
  // `limit` bounds the decoded size: a decoder stops, with a kCorrupt error, as soon as its
  // output would pass it (a chunk's size is known, so a small chunk that claims or inflates
  // to gigabytes is refused before they are allocated). 0: no bound is known, and
  // kMaxDecodedBytes applies.
  virtual Result<Bytes> decode(const Bytes& in, size_t limit) const = 0;
  // Decodes `in`, which must decode to exactly `n` bytes, into `out` (compressors that can
  // write straight there save a copy).
  virtual Status decode_into(const Bytes& in, uint8_t* out, size_t n) const;
  // The element type of the encoded output, given the input's (filters such as delta
  // and fixedscaleoffset change it; most codecs give bytes back as they came).
  virtual DType encoded_dtype(const DType& in) const { return in; }
  // Object codecs (vlen-utf8, vlen-bytes) turn string arrays into bytes.
  virtual bool is_object_codec() const { return false; }
  virtual Result<Bytes> encode_strings(const std::vector<std::string>& in) const;
  virtual Result<std::vector<std::string>> decode_strings(const Bytes& in, size_t count) const;
};

// Creates a codec from its numcodecs configuration. `dtype` is the element type of the
// data the codec will see (blosc uses its size as typesize). An unknown "id" is an
// kUnsupported error naming it.
Result<std::unique_ptr<Codec>> make_codec(const Json& config, const DType& dtype);

// The ids make_codec knows, for help texts and tests.
std::vector<std::string> codec_ids();

// Checksums as numcodecs computes them.
uint32_t crc32c(const uint8_t* data, size_t n, uint32_t crc = 0);

}  // namespace pangeo
