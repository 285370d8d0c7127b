// S3 (and GCS through its S3-compatible XML API) with AWS Signature Version 4:
// https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
#include <algorithm>
#include <cstring>
#include <filesystem>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string_view>

#include "pangeo/cloud.hpp"
#include "xml.hpp"

namespace pangeo {

std::string xml_unescape(const std::string& s) {
  static const std::pair<std::string_view, char> kEntities[] = {
      {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}, {"&amp;", '&'}};
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    bool replaced = false;
    if (s[i] == '&')
      for (const auto& [from, to] : kEntities)
        if (s.compare(i, from.size(), from) == 0) {
          out += to;
          i += from.size();
          replaced = true;
          break;
        }
    if (!replaced) out += s[i++];
  }
  return out;
}

std::vector<std::string> xml_values(const std::string& xml, const std::string& tag) {
  std::vector<std::string> out;
  const std::string open = "<" + tag + ">", close = "</" + tag + ">";
  size_t p = 0;
  while ((p = xml.find(open, p)) != std::string::npos) {
    size_t e = xml.find(close, p + open.size());
    if (e == std::string::npos) break;
    out.push_back(xml_unescape(xml.substr(p + open.size(), e - p - open.size())));
    p = e + close.size();
  }
  return out;
}

namespace {
// The requested range of a whole value, for servers that answer a ranged GET with 200
// and everything.
Bytes slice_whole_body(const Bytes& body, uint64_t offset, uint64_t length) {
  const size_t from = size_t(std::min<uint64_t>(offset, body.size()));
  const size_t to = size_t(std::min<uint64_t>(body.size(), from + std::min<uint64_t>(length, body.size())));
  return Bytes(body.begin() + from, body.begin() + to);
}

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

std::string home_file(const char* env_name, const char* rel) {
  std::string e = env(env_name);
  if (!e.empty()) return e;
  std::string home = env("HOME");
  return home.empty() ? "" : home + "/" + rel;
}

// Reads an INI file's section as key -> value ("[default]", "[profile x]" or "[x]").
std::map<std::string, std::string> ini_section(const std::string& path, const std::string& profile, bool config) {
  std::map<std::string, std::string> out;
  std::ifstream in(path);
  if (!in) return out;
  std::string line, section;
  const std::string want1 = profile, want2 = "profile " + profile;
  bool inside = false;
  while (std::getline(in, line)) {
    auto trim = [](std::string s) {
      s.erase(0, s.find_first_not_of(" \t\r"));
      s.erase(s.find_last_not_of(" \t\r") + 1);
      return s;
    };
    line = trim(line);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line.front() == '[' && line.back() == ']') {
      section = trim(line.substr(1, line.size() - 2));
      inside = section == want1 || (config && section == want2);
      continue;
    }
    if (!inside) continue;
    auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    out[trim(line.substr(0, eq))] = trim(line.substr(eq + 1));
  }
  return out;
}

std::string profile_name(const CloudOptions& options) {
  if (!options.profile.empty()) return options.profile;
  if (!env("AWS_PROFILE").empty()) return env("AWS_PROFILE");
  return "default";
}

std::string amz_now() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

std::string strip_quotes(std::string s) {
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') return s.substr(1, s.size() - 2);
  return s;
}

}  // namespace

