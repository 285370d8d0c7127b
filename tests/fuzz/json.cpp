// JSON from outside (Zarr metadata, attributes, partial results): the limits hold, and the
// attributes built from it can be printed back.
#include "common.hpp"
#include "format/zarr/metadata.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const pangeo::Bytes b(data, data + size);
  auto j = pangeo::parse_metadata_json(b, "fuzz");
  if (!j.ok()) return 0;
  const pangeo::Attributes attrs = pangeo::Attributes::from_json(*j);
  (void)attrs.to_json().dump();
  (void)pangeo::dump_metadata_json(*j, 2);
  return 0;
}
