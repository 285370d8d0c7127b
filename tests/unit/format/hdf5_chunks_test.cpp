#include <gtest/gtest.h>

#include "format/hdf5_chunks.hpp"

using namespace pangeo;

TEST(Hdf5Chunks, ByteRunsOfPartsOfAChunk) {
  const Shape chunk{1, 180, 360};
  // Ten whole rows: one run.
  auto r = byte_runs(chunk, {0, 0, 0}, Box{{0, 20, 0}, {1, 10, 360}}, 4);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0], std::make_pair(uint64_t(20 * 360 * 4), uint64_t(10 * 360 * 4)));
  // Part rows a small gap apart merge into one span; far apart they stay separate.
  r = byte_runs(chunk, {0, 0, 0}, Box{{0, 0, 0}, {1, 3, 300}}, 4);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0], std::make_pair(uint64_t(0), uint64_t((2 * 360 + 300) * 4)));
  const Shape big{4, 4096, 4096};
  r = byte_runs(big, {4, 0, 0}, Box{{5, 0, 10}, {2, 1, 10}}, 8);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0], std::make_pair(uint64_t((1 * 4096 * 4096 + 10) * 8), uint64_t(80)));
  EXPECT_EQ(r[1].first, uint64_t((2 * 4096 * 4096 + 10) * 8));
  // Rank 0: the one element.
  r = byte_runs({}, {}, Box{{}, {}}, 2);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].second, 2u);
}
