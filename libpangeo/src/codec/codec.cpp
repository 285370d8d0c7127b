#include "pangeo/codec.hpp"


namespace pangeo {

Result<Bytes> Codec::encode_strings(const std::vector<std::string>&) const {
  return unsupported("codec {} cannot encode strings", config().value("id", "?"));
}
Result<std::vector<std::string>> Codec::decode_strings(const Bytes&, size_t) const {
  return unsupported("codec {} cannot decode strings", config().value("id", "?"));
}

}  // namespace pangeo
