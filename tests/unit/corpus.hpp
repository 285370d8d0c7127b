// Helpers for tests that read ../shared/corpus (stores and codec outputs of other
// implementations).
#pragma once

#include <filesystem>
#include <string>

#include "pangeo/array.hpp"
#include "pangeo/format.hpp"

namespace testing_corpus {

inline std::filesystem::path corpus_dir() {
  if (const char* env = std::getenv("PANGEO_CORPUS_DIR")) return env;
  return PANGEO_CORPUS_DIR;
}

struct Npy {
  std::string descr;
  bool fortran = false;
  std::vector<uint64_t> shape;
  pangeo::Bytes data;
};

// Reads a numpy .npy file (format 1.0/2.0; non-object dtypes).
bool read_npy(const std::filesystem::path& path, Npy* out);

// Opens a one-array store (any format) and reads the whole array.
inline pangeo::Result<pangeo::NdArray> read_whole(const std::filesystem::path& store) {
  PG_ASSIGN_OR_RETURN(auto r, pangeo::open_dataset(store.string()));
  auto vars = pangeo::all_variables(r->root());
  if (vars.size() != 1) return pangeo::internal_error("expected one array, got {}", vars.size());
  return r->read(vars[0].path, pangeo::Box::whole(vars[0].var->shape));
}

}  // namespace testing_corpus
