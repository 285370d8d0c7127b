// The pipe format: tar streams of Zarr stores (POSIX ustar headers; pax "x" headers for
// names longer than ustar allows). https://pubs.opengroup.org/onlinepubs/9699919799/utilities/pax.html
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "pangeo/store.hpp"

namespace fs = std::filesystem;

namespace pangeo {

namespace {

constexpr size_t kBlock = 512;

void put_octal(char* field, size_t width, uint64_t v) {
  // width includes the terminating NUL
  std::string s = fmt::format("{:0{}o}", v, width - 1);
  std::memcpy(field, s.data(), width - 1);
  field[width - 1] = '\0';
}

std::vector<uint8_t> make_header(const std::string& name, uint64_t size, char type) {
  std::vector<uint8_t> h(kBlock, 0);
  char* c = reinterpret_cast<char*>(h.data());
  std::memcpy(c, name.data(), std::min<size_t>(name.size(), 100));
  put_octal(c + 100, 8, 0644);
  put_octal(c + 108, 8, 0);
  put_octal(c + 116, 8, 0);
  put_octal(c + 124, 12, size);
  put_octal(c + 136, 12, 0);
  std::memset(c + 148, ' ', 8);
  c[156] = type;
  std::memcpy(c + 257, "ustar", 6);
  std::memcpy(c + 263, "00", 2);
  unsigned sum = 0;
  for (size_t i = 0; i < kBlock; ++i) sum += h[i];
  std::string chk = fmt::format("{:06o}", sum);
  std::memcpy(c + 148, chk.data(), 6);
  c[154] = '\0';
  c[155] = ' ';
  return h;
}

// A pax record "LEN key=value\n" where LEN counts the whole record.
std::string pax_record(const std::string& key, const std::string& value) {
  size_t body = key.size() + value.size() + 3;  // ' ', '=', '\n'
  size_t len = body + std::to_string(body).size();
  if (std::to_string(len).size() != std::to_string(body).size()) ++len;
  return fmt::format("{} {}={}\n", len, key, value);
}

}  // namespace

Status TarStreamWriter::write_all(const uint8_t* p, size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd_, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      if (errno == EPIPE) return broken_pipe("the reader of the stream went away");
      return io_error("writing the stream: {}", std::strerror(errno));
    }
    p += w;
    n -= size_t(w);
  }
  return Status::Ok();
}

Status TarStreamWriter::put(const std::string& key, const Bytes& value) {
  std::lock_guard lock(mu_);
  if (key.size() > 100) {
    std::string rec = pax_record("path", key);
    auto xh = make_header("PaxHeader", rec.size(), 'x');
    PG_RETURN_IF_ERROR(write_all(xh.data(), xh.size()));
    std::vector<uint8_t> body(rec.begin(), rec.end());
    body.resize((body.size() + kBlock - 1) / kBlock * kBlock, 0);
    PG_RETURN_IF_ERROR(write_all(body.data(), body.size()));
  }
  auto h = make_header(key, value.size(), '0');
  PG_RETURN_IF_ERROR(write_all(h.data(), h.size()));
  PG_RETURN_IF_ERROR(write_all(value.data(), value.size()));
  static const uint8_t zeros[kBlock] = {};
  size_t pad = (kBlock - value.size() % kBlock) % kBlock;
  PG_RETURN_IF_ERROR(write_all(zeros, pad));
  auto base = key.substr(key.rfind('/') == std::string::npos ? 0 : key.rfind('/') + 1);
  if (!base.empty() && base[0] == '.') written_meta_[key] = value;
  return Status::Ok();
}

Result<std::optional<Bytes>> TarStreamWriter::get(const std::string& key) {
  std::lock_guard lock(mu_);
  auto it = written_meta_.find(key);
  if (it == written_meta_.end()) return std::optional<Bytes>();
  return std::optional<Bytes>(it->second);
}
Status TarStreamWriter::erase(const std::string& key) { return unsupported("a stream cannot erase \"{}\"", key); }
Result<std::vector<std::string>> TarStreamWriter::list(const std::string&) {
  return unsupported("a stream being written cannot be listed");
}

Status TarStreamWriter::finish() {
  std::lock_guard lock(mu_);
  static const uint8_t zeros[2 * kBlock] = {};
  return write_all(zeros, sizeof zeros);
}

// ---------------------------------------------------------------------------------------

struct TarStreamReader::State {
  int fd;
  fs::path spool;
  std::mutex mu;
  std::condition_variable cv;
  std::set<std::string> arrived;
  bool done = false;
  Status error;
  std::atomic<bool> stop{false};
  std::thread thread;

