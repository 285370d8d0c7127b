// The registry of store kinds, one row per URL scheme.
#include <string_view>

#include "pangeo/cloud.hpp"
#include "pangeo/store.hpp"

namespace pangeo {

namespace {
using StoreFactory = Result<std::shared_ptr<Store>> (*)(const std::string& location, const CloudOptions& cloud);

Result<std::shared_ptr<Store>> open_directory(const std::string& location, const CloudOptions&) {
  std::string path = location;
  if (path.rfind("file://", 0) == 0) path = path.substr(7);
  return std::shared_ptr<Store>(std::make_shared<DirectoryStore>(path));
}

Result<std::shared_ptr<Store>> open_s3(const std::string& location, const CloudOptions& cloud) {
  PG_ASSIGN_OR_RETURN(auto s, S3Store::open(location, cloud));
  return std::shared_ptr<Store>(s);
}
Result<std::shared_ptr<Store>> open_http(const std::string& location, const CloudOptions& cloud) {
  return std::shared_ptr<Store>(std::make_shared<HttpStore>(location, cloud.retry));
}

struct StoreKind {
  std::string_view scheme;  // "" matches a plain path
  StoreFactory open;
};
constexpr StoreKind kStoreKinds[] = {
    {"file://", open_directory},
    {"s3://", open_s3},
    {"gs://", open_s3},
    {"https://", open_http},
    {"http://", open_http},
    {"", open_directory},
};
}  // namespace

Result<std::shared_ptr<Store>> open_store(const std::string& location, const CloudOptions& cloud) {
  for (const auto& kind : kStoreKinds) {
    if (kind.scheme.empty()) {
      if (location.find("://") != std::string::npos) break;
      return kind.open(location, cloud);
    }
    if (location.rfind(kind.scheme, 0) == 0) return kind.open(location, cloud);
  }
  return unsupported("{}: this kind of URL is not supported yet", location);
}

}  // namespace pangeo
