// HTTP(S) on libcurl: one reusable connection per thread, retries with jittered
// exponential backoff on 5xx, 429, timeouts and dropped connections.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "pangeo/array.hpp"
#include "pangeo/status.hpp"

namespace pangeo {

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  const Bytes* body = nullptr;  // for PUT/POST
};

struct HttpResponse {
  long status = 0;
  std::string url;  // where the answer came from, after redirects
  std::map<std::string, std::string> headers;  // lower-case names
  Bytes body;
};

struct RetryPolicy {
  int max_attempts = 8;
  int base_ms = 100;
  int cap_ms = 5000;
  // When set and true, requests stop with kCancelled before the next attempt (the tools
  // pass their signal flag).
  const std::atomic<bool>* cancel = nullptr;
};

// Performs `request`; transport failures and 5xx/429 answers are retried per `policy`.
// `sign` (may be null) is called before every attempt to set authentication headers.
// The final HTTP status is returned as a response, not an error; transport failures after
// the last attempt are kIo errors naming the URL.
Result<HttpResponse> http_perform(const HttpRequest& request, const RetryPolicy& policy,
                                  const std::function<void(HttpRequest&)>& sign);

// Percent-encodes `s` as RFC 3986 unreserved characters allow (keeping '/' when asked).
std::string uri_encode(const std::string& s, bool keep_slash);

// Digests (OpenSSL): raw bytes.
Bytes sha256(const void* data, size_t n);
Bytes hmac_sha256(const Bytes& key, const std::string& msg);
Bytes md5(const void* data, size_t n);
std::string hex(const Bytes& b);
std::string base64(const Bytes& b);

}  // namespace pangeo
