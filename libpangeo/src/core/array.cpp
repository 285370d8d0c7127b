#include "pangeo/array.hpp"

#include <algorithm>

namespace pangeo {

uint64_t element_count(const Shape& shape) {
  uint64_t n = 1;
  for (auto s : shape) n *= s;
  return n;
}

bool intersect(const Box& a, const Box& b, Box* out) {
  const size_t rank = a.start.size();
  out->start.resize(rank);
  out->count.resize(rank);
  for (size_t d = 0; d < rank; ++d) {
    uint64_t lo = std::max(a.start[d], b.start[d]);
    uint64_t hi = std::min(a.start[d] + a.count[d], b.start[d] + b.count[d]);
    if (hi <= lo) return false;
    out->start[d] = lo;
    out->count[d] = hi - lo;
  }
  return true;
}

NdArray::NdArray(DType dt, Shape sh) : dtype(dt), shape(std::move(sh)) {
  if (dtype.kind == DTypeKind::kString)
    strings.resize(size());
  else
    bytes.resize(size() * dtype.itemsize);
}

void NdArray::fill_with(const Bytes& fill) {
  if (dtype.kind == DTypeKind::kString) {
    std::fill(strings.begin(), strings.end(), std::string());
    return;
  }
  const size_t isz = dtype.itemsize;
  if (fill.size() != isz || std::all_of(fill.begin(), fill.end(), [](uint8_t b) { return b == 0; })) {
    std::fill(bytes.begin(), bytes.end(), 0);
    return;
  }
  const uint64_t n = size();
  for (uint64_t i = 0; i < n; ++i) std::memcpy(bytes.data() + i * isz, fill.data(), isz);
}

// Calls fn(src_index, dst_index, run) for each contiguous row of `region`.
template <typename Fn>
static void for_each_row(const Shape& src_shape, const Shape& src_origin, const Shape& dst_shape,
                         const Shape& dst_origin, const Box& region, Fn&& fn) {
  const size_t rank = region.count.size();
  if (rank == 0) {
    fn(0, 0, 1);
    return;
  }
  for (auto c : region.count)
    if (c == 0) return;
  std::vector<uint64_t> sstride(rank), dstride(rank);
  sstride[rank - 1] = dstride[rank - 1] = 1;
  for (size_t d = rank - 1; d > 0; --d) {
    sstride[d - 1] = sstride[d] * src_shape[d];
    dstride[d - 1] = dstride[d] * dst_shape[d];
  }
  const uint64_t run = region.count[rank - 1];
  std::vector<uint64_t> idx(rank, 0);
  while (true) {
    uint64_t s = 0, t = 0;
    for (size_t d = 0; d < rank; ++d) {
      s += (region.start[d] + idx[d] - src_origin[d]) * sstride[d];
      t += (region.start[d] + idx[d] - dst_origin[d]) * dstride[d];
    }
    fn(s, t, run);
    if (rank == 1) return;
    size_t d = rank - 2;
    while (true) {
      if (++idx[d] < region.count[d]) break;
      idx[d] = 0;
      if (d == 0) return;
      --d;
    }
  }
}

void copy_region(const NdArray& src, const Shape& src_origin, NdArray& dst, const Shape& dst_origin,
                 const Box& region) {
  if (src.dtype.kind == DTypeKind::kString) {
    for_each_row(src.shape, src_origin, dst.shape, dst_origin, region,
                 [&](uint64_t s, uint64_t t, uint64_t run) {
                   for (uint64_t k = 0; k < run; ++k) dst.strings[t + k] = src.strings[s + k];
                 });
    return;
  }
  const size_t isz = src.dtype.itemsize;
  for_each_row(src.shape, src_origin, dst.shape, dst_origin, region,
               [&](uint64_t s, uint64_t t, uint64_t run) {
                 std::memcpy(dst.bytes.data() + t * isz, src.bytes.data() + s * isz, run * isz);
               });
}

// Transposes between C and Fortran layouts element by element.
static NdArray reorder(const NdArray& in, bool f_to_c) {
  NdArray out(in.dtype, in.shape);
  const size_t rank = in.shape.size();
  const uint64_t n = in.size();
  if (rank <= 1 || n == 0) return in;
  std::vector<uint64_t> cstride(rank), fstride(rank);
  cstride[rank - 1] = 1;
  for (size_t d = rank - 1; d > 0; --d) cstride[d - 1] = cstride[d] * in.shape[d];
  fstride[0] = 1;
  for (size_t d = 1; d < rank; ++d) fstride[d] = fstride[d - 1] * in.shape[d - 1];
  std::vector<uint64_t> idx(rank, 0);
  const size_t isz = in.dtype.itemsize;
  for (uint64_t c = 0; c < n; ++c) {
    uint64_t f = 0;
    for (size_t d = 0; d < rank; ++d) f += idx[d] * fstride[d];
    const uint64_t from = f_to_c ? f : c, to = f_to_c ? c : f;
    if (in.dtype.kind == DTypeKind::kString)
      out.strings[to] = in.strings[from];
    else
      std::memcpy(out.bytes.data() + to * isz, in.bytes.data() + from * isz, isz);
    for (size_t d = rank; d-- > 0;) {
      if (++idx[d] < in.shape[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

NdArray fortran_to_c(const NdArray& f) { return reorder(f, true); }
NdArray c_to_fortran(const NdArray& c) { return reorder(c, false); }

}  // namespace pangeo
