// Zarr v3 zarr.json (data types, fill values, chunk grids, codec chains, sharding) and chunk
// or shard bytes from untrusted input. Input: the array's zarr.json, chunk "a/c/0/0",
// chunk "a/c/0/1", the group's zarr.json (optional), separated by fuzz::split's separator.
#include "common.hpp"
#include "pangeo/store.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto parts = fuzz::split(data, size, 4);
  auto store = std::make_shared<pangeo::MemoryStore>();
  (void)store->put("zarr.json", fuzz::bytes(parts[3].empty() ? "{\"zarr_format\": 3, \"node_type\": \"group\"}" : parts[3]));
  (void)store->put("a/zarr.json", fuzz::bytes(parts[0]));
  (void)store->put("a/c/0/0", fuzz::bytes(parts[1]));
  (void)store->put("a/c/0/1", fuzz::bytes(parts[2]));
  auto in = pangeo::open_store_dataset(store, "fuzz");
  if (in.ok()) fuzz::read_everything(**in);
  return 0;
}