  Status read_exact(uint8_t* p, size_t n, bool* eof_at_start) {
    size_t got = 0;
    while (got < n) {
      // Wait in short slices, so that a reader that is no longer wanted can stop.
      pollfd pfd{fd, POLLIN, 0};
      int pr = ::poll(&pfd, 1, 100);
      if (stop.load()) return cancelled("stream reading stopped");
      if (pr == 0) continue;
      if (pr < 0 && errno == EINTR) continue;
      ssize_t r = ::read(fd, p + got, n - got);
      if (r < 0) {
        if (errno == EINTR) continue;
        return io_error("reading the stream: {}", std::strerror(errno));
      }
      if (r == 0) {
        if (got == 0 && eof_at_start) {
          *eof_at_start = true;
          return Status::Ok();
        }
        return corrupt("truncated stream: it ends inside an entry");
      }
      got += size_t(r);
    }
    return Status::Ok();
  }

  static uint64_t octal(const char* f, size_t w) {
    uint64_t v = 0;
    for (size_t i = 0; i < w && f[i]; ++i) {
      if (f[i] == ' ') continue;
      if (f[i] < '0' || f[i] > '7') break;
      v = v * 8 + uint64_t(f[i] - '0');
    }
    return v;
  }

  // Records "LEN key=value\n", LEN counting the whole record in decimal.
  static Status parse_pax(const std::string& body, std::string* path) {
    size_t pos = 0;
    while (pos < body.size()) {
      size_t len = 0, i = pos;
      while (i < body.size() && i - pos < 8 && body[i] >= '0' && body[i] <= '9') len = len * 10 + size_t(body[i++] - '0');
      const size_t header = i - pos + 1;  // the digits and the space
      if (i == pos || i >= body.size() || body[i] != ' ' || len <= header || len > body.size() - pos ||
          body[pos + len - 1] != '\n')
        return corrupt("stream: a malformed extended header record at byte {}", pos);
      const std::string rec = body.substr(i + 1, len - header - 1);
      if (rec.rfind("path=", 0) == 0) *path = rec.substr(5);
      pos += len;
    }
    return Status::Ok();
  }

  Status run() {
    std::string pax_path;
    uint8_t h[kBlock];
    while (true) {
      bool eof = false;
      PG_RETURN_IF_ERROR(read_exact(h, kBlock, &eof));
      if (eof) return corrupt("truncated stream: no end-of-archive blocks");
      if (std::all_of(h, h + kBlock, [](uint8_t b) { return b == 0; })) {
        // End of archive: a second zero block should follow.
        bool eof2 = false;
        PG_RETURN_IF_ERROR(read_exact(h, kBlock, &eof2));
        if (eof2) return corrupt("truncated stream: only one end-of-archive block");
        return Status::Ok();
      }
      const char* c = reinterpret_cast<const char*>(h);
      unsigned sum = 0;
      for (size_t i = 0; i < kBlock; ++i) sum += (i >= 148 && i < 156) ? ' ' : h[i];
      if (octal(c + 148, 8) != sum) return corrupt("not a tar stream (bad header checksum)");
      uint64_t size = octal(c + 124, 12);
      char type = c[156];
      std::string name(c, strnlen(c, 100));
      if (std::memcmp(c + 257, "ustar", 5) == 0 && c[345]) name = std::string(c + 345, strnlen(c + 345, 155)) + "/" + name;
      const uint64_t padded = (size + kBlock - 1) / kBlock * kBlock;
      if (type == 'x' || type == 'g') {
        // Extended headers carry a long name or two: a megabyte is far more than any needs.
        if (size > (1u << 20)) return corrupt("stream: an extended header of {} bytes", size);
        std::string body(padded, '\0');
        PG_RETURN_IF_ERROR(read_exact(reinterpret_cast<uint8_t*>(body.data()), padded, nullptr));
        body.resize(size);
        if (type == 'x') PG_RETURN_IF_ERROR(parse_pax(body, &pax_path));
        continue;
      }
      if (!pax_path.empty()) {
        name = pax_path;
        pax_path.clear();
      }
      if (type == '5') {  // directory: nothing to store
        if (size) return corrupt("stream entry \"{}\": a directory with data", name);
        continue;
      }
      if (type != '0' && type != '\0' && type != '7')
        return corrupt("stream entry \"{}\": links and special files are not allowed", name);
      while (name.rfind("./", 0) == 0) name = name.substr(2);
      if (name.empty() || name[0] == '/' || name == ".." || name.rfind("../", 0) == 0 ||
          name.find("/../") != std::string::npos || (name.size() >= 3 && name.compare(name.size() - 3, 3, "/..") == 0))
        return corrupt("stream entry \"{}\": names must stay inside the store", name);
      // Stream the entry to its spool file in pieces (bounded memory).
      fs::path target = spool / name;
      std::error_code ec;
      fs::create_directories(target.parent_path(), ec);
      if (ec) return io_error("{}: {}", target.parent_path().string(), ec.message());
      std::ofstream out(target, std::ios::binary | std::ios::trunc);
      if (!out) return io_error("{}: cannot write", target.string());
      std::vector<uint8_t> buf(1 << 20);
      uint64_t left = padded, data_left = size;
      while (left > 0) {
        size_t n = size_t(std::min<uint64_t>(left, buf.size()));
        PG_RETURN_IF_ERROR(read_exact(buf.data(), n, nullptr));
        size_t keep = size_t(std::min<uint64_t>(n, data_left));
        out.write(reinterpret_cast<const char*>(buf.data()), std::streamsize(keep));
        data_left -= keep;
        left -= n;
      }
      out.close();
      if (!out) return io_error("{}: write failed", target.string());
      {
        std::lock_guard lock(mu);
        arrived.insert(name);
      }
      cv.notify_all();
    }
  }
};

