// Small datasets made in memory for unit tests: a Zarr v2 store in a MemoryStore,
// written with our writer and opened with our reader.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "pangeo/format.hpp"
#include "pangeo/grid.hpp"

namespace testing_data {

using namespace pangeo;

// A float64 or float32 array from values.
inline NdArray array_of(const Shape& shape, const std::vector<double>& values, DTypeKind kind = DTypeKind::kFloat64) {
  NdArray a(DType::of(kind), shape);
  for (size_t i = 0; i < values.size(); ++i) store_from_double(a.dtype, a.bytes.data(), i, values[i]);
  return a;
}

// Adds a variable (and its dimensions) to `g`; `chunks` empty: one chunk.
inline void add_variable(Group& g, const std::string& name, const std::vector<std::string>& dims, const NdArray& a,
                         Shape chunks = {}) {
  Variable v;
  v.name = name;
  v.dims = dims;
  v.shape = a.shape;
  v.dtype = a.dtype;
  v.storage.chunks = chunks.empty() ? a.shape : chunks;
  for (size_t d = 0; d < dims.size(); ++d)
    if (!g.find_dim(dims[d])) g.dims.push_back({dims[d], a.shape[d], false});
  g.vars.push_back(v);
}

// Writes `g` with `data` (one array per variable) and opens it again.
inline std::shared_ptr<DatasetReader> make_dataset(const Group& g, const std::map<std::string, NdArray>& data) {
  auto store = std::make_shared<MemoryStore>();
  auto w = make_zarr_writer(store, true);
  if (!w->create(g).ok()) return nullptr;
  for (const auto& v : g.vars) {
    const NdArray& a = data.at(v.name);
    for (const Box& b : ChunkGrid(v.shape, v.storage.chunks).boxes()) {
      NdArray part(a.dtype, b.count);
      copy_region(a, Shape(b.start.size(), 0), part, b.start, b);
      if (!w->write(v.name, b, part).ok()) return nullptr;
    }
  }
  if (!w->finish().ok()) return nullptr;
  auto r = open_zarr(store, "mem");
  if (!r.ok()) return nullptr;
  return std::shared_ptr<DatasetReader>(std::move(r).value());
}

// Reads a whole variable as doubles.
inline std::vector<double> values_of(DatasetReader& in, const std::string& name) {
  auto ref = find_variable(in.root(), name);
  if (!ref.ok()) return {};
  auto a = in.read(name, Box::whole(ref->var->shape));
  if (!a.ok()) return {};
  std::vector<double> out(a->size());
  for (size_t i = 0; i < out.size(); ++i) out[i] = a->as_double(i);
  return out;
}

}  // namespace testing_data
