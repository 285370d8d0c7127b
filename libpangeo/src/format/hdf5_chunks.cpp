#include "hdf5_chunks.hpp"

#include "pangeo/grid.hpp"

#include <fcntl.h>
#include <hdf5.h>
#include <libdeflate.h>
#include <unistd.h>

#include <cstring>
#include <memory>

#include "netcdf_lock.hpp"

namespace pangeo {

namespace {
using Lock = std::lock_guard<std::recursive_mutex>;

// Reverses HDF5's byte shuffle of `n` elements of `size` bytes.
void unshuffle(const uint8_t* in, uint8_t* out, size_t nbytes, size_t size) {
  const size_t n = nbytes / size;
  for (size_t b = 0; b < size; ++b) {
    const uint8_t* src = in + b * n;
    for (size_t i = 0; i < n; ++i) out[i * size + b] = src[i];
  }
  std::memcpy(out + n * size, in + n * size, nbytes - n * size);  // leftover bytes stay as they are
}
}  // namespace

std::vector<std::pair<uint64_t, uint64_t>> byte_runs(const Shape& chunk, const Shape& origin, const Box& part, uint64_t item) {
  const size_t rank = chunk.size();
  std::vector<std::pair<uint64_t, uint64_t>> runs;
  if (rank == 0) return {{0, item}};
  // Trailing dimensions the part spans whole are one run with the first partial one.
  size_t j = rank - 1;
  while (j > 0 && part.count[j] == chunk[j]) --j;
  uint64_t run = item;
  for (size_t d = j; d < rank; ++d) run *= part.count[d];
  const Shape strides = c_strides(chunk);
  const Box outer{Shape(j, 0), Shape(part.count.begin(), part.count.begin() + j)};
  auto add = [&](const Shape& idx) {
    uint64_t off = 0;
    for (size_t d = 0; d < rank; ++d) off += (part.start[d] - origin[d] + (d < j ? idx[d] : 0)) * strides[d];
    off *= item;
    // Runs a small gap apart are read as one.
    if (!runs.empty() && off - (runs.back().first + runs.back().second) <= kRunGap)
      runs.back().second = off + run - runs.back().first;
    else
      runs.emplace_back(off, run);
  };
  if (j == 0) add(Shape());
  else for_each_index(outer, add);
  return runs;
}

Status Hdf5ChunkReader::read_at(uint8_t* dst, uint64_t n, uint64_t addr, const std::string& var_path) const {
  uint64_t got = 0;
  while (got < n) {
    ssize_t r = ::pread(fd_, dst + got, n - got, off_t(addr + got));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return corrupt("{}: variable \"{}\": chunk at byte {} is cut short (truncated file?)", path_, var_path, addr);
    got += uint64_t(r);
  }
  return Status::Ok();
}

bool Hdf5ChunkReader::reads_in_place(const std::string& var_path, const Variable& v) {
  const Plan& p = plan_for(var_path, v);
  return p.usable && !p.deflate && !p.shuffle;
}

std::unique_ptr<Hdf5ChunkReader> Hdf5ChunkReader::open(const std::string& path) {
  Lock lock(netcdf_mutex());
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
  H5Pset_fclose_degree(fapl, H5F_CLOSE_WEAK);
  hid_t fid = H5Fopen(path.c_str(), H5F_ACC_RDONLY, fapl);
  H5Pclose(fapl);
  if (fid < 0) return nullptr;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    H5Fclose(fid);
    return nullptr;
  }
  return std::unique_ptr<Hdf5ChunkReader>(new Hdf5ChunkReader(path, fid, fd));
}

Hdf5ChunkReader::~Hdf5ChunkReader() {
  Lock lock(netcdf_mutex());
  H5Fclose(hid_t(fid_));
  ::close(fd_);
}

const Hdf5ChunkReader::Plan& Hdf5ChunkReader::plan_for(const std::string& var_path, const Variable& v) {
  std::lock_guard plock(plans_mu_);
  auto& slot = plans_[var_path];
  if (slot) return *slot;
  slot = std::make_unique<Plan>();
  Plan& p = *slot;
  if (!v.dtype.is_numeric() || v.dtype.kind == DTypeKind::kBool || v.rank() == 0) return p;
  Lock lock(netcdf_mutex());
  hid_t did = H5Dopen2(hid_t(fid_), ("/" + var_path).c_str(), H5P_DEFAULT);
  if (did < 0) return p;
  hid_t dcpl = H5Dget_create_plist(did);
  hid_t type = H5Dget_type(did);
  hid_t space = H5Dget_space(did);
  bool ok = H5Pget_layout(dcpl) == H5D_CHUNKED && H5Tget_class(type) != H5T_STRING &&
            H5Tget_size(type) == v.dtype.itemsize && H5Sget_simple_extent_ndims(space) == int(v.rank());
  if (ok) {
    p.big_endian = H5Tget_order(type) == H5T_ORDER_BE;
    std::vector<hsize_t> cd(v.rank());
    H5Pget_chunk(dcpl, int(v.rank()), cd.data());
    p.chunks.assign(cd.begin(), cd.end());
    // Filters, in the order they were applied when writing: only shuffle then deflate.
    int nf = H5Pget_nfilters(dcpl);
    for (int f = 0; f < nf && ok; ++f) {
      unsigned flags = 0, cdv[8];
      size_t ncd = 8;
      char name[64];
      H5Z_filter_t id = H5Pget_filter2(dcpl, unsigned(f), &flags, &ncd, cdv, sizeof name, name, nullptr);
      if (id == H5Z_FILTER_SHUFFLE && !p.deflate) p.shuffle = true;
      else if (id == H5Z_FILTER_DEFLATE) p.deflate = true;
      else ok = false;
    }
  }
  if (ok) {
    hsize_t n = 0;
    if (H5Dget_num_chunks(did, space, &n) < 0) ok = false;
    std::vector<hsize_t> off(v.rank());
    for (hsize_t i = 0; ok && i < n; ++i) {
      Chunk c;
      haddr_t addr;
      hsize_t size;
      if (H5Dget_chunk_info(did, space, i, off.data(), &c.mask, &addr, &size) < 0) {
        ok = false;
        break;
      }
      c.addr = addr;
      c.size = size;
      Shape key(v.rank());
      for (size_t d = 0; d < v.rank(); ++d) key[d] = off[d] / p.chunks[d];
      p.index[key] = c;
    }
  }
  H5Sclose(space);
  H5Tclose(type);
  H5Pclose(dcpl);
  H5Dclose(did);
  p.usable = ok;
  return p;
}

