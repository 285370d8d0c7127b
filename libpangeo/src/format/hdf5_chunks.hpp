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

#include "pangeo/dataset.hpp"

namespace pangeo {

class Hdf5ChunkReader {
 public:
  // Opens `path` a second time through HDF5; nullptr where that is not possible.
  static std::unique_ptr<Hdf5ChunkReader> open(const std::string& path);
  ~Hdf5ChunkReader();

  // Reads `box` of the variable at `var_path` (netCDF group path) into `out` (already
  // shaped). Returns false, having done nothing, where the variable's layout or filters
  // are not ones this reader handles (the caller then reads through netCDF-C).
  Result<bool> read(const std::string& var_path, const Variable& v, const Box& box, NdArray& out);

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

  std::string path_;
  long long fid_;
  int fd_;
  std::mutex plans_mu_;
  std::map<std::string, std::unique_ptr<Plan>> plans_;
};

}  // namespace pangeo
