// Credentials and regions found as the AWS CLI finds them, from the options passed in
// (no process-wide state): environment, profiles of ~/.aws/credentials and ~/.aws/config.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "pangeo/cloud.hpp"

namespace fs = std::filesystem;
using namespace pangeo;

namespace {

class Credentials : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / fmt::format("pg-aws-{}", ::getpid());
    fs::create_directories(dir_);
    std::ofstream(dir_ / "credentials") << "[default]\naws_access_key_id = DEF\naws_secret_access_key = s1\n"
                                        << "[work]\naws_access_key_id = WORK\naws_secret_access_key = s2\n";
    std::ofstream(dir_ / "config") << "[profile work]\nregion = eu-west-3\n";
    for (const char* e : {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_REGION",
                          "AWS_DEFAULT_REGION"}) {
      if (const char* v = std::getenv(e)) saved_[e] = v;
      ::unsetenv(e);
    }
    ::setenv("AWS_SHARED_CREDENTIALS_FILE", (dir_ / "credentials").c_str(), 1);
    ::setenv("AWS_CONFIG_FILE", (dir_ / "config").c_str(), 1);
  }
  void TearDown() override {
    ::unsetenv("AWS_SHARED_CREDENTIALS_FILE");
    ::unsetenv("AWS_CONFIG_FILE");
    for (const auto& [k, v] : saved_) ::setenv(k.c_str(), v.c_str(), 1);
    fs::remove_all(dir_);
  }
  fs::path dir_;
  std::map<std::string, std::string> saved_;
};

TEST_F(Credentials, ProfilesEnvironmentAndAnonymous) {
  CloudOptions none;
  auto d = find_credentials(false, none);
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_EQ(d->access_key, "DEF");
  EXPECT_EQ(find_region(none), "us-east-1");
  CloudOptions work;
  work.profile = "work";
  EXPECT_EQ(find_credentials(false, work)->access_key, "WORK");
  EXPECT_EQ(find_region(work), "eu-west-3");
  work.region = "ap-south-1";
  EXPECT_EQ(find_region(work), "ap-south-1");
  ::setenv("AWS_ACCESS_KEY_ID", "ENVKEY", 1);
  ::setenv("AWS_SECRET_ACCESS_KEY", "ENVSECRET", 1);
  EXPECT_EQ(find_credentials(false, none)->access_key, "ENVKEY");
  EXPECT_EQ(find_credentials(false, CloudOptions{"work"})->access_key, "WORK");  // a named profile wins
  CloudOptions anon;
  anon.anon = true;
  EXPECT_TRUE(find_credentials(false, anon)->anonymous);
  CloudOptions missing;
  missing.profile = "nosuch";
  auto m = find_credentials(false, missing);
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("nosuch"), std::string::npos);
}

TEST(S3Store, UrlsAreChecked) {
  EXPECT_FALSE(S3Store::open("s3://", CloudOptions{"", "", "", true}).ok());
  auto s = S3Store::open("s3://bucket/some/prefix/", CloudOptions{"", "http://127.0.0.1:9", "", true});
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ((*s)->describe(), "s3://bucket/some/prefix/");
}

}  // namespace
