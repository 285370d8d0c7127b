// Key/value stores: the storage layer knows nothing about arrays. A missing key is data
// (an empty optional), not an error. Keys use "/" separators ("sst/0.0.0").
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>
#include <optional>
#include <string>
#include <vector>

#include "pangeo/array.hpp"
#include "pangeo/http.hpp"
#include "pangeo/status.hpp"

namespace pangeo {

class Store {
 public:
  virtual ~Store() = default;
  // The value at `key`, or nullopt when the key does not exist.
  virtual Result<std::optional<Bytes>> get(const std::string& key) = 0;
  // `length` bytes from `offset` (fewer at the end of the value); nullopt when missing.
  virtual Result<std::optional<Bytes>> get_range(const std::string& key, uint64_t offset, uint64_t length);
  // Size of the value at `key`, nullopt when missing.
  virtual Result<std::optional<uint64_t>> size(const std::string& key);
  virtual Status put(const std::string& key, const Bytes& value) = 0;
  virtual Status erase(const std::string& key) = 0;
  // All keys starting with `prefix`, sorted.
  virtual Result<std::vector<std::string>> list(const std::string& prefix) = 0;
  // Human-readable location, for messages.
  virtual std::string describe() const = 0;
  // For stores fed by a stream: waits for its end and reports whether it was whole.
  virtual Status verify_complete() { return Status::Ok(); }
};

// A directory on the local file system; keys map to relative paths.
class DirectoryStore : public Store {
 public:
  explicit DirectoryStore(std::filesystem::path root) : root_(std::move(root)) {}
  Result<std::optional<Bytes>> get(const std::string& key) override;
  Result<std::optional<Bytes>> get_range(const std::string& key, uint64_t offset, uint64_t length) override;
  Result<std::optional<uint64_t>> size(const std::string& key) override;
  Status put(const std::string& key, const Bytes& value) override;
  Status erase(const std::string& key) override;
  Result<std::vector<std::string>> list(const std::string& prefix) override;
  std::string describe() const override { return root_.string(); }
  const std::filesystem::path& root() const { return root_; }

 private:
  Result<std::filesystem::path> path_of(const std::string& key) const;
  std::filesystem::path root_;
};

// The keys of a sorted map that start with `prefix`, in order (stores that keep an index).
template <typename Map>
std::vector<std::string> keys_with_prefix(const Map& map, const std::string& prefix) {
  std::vector<std::string> keys;
  for (auto it = map.lower_bound(prefix); it != map.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it)
    keys.push_back(it->first);
  return keys;
}

// Erases every key of `store`: metadata first (.zgroup, .zarray, .zattrs, .zmetadata,
// zarr.json, pgpartial.json), so that a store cleared halfway (a kill -9) describes no data
// rather than old metadata over some new chunks; then everything else.
Status clear_store(Store& store);

// An in-memory map, thread-safe; for tests and temporary results.
class MemoryStore : public Store {
 public:
  Result<std::optional<Bytes>> get(const std::string& key) override;
  Status put(const std::string& key, const Bytes& value) override;
  Status erase(const std::string& key) override;
  Result<std::vector<std::string>> list(const std::string& prefix) override;
  std::string describe() const override { return "memory"; }

 private:
  std::mutex mu_;
  std::map<std::string, Bytes> map_;
};

// Scratch space in local files, one per writing thread: values are appended (pwrite at
// an offset reserved under a lock) and found through an index in memory; erase() forgets
// a key without reclaiming its bytes. For intermediate copies that live as long as one
// process: a file per thread instead of thousands (file creation, not bytes, is what
// costs on most file systems; one file would serialise the threads' writes). Each file
// is unlinked as soon as it is created: its space goes with the store, or with the
// process however it ends.
class ScratchFileStore : public Store {
 public:
  static Result<std::shared_ptr<ScratchFileStore>> create(const std::filesystem::path& path);
  ~ScratchFileStore() override;
  Result<std::optional<Bytes>> get(const std::string& key) override;
  Result<std::optional<Bytes>> get_range(const std::string& key, uint64_t offset, uint64_t length) override;
  Result<std::optional<uint64_t>> size(const std::string& key) override;
  Status put(const std::string& key, const Bytes& value) override;
  Status erase(const std::string& key) override;
  Result<std::vector<std::string>> list(const std::string& prefix) override;
  std::string describe() const override { return path_.string(); }

 private:
  // Each writing thread appends to a file of its own (writes to one file are serialised
  // by the kernel); the first is made by create(), the others as threads first write.
  struct File {
    int fd = -1;
    uint64_t end = 0;
  };
  struct Where {
    size_t file = 0;
    uint64_t offset = 0, length = 0;
  };
  explicit ScratchFileStore(std::filesystem::path path) : path_(std::move(path)) {}
  Result<int> open_file(const std::filesystem::path& path);
  std::filesystem::path path_;
  std::mutex mu_;
  std::vector<File> files_;
  std::map<std::thread::id, size_t> writers_;  // thread -> its file
  std::map<std::string, Where> index_;
};

// Every key and value of `store` as one buffer, and back (to send a small store between
// processes).
Result<Bytes> pack_store(Store& store);
Result<std::shared_ptr<MemoryStore>> unpack_store(const Bytes& packed);

// The pipe format: a POSIX tar (ustar, with pax headers for long names) of a Zarr store,
// metadata first, then chunks, then the two end-of-archive blocks.
//
// TarStreamWriter appends each put() as an entry on a file descriptor (stdout); puts
// from several threads are serialised. finish() writes the end blocks. A reader that went
// away is a kBrokenPipe error.
class TarStreamWriter : public Store {
 public:
  explicit TarStreamWriter(int fd) : fd_(fd) {}
  Result<std::optional<Bytes>> get(const std::string& key) override;
  Status put(const std::string& key, const Bytes& value) override;
  Status erase(const std::string& key) override;
  Result<std::vector<std::string>> list(const std::string& prefix) override;
  std::string describe() const override { return "stream"; }
  Status finish();

