// The chunk grid and n-dimensional index iteration: every loop over chunks, or over the
// positions of a box, goes through these (zarrs' chunk grid and TensorStore's
// iterate_over_index_range are the models).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "pangeo/array.hpp"

namespace pangeo {

// Steps `idx` to the next position of `range` in C order (last dimension fastest).
// Returns false, with `idx` back at range.start, after the last position. A rank-0 range
// has one position; a range with a zero count has none (start from a check of size()).
// Inline: it runs once per output cell in the reductions' merges.
inline bool next_index(Shape& idx, const Box& range) {
  for (size_t d = idx.size(); d-- > 0;) {
    if (++idx[d] < range.start[d] + range.count[d]) return true;
    idx[d] = range.start[d];
  }
  return false;
}

// Calls fn(idx) for every position of `range` in C order.
template <typename Fn>
void for_each_index(const Box& range, Fn&& fn) {
  if (range.size() == 0) return;
  Shape idx = range.start;
  do fn(static_cast<const Shape&>(idx));
  while (next_index(idx, range));
}

// Limits on what metadata may describe, checked when a dataset is opened (before any
// allocation sized from it): rank, lengths and element counts that cannot overflow 64-bit
// arithmetic anywhere (offsets, byte counts, chunk counts).
inline constexpr size_t kMaxRank = 64;
inline constexpr uint64_t kMaxElements = uint64_t(1) << 60;
inline constexpr uint64_t kMaxChunks = uint64_t(1) << 32;

// "180 x 360" ("scalar" for rank 0), for messages.
std::string shape_text(const Shape& s);

// OK when an array of `shape` and element size `itemsize` cut in `chunks` (as many as
// dimensions, none zero; empty for an unchunked array) stays inside the limits above;
// otherwise a kCorrupt error saying what is wrong (the caller adds the array's name).
Status check_array_layout(const Shape& shape, const Shape& chunks, size_t itemsize);

// A regular grid of chunks over an array of `shape`: chunk `i` covers
// [i * chunk, min((i + 1) * chunk, shape)) in each dimension. Edge chunks are clipped.
class ChunkGrid {
 public:
  ChunkGrid() = default;
  // Zero chunk lengths count as 1; a rank mismatch is the caller's bug (checked by formats
  // when they read metadata).
  ChunkGrid(Shape shape, Shape chunks);

  const Shape& shape() const { return shape_; }
  const Shape& chunk_shape() const { return chunks_; }
  size_t rank() const { return shape_.size(); }
  // Chunks along each dimension.
  const Shape& grid_shape() const { return grid_; }
  // All chunks (1 for a rank-0 array; 0 when a dimension is empty).
  uint64_t num_chunks() const { return element_count(grid_); }

  // The array region of chunk `index` (clipped at the array's edge).
  Box chunk_box(const Shape& index) const;
  // The same for the chunk numbered `linear` in C order.
  Box chunk_box(uint64_t linear) const { return chunk_box(chunk_index(linear)); }
  Shape chunk_index(uint64_t linear) const;
  uint64_t linear_index(const Shape& index) const;
  // Whether a box is exactly one chunk (as clipped).
  bool is_chunk(const Box& box) const;

  // The range of chunk indices that `region` touches, as a box over the grid.
  Box chunks_touching(const Box& region) const;
  // Every chunk box, in C order.
  std::vector<Box> boxes() const;

  // Calls fn(chunk index, chunk box, part of `region` inside that chunk) for every chunk
  // `region` touches, in C order.
  template <typename Fn>
  void for_each_chunk_in(const Box& region, Fn&& fn) const {
    if (region.size() == 0 && rank() > 0) return;
    for_each_index(chunks_touching(region), [&](const Shape& idx) {
      Box cbox = chunk_box(idx), part;
      if (rank() == 0 || intersect(cbox, region, &part)) fn(idx, cbox, rank() == 0 ? cbox : part);
    });
  }

 private:
  Shape shape_, chunks_, grid_;
};

}  // namespace pangeo