Result<Credentials> find_credentials(bool gcs, const CloudOptions& options) {
  Credentials c;
  if (options.anon) {
    c.anonymous = true;
    return c;
  }
  if (gcs && !env("GOOGLE_OAUTH_ACCESS_TOKEN").empty()) {
    c.bearer_token = env("GOOGLE_OAUTH_ACCESS_TOKEN");
    return c;
  }
  if (gcs && !env("GCS_ACCESS_KEY_ID").empty()) {
    c.access_key = env("GCS_ACCESS_KEY_ID");
    c.secret_key = env("GCS_SECRET_ACCESS_KEY");
    return c;
  }
  if (!env("AWS_ACCESS_KEY_ID").empty() && options.profile.empty()) {
    c.access_key = env("AWS_ACCESS_KEY_ID");
    c.secret_key = env("AWS_SECRET_ACCESS_KEY");
    c.session_token = env("AWS_SESSION_TOKEN");
    if (c.secret_key.empty()) return invalid_argument("AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not");
    return c;
  }
  const std::string profile = profile_name(options);
  auto creds = ini_section(home_file("AWS_SHARED_CREDENTIALS_FILE", ".aws/credentials"), profile, false);
  auto config = ini_section(home_file("AWS_CONFIG_FILE", ".aws/config"), profile, true);
  for (auto& kv : config)
    if (!creds.count(kv.first)) creds[kv.first] = kv.second;
  if (creds.count("aws_access_key_id")) {
    c.access_key = creds["aws_access_key_id"];
    c.secret_key = creds["aws_secret_access_key"];
    c.session_token = creds.count("aws_session_token") ? creds["aws_session_token"] : "";
    return c;
  }
  if (!options.profile.empty() || !env("AWS_PROFILE").empty())
    return not_found("no credentials for profile \"{}\" in ~/.aws/credentials or ~/.aws/config", profile);
  return not_found("no credentials: set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, use a profile, or read anonymously");
}

std::string find_region(const CloudOptions& options) {
  if (!options.region.empty()) return options.region;
  for (const char* e : {"AWS_REGION", "AWS_DEFAULT_REGION"})
    if (!env(e).empty()) return env(e);
  auto config = ini_section(home_file("AWS_CONFIG_FILE", ".aws/config"), profile_name(options), true);
  if (config.count("region")) return config["region"];
  return "us-east-1";
}

void sigv4_sign(HttpRequest& req, const Credentials& creds, const std::string& region, const std::string& service,
                const std::string& amz_date, const std::string& payload_sha256) {
  // Split the URL into host, path and query.
  const std::string& url = req.url;
  const size_t scheme = url.find("://");
  const size_t host_at = scheme == std::string::npos ? 0 : scheme + 3;
  const size_t path_at = std::min(url.find_first_of("/?", host_at), url.size());
  const size_t query_at = std::min(url.find('?', path_at), url.size());
  std::string host = url.substr(host_at, path_at - host_at);
  std::string path = query_at > path_at ? url.substr(path_at, query_at - path_at) : "/";
  std::string query = query_at < url.size() ? url.substr(query_at + 1) : "";
  std::vector<std::pair<std::string, std::string>> q;
  std::stringstream qs(query);
  std::string item;
  while (std::getline(qs, item, '&')) {
    if (item.empty()) continue;
    auto eq = item.find('=');
    // Query values in our URLs are already encoded; canonical form needs them encoded once.
    q.emplace_back(item.substr(0, eq), eq == std::string::npos ? "" : item.substr(eq + 1));
  }
  std::sort(q.begin(), q.end());
  std::string canonical_query;
  for (size_t i = 0; i < q.size(); ++i) canonical_query += (i ? "&" : "") + q[i].first + "=" + q[i].second;
  req.headers.emplace_back("x-amz-date", amz_date);
  req.headers.emplace_back("x-amz-content-sha256", payload_sha256);
  if (!creds.session_token.empty()) req.headers.emplace_back("x-amz-security-token", creds.session_token);
  std::vector<std::pair<std::string, std::string>> signed_headers{{"host", host}};
  for (const auto& [k, v] : req.headers) {
    std::string lk = k;
    for (auto& c : lk) c = char(std::tolower(static_cast<unsigned char>(c)));
    if (lk == "expect" || lk == "user-agent") continue;
    signed_headers.emplace_back(lk, v);
  }
  std::sort(signed_headers.begin(), signed_headers.end());
  std::string canonical_headers, names;
  for (size_t i = 0; i < signed_headers.size(); ++i) {
    canonical_headers += signed_headers[i].first + ":" + signed_headers[i].second + "\n";
    names += (i ? ";" : "") + signed_headers[i].first;
  }
  const std::string canonical = req.method + "\n" + path + "\n" + canonical_query + "\n" + canonical_headers + "\n" +
                                names + "\n" + payload_sha256;
  const std::string date = amz_date.substr(0, 8);
  const std::string scope = date + "/" + region + "/" + service + "/aws4_request";
  const std::string to_sign = "AWS4-HMAC-SHA256\n" + amz_date + "\n" + scope + "\n" +
                              hex(sha256(canonical.data(), canonical.size()));
  const std::string seed = "AWS4" + creds.secret_key;
  Bytes key(seed.begin(), seed.end());
  for (const std::string& part : {date, region, service, std::string("aws4_request")}) key = hmac_sha256(key, part);
  const std::string signature = hex(hmac_sha256(key, to_sign));
  req.headers.emplace_back("Authorization", "AWS4-HMAC-SHA256 Credential=" + creds.access_key + "/" + scope +
                                                ", SignedHeaders=" + names + ", Signature=" + signature);
}

