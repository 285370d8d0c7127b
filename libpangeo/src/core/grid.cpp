#include "pangeo/grid.hpp"

#include <algorithm>

namespace pangeo {

std::string shape_text(const Shape& s) {
  std::string t;
  for (size_t d = 0; d < s.size(); ++d) t += (d ? " x " : "") + std::to_string(s[d]);
  return t.empty() ? "scalar" : t;
}

namespace {
// The product of `s` times `factor`, or false when it overflows 64 bits.
bool bounded_product(const Shape& s, uint64_t factor, uint64_t* out) {
  uint64_t n = factor;
  bool zero = false;
  for (uint64_t x : s) {
    if (x == 0) zero = true;
    else if (__builtin_mul_overflow(n, x, &n)) return false;
  }
  *out = zero ? 0 : n;
  return true;
}
}  // namespace

Status check_array_layout(const Shape& shape, const Shape& chunks, size_t itemsize) {
  if (shape.size() > kMaxRank) return corrupt("{} dimensions (at most {} are supported)", shape.size(), kMaxRank);
  uint64_t n = 0, bytes = 0;
  if (!bounded_product(shape, 1, &n) || n > kMaxElements)
    return corrupt("shape {} has more than 2^60 elements", shape_text(shape));
  if (!bounded_product(shape, std::max<uint64_t>(itemsize, 1), &bytes))
    return corrupt("shape {} of {}-byte elements is more than 2^64 bytes", shape_text(shape), itemsize);
  if (chunks.empty()) return Status::Ok();
  if (chunks.size() != shape.size())
    return corrupt("chunks {} and shape {} differ in rank", shape_text(chunks), shape_text(shape));
  for (uint64_t c : chunks)
    if (c == 0) return corrupt("chunks {}: a zero chunk length", shape_text(chunks));
  if (!bounded_product(chunks, 1, &n) || n > kMaxElements || !bounded_product(chunks, std::max<uint64_t>(itemsize, 1), &bytes))
    return corrupt("chunks {} are too large to address", shape_text(chunks));
  const uint64_t count = ChunkGrid(shape, chunks).num_chunks();
  if (count > kMaxChunks)
    return corrupt("shape {} in chunks of {} makes {} chunks (at most 2^32 are supported)", shape_text(shape),
                   shape_text(chunks), count);
  return Status::Ok();
}

ChunkGrid::ChunkGrid(Shape shape, Shape chunks) : shape_(std::move(shape)), chunks_(std::move(chunks)) {
  chunks_.resize(shape_.size(), 1);
  grid_.resize(shape_.size());
  for (size_t d = 0; d < shape_.size(); ++d) {
    chunks_[d] = std::max<uint64_t>(chunks_[d], 1);
    grid_[d] = (shape_[d] + chunks_[d] - 1) / chunks_[d];
  }
}

Box ChunkGrid::chunk_box(const Shape& index) const {
  Box b{Shape(rank()), Shape(rank())};
  for (size_t d = 0; d < rank(); ++d) {
    b.start[d] = index[d] * chunks_[d];
    b.count[d] = b.start[d] < shape_[d] ? std::min(chunks_[d], shape_[d] - b.start[d]) : 0;
  }
  return b;
}

Shape ChunkGrid::chunk_index(uint64_t linear) const {
  Shape idx(rank());
  for (size_t d = rank(); d-- > 0;) {
    idx[d] = grid_[d] ? linear % grid_[d] : 0;
    linear = grid_[d] ? linear / grid_[d] : 0;
  }
  return idx;
}

uint64_t ChunkGrid::linear_index(const Shape& index) const {
  uint64_t lin = 0;
  for (size_t d = 0; d < rank(); ++d) lin = lin * grid_[d] + index[d];
  return lin;
}

bool ChunkGrid::is_chunk(const Box& box) const {
  for (size_t d = 0; d < rank(); ++d)
    if (box.start[d] % chunks_[d] != 0) return false;
  return chunk_box(chunks_touching(box).start) == box;
}

Box ChunkGrid::chunks_touching(const Box& region) const {
  Box r{Shape(rank()), Shape(rank())};
  for (size_t d = 0; d < rank(); ++d) {
    if (region.count[d] == 0) return Box{Shape(rank()), Shape(rank())};
    r.start[d] = region.start[d] / chunks_[d];
    r.count[d] = (region.start[d] + region.count[d] - 1) / chunks_[d] - r.start[d] + 1;
  }
  return r;
}

std::vector<Box> ChunkGrid::boxes() const {
  std::vector<Box> out;
  out.reserve(num_chunks());
  for_each_index(Box::whole(grid_), [&](const Shape& idx) { out.push_back(chunk_box(idx)); });
  return out;
}

}  // namespace pangeo
