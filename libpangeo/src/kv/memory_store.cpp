// MemoryStore: a sorted map under a mutex.
#include "pangeo/store.hpp"

#include <algorithm>

namespace pangeo {

Result<std::optional<Bytes>> MemoryStore::get(const std::string& key) {
  std::lock_guard lock(mu_);
  auto it = map_.find(key);
  if (it == map_.end()) return std::optional<Bytes>();
  return std::optional<Bytes>(it->second);
}
Status MemoryStore::put(const std::string& key, const Bytes& value) {
  std::lock_guard lock(mu_);
  map_[key] = value;
  return Status::Ok();
}
Status MemoryStore::erase(const std::string& key) {
  std::lock_guard lock(mu_);
  map_.erase(key);
  return Status::Ok();
}
Result<std::vector<std::string>> MemoryStore::list(const std::string& prefix) {
  std::lock_guard lock(mu_);
  return keys_with_prefix(map_, prefix);
}

namespace {
template <typename T>
void put_int(Bytes& out, T v) {
  for (size_t i = 0; i < sizeof(T); ++i) out.push_back(uint8_t(uint64_t(v) >> (8 * i)));
}
template <typename T>
bool get_int(const Bytes& in, size_t& at, T& v) {
  if (in.size() - at < sizeof(T)) return false;
  uint64_t x = 0;
  for (size_t i = 0; i < sizeof(T); ++i) x |= uint64_t(in[at + i]) << (8 * i);
  v = T(x);
  at += sizeof(T);
  return true;
}
}  // namespace

Result<Bytes> pack_store(Store& store) {
  PG_ASSIGN_OR_RETURN(auto keys, store.list(""));
  Bytes out;
  for (const auto& k : keys) {
    PG_ASSIGN_OR_RETURN(auto v, store.get(k));
    if (!v) continue;
    put_int(out, uint32_t(k.size()));
    out.insert(out.end(), k.begin(), k.end());
    put_int(out, uint64_t(v->size()));
    out.insert(out.end(), v->begin(), v->end());
  }
  return out;
}

Result<std::shared_ptr<MemoryStore>> unpack_store(const Bytes& in) {
  auto store = std::make_shared<MemoryStore>();
  size_t at = 0;
  while (at < in.size()) {
    uint32_t klen = 0;
    uint64_t vlen = 0;
    if (!get_int(in, at, klen) || in.size() - at < klen) return corrupt("a packed store cut short");
    std::string key(in.begin() + long(at), in.begin() + long(at + klen));
    at += klen;
    if (!get_int(in, at, vlen) || in.size() - at < vlen) return corrupt("a packed store cut short");
    PG_RETURN_IF_ERROR(store->put(key, Bytes(in.begin() + long(at), in.begin() + long(at + vlen))));
    at += vlen;
  }
  return store;
}

Status clear_store(Store& store) {
  PG_ASSIGN_OR_RETURN(std::vector<std::string> keys, store.list(""));
  auto is_metadata = [](const std::string& k) {
    const std::string base = k.substr(k.rfind('/') == std::string::npos ? 0 : k.rfind('/') + 1);
    return base == ".zgroup" || base == ".zarray" || base == ".zattrs" || base == ".zmetadata" || base == "zarr.json" ||
           base == "pgpartial.json";
  };
  std::stable_partition(keys.begin(), keys.end(), is_metadata);
  for (const auto& k : keys) PG_RETURN_IF_ERROR(store.erase(k));
  return Status::Ok();
}

}  // namespace pangeo