Result<std::shared_ptr<S3Store>> S3Store::open(const std::string& url, const CloudOptions& options) {
  const bool gcs = url.rfind("gs://", 0) == 0;
  const size_t slash = url.find('/', 5);
  const std::string bucket = url.substr(5, slash == std::string::npos ? std::string::npos : slash - 5);
  // Bucket names are 3 to 63 characters on S3 and GCS (222 with dots on GCS).
  if ((!gcs && url.rfind("s3://", 0) != 0) || bucket.empty() || bucket.size() > 222)
    return invalid_argument("{}: expected s3://BUCKET/PREFIX or gs://BUCKET/PREFIX",
                            url.size() > 80 ? url.substr(0, 80) + "..." : url);
  auto s = std::shared_ptr<S3Store>(new S3Store());
  s->url_ = url;
  s->gcs_ = gcs;
  s->bucket_ = bucket;
  s->prefix_ = slash == std::string::npos ? "" : url.substr(slash + 1);
  while (!s->prefix_.empty() && s->prefix_.back() == '/') s->prefix_.pop_back();
  PG_ASSIGN_OR_RETURN(s->creds_, find_credentials(s->gcs_, options));
  s->retry_ = options.retry;
  std::string endpoint = options.endpoint_url;
  if (endpoint.empty()) endpoint = env(s->gcs_ ? "GCS_ENDPOINT_URL" : "AWS_ENDPOINT_URL");
  if (endpoint.empty() && !s->gcs_ && !env("AWS_ENDPOINT_URL_S3").empty()) endpoint = env("AWS_ENDPOINT_URL_S3");
  s->region_ = s->gcs_ ? "auto" : find_region(options);
  if (endpoint.empty()) {
    if (s->gcs_) {
      endpoint = "https://storage.googleapis.com";
    } else {
      endpoint = "https://" + s->bucket_ + ".s3." + s->region_ + ".amazonaws.com";
      s->path_style_ = false;
    }
  }
  while (!endpoint.empty() && endpoint.back() == '/') endpoint.pop_back();
  s->endpoint_ = endpoint;
  return s;
}

std::string S3Store::object_url(const std::string& key, const std::string& query) const {
  std::string full = prefix_.empty() ? key : (key.empty() ? prefix_ : prefix_ + "/" + key);
  std::string u = endpoint_ + (path_style_ ? "/" + bucket_ : "") + "/" + uri_encode(full, true);
  if (!query.empty()) u += "?" + query;
  return u;
}

Result<HttpResponse> S3Store::send(HttpRequest req, const Bytes* body) {
  req.body = body;
  const std::string payload = body ? hex(sha256(body->data(), body->size())) : hex(sha256("", 0));
  auto sign = [&](HttpRequest& r) {
    if (creds_.anonymous) return;
    if (!creds_.bearer_token.empty()) {
      r.headers.emplace_back("Authorization", "Bearer " + creds_.bearer_token);
      return;
    }
    sigv4_sign(r, creds_, region_, service_, amz_now(), payload);
  };
  return http_perform(req, retry_, sign);
}

