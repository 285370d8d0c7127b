// Shared by the fuzz harnesses: reading every variable of a dataset a harness opened, in
// bounded pieces, so that decoding paths run too; and splitting an input into parts.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "pangeo/format.hpp"
#include "pangeo/grid.hpp"

namespace fuzz {

// Reads at most the first few chunks of every variable (errors are fine: only crashes,
// hangs and sanitizer reports are findings).
inline void read_everything(pangeo::DatasetReader& in) {
  for (const auto& ref : pangeo::all_variables(in.root())) {
    const pangeo::Variable& v = *ref.var;
    const pangeo::Shape chunks = in.read_chunks(ref.path);
    const pangeo::ChunkGrid grid(v.shape, chunks.empty() ? v.shape : chunks);
    const uint64_t n = std::min<uint64_t>(grid.num_chunks(), 4);
    for (uint64_t i = 0; i < n; ++i) {
      const pangeo::Box b = grid.chunk_box(i);
      if (b.size() * std::max<size_t>(v.dtype.itemsize, 1) > (64u << 20)) continue;
      (void)in.read(ref.path, b);
    }
  }
}

// Splits `data` at each occurrence of the 4-byte separator "\xff\xfe\xfd\xfc" into at
// most `n` parts (the last part takes the rest): lets one input carry several files.
inline std::vector<std::string> split(const uint8_t* data, size_t size, size_t n) {
  static const std::string sep = "\xff\xfe\xfd\xfc";
  const std::string all(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> out;
  size_t pos = 0;
  while (out.size() + 1 < n) {
    const size_t at = all.find(sep, pos);
    if (at == std::string::npos) break;
    out.push_back(all.substr(pos, at - pos));
    pos = at + sep.size();
  }
  out.push_back(all.substr(pos));
  out.resize(n);
  return out;
}

inline pangeo::Bytes bytes(const std::string& s) { return pangeo::Bytes(s.begin(), s.end()); }

}  // namespace fuzz
