#include <algorithm>
#include <functional>
#include <sstream>

#include "pangeo/format.hpp"

namespace pangeo {

Result<VarRef> find_variable(const Group& root, const std::string& path) {
  const Group* g = &root;
  size_t pos = 0;
  while (true) {
    size_t slash = path.find('/', pos);
    if (slash == std::string::npos) break;
    std::string part = path.substr(pos, slash - pos);
    if (!part.empty()) {
      g = g->find_group(part);
      if (!g) return not_found("no group \"{}\" in \"{}\"", part, path);
    }
    pos = slash + 1;
  }
  const Variable* v = g->find_var(path.substr(pos));
  if (!v) return not_found("no variable \"{}\"", path);
  return VarRef{g, v, path};
}

static void collect(const Group& g, const std::string& prefix, std::vector<VarRef>& out) {
  for (const auto& v : g.vars) out.push_back(VarRef{&g, &v, prefix + v.name});
  for (const auto& sub : g.groups) collect(sub, prefix + sub.name + "/", out);
}

std::vector<VarRef> all_variables(const Group& root) {
  std::vector<VarRef> out;
  collect(root, "", out);
  return out;
}

std::set<std::string> coordinate_paths(const Group& root) {
  std::set<std::string> out;
  std::function<void(const Group&, const std::string&)> walk = [&](const Group& g, const std::string& prefix) {
    auto listed = [&](const Attributes& a) {
      if (auto c = a.text("coordinates")) {
        std::stringstream ss(*c);
        for (std::string n; ss >> n;)
          if (g.find_var(n)) out.insert(prefix + n);
      }
    };
    listed(g.attrs);
    for (const auto& v : g.vars) {
      if (v.is_dimension_coordinate()) out.insert(prefix + v.name);
      listed(v.attrs);
    }
    for (const auto& sub : g.groups) walk(sub, prefix + sub.name + "/");
  };
  walk(root, "");
  return out;
}

Shape default_chunks(const Variable& v) {
  constexpr uint64_t kTarget = 4u << 20;
  Shape c = v.shape;
  const uint64_t item = v.dtype.kind == DTypeKind::kString ? 16 : std::max<uint32_t>(v.dtype.itemsize, 1);
  uint64_t inner = item;
  for (size_t d = c.size(); d-- > 0;) {
    uint64_t len = std::max<uint64_t>(c[d], 1);
    if (inner * len > kTarget) {
      c[d] = std::max<uint64_t>(1, kTarget / inner);
      for (size_t e = 0; e < d; ++e) c[e] = 1;
      break;
    }
    inner *= len;
  }
  for (auto& x : c) x = std::max<uint64_t>(x, 1);
  return c;
}

Status DatasetReader::read_pieces(const std::string& path, const Box& box, const PieceSink& sink) {
  PG_ASSIGN_OR_RETURN(NdArray all, read(path, box));
  sink(all, box.start, box);
  return Status::Ok();
}

Shape DatasetReader::read_chunks(const std::string& path) const {
  auto ref = find_variable(root(), path);
  if (!ref.ok()) return {};
  const Variable& v = *ref->var;
  return v.storage.chunks.empty() ? default_chunks(v) : v.storage.chunks;
}

}  // namespace pangeo