Status S3Store::check(const HttpResponse& r, const std::string& what, const std::string& url) const {
  if (r.status >= 200 && r.status < 300) return Status::Ok();
  std::string body(r.body.begin(), r.body.end());
  auto code = xml_values(body, "Code");
  std::string detail = code.empty() ? "" : " (" + code[0] + ")";
  if (r.status == 403 || r.status == 401)
    return Status(ErrorCode::kInvalidArgument, fmt::format("{} {}: access denied{}: check the credentials", what, url, detail));
  if (r.status == 404) return not_found("{} {}: not found{}", what, url, detail);
  return io_error("{} {}: HTTP {}{}", what, url, r.status, detail);
}

Result<std::optional<Bytes>> S3Store::get(const std::string& key) {
  const std::string url = object_url(key);
  PG_ASSIGN_OR_RETURN(HttpResponse r, send(HttpRequest{"GET", url, {}, nullptr}, nullptr));
  if (r.status == 404) return std::optional<Bytes>();
  PG_RETURN_IF_ERROR(check(r, "GET", url));
  return std::optional<Bytes>(std::move(r.body));
}

Result<std::optional<Bytes>> S3Store::get_range(const std::string& key, uint64_t offset, uint64_t length) {
  if (length == 0) return std::optional<Bytes>(Bytes());
  const std::string url = object_url(key);
  HttpRequest req{"GET", url, {{"Range", fmt::format("bytes={}-{}", offset, offset + length - 1)}}, nullptr};
  PG_ASSIGN_OR_RETURN(HttpResponse r, send(req, nullptr));
  if (r.status == 404) return std::optional<Bytes>();
  if (r.status == 416) return std::optional<Bytes>(Bytes());
  PG_RETURN_IF_ERROR(check(r, "GET", url));
  if (r.status == 200) return std::optional<Bytes>(slice_whole_body(r.body, offset, length));
  return std::optional<Bytes>(std::move(r.body));
}

Result<std::optional<S3Store::ObjectInfo>> S3Store::head(const std::string& key) {
  const std::string url = object_url(key);
  PG_ASSIGN_OR_RETURN(HttpResponse r, send(HttpRequest{"HEAD", url, {}, nullptr}, nullptr));
  if (r.status == 404) return std::optional<ObjectInfo>();
  PG_RETURN_IF_ERROR(check(r, "HEAD", url));
  ObjectInfo info;
  // Servers are not trusted to send numbers: anything else is an error, not an exception.
  const std::string length = r.headers.count("content-length") ? r.headers["content-length"] : "0";
  if (length.empty() || length.size() > 19 || length.find_first_not_of("0123456789") != std::string::npos)
    return corrupt("HEAD {}: a Content-Length of \"{}\"", url, length.substr(0, 40));
  info.size = std::stoull(length);
  info.etag = strip_quotes(r.headers["etag"]);
  return std::optional<ObjectInfo>(info);
}

Result<std::optional<uint64_t>> S3Store::size(const std::string& key) {
  PG_ASSIGN_OR_RETURN(auto info, head(key));
  if (!info) return std::optional<uint64_t>();
  return std::optional<uint64_t>(info->size);
}

Result<std::string> S3Store::put_checked(const std::string& key, const Bytes& value) {
  const std::string url = object_url(key);
  const Bytes digest = md5(value.data(), value.size());
  HttpRequest req{"PUT", url, {{"Content-MD5", base64(digest)}, {"Content-Type", "application/octet-stream"}}, nullptr};
  PG_ASSIGN_OR_RETURN(HttpResponse r, send(req, &value));
  PG_RETURN_IF_ERROR(check(r, "PUT", url));
  std::string etag = strip_quotes(r.headers["etag"]);
  if (!etag.empty() && etag != hex(digest) && !gcs_)
    return corrupt("PUT {}: the server stored something else (ETag {} where MD5 {} was sent)", url, etag, hex(digest));
  return etag;
}

Status S3Store::put(const std::string& key, const Bytes& value) { return put_checked(key, value).status(); }

Status S3Store::erase(const std::string& key) {
  const std::string url = object_url(key);
  PG_ASSIGN_OR_RETURN(HttpResponse r, send(HttpRequest{"DELETE", url, {}, nullptr}, nullptr));
  if (r.status == 404) return Status::Ok();
  return check(r, "DELETE", url);
}

