// The store conformance suite, run on every store kind.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <algorithm>
#include <fstream>
#include <thread>

#include "pangeo/cloud.hpp"
#include "pangeo/format.hpp"
#include "pangeo/store.hpp"

namespace fs = std::filesystem;
using namespace pangeo;

namespace {

// Every store kind, made to hold `seed`. Writable kinds start empty and are filled with
// put(); read-only ones are built from the seed (a tar stream written by TarStreamWriter,
// a directory served over HTTP). s3 and http run where the environment names a server
// (PANGEO_TEST_S3_URL with the AWS variables; PANGEO_TEST_HTTP_URL serving
// PANGEO_TEST_HTTP_DIR): tests/cloud starts both on loopback and runs this suite.
struct StoreKind {
  std::string name;
  bool writable = true;
  bool lists = true;
};

void PrintTo(const StoreKind& k, std::ostream* os) { *os << k.name; }

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

class StoreConformance : public ::testing::TestWithParam<StoreKind> {
 protected:
  void SetUp() override {
    static int counter = 0;
    unique_ = fmt::format("pg-store-test-{}-{}", ::getpid(), counter++);
    dir_ = fs::temp_directory_path() / unique_;
    const std::string& kind = GetParam().name;
    if ((kind == "s3" && env("PANGEO_TEST_S3_URL").empty()) || (kind == "http" && env("PANGEO_TEST_HTTP_URL").empty()))
      GTEST_SKIP() << "no " << kind << " server configured";
  }
  void TearDown() override {
    reader_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
    if (!http_dir_.empty()) fs::remove_all(http_dir_, ec);
  }