Result<bool> Hdf5ChunkReader::read(const std::string& var_path, const Variable& v, const Box& box, NdArray& out) {
  const Plan& p = plan_for(var_path, v);
  if (!p.usable) return false;
  const size_t rank = v.rank();
  const size_t isz = v.dtype.itemsize;
  const uint64_t chunk_elems = element_count(p.chunks);
  // Every chunk the box needs must be stored unfiltered-as-declared; otherwise fall back.
  const ChunkGrid grid(v.shape, p.chunks);
  std::vector<std::pair<Box, const Chunk*>> todo;
  bool usable = true;
  grid.for_each_chunk_in(box, [&](const Shape& idx, const Box&, const Box& part) {
    auto it = p.index.find(idx);
    if (it == p.index.end() || it->second.mask != 0) usable = false;  // unallocated or partly filtered
    else todo.emplace_back(part, &it->second);
  });
  if (!usable) return false;
  if (!p.deflate && !p.shuffle) {
    // Stored as is: only the bytes the box needs are read, in place.
    NdArray chunk(v.dtype, p.chunks);
    for (const auto& [part, c] : todo) {
      if (c->size != chunk_elems * isz)
        return corrupt("{}: variable \"{}\": chunk of {} bytes where {} were expected", path_, var_path, c->size, chunk_elems * isz);
      Shape origin(rank);
      for (size_t d = 0; d < rank; ++d) origin[d] = part.start[d] / p.chunks[d] * p.chunks[d];
      const auto runs = byte_runs(p.chunks, origin, part, isz);
      if (runs.size() == 1 && runs[0].second == part.size() * isz && contiguous_in(out.shape, part.count)) {
        // One run that is contiguous in the output too: straight there.
        uint8_t* dst = out.bytes.data() + linear_offset(out.shape, box.start, part.start) * isz;
        PG_RETURN_IF_ERROR(read_at(dst, runs[0].second, c->addr + runs[0].first, var_path));
        if (p.big_endian) byteswap_inplace(dst, part.size(), isz);
        continue;
      }
      for (const auto& [off, len] : runs) {
        PG_RETURN_IF_ERROR(read_at(chunk.bytes.data() + off, len, c->addr + off, var_path));
        if (p.big_endian) byteswap_inplace(chunk.bytes.data() + off, len / isz, isz);
      }
      copy_region(chunk, origin, out, box.start, part);
    }
    return true;
  }
  thread_local const std::unique_ptr<libdeflate_decompressor, void (*)(libdeflate_decompressor*)> owner(
      libdeflate_alloc_decompressor(), libdeflate_free_decompressor);
  libdeflate_decompressor* inflater = owner.get();
  if (!inflater) return resource_exhausted("cannot allocate a deflate decompressor");
  Bytes raw, inflated;
  NdArray chunk(v.dtype, p.chunks);
  for (const auto& [part, c] : todo) {
    raw.resize(c->size);
    PG_RETURN_IF_ERROR(read_at(raw.data(), c->size, c->addr, var_path));
    const Bytes* cur = &raw;
    if (p.deflate) {
      inflated.resize(chunk_elems * isz);
      size_t actual = 0;
      auto rc = libdeflate_zlib_decompress(inflater, raw.data(), raw.size(), inflated.data(), inflated.size(), &actual);
      if (rc != LIBDEFLATE_SUCCESS || actual != inflated.size())
        return corrupt("{}: variable \"{}\": corrupt compressed chunk at byte {}", path_, var_path, c->addr);
      cur = &inflated;
    }
    if (cur->size() != chunk_elems * isz)
      return corrupt("{}: variable \"{}\": chunk of {} bytes where {} were expected", path_, var_path, cur->size(), chunk_elems * isz);
    if (p.shuffle) {
      unshuffle(cur->data(), chunk.bytes.data(), cur->size(), isz);
    } else {
      std::memcpy(chunk.bytes.data(), cur->data(), cur->size());
    }
    if (p.big_endian) byteswap_inplace(chunk.bytes.data(), chunk_elems, isz);
    Shape origin(rank);
    for (size_t d = 0; d < rank; ++d) origin[d] = part.start[d] / p.chunks[d] * p.chunks[d];
    copy_region(chunk, origin, out, box.start, part);
  }
  return true;
}

}  // namespace pangeo
