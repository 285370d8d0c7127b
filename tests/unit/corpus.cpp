#include "corpus.hpp"

#include <regex>

#include "pangeo/store.hpp"

namespace testing_corpus {

bool read_npy(const std::filesystem::path& path, Npy* out) {
  auto r = pangeo::read_file(path);
  if (!r.ok()) return false;
  const auto& b = *r;
  if (b.size() < 10 || b[0] != 0x93) return false;
  size_t hlen, off;
  if (b[6] == 1) {
    hlen = b[8] | (b[9] << 8);
    off = 10;
  } else {
    hlen = b[8] | (b[9] << 8) | (b[10] << 16) | (size_t(b[11]) << 24);
    off = 12;
  }
  std::string header(b.begin() + off, b.begin() + off + hlen);
  std::smatch m;
  if (!std::regex_search(header, m, std::regex("'descr':\\s*'([^']*)'"))) return false;
  out->descr = m[1];
  out->fortran = header.find("'fortran_order': True") != std::string::npos;
  out->shape.clear();
  if (std::regex_search(header, m, std::regex("'shape':\\s*\\(([^)]*)\\)"))) {
    std::string s = m[1];
    std::regex num("\\d+");
    for (auto it = std::sregex_iterator(s.begin(), s.end(), num); it != std::sregex_iterator(); ++it)
      out->shape.push_back(std::stoull(it->str()));
  }
  out->data.assign(b.begin() + off + hlen, b.end());
  return true;
}

}  // namespace testing_corpus
