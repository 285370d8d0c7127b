// The chunk grid and the n-d index iterator that every chunk loop uses.
#include <gtest/gtest.h>

#include "pangeo/grid.hpp"

using namespace pangeo;

TEST(Grid, ForEachIndexVisitsInCOrder) {
  std::vector<Shape> seen;
  for_each_index(Box{{1, 5}, {2, 3}}, [&](const Shape& i) { seen.push_back(i); });
  ASSERT_EQ(seen.size(), 6u);
  EXPECT_EQ(seen[0], (Shape{1, 5}));
  EXPECT_EQ(seen[1], (Shape{1, 6}));
  EXPECT_EQ(seen[3], (Shape{2, 5}));
  EXPECT_EQ(seen[5], (Shape{2, 7}));
  int n = 0;
  for_each_index(Box{}, [&](const Shape& i) { EXPECT_TRUE(i.empty()); ++n; });
  EXPECT_EQ(n, 1);  // rank 0: one position
  for_each_index(Box{{0, 0}, {3, 0}}, [&](const Shape&) { ++n; });
  EXPECT_EQ(n, 1);  // an empty box: none
}

TEST(Grid, ChunkBoxesAreClippedAtTheEdges) {
  ChunkGrid g({10, 7}, {4, 7});
  EXPECT_EQ(g.grid_shape(), (Shape{3, 1}));
  EXPECT_EQ(g.num_chunks(), 3u);
  EXPECT_EQ(g.chunk_box(Shape{2, 0}), (Box{{8, 0}, {2, 7}}));
  EXPECT_EQ(g.chunk_box(uint64_t(1)), (Box{{4, 0}, {4, 7}}));
  auto boxes = g.boxes();
  ASSERT_EQ(boxes.size(), 3u);
  uint64_t total = 0;
  for (const auto& b : boxes) total += b.size();
  EXPECT_EQ(total, 70u);
  for (uint64_t i = 0; i < g.num_chunks(); ++i) EXPECT_EQ(g.linear_index(g.chunk_index(i)), i);
  EXPECT_TRUE(g.is_chunk(Box{{8, 0}, {2, 7}}));
  EXPECT_FALSE(g.is_chunk(Box{{8, 0}, {1, 7}}));
  EXPECT_EQ(ChunkGrid({0, 5}, {1, 1}).num_chunks(), 0u);
  EXPECT_EQ(ChunkGrid({}, {}).num_chunks(), 1u);
  EXPECT_EQ(ChunkGrid({5}, {0}).chunk_shape(), (Shape{1}));  // zero lengths count as 1
}

TEST(Grid, ChunksInARegionAndTheirIntersections) {
  ChunkGrid g({100, 50}, {30, 20});
  Box region{{25, 15}, {40, 10}};
  EXPECT_EQ(g.chunks_touching(region), (Box{{0, 0}, {3, 2}}));
  uint64_t covered = 0;
  int n = 0;
  g.for_each_chunk_in(region, [&](const Shape& idx, const Box& chunk, const Box& part) {
    ++n;
    covered += part.size();
    Box again;
    ASSERT_TRUE(intersect(chunk, region, &again));
    EXPECT_EQ(again, part);
    EXPECT_EQ(chunk, g.chunk_box(idx));
  });
  EXPECT_EQ(n, 6);
  EXPECT_EQ(covered, region.size());
}
