#include "pangeo/reduce.hpp"

namespace pangeo {

Shape DerivedReader::read_chunks(const std::string& path) const {
  if (auto it = chunks_.find(path); it != chunks_.end()) return it->second;
  if (arrays_.count(path)) return DatasetReader::read_chunks(path);
  if (source_) return source_->read_chunks(path);
  return {};
}

bool DerivedReader::reads_in_place(const std::string& path) const {
  if (arrays_.count(path)) return true;
  if (computes_.count(path)) return false;
  return source_ && source_->reads_in_place(path);
}

Result<NdArray> DerivedReader::read(const std::string& path, const Box& box) {
  if (auto it = arrays_.find(path); it != arrays_.end()) {
    NdArray out(it->second.dtype, box.count);
    copy_region(it->second, Shape(box.start.size(), 0), out, box.start, box);
    return out;
  }
  if (auto it = computes_.find(path); it != computes_.end()) return it->second(box);
  if (source_) return source_->read(path, box);
  return not_found("no variable \"{}\"", path);
}

}  // namespace pangeo
