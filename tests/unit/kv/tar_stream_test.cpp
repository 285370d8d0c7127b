// The pipe format: what the writer sends, the reader gives back; truncation and hostile
// entries are errors.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "pangeo/store.hpp"

namespace fs = std::filesystem;
using namespace pangeo;

namespace {

fs::path write_stream(const std::map<std::string, Bytes>& entries, bool finish) {
  static int n = 0;
  fs::path p = fs::temp_directory_path() / fmt::format("pg-tar-test-{}-{}.tar", ::getpid(), n++);
  int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  {
    TarStreamWriter w(fd);
    for (const auto& [k, v] : entries) EXPECT_TRUE(w.put(k, v).ok());
    if (finish) EXPECT_TRUE(w.finish().ok());
  }
  ::close(fd);
  return p;
}

Status read_all(const fs::path& p) {
  auto r = TarStreamReader::start(::open(p.c_str(), O_RDONLY));
  if (!r.ok()) return r.status();
  return (*r)->wait_complete();
}

TEST(TarStream, LongNamesAndEmptyValuesRoundTrip) {
  const std::string long_key = std::string(180, 'k') + "/0.0.0";  // beyond ustar's 100: a pax header
  fs::path p = write_stream({{".zgroup", {'{', '}'}}, {long_key, Bytes(1000, 3)}, {"empty", {}}}, true);
  auto r = TarStreamReader::start(::open(p.c_str(), O_RDONLY));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((**(*r)->get(long_key)).size(), 1000u);
  EXPECT_TRUE((**(*r)->get("empty")).empty());
  EXPECT_TRUE((*r)->wait_complete().ok());
  fs::remove(p);
}

TEST(TarStream, ATruncatedStreamIsAnError) {
  fs::path whole = write_stream({{"a", Bytes(3000, 1)}}, true);
  fs::path no_end = write_stream({{"a", Bytes(3000, 1)}}, false);
  EXPECT_TRUE(read_all(whole).ok());
  Status s = read_all(no_end);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("truncated"), std::string::npos) << s.message();
  fs::resize_file(whole, 1024);  // cut inside the entry
  EXPECT_FALSE(read_all(whole).ok());
  fs::remove(whole);
  fs::remove(no_end);
}

TEST(TarStream, RefusesNamesThatLeaveTheSpool) {
  for (const char* bad : {"../evil", "/etc/passwd", "a/../../b"}) {
    fs::path p = write_stream({{bad, Bytes{1}}}, true);
    EXPECT_FALSE(read_all(p).ok()) << bad;
    fs::remove(p);
  }
}

}  // namespace
