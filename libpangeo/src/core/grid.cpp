#include "pangeo/grid.hpp"

#include <algorithm>

namespace pangeo {

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
