// Bodies an S3 server answers with (listings, error documents), read as our client does.
#include "common.hpp"
#include "kv/xml.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string body(reinterpret_cast<const char*>(data), size);
  for (const char* tag : {"Key", "IsTruncated", "NextContinuationToken", "Code", "Message", "Size", "ETag"})
    (void)pangeo::xml_values(body, tag);
  return 0;
}
