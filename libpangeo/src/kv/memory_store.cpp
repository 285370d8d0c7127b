// MemoryStore: a sorted map under a mutex.
#include "pangeo/store.hpp"

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
  std::vector<std::string> keys;
  for (auto it = map_.lower_bound(prefix); it != map_.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it)
    keys.push_back(it->first);
  return keys;
}

}  // namespace pangeo
