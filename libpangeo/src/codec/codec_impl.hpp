// Factories of the built-in codecs, listed in builtin_codecs.cpp.
#pragma once

#include "pangeo/codec.hpp"

namespace pangeo::codecs {

using CodecFactory = Result<std::unique_ptr<Codec>> (*)(const Json& config, const DType& dtype);

Result<std::unique_ptr<Codec>> make_blosc(const Json&, const DType&);
Result<std::unique_ptr<Codec>> make_zlib(const Json&, const DType&);
Result<std::unique_ptr<Codec>> make_gzip(const Json&, const DType&);
Result<std::unique_ptr<Codec>> make_zstd(const Json&, const DType&);
Result<std::unique_ptr<Codec>> make_lz4(const Json&, const DType&);
Result<std::unique_ptr<Codec>> make_bz2(const Json&, const DType&);
Result<std::unique_ptr<Codec>> make_lzma(const Json&, const DType&);
Result<std::unique_ptr<Codec>> make_shuffle(const Json&, const DType&);
Result<std::unique_ptr<Codec>> make_delta(const Json&, const DType&);
Result<std::unique_ptr<Codec>> make_fixedscaleoffset(const Json&, const DType&);
Result<std::unique_ptr<Codec>> make_quantize(const Json&, const DType&);
Result<std::unique_ptr<Codec>> make_astype(const Json&, const DType&);
Result<std::unique_ptr<Codec>> make_crc32(const Json&, const DType&);
Result<std::unique_ptr<Codec>> make_crc32c(const Json&, const DType&);
Result<std::unique_ptr<Codec>> make_adler32(const Json&, const DType&);
Result<std::unique_ptr<Codec>> make_fletcher32(const Json&, const DType&);
Result<std::unique_ptr<Codec>> make_vlen_utf8(const Json&, const DType&);
Result<std::unique_ptr<Codec>> make_vlen_bytes(const Json&, const DType&);

// Parses a dtype named in a codec configuration; big-endian ones are unsupported.
Result<DType> config_dtype(const Json& config, const char* key, const DType& fallback);

}  // namespace pangeo::codecs
