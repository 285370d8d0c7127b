// The store conformance suite, run on every store kind.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "pangeo/store.hpp"

namespace fs = std::filesystem;
using namespace pangeo;

namespace {

class StoreConformance : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / fmt::format("pg-store-test-{}-{}", ::getpid(), counter_++);
    if (GetParam() == "memory") store_ = std::make_shared<MemoryStore>();
    else store_ = std::make_shared<DirectoryStore>(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  static inline int counter_ = 0;
  fs::path dir_;
  std::shared_ptr<Store> store_;
};

TEST_P(StoreConformance, MissingKeyIsDataNotError) {
  auto r = store_->get("nope/0.0");
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->has_value());
  auto s = store_->size("nope");
  ASSERT_TRUE(s.ok());
  EXPECT_FALSE(s->has_value());
}

TEST_P(StoreConformance, PutGetRangeListErase) {
  Bytes v{1, 2, 3, 4, 5, 6};
  ASSERT_TRUE(store_->put("a/b/c", v).ok());
  ASSERT_TRUE(store_->put("a/.zarray", Bytes{7}).ok());
  ASSERT_TRUE(store_->put("z", Bytes{}).ok());
  EXPECT_EQ(**store_->get("a/b/c"), v);
  EXPECT_EQ(**store_->get_range("a/b/c", 2, 3), (Bytes{3, 4, 5}));
  EXPECT_EQ(**store_->get_range("a/b/c", 4, 100), (Bytes{5, 6}));
  EXPECT_EQ(**store_->size("a/b/c"), 6u);
  EXPECT_EQ(*store_->list("a/"), (std::vector<std::string>{"a/.zarray", "a/b/c"}));
  EXPECT_EQ(store_->list("")->size(), 3u);
  ASSERT_TRUE(store_->erase("a/b/c").ok());
  EXPECT_FALSE(store_->get("a/b/c")->has_value());
}

INSTANTIATE_TEST_SUITE_P(Stores, StoreConformance, ::testing::Values("memory", "directory"));

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