  // A store of this kind holding `seed`.
  std::shared_ptr<Store> make(const std::map<std::string, Bytes>& seed) {
    const std::string& kind = GetParam().name;
    std::shared_ptr<Store> s;
    if (kind == "memory") s = std::make_shared<MemoryStore>();
    if (kind == "directory") s = std::make_shared<DirectoryStore>(dir_);
    if (kind == "metadata-last") s = std::make_shared<MetadataLastStore>(std::make_shared<MemoryStore>(), zarr_write_rank);
    if (kind == "scratch-file") {
      fs::create_directories(dir_);
      auto r = ScratchFileStore::create(dir_ / "scratch");
      EXPECT_TRUE(r.ok()) << r.status().message();
      s = *r;
    }
    if (kind == "s3") {
      CloudOptions cloud;
      cloud.endpoint_url = env("AWS_ENDPOINT_URL");
      auto r = open_store(env("PANGEO_TEST_S3_URL") + "/" + unique_, cloud);
      EXPECT_TRUE(r.ok()) << r.status().message();
      s = *r;
    }
    if (s) {
      for (const auto& [k, v] : seed) EXPECT_TRUE(s->put(k, v).ok()) << k;
      return s;
    }
    if (kind == "tar-stream") {
      fs::create_directories(dir_);
      const fs::path tar = dir_ / "stream.tar";
      int fd = ::open(tar.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      {
        TarStreamWriter w(fd);
        for (const auto& [k, v] : seed) EXPECT_TRUE(w.put(k, v).ok()) << k;
        EXPECT_TRUE(w.finish().ok());
      }
      ::close(fd);
      auto r = TarStreamReader::start(::open(tar.c_str(), O_RDONLY));
      EXPECT_TRUE(r.ok()) << r.status().message();
      reader_ = *r;
      EXPECT_TRUE(reader_->wait_complete().ok());
      return reader_;
    }
    // http: the seed as files under the served directory.
    http_dir_ = fs::path(env("PANGEO_TEST_HTTP_DIR")) / unique_;
    for (const auto& [k, v] : seed) {
      fs::create_directories((http_dir_ / k).parent_path());
      std::ofstream(http_dir_ / k, std::ios::binary).write(reinterpret_cast<const char*>(v.data()), std::streamsize(v.size()));
    }
    return std::make_shared<HttpStore>(env("PANGEO_TEST_HTTP_URL") + "/" + unique_);
  }

  const std::map<std::string, Bytes> seed_{{"a/b/c", {1, 2, 3, 4, 5, 6}}, {"a/.zarray", {7}}, {"z", {}}};
  std::string unique_;
  fs::path dir_, http_dir_;
  std::shared_ptr<TarStreamReader> reader_;
};

TEST_P(StoreConformance, MissingKeyIsDataNotError) {
  auto store = make(seed_);
  for (const char* key : {"nope/0.0", "a/b", "a/b/c/d"}) {
    auto r = store->get(key);
    ASSERT_TRUE(r.ok()) << key << ": " << r.status().message();
    EXPECT_FALSE(r->has_value()) << key;
    auto s = store->size(key);
    ASSERT_TRUE(s.ok()) << key;
    EXPECT_FALSE(s->has_value()) << key;
    auto g = store->get_range(key, 0, 4);
    ASSERT_TRUE(g.ok()) << key;
    EXPECT_FALSE(g->has_value()) << key;
  }
}

TEST_P(StoreConformance, ReadsWhatItHolds) {
  auto store = make(seed_);
  EXPECT_EQ(**store->get("a/b/c"), (Bytes{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(**store->get_range("a/b/c", 2, 3), (Bytes{3, 4, 5}));
  EXPECT_EQ(**store->get_range("a/b/c", 4, 100), (Bytes{5, 6}));  // fewer at the end
  EXPECT_EQ(**store->size("a/b/c"), 6u);
  EXPECT_EQ(**store->get("a/.zarray"), (Bytes{7}));
  auto empty = store->get("z");
  ASSERT_TRUE(empty.ok() && empty->has_value());  // an empty value exists
  EXPECT_TRUE((*empty)->empty());
  EXPECT_EQ(**store->size("z"), 0u);
}

TEST_P(StoreConformance, LargeValuesAndRanges) {
  Bytes big(3 << 20);
  for (size_t i = 0; i < big.size(); ++i) big[i] = uint8_t(i * 7 + i / 251);
  auto store = make({{"big/0.0", big}});
  EXPECT_EQ(**store->size("big/0.0"), big.size());
  EXPECT_TRUE(**store->get("big/0.0") == big);
  auto mid = store->get_range("big/0.0", 1000003, 65536);
  ASSERT_TRUE(mid.ok() && mid->has_value());
  EXPECT_TRUE(std::equal((*mid)->begin(), (*mid)->end(), big.begin() + 1000003));
  EXPECT_EQ((*mid)->size(), 65536u);
}

TEST_P(StoreConformance, ListsKeysSortedByPrefix) {
  auto store = make(seed_);
  auto all = store->list("");
  if (!GetParam().lists) {
    ASSERT_FALSE(all.ok());
    EXPECT_EQ(all.status().code(), ErrorCode::kUnsupported);
    return;
  }
  ASSERT_TRUE(all.ok()) << all.status().message();
  EXPECT_EQ(*all, (std::vector<std::string>{"a/.zarray", "a/b/c", "z"}));
  EXPECT_EQ(*store->list("a/"), (std::vector<std::string>{"a/.zarray", "a/b/c"}));
  EXPECT_TRUE(store->list("nothing/")->empty());
}

TEST_P(StoreConformance, OverwritesErasesAndTakesPutsFromManyThreads) {
  if (!GetParam().writable) {
    auto store = make(seed_);
    EXPECT_FALSE(store->put("x", Bytes{1}).ok());
    return;
  }
  auto store = make(seed_);
  ASSERT_TRUE(store->put("a/b/c", Bytes{9, 9}).ok());
  EXPECT_EQ(**store->get("a/b/c"), (Bytes{9, 9}));
  ASSERT_TRUE(store->erase("a/b/c").ok());
  EXPECT_FALSE(store->get("a/b/c")->has_value());
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 8; ++i) EXPECT_TRUE(store->put(fmt::format("p/{}.{}", t, i), Bytes(size_t(t * 8 + i), uint8_t(t))).ok());
    });
  for (auto& th : threads) th.join();
  for (int t = 0; t < 8; ++t)
    for (int i = 0; i < 8; ++i) EXPECT_EQ((**store->get(fmt::format("p/{}.{}", t, i))).size(), size_t(t * 8 + i));
}

INSTANTIATE_TEST_SUITE_P(Stores, StoreConformance,
                         ::testing::Values(StoreKind{"memory"}, StoreKind{"directory"}, StoreKind{"metadata-last"}, StoreKind{"scratch-file"},
                                           StoreKind{"tar-stream", false}, StoreKind{"s3"}, StoreKind{"http", false, false}),
                         [](const auto& info) {
                           std::string n = info.param.name;
                           std::replace(n.begin(), n.end(), '-', '_');
                           return n;
                         });

TEST(ScratchFileStore, OneUnlinkedFile) {
  fs::path dir = fs::temp_directory_path() / fmt::format("pg-scratch-test-{}", ::getpid());
  fs::create_directories(dir);
  {
    auto s = ScratchFileStore::create(dir / "copy");
    ASSERT_TRUE(s.ok());
    ASSERT_TRUE((*s)->put("a/0.0", Bytes(1000, 7)).ok());
    ASSERT_TRUE((*s)->put("a/0.0", Bytes{1, 2, 3}).ok());  // rewritten: the new value
    EXPECT_EQ(**(*s)->get("a/0.0"), (Bytes{1, 2, 3}));
    EXPECT_EQ(**(*s)->get_range("a/0.0", 1, 10), (Bytes{2, 3}));
    EXPECT_TRUE(fs::is_empty(dir));  // unlinked at once: nothing to leave behind
  }
  EXPECT_TRUE(fs::is_empty(dir));
  fs::remove_all(dir);
}

TEST(ScratchFileStore, AFileForEachWritingThreadAllUnlinked) {
  fs::path dir = fs::temp_directory_path() / fmt::format("pg-scratch-threads-{}", ::getpid());
  fs::create_directories(dir);
  {
    auto s = ScratchFileStore::create(dir / "copy");
    ASSERT_TRUE(s.ok());
    auto& store = **s;
    std::vector<std::thread> threads;
    std::vector<Status> status(4);
    for (int t = 0; t < 4; ++t)
      threads.emplace_back([&, t] {
        for (int i = 0; i < 50 && status[t].ok(); ++i)
          status[t] = store.put(fmt::format("v/{}.{}", t, i), Bytes(size_t(100 + i), uint8_t(t * 50 + i)));
      });
    for (auto& th : threads) th.join();
    for (const auto& st : status) EXPECT_TRUE(st.ok()) << st.message();
    // Every value from whichever file its thread wrote, read from any thread.
    for (int t = 0; t < 4; ++t)
      for (int i = 0; i < 50; ++i) {
        auto got = store.get(fmt::format("v/{}.{}", t, i));
        ASSERT_TRUE(got.ok() && got->has_value()) << t << "." << i;
        EXPECT_EQ(**got, Bytes(size_t(100 + i), uint8_t(t * 50 + i)));
      }
    EXPECT_EQ(store.list("v/")->size(), 200u);
    EXPECT_TRUE(fs::is_empty(dir));  // no file of any thread left in the directory
  }
  fs::remove_all(dir);
}

TEST(Outputs, AnOutputThatIsAnInputIsRefused) {
  EXPECT_FALSE(check_output_is_not_an_input("s3://b/x.zarr/", {"a.nc", "s3://b/x.zarr"}).ok());
  EXPECT_TRUE(check_output_is_not_an_input("s3://b/y.zarr", {"s3://b/x.zarr"}).ok());
  EXPECT_TRUE(check_output_is_not_an_input("-", {"-"}).ok());  // standard input to standard output
  const fs::path dir = fs::temp_directory_path() / fmt::format("pg-same-{}", ::getpid());
  fs::create_directories(dir / "in.zarr");
  EXPECT_FALSE(check_output_is_not_an_input((dir / "." / "in.zarr").string(), {(dir / "in.zarr").string()}).ok());
  EXPECT_TRUE(check_output_is_not_an_input((dir / "out.zarr").string(), {(dir / "in.zarr").string()}).ok());
  fs::remove_all(dir);
}

TEST(DirectoryStore, RefusesKeysLeavingTheRoot) {
  DirectoryStore s(fs::temp_directory_path() / "pg-never-created");
  EXPECT_FALSE(s.put("../escape", Bytes{1}).ok());
  EXPECT_FALSE(s.put("/etc/passwd", Bytes{1}).ok());
}

TEST(AtomicOutput, CommitsOrLeavesNothing) {
  fs::path dir = fs::temp_directory_path() / fmt::format("pg-atomic-{}", ::getpid());
  fs::create_directories(dir);
  fs::path target = dir / "out.zarr";
  {
    auto out = AtomicOutput::create(target, false, true);
    ASSERT_TRUE(out.ok());
    EXPECT_TRUE(fs::is_directory((*out)->temp_path()));
    EXPECT_EQ(pending_temporaries().size(), 1u);
  }  // abandoned
  EXPECT_FALSE(fs::exists(target));
  EXPECT_TRUE(fs::is_empty(dir));
  EXPECT_TRUE(pending_temporaries().empty());
  {
    auto out = AtomicOutput::create(target, false, true);
    std::ofstream((*out)->temp_path() / "f") << "new";
    ASSERT_TRUE((*out)->commit().ok());
  }
  EXPECT_TRUE(fs::exists(target / "f"));
  auto again = AtomicOutput::create(target, false, true);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), ErrorCode::kAlreadyExists);
  {
    auto out = AtomicOutput::create(target, true, true);
    ASSERT_TRUE(out.ok());
    std::ofstream((*out)->temp_path() / "g") << "newer";
    ASSERT_TRUE((*out)->commit().ok());
  }
  EXPECT_FALSE(fs::exists(target / "f"));
  EXPECT_TRUE(fs::exists(target / "g"));
  fs::remove_all(dir);
}

}  // namespace
