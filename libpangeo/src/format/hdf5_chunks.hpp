// Direct access to the stored chunks of netCDF-4 variables: HDF5 says where each chunk
// lies in the file (under the global lock, once per variable); the bytes are then read
// with pread and inflated and unshuffled in the calling thread, so decompression runs
// on every core instead of one at a time inside HDF5.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "pangeo/dataset.hpp"

namespace pangeo {

// The byte runs (offset, length) within a stored chunk of shape `chunk` at `origin` that
// hold `part` (C order, `item` bytes per element), in ascending order; runs less than
// kRunGap bytes apart are merged.
constexpr uint64_t kRunGap = 16 << 10;
std::vector<std::pair<uint64_t, uint64_t>> byte_runs(const Shape& chunk, const Shape& origin, const Box& part, uint64_t item);

class Hdf5ChunkReader {
 public:
  // Opens `path` a second time through HDF5; nullptr where that is not possible.
  static std::unique_ptr<Hdf5ChunkReader> open(const std::string& path);
  ~Hdf5ChunkReader();

  // Reads `box` of the variable at `var_path` (netCDF group path) into `out` (already
  // shaped). Returns false, having done nothing, where the variable's layout or filters
  // are not ones this reader handles (the caller then reads through netCDF-C).
  // Chunks stored without filters are read in place: only the bytes the box needs.
  Result<bool> read(const std::string& var_path, const Variable& v, const Box& box, NdArray& out);
  // Whether the variable's chunks are stored without filters (reading part of one costs
  // its share).
  bool reads_in_place(const std::string& var_path, const Variable& v);

 private:
  struct Chunk {
    uint64_t addr = 0, size = 0;
    unsigned mask = 0;
  };
  struct Plan {
    bool usable = false;
    Shape chunks;
    bool shuffle = false, deflate = false, big_endian = false;
    std::map<Shape, Chunk> index;  // chunk coordinates (in chunks) -> where it is
  };
  Hdf5ChunkReader(std::string path, long long fid, int fd) : path_(std::move(path)), fid_(fid), fd_(fd) {}
  const Plan& plan_for(const std::string& var_path, const Variable& v);
  Status read_at(uint8_t* dst, uint64_t n, uint64_t addr, const std::string& var_path) const;

  std::string path_;
  long long fid_;
  int fd_;
  std::mutex plans_mu_;
  std::map<std::string, std::unique_ptr<Plan>> plans_;
};

}  // namespace pangeo