Result<std::vector<std::string>> S3Store::list(const std::string& prefix) {
  std::vector<std::string> keys;
  std::string full = prefix_.empty() ? prefix : prefix_ + "/" + prefix;
  std::string token;
  const size_t strip = prefix_.empty() ? 0 : prefix_.size() + 1;
  while (true) {
    std::string query = "list-type=2&prefix=" + uri_encode(full, false);
    if (!token.empty()) query += "&continuation-token=" + uri_encode(token, false);
    std::string url = endpoint_ + (path_style_ ? "/" + bucket_ : "") + "/?" + query;
    PG_ASSIGN_OR_RETURN(HttpResponse r, send(HttpRequest{"GET", url, {}, nullptr}, nullptr));
    PG_RETURN_IF_ERROR(check(r, "LIST", url));
    std::string body(r.body.begin(), r.body.end());
    for (auto& k : xml_values(body, "Key"))
      if (k.size() >= strip) keys.push_back(k.substr(strip));
    auto truncated = xml_values(body, "IsTruncated");
    auto next = xml_values(body, "NextContinuationToken");
    if (truncated.empty() || truncated[0] != "true" || next.empty()) break;
    token = next[0];
  }
  std::sort(keys.begin(), keys.end());
  return keys;
}

Result<std::string> S3Store::start_multipart(const std::string& key) {
  const std::string url = object_url(key);
  PG_ASSIGN_OR_RETURN(HttpResponse init, send(HttpRequest{"POST", object_url(key, "uploads="), {}, nullptr}, nullptr));
  PG_RETURN_IF_ERROR(check(init, "POST", url));
  auto ids = xml_values(std::string(init.body.begin(), init.body.end()), "UploadId");
  if (ids.empty()) return io_error("POST {}: no UploadId in the answer", url);
  return ids[0];
}

Result<std::string> S3Store::put_part(const std::string& key, const std::string& upload_id, uint64_t part_number,
                                      const Bytes& data) {
  const std::string url = object_url(key);
  const Bytes digest = md5(data.data(), data.size());
  std::string q = fmt::format("partNumber={}&uploadId={}", part_number, uri_encode(upload_id, false));
  HttpRequest req{"PUT", object_url(key, q), {{"Content-MD5", base64(digest)}}, nullptr};
  PG_ASSIGN_OR_RETURN(HttpResponse r, send(req, &data));
  PG_RETURN_IF_ERROR(check(r, "PUT part", url));
  std::string etag = strip_quotes(r.headers["etag"]);
  if (!etag.empty() && etag != hex(digest))
    return corrupt("PUT {} part {}: ETag {} where MD5 {} was sent", url, part_number, etag, hex(digest));
  return hex(digest);
}

Result<std::string> S3Store::complete_multipart(const std::string& key, const std::string& upload_id,
                                                const std::vector<std::string>& etags) {
  const std::string url = object_url(key);
  std::string xml = "<CompleteMultipartUpload>";
  for (uint64_t i = 0; i < etags.size(); ++i)
    xml += fmt::format("<Part><PartNumber>{}</PartNumber><ETag>\"{}\"</ETag></Part>", i + 1, etags[i]);
  xml += "</CompleteMultipartUpload>";
  Bytes body(xml.begin(), xml.end());
  PG_ASSIGN_OR_RETURN(HttpResponse done, send(HttpRequest{"POST", object_url(key, "uploadId=" + uri_encode(upload_id, false)), {}, nullptr}, &body));
  PG_RETURN_IF_ERROR(check(done, "POST complete", url));
  std::string text(done.body.begin(), done.body.end());
  if (text.find("<Error>") != std::string::npos) return io_error("POST complete {}: {}", url, text.substr(0, 200));
  // The ETag of a multipart object: MD5 of the parts' MD5s, then "-N".
  Bytes all;
  auto nibble = [](char c) { return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1; };
  for (const auto& e : etags)
    for (size_t k = 0; k + 1 < e.size(); k += 2) {
      const int hi = nibble(e[k]), lo = nibble(e[k + 1]);
      if (hi < 0 || lo < 0) return corrupt("POST complete {}: a part's ETag \"{}\" is not hexadecimal", url, e.substr(0, 40));
      all.push_back(uint8_t(hi * 16 + lo));
    }
  return hex(md5(all.data(), all.size())) + "-" + std::to_string(etags.size());
}