 private:
  Status write_all(const uint8_t* p, size_t n);
  int fd_;
  std::mutex mu_;
  std::map<std::string, Bytes> written_meta_;  // small metadata, so get() can answer
};

// TarStreamReader extracts a stream arriving on a file descriptor (stdin) into a spool
// directory under $TMPDIR in a background thread. get() waits until the key has arrived
// or the stream has ended, so work starts with the first chunks while any key can still
// be read again later. The stream is untrusted: absolute names, "..", links, entries
// beyond the end (truncation) and a missing end-of-archive are errors. The spool is
// removed when the reader goes (and on a signal, with the other temporaries).
class TarStreamReader : public Store {
 public:
  static Result<std::shared_ptr<TarStreamReader>> start(int fd);
  ~TarStreamReader() override;
  Result<std::optional<Bytes>> get(const std::string& key) override;
  Result<std::optional<uint64_t>> size(const std::string& key) override;
  Status put(const std::string& key, const Bytes& value) override;
  Status erase(const std::string& key) override;
  Result<std::vector<std::string>> list(const std::string& prefix) override;
  std::string describe() const override { return "stream"; }
  // Waits for the end of the stream; its error (truncated, bad entry) if it had one.
  Status wait_complete();
  Status verify_complete() override { return wait_complete().with_context("stream"); }

 private:
  struct State;
  explicit TarStreamReader(std::shared_ptr<State> state) : state_(std::move(state)) {}
  std::shared_ptr<State> state_;
};

// Passes puts of rank 0 straight to `inner` and holds the others until flush(), which
// writes them in rank order: given the format's ranking (chunks 0, metadata 1,
// consolidated metadata 2), readers of object storage, where nothing is atomic, never see
// half a store.
class MetadataLastStore : public Store {
 public:
  using Rank = std::function<int(const std::string& key)>;
  MetadataLastStore(std::shared_ptr<Store> inner, Rank rank) : inner_(std::move(inner)), rank_(std::move(rank)) {}
  Result<std::optional<Bytes>> get(const std::string& key) override;
  Status put(const std::string& key, const Bytes& value) override;
  Status erase(const std::string& key) override { return inner_->erase(key); }
  Result<std::vector<std::string>> list(const std::string& prefix) override;  // held keys too
  std::string describe() const override { return inner_->describe(); }
  Status flush();

 private:
  std::shared_ptr<Store> inner_;
  Rank rank_;
  std::mutex mu_;
  std::map<std::string, Bytes> held_;
};

// How stores reach object storage (the tools' --profile, --endpoint-url, --region, --anon).
struct CloudOptions {
  std::string profile;
  std::string endpoint_url;
  std::string region;
  bool anon = false;
  RetryPolicy retry;
};

// Opens a store for a location: a local path, file://, s3://, gs://, http(s)://.
Result<std::shared_ptr<Store>> open_store(const std::string& location, const CloudOptions& cloud = {});

// Reads a whole local file.
Result<Bytes> read_file(const std::filesystem::path& path);

// An output that appears atomically: work happens in a hidden temporary sibling of
// `target`, and commit() renames it into place (replacing an existing target only when
// `overwrite`). Destroying an uncommitted AtomicOutput removes the temporary.
class AtomicOutput {
 public:
  static Result<std::unique_ptr<AtomicOutput>> create(const std::filesystem::path& target, bool overwrite,
                                                      bool directory);
  // What create would refuse: an existing target (without overwrite), a missing directory.
  static Status check(const std::filesystem::path& target, bool overwrite);
  ~AtomicOutput();
  AtomicOutput(const AtomicOutput&) = delete;
  AtomicOutput& operator=(const AtomicOutput&) = delete;
  const std::filesystem::path& temp_path() const { return temp_; }
  const std::filesystem::path& target() const { return target_; }
  Status commit();
  void abandon();  // removes the temporary now

 private:
  AtomicOutput(std::filesystem::path target, std::filesystem::path temp, bool overwrite)
      : target_(std::move(target)), temp_(std::move(temp)), overwrite_(overwrite) {}
  std::filesystem::path target_, temp_;
  bool overwrite_;
  bool done_ = false;
};

// An error when `output` names one of `inputs`: the same file (or directory) however
// spelt, or the same URL up to trailing slashes ("-", standard output, is never one).
// Outputs never replace their inputs.
Status check_output_is_not_an_input(const std::string& output, const std::vector<std::string>& inputs);

// Writes one whole file or object (a picture, a report) at `location`: a local path appears
// atomically (through AtomicOutput); a URL is stored with one put. An existing one is
// replaced only with `overwrite`.
Status write_whole(const std::string& location, const Bytes& data, bool overwrite, const CloudOptions& cloud = {});

// "HOST-PID" of this process, in the names of its temporaries, and the removal of the
// entries of `dir` starting with `prefix` whose process (of this host) no longer runs:
// what a kill -9 leaves behind goes at the next run to the same place.
std::string temporary_tag();
void remove_orphans(const std::filesystem::path& dir, const std::string& prefix);

// Paths of temporaries not yet committed, for removal from a signal handler's thread.
std::vector<std::filesystem::path> pending_temporaries();
void register_temporary(const std::filesystem::path& p);
void unregister_temporary(const std::filesystem::path& p);
void remove_pending_temporaries();

}  // namespace pangeo
