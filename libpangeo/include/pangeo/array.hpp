// Shapes, boxes (hyperslabs) and the typed n-dimensional buffer that moves between layers.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "pangeo/dtype.hpp"

namespace pangeo {

using Shape = std::vector<uint64_t>;
using Bytes = std::vector<uint8_t>;

uint64_t element_count(const Shape& shape);

// A hyperslab: `count[d]` elements from `start[d]` in each dimension.
struct Box {
  Shape start;
  Shape count;
  static Box whole(const Shape& shape) { return Box{Shape(shape.size(), 0), shape}; }
  uint64_t size() const { return element_count(count); }
  bool operator==(const Box& o) const { return start == o.start && count == o.count; }
};

// Intersection of two boxes; returns false when it is empty.
bool intersect(const Box& a, const Box& b, Box* out);

// A dense C-order array. Strings (kString) live in `strings`, everything else in `bytes`
// (native byte order).
struct NdArray {
  DType dtype;
  Shape shape;
  Bytes bytes;
  std::vector<std::string> strings;

  NdArray() = default;
  NdArray(DType dt, Shape sh);
  // Adopts `data` (already size() * itemsize bytes) without allocating or clearing.
  static NdArray adopt(DType dt, Shape sh, Bytes&& data) {
    NdArray a;
    a.dtype = dt;
    a.shape = std::move(sh);
    a.bytes = std::move(data);
    return a;
  }
  uint64_t size() const { return element_count(shape); }
  uint64_t nbytes() const { return dtype.kind == DTypeKind::kString ? 0 : size() * dtype.itemsize; }
  double as_double(size_t i) const { return load_as_double(dtype, bytes.data(), i); }
  template <typename T> T* data() { return reinterpret_cast<T*>(bytes.data()); }
  template <typename T> const T* data() const { return reinterpret_cast<const T*>(bytes.data()); }
  // Sets every element to the raw bytes `fill` (itemsize bytes), or "" for strings.
  void fill_with(const Bytes& fill);
};

// Copies the elements of `src` lying in `region` (given in the coordinates where `src`
// starts at `src_origin`) to `dst` (starting at `dst_origin`). Both arrays are C order
// and have the same dtype; `region` must lie within both.
void copy_region(const NdArray& src, const Shape& src_origin, NdArray& dst, const Shape& dst_origin,
                 const Box& region);

// One of several copies out of the same array: `region` of the source goes to `dst`,
// which starts at `dst_origin`.
struct RegionCopy {
  NdArray* dst = nullptr;
  Shape dst_origin;
  Box region;
};
// Does what copy_region does for each of `copies`, in one pass over the source in C order:
// each source row is read once, while in the cache, and scattered to every copy that
// holds part of it (copying one region after another would stride through the source
// again for each of them).
void copy_regions(const NdArray& src, const Shape& src_origin, const std::vector<RegionCopy>& copies);

// Element strides of a C-order array of `shape`.
Shape c_strides(const Shape& shape);
// Whether a region of `count` is one contiguous range of a C-order array of `shape`:
// whole along every dimension after the first it spans more than one position of.
bool contiguous_in(const Shape& shape, const Shape& count);
// The C-order element offset of position `at` in an array of `shape` placed at `origin`.
uint64_t linear_offset(const Shape& shape, const Shape& origin, const Shape& at);

// The array with its axes permuted: out.shape[i] = in.shape[perm[i]].
NdArray permute_axes(const NdArray& in, const std::vector<size_t>& perm);

// Reorders a Fortran-order buffer of `shape` into C order (and back with to_fortran).
NdArray fortran_to_c(const NdArray& f);
NdArray c_to_fortran(const NdArray& c);

}  // namespace pangeo
