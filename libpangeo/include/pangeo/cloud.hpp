// Object-storage stores: S3 (AWS Signature Version 4), GCS (XML API with HMAC keys or an
// OAuth bearer token) and plain HTTP(S), with credentials found as the AWS CLI finds them.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "pangeo/http.hpp"
#include "pangeo/store.hpp"

namespace pangeo {

struct Credentials {
  std::string access_key, secret_key, session_token;
  std::string bearer_token;  // GCS OAuth
  bool anonymous = false;
};
// AWS: --anon; AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN; the profile
// (--profile, AWS_PROFILE, "default") of ~/.aws/credentials and ~/.aws/config
// (AWS_SHARED_CREDENTIALS_FILE, AWS_CONFIG_FILE). GCS: GOOGLE_OAUTH_ACCESS_TOKEN, else HMAC
// keys as above (or GCS_ACCESS_KEY_ID/GCS_SECRET_ACCESS_KEY).
Result<Credentials> find_credentials(bool gcs, const CloudOptions& options);
// The region: --region, AWS_REGION, AWS_DEFAULT_REGION, the profile's region, us-east-1.
std::string find_region(const CloudOptions& options);

// AWS Signature Version 4 of a request (adds x-amz-date, x-amz-content-sha256,
// x-amz-security-token and Authorization headers). `amz_date` is "YYYYMMDDTHHMMSSZ".
void sigv4_sign(HttpRequest& request, const Credentials& creds, const std::string& region,
                const std::string& service, const std::string& amz_date, const std::string& payload_sha256);

// An S3-compatible bucket (s3://bucket/prefix, or gs://bucket/prefix through the GCS XML API).
class S3Store : public Store {
 public:
  static Result<std::shared_ptr<S3Store>> open(const std::string& url, const CloudOptions& options = {});
  Result<std::optional<Bytes>> get(const std::string& key) override;
  Result<std::optional<Bytes>> get_range(const std::string& key, uint64_t offset, uint64_t length) override;
  Result<std::optional<uint64_t>> size(const std::string& key) override;
  Status put(const std::string& key, const Bytes& value) override;
  Status erase(const std::string& key) override;
  Result<std::vector<std::string>> list(const std::string& prefix) override;
  std::string describe() const override { return url_; }

  struct ObjectInfo {
    uint64_t size = 0;
    std::string etag;  // without quotes
  };
  Result<std::optional<ObjectInfo>> head(const std::string& key);
  // A PUT with Content-MD5 whose ETag is checked; returns the ETag.
  Result<std::string> put_checked(const std::string& key, const Bytes& value);
  // Multipart upload: start, send parts (numbered from 1, from any threads; each checked
  // against its MD5 and returning its ETag), then complete in part order, or abort.
  Result<std::string> start_multipart(const std::string& key);
  Result<std::string> put_part(const std::string& key, const std::string& upload_id, uint64_t part_number, const Bytes& data);
  Result<std::string> complete_multipart(const std::string& key, const std::string& upload_id,
                                         const std::vector<std::string>& etags);
  void abort_multipart(const std::string& key, const std::string& upload_id);

 private:
  S3Store() = default;
  std::string object_url(const std::string& key, const std::string& query = "") const;
  Result<HttpResponse> send(HttpRequest req, const Bytes* body);
  Status check(const HttpResponse& r, const std::string& what, const std::string& url) const;

  std::string url_, bucket_, prefix_, endpoint_, region_, service_ = "s3";
  bool path_style_ = true, gcs_ = false;
  Credentials creds_;
  RetryPolicy retry_;
};

// A read-only store over plain HTTP(S) (GET, ranged GET, HEAD; no listing: needs
// consolidated metadata); PUT for pg-upload to WebDAV-like servers.
class HttpStore : public Store {
 public:
  explicit HttpStore(std::string base, RetryPolicy retry = {}) : base_(std::move(base)), retry_(retry) {}
  Result<std::optional<Bytes>> get(const std::string& key) override;
  Result<std::optional<Bytes>> get_range(const std::string& key, uint64_t offset, uint64_t length) override;
  Result<std::optional<uint64_t>> size(const std::string& key) override;
  Status put(const std::string& key, const Bytes& value) override;
  Status erase(const std::string& key) override;
  Result<std::vector<std::string>> list(const std::string& prefix) override;
  std::string describe() const override { return base_; }

 private:
  std::string url(const std::string& key) const;
  std::string base_;
  RetryPolicy retry_;
};

}  // namespace pangeo
