#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <chrono>
#include <cstring>
#include <functional>
#include <mutex>
#include <random>
#include <thread>

#include "pangeo/http.hpp"

namespace pangeo {

namespace {

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// One easy handle per thread keeps its connections alive between requests.
CURL* thread_handle() {
  struct Handle {
    CURL* h = nullptr;
    ~Handle() {
      if (h) curl_easy_cleanup(h);
    }
  };
  thread_local Handle handle;
  if (!handle.h) {
    global_init();
    handle.h = curl_easy_init();
  }
  return handle.h;
}

// No object a store reads is larger than this; a server sending more is refused (the
// transfer stops with a write error) instead of filling memory.
constexpr size_t kMaxBody = size_t(2) << 30;

size_t on_body(char* p, size_t size, size_t n, void* user) {
  auto* out = static_cast<Bytes*>(user);
  if (out->size() + size * n > kMaxBody) return 0;
  out->insert(out->end(), p, p + size * n);
  return size * n;
}

size_t on_header(char* p, size_t size, size_t n, void* user) {
  auto* headers = static_cast<std::map<std::string, std::string>*>(user);
  std::string line(p, size * n);
  auto colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    for (auto& c : name) c = char(std::tolower(static_cast<unsigned char>(c)));
    std::string value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.erase(value.begin());
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) value.pop_back();
    (*headers)[name] = value;
  } else if (line.rfind("HTTP/", 0) == 0) {
    headers->clear();  // a new response (after 100-continue or a redirect)
  }
  return size * n;
}

struct Upload {
  const Bytes* body;
  size_t pos = 0;
};
size_t on_read(char* p, size_t size, size_t n, void* user) {
  auto* u = static_cast<Upload*>(user);
  size_t left = u->body->size() - u->pos;
  size_t k = std::min(left, size * n);
  std::memcpy(p, u->body->data() + u->pos, k);
  u->pos += k;
  return k;
}

// Lets curl resend a body from the start (a dropped, reused connection).
int on_seek(void* user, curl_off_t offset, int origin) {
  auto* u = static_cast<Upload*>(user);
  if (origin != SEEK_SET || offset < 0 || size_t(offset) > u->body->size()) return CURL_SEEKFUNC_FAIL;
  u->pos = size_t(offset);
  return CURL_SEEKFUNC_OK;
}

bool transient(CURLcode c) {
  switch (c) {
    case CURLE_SEND_FAIL_REWIND: case CURLE_READ_ERROR:
    case CURLE_COULDNT_CONNECT: case CURLE_OPERATION_TIMEDOUT: case CURLE_RECV_ERROR: case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING: case CURLE_PARTIAL_FILE: case CURLE_COULDNT_RESOLVE_HOST: case CURLE_SSL_CONNECT_ERROR:
    case CURLE_HTTP2: case CURLE_HTTP2_STREAM:
      return true;
    default:
      return false;
  }
}

}  // namespace

Result<HttpResponse> http_perform(const HttpRequest& request, const RetryPolicy& policy,
                                  const std::function<void(HttpRequest&)>& sign) {
  thread_local std::mt19937_64 rng(std::random_device{}());
  std::string last_error;
  for (int attempt = 0; attempt < policy.max_attempts; ++attempt) {
    if (policy.cancel && policy.cancel->load()) return cancelled("interrupted");
    if (attempt > 0) {
      // Full jitter: a random wait up to an exponentially growing cap.
      int cap = std::min(policy.cap_ms, policy.base_ms << std::min(attempt - 1, 16));
      std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(cap / 4, cap)(rng)));
    }
    HttpRequest req = request;
    if (sign) sign(req);
    CURL* h = thread_handle();
    curl_easy_reset(h);
    HttpResponse resp;
    curl_slist* hdrs = nullptr;
    for (const auto& [k, v] : req.headers) hdrs = curl_slist_append(hdrs, (k + ": " + v).c_str());
    hdrs = curl_slist_append(hdrs, "Expect:");  // no 100-continue round trip
    Upload up{req.body};
    curl_easy_setopt(h, CURLOPT_URL, req.url.c_str());
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &resp.body);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &resp.headers);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, 30L);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
    if (req.method == "HEAD") {
      curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    } else if (req.method == "PUT" || (req.method == "POST" && req.body)) {
      static const Bytes empty;
      if (!up.body) up.body = &empty;
      curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
      curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
      curl_easy_setopt(h, CURLOPT_READDATA, &up);
      curl_easy_setopt(h, CURLOPT_SEEKFUNCTION, on_seek);
      curl_easy_setopt(h, CURLOPT_SEEKDATA, &up);
      curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, curl_off_t(up.body->size()));
      if (req.method == "POST") curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "POST");
    } else if (req.method != "GET") {
      curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req.method.c_str());
    }
    CURLcode rc = curl_easy_perform(h);
    curl_slist_free_all(hdrs);
    if (rc == CURLE_WRITE_ERROR) return io_error("{} {}: the response is larger than {} GiB", req.method, req.url, kMaxBody >> 30);
    if (rc != CURLE_OK) {
      last_error = curl_easy_strerror(rc);
      if (transient(rc)) continue;
      return io_error("{} {}: {}", req.method, req.url, last_error);
    }
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp.status);
    if (char* where = nullptr; curl_easy_getinfo(h, CURLINFO_EFFECTIVE_URL, &where) == CURLE_OK && where) resp.url = where;
    if (resp.status >= 500 || resp.status == 429) {
      last_error = fmt::format("HTTP {}", resp.status);
      continue;
    }
    return resp;
  }
  return io_error("{} {}: {} (after {} attempts)", request.method, request.url, last_error, policy.max_attempts);
}

std::string uri_encode(const std::string& s, bool keep_slash) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || (keep_slash && c == '/')) out += char(c);
    else out += fmt::format("%{:02X}", c);
  }
  return out;
}

Bytes sha256(const void* data, size_t n) {
  Bytes out(32);
  unsigned len = 0;
  EVP_Digest(data, n, out.data(), &len, EVP_sha256(), nullptr);
  return out;
}

Bytes md5(const void* data, size_t n) {
  Bytes out(16);
  unsigned len = 0;
  EVP_Digest(data, n, out.data(), &len, EVP_md5(), nullptr);
  return out;
}

Bytes hmac_sha256(const Bytes& key, const std::string& msg) {
  Bytes out(32);
  unsigned len = 0;
  HMAC(EVP_sha256(), key.data(), int(key.size()), reinterpret_cast<const unsigned char*>(msg.data()), msg.size(),
       out.data(), &len);
  return out;
}

std::string hex(const Bytes& b) {
  static const char* d = "0123456789abcdef";
  std::string s;
  s.reserve(b.size() * 2);
  for (auto x : b) {
    s += d[x >> 4];
    s += d[x & 15];
  }
  return s;
}

std::string base64(const Bytes& b) {
  std::string out(4 * ((b.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), b.data(), int(b.size()));
  out.resize(size_t(n));
  return out;
}

}  // namespace pangeo