void S3Store::abort_multipart(const std::string& key, const std::string& upload_id) {
  (void)send(HttpRequest{"DELETE", object_url(key, "uploadId=" + uri_encode(upload_id, false)), {}, nullptr}, nullptr);
}

// ---------------------------------------------------------------------------------------

std::string HttpStore::url(const std::string& key) const {
  std::string b = base_;
  while (!b.empty() && b.back() == '/') b.pop_back();
  return key.empty() ? b : b + "/" + uri_encode(key, true);
}

namespace {

// A web server redirects a name with a trailing slash added when the name is a directory,
// then answers with a listing page: that is no value.
bool is_missing(const HttpResponse& r, const std::string& asked) {
  if (r.status == 404 || r.status == 403) return true;
  return r.url.size() == asked.size() + 1 && r.url.back() == '/' && r.url.compare(0, asked.size(), asked) == 0;
}

}  // namespace

Result<std::optional<Bytes>> HttpStore::get(const std::string& key) {
  const std::string u = url(key);
  PG_ASSIGN_OR_RETURN(HttpResponse r, http_perform(HttpRequest{"GET", u, {}, nullptr}, retry_, nullptr));
  if (is_missing(r, u)) return std::optional<Bytes>();
  if (r.status >= 300) return io_error("GET {}: HTTP {}", u, r.status);
  return std::optional<Bytes>(std::move(r.body));
}

Result<std::optional<Bytes>> HttpStore::get_range(const std::string& key, uint64_t offset, uint64_t length) {
  if (length == 0) return Store::get_range(key, offset, length);
  const std::string u = url(key);
  HttpRequest req{"GET", u, {{"Range", fmt::format("bytes={}-{}", offset, offset + length - 1)}}, nullptr};
  PG_ASSIGN_OR_RETURN(HttpResponse r, http_perform(req, retry_, nullptr));
  if (is_missing(r, u)) return std::optional<Bytes>();
  if (r.status == 416) return std::optional<Bytes>(Bytes());  // the range starts past the end
  if (r.status >= 300) return io_error("GET {}: HTTP {}", u, r.status);
  if (r.status == 200) return std::optional<Bytes>(slice_whole_body(r.body, offset, length));
  return std::optional<Bytes>(std::move(r.body));
}

Result<std::optional<uint64_t>> HttpStore::size(const std::string& key) {
  const std::string u = url(key);
  PG_ASSIGN_OR_RETURN(HttpResponse r, http_perform(HttpRequest{"HEAD", u, {}, nullptr}, retry_, nullptr));
  if (is_missing(r, u)) return std::optional<uint64_t>();
  if (r.status >= 300) return io_error("HEAD {}: HTTP {}", u, r.status);
  return std::optional<uint64_t>(r.headers.count("content-length") ? std::stoull(r.headers["content-length"]) : 0);
}

Status HttpStore::put(const std::string& key, const Bytes& value) {
  HttpRequest req{"PUT", url(key), {{"Content-MD5", base64(md5(value.data(), value.size()))}}, nullptr};
  req.body = &value;
  PG_ASSIGN_OR_RETURN(HttpResponse r, http_perform(req, retry_, nullptr));
  if (r.status >= 300) return io_error("PUT {}: HTTP {}", url(key), r.status);
  return Status::Ok();
}

Status HttpStore::erase(const std::string& key) {
  PG_ASSIGN_OR_RETURN(HttpResponse r, http_perform(HttpRequest{"DELETE", url(key), {}, nullptr}, retry_, nullptr));
  if (r.status >= 300 && r.status != 404) return io_error("DELETE {}: HTTP {}", url(key), r.status);
  return Status::Ok();
}

Result<std::vector<std::string>> HttpStore::list(const std::string&) {
  return unsupported("{}: plain HTTP cannot list keys; the store needs consolidated metadata (.zmetadata)", base_);
}

}  // namespace pangeo
