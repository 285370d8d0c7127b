// MetadataLastStore: puts pass through or wait by rank (the format's ranking of its
// keys), so that object storage never shows metadata before the data it describes.
#include <algorithm>

#include "pangeo/store.hpp"

namespace pangeo {

Result<std::optional<Bytes>> MetadataLastStore::get(const std::string& key) {
  {
    std::lock_guard lock(mu_);
    auto it = held_.find(key);
    if (it != held_.end()) return std::optional<Bytes>(it->second);
  }
  return inner_->get(key);
}

Status MetadataLastStore::put(const std::string& key, const Bytes& value) {
  if (rank_(key) == 0) return inner_->put(key, value);
  std::lock_guard lock(mu_);
  held_[key] = value;
  return Status::Ok();
}

Result<std::vector<std::string>> MetadataLastStore::list(const std::string& prefix) {
  PG_ASSIGN_OR_RETURN(std::vector<std::string> keys, inner_->list(prefix));
  std::lock_guard lock(mu_);
  for (const auto& [key, value] : held_)
    if (key.compare(0, prefix.size(), prefix) == 0) keys.push_back(key);
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  return keys;
}

Status MetadataLastStore::flush() {
  std::lock_guard lock(mu_);
  std::vector<std::pair<int, const std::string*>> order;
  for (const auto& [key, value] : held_) order.emplace_back(rank_(key), &key);
  std::stable_sort(order.begin(), order.end(), [](auto& a, auto& b) { return a.first < b.first; });
  for (const auto& [rank, key] : order) PG_RETURN_IF_ERROR(inner_->put(*key, held_.at(*key)));
  held_.clear();
  return Status::Ok();
}

}  // namespace pangeo
