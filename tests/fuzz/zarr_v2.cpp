// Zarr v2 metadata (.zarray, .zattrs, .zgroup, .zmetadata) and chunks from untrusted bytes.
// Input: .zarray, .zattrs, .zmetadata, chunk "a/0.0", chunk "a/0/1", separated by
// fuzz::split's separator.
#include "common.hpp"
#include "pangeo/store.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto parts = fuzz::split(data, size, 5);
  auto store = std::make_shared<pangeo::MemoryStore>();
  (void)store->put(".zgroup", fuzz::bytes("{\"zarr_format\": 2}"));
  (void)store->put("a/.zarray", fuzz::bytes(parts[0]));
  (void)store->put("a/.zattrs", fuzz::bytes(parts[1]));
  if (!parts[2].empty()) (void)store->put(".zmetadata", fuzz::bytes(parts[2]));
  (void)store->put("a/0.0", fuzz::bytes(parts[3]));
  (void)store->put("a/0/1", fuzz::bytes(parts[4]));
  auto in = pangeo::open_store_dataset(store, "fuzz");
  if (in.ok()) fuzz::read_everything(**in);
  return 0;
}
