#include "pangeo/codec.hpp"

#include <cstring>


namespace pangeo {

Result<Bytes> Codec::encode_strings(const std::vector<std::string>&) const {
  return unsupported("codec {} cannot encode strings", config().value("id", "?"));
}
Result<std::vector<std::string>> Codec::decode_strings(const Bytes&, size_t) const {
  return unsupported("codec {} cannot decode strings", config().value("id", "?"));
}

Result<Bytes> Codec::encode_from(const uint8_t* data, size_t n) const { return encode(Bytes(data, data + n)); }

Status Codec::decode_into(const Bytes& in, uint8_t* out, size_t n) const {
  PG_ASSIGN_OR_RETURN(Bytes b, decode(in, n));
  if (b.size() != n) return corrupt("decoded to {} bytes where {} were expected", b.size(), n);
  std::memcpy(out, b.data(), n);
  return Status::Ok();
}

}  // namespace pangeo
