// Helpers for tests that read ../shared/corpus (stores and codec outputs of other
// implementations).
#pragma once

#include <filesystem>
#include <string>

#include "pangeo/array.hpp"

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

}  // namespace testing_corpus