Result<std::shared_ptr<TarStreamReader>> TarStreamReader::start(int fd) {
  const char* tmp = std::getenv("TMPDIR");
  fs::path base = tmp && *tmp ? fs::path(tmp) : fs::temp_directory_path();
  remove_orphans(base, "pg-stream-");
  std::string templ = (base / fmt::format("pg-stream-{}-XXXXXX", temporary_tag())).string();
  std::vector<char> buf(templ.begin(), templ.end());
  buf.push_back('\0');
  if (!::mkdtemp(buf.data())) return io_error("{}: cannot create a spool directory: {}", base.string(), std::strerror(errno));
  auto st = std::make_shared<State>();
  st->fd = fd;
  st->spool = buf.data();
  register_temporary(st->spool);
  st->thread = std::thread([st] {
    Status s;
    try {
      s = st->run();
    } catch (const std::bad_alloc&) {
      s = resource_exhausted("stream: out of memory while reading an entry");
    } catch (const std::exception& e) {
      s = internal_error("stream: {}", e.what());
    }
    {
      std::lock_guard lock(st->mu);
      st->done = true;
      st->error = s;
    }
    st->cv.notify_all();
  });
  return std::shared_ptr<TarStreamReader>(new TarStreamReader(st));
}

TarStreamReader::~TarStreamReader() {
  if (state_->thread.joinable()) {
    state_->stop = true;
    state_->thread.join();
  }
  std::error_code ec;
  fs::remove_all(state_->spool, ec);
  unregister_temporary(state_->spool);
}

Status TarStreamReader::wait_complete() {
  std::unique_lock lock(state_->mu);
  state_->cv.wait(lock, [&] { return state_->done; });
  return state_->error;
}

Result<std::optional<Bytes>> TarStreamReader::get(const std::string& key) {
  {
    std::unique_lock lock(state_->mu);
    state_->cv.wait(lock, [&] { return state_->done || state_->arrived.count(key); });
    if (!state_->arrived.count(key)) {
      if (!state_->error.ok()) return state_->error.with_context("stream");
      return std::optional<Bytes>();
    }
  }
  auto r = read_file(state_->spool / key);
  if (!r.ok()) return r.status();
  return std::optional<Bytes>(std::move(r).value());
}

Result<std::optional<uint64_t>> TarStreamReader::size(const std::string& key) {
  PG_ASSIGN_OR_RETURN(auto v, get(key));
  if (!v) return std::optional<uint64_t>();
  return std::optional<uint64_t>(v->size());
}

Status TarStreamReader::put(const std::string& key, const Bytes&) { return unsupported("a stream cannot be written: \"{}\"", key); }
Status TarStreamReader::erase(const std::string& key) { return unsupported("a stream cannot erase \"{}\"", key); }

Result<std::vector<std::string>> TarStreamReader::list(const std::string& prefix) {
  PG_RETURN_IF_ERROR(wait_complete().with_context("stream"));
  std::lock_guard lock(state_->mu);
  std::vector<std::string> out;
  for (const auto& k : state_->arrived)
    if (k.compare(0, prefix.size(), prefix) == 0) out.push_back(k);
  return out;
}

}  // namespace pangeo
