#include "pangeo/array.hpp"

#include <algorithm>
#include <cstring>

#include "pangeo/grid.hpp"

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

bool contiguous_in(const Shape& shape, const Shape& count) {
  size_t d = 0;
  while (d < shape.size() && count[d] == 1) ++d;
  for (size_t e = d + 1; e < shape.size(); ++e)
    if (count[e] != shape[e]) return false;
  return true;
}

uint64_t linear_offset(const Shape& shape, const Shape& origin, const Shape& at) {
  const Shape strides = c_strides(shape);
  uint64_t off = 0;
  for (size_t d = 0; d < shape.size(); ++d) off += (at[d] - origin[d]) * strides[d];
  return off;
}

// Calls fn(src_index, dst_index, run) for each contiguous row of `region`, in C order.
// Trailing dimensions that both arrays hold whole make one longer row; offsets advance
// by strides (this runs once per row of every chunk copied).
template <typename Fn>
static void for_each_row(const Shape& src_shape, const Shape& src_origin, const Shape& dst_shape,
                         const Shape& dst_origin, const Box& region, Fn&& fn) {
  const size_t rank = region.count.size();
  if (rank == 0) {
    fn(0, 0, 1);
    return;
  }
  if (region.size() == 0) return;
  const Shape sstride = c_strides(src_shape), dstride = c_strides(dst_shape);
  // Rows: dimensions [inner, rank) are contiguous in both arrays.
  size_t inner = rank - 1;
  uint64_t run = region.count[rank - 1];
  while (inner > 0 && region.count[inner] == src_shape[inner] && region.count[inner] == dst_shape[inner]) {
    --inner;
    run *= region.count[inner];
  }
  uint64_t s = 0, t = 0;
  for (size_t d = 0; d < rank; ++d) {
    s += (region.start[d] - src_origin[d]) * sstride[d];
    t += (region.start[d] - dst_origin[d]) * dstride[d];
  }
  if (inner == 0) {
    fn(s, t, run);
    return;
  }
  // Odometer over dimensions [0, inner).
  Shape idx(inner, 0);
  for (;;) {
    fn(s, t, run);
    size_t d = inner;
    while (d-- > 0) {
      if (++idx[d] < region.count[d]) {
        s += sstride[d];
        t += dstride[d];
        break;
      }
      idx[d] = 0;
      s -= (region.count[d] - 1) * sstride[d];
      t -= (region.count[d] - 1) * dstride[d];
    }
    if (d == size_t(-1)) return;
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

namespace {

// Below this many bytes, a block of source rows stays in the cache while every copy
// takes its part.
constexpr uint64_t kCacheBlock = 128u << 10;

}  // namespace

void copy_regions(const NdArray& src, const Shape& src_origin, const std::vector<RegionCopy>& copies) {
  const size_t rank = src.shape.size();
  if (copies.size() < 2 || rank < 2 || src.dtype.kind == DTypeKind::kString) {
    for (const auto& c : copies) copy_region(src, src_origin, *c.dst, c.dst_origin, c.region);
    return;
  }
  const size_t isz = src.dtype.itemsize;
  const Shape sstride = c_strides(src.shape);
  std::vector<Shape> dstride;
  dstride.reserve(copies.size());
  for (const auto& c : copies) dstride.push_back(c_strides(c.dst->shape));
  // active[d]: the copies holding the current position in dimensions [0, d), with their
  // destination offsets so far.
  std::vector<std::vector<std::pair<size_t, uint64_t>>> active(rank);
  for (size_t k = 0; k < copies.size(); ++k)
    if (copies[k].region.size() > 0) active[0].push_back({k, 0});
  const size_t last = rank - 1;
  auto walk = [&](auto&& self, size_t d, uint64_t s) -> void {
    const auto& here = active[d];
    uint64_t lo = UINT64_MAX, hi = 0;
    for (const auto& [k, t] : here) {
      lo = std::min(lo, copies[k].region.start[d]);
      hi = std::max(hi, copies[k].region.start[d] + copies[k].region.count[d]);
    }
    if (d + 2 == rank && (hi - lo) * sstride[d] * isz <= kCacheBlock) {
      // The rows below lie together in the cache: each copy takes its rows in turn.
      for (const auto& [k, t] : here) {
        const RegionCopy& c = copies[k];
        const uint64_t n = c.region.count[last] * isz, sstep = sstride[d] * isz, tstep = dstride[k][d] * isz;
        const uint8_t* from = src.bytes.data() +
                              (s + (c.region.start[d] - src_origin[d]) * sstride[d] + c.region.start[last] - src_origin[last]) * isz;
        uint8_t* to = c.dst->bytes.data() +
                      (t + (c.region.start[d] - c.dst_origin[d]) * dstride[k][d] + c.region.start[last] - c.dst_origin[last]) * isz;
        for (uint64_t i = 0; i < c.region.count[d]; ++i, from += sstep, to += tstep) std::memcpy(to, from, n);
      }
      return;
    }
    if (d == last) {
      for (const auto& [k, t] : here) {
        const RegionCopy& c = copies[k];
        std::memcpy(c.dst->bytes.data() + (t + c.region.start[d] - c.dst_origin[d]) * isz,
                   src.bytes.data() + (s + c.region.start[d] - src_origin[d]) * isz, c.region.count[d] * isz);
      }
      return;
    }
    auto& next = active[d + 1];
    for (uint64_t i = lo; i < hi; ++i) {
      next.clear();
      for (const auto& [k, t] : here) {
        const Box& r = copies[k].region;
        if (i >= r.start[d] && i < r.start[d] + r.count[d])
          next.push_back({k, t + (i - copies[k].dst_origin[d]) * dstride[k][d]});
      }
      if (!next.empty()) self(self, d + 1, s + (i - src_origin[d]) * sstride[d]);
    }
  };
  if (!active[0].empty()) walk(walk, 0, 0);
}

NdArray permute_axes(const NdArray& in, const std::vector<size_t>& perm) {
  const size_t rank = in.shape.size();
  Shape out_shape(rank);
  for (size_t i = 0; i < rank; ++i) out_shape[i] = in.shape[perm[i]];
  NdArray out(in.dtype, out_shape);
  if (out.size() == 0) return out;
  const Shape in_stride = c_strides(in.shape);
  const size_t isz = in.dtype.itemsize;
  uint64_t o = 0;
  for_each_index(Box::whole(out_shape), [&](const Shape& idx) {
    uint64_t s = 0;
    for (size_t i = 0; i < rank; ++i) s += idx[i] * in_stride[perm[i]];
    if (in.dtype.kind == DTypeKind::kString) out.strings[o] = in.strings[s];
    else std::memcpy(out.bytes.data() + o * isz, in.bytes.data() + s * isz, isz);
    ++o;
  });
  return out;
}

// A Fortran-order buffer of shape S is a C-order buffer of shape reversed(S) with its axes
// reversed.
static std::vector<size_t> reversed_axes(size_t rank) {
  std::vector<size_t> perm(rank);
  for (size_t i = 0; i < rank; ++i) perm[i] = rank - 1 - i;
  return perm;
}

NdArray fortran_to_c(const NdArray& f) {
  if (f.shape.size() <= 1) return f;
  NdArray as_c = f;
  std::reverse(as_c.shape.begin(), as_c.shape.end());
  return permute_axes(as_c, reversed_axes(f.shape.size()));
}

NdArray c_to_fortran(const NdArray& c) {
  if (c.shape.size() <= 1) return c;
  NdArray out = permute_axes(c, reversed_axes(c.shape.size()));
  out.shape = c.shape;
  return out;
}

Shape c_strides(const Shape& shape) {
  Shape s(shape.size(), 1);
  for (size_t d = shape.size(); d-- > 1;) s[d - 1] = s[d] * shape[d];
  return s;
}

}  // namespace pangeo
