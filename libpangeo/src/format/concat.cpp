// Many files of one dataset joined along the record dimension, ordered by its
// coordinate, as xarray.open_mfdataset(combine="by_coords") does. Variables without the
// record dimension are taken from the first file (xarray's data_vars="minimal").
#include <algorithm>
#include <cmath>

#include "pangeo/cf.hpp"
#include "pangeo/format.hpp"

namespace pangeo {

namespace {

struct Part {
  std::unique_ptr<DatasetReader> reader;
  uint64_t offset = 0, length = 0;
  double first = 0, last = 0;  // record coordinate, in seconds for times
  std::optional<TimeUnits> units;
};

class ConcatReader final : public DatasetReader {
 public:
  Status open(std::vector<std::unique_ptr<DatasetReader>> readers) {
    const Group& g0 = readers[0]->root();
    // The record dimension: the unlimited one, else "time".
    for (const auto& d : g0.dims)
      if (d.unlimited) dim_ = d.name;
    if (dim_.empty() && g0.find_dim("time")) dim_ = "time";
    if (dim_.empty())
      return invalid_argument("{}: no record (unlimited) dimension to join the inputs along", readers[0]->location());
    for (auto& r : readers) {
      Part p;
      const Group& g = r->root();
      const Dimension* d = g.find_dim(dim_);
      if (!d) return invalid_argument("{}: no dimension \"{}\" (present in {})", r->location(), dim_, readers[0]->location());
      p.length = d->size;
      p.reader = std::move(r);
      parts_.push_back(std::move(p));
    }
    const Variable* coord = g0.find_var(dim_);
    if (coord) {
      for (auto& p : parts_) {
        const Variable* c = p.reader->root().find_var(dim_);
        if (!c || p.length == 0) return invalid_argument("{}: no values of \"{}\"", p.reader->location(), dim_);
        if (is_time_variable(*c)) {
          auto tu = TimeUnits::of(*c);
          if (tu.ok()) p.units = *tu;
        }
        PG_ASSIGN_OR_RETURN(NdArray first, p.reader->read(dim_, Box{{0}, {1}}));
        PG_ASSIGN_OR_RETURN(NdArray last, p.reader->read(dim_, Box{{p.length - 1}, {1}}));
        p.first = first.as_double(0);
        p.last = last.as_double(0);
        if (p.units) {
          p.first = p.units->to_seconds(p.first);
          p.last = p.units->to_seconds(p.last);
        }
      }
      std::stable_sort(parts_.begin(), parts_.end(), [](const Part& a, const Part& b) { return a.first < b.first; });
    }
    PG_RETURN_IF_ERROR(check_consistent());
    uint64_t off = 0;
    for (auto& p : parts_) {
      p.offset = off;
      off += p.length;
    }
    root_ = parts_[0].reader->root();
    for (auto& d : root_.dims)
      if (d.name == dim_) d.size = off;
    for (auto& v : root_.vars)
      for (size_t k = 0; k < v.dims.size(); ++k)
        if (v.dims[k] == dim_) v.shape[k] = off;
    return Status::Ok();
  }

  const Group& root() const override { return root_; }
  Status check_input() override {
    for (auto& p : parts_) PG_RETURN_IF_ERROR(p.reader->check_input());
    return Status::Ok();
  }
  std::string format_name() const override { return parts_[0].reader->format_name(); }
  std::string location() const override {
    return fmt::format("{} (+{} more files)", parts_[0].reader->location(), parts_.size() - 1);
  }
  Shape read_chunks(const std::string& path) const override {
    Shape c = parts_[0].reader->read_chunks(path);
    auto ref = find_variable(root_, path);
    if (ref.ok())
      for (size_t k = 0; k < ref->var->dims.size() && k < c.size(); ++k)
        if (ref->var->dims[k] == dim_) c[k] = std::min<uint64_t>(c[k], parts_[0].length);
    return c;
  }

  bool reads_in_place(const std::string& path) const override {
    return std::all_of(parts_.begin(), parts_.end(), [&](const auto& p) { return p.reader->reads_in_place(path); });
  }

  Result<NdArray> read(const std::string& path, const Box& box) override {
    PG_ASSIGN_OR_RETURN(VarRef ref, find_variable(root_, path));
    const Variable& v = *ref.var;
    auto it = std::find(v.dims.begin(), v.dims.end(), dim_);
    if (it == v.dims.end() || ref.group != &root_) return parts_[0].reader->read(path, box);
    const size_t k = size_t(it - v.dims.begin());
    NdArray out(v.dtype, box.count);
    const uint64_t lo = box.start[k], hi = box.start[k] + box.count[k];
    for (auto& p : parts_) {
      uint64_t a = std::max(lo, p.offset), b = std::min(hi, p.offset + p.length);
      if (a >= b) continue;
      Box sub = box;
      sub.start[k] = a - p.offset;
      sub.count[k] = b - a;
      auto piece = p.reader->read(path, sub);
      if (!piece.ok()) return piece.status();
      if (path == dim_ && p.units && parts_[0].units && v.dtype.is_numeric()) {
        // Re-express times in the first file's units when the files differ.
        for (size_t i = 0; i < piece->size(); ++i) {
          double s = p.units->to_seconds(piece->as_double(i));
          store_from_double(v.dtype, piece->bytes.data(), i, parts_[0].units->from_seconds(s));
        }
      }
      Box region = box;
      region.start[k] = a;
      region.count[k] = b - a;
      Shape origin = box.start;
      origin[k] = a;
      copy_region(*piece, origin, out, box.start, region);
    }
    return out;
  }

 private:
  Status check_consistent() {
    const Part& a = parts_[0];
    const Group& ga = a.reader->root();
    for (size_t i = 1; i < parts_.size(); ++i) {
      const Part& b = parts_[i];
      const Group& gb = b.reader->root();
      auto differ = [&](const std::string& what) {
        return invalid_argument("inputs {} and {} differ: {}", a.reader->location(), b.reader->location(), what);
      };
      for (const auto& va : ga.vars) {
        const Variable* vb = gb.find_var(va.name);
        if (!vb) return differ(fmt::format("variable \"{}\" is missing from the second", va.name));
        if (va.dtype != vb->dtype)
          return differ(fmt::format("variable \"{}\" is {} and {}", va.name, va.dtype.numpy_name(), vb->dtype.numpy_name()));
        if (va.dims != vb->dims) return differ(fmt::format("variable \"{}\" has different dimensions", va.name));
        for (size_t k = 0; k < va.dims.size(); ++k)
          if (va.dims[k] != dim_ && va.shape[k] != vb->shape[k])
            return differ(fmt::format("variable \"{}\" has {} = {} and {}", va.name, va.dims[k], va.shape[k], vb->shape[k]));
        for (const char* key : {"units", "calendar"}) {
          auto ua = va.attrs.text(key), ub = vb->attrs.text(key);
          if (va.name == dim_ && std::string(key) == "units" && a.units && b.units) continue;  // converted
          if (ua != ub)
            return differ(fmt::format("variable \"{}\" has {} \"{}\" and \"{}\"", va.name, key, ua.value_or(""), ub.value_or("")));
        }
      }
      for (const auto& vb : gb.vars)
        if (!ga.find_var(vb.name)) return differ(fmt::format("variable \"{}\" is missing from the first", vb.name));
      if (a.units && b.units && a.units->calendar() != b.units->calendar())
        return differ(fmt::format("calendars {} and {}", calendar_name(a.units->calendar()), calendar_name(b.units->calendar())));
    }
    if (parts_[0].reader->root().find_var(dim_)) {
      for (size_t i = 1; i < parts_.size(); ++i)
        if (!(parts_[i - 1].last < parts_[i].first))
          return invalid_argument("inputs {} and {} overlap or are out of order along \"{}\"",
                                  parts_[i - 1].reader->location(), parts_[i].reader->location(), dim_);
    }
    return Status::Ok();
  }

  std::vector<Part> parts_;
  std::string dim_;
  Group root_;
};

}  // namespace

Result<std::unique_ptr<DatasetReader>> open_concatenated(std::vector<std::unique_ptr<DatasetReader>> parts) {
  if (parts.empty()) return invalid_argument("no inputs");
  if (parts.size() == 1) return std::move(parts[0]);
  auto r = std::make_unique<ConcatReader>();
  PG_RETURN_IF_ERROR(r->open(std::move(parts)));
  return std::unique_ptr<DatasetReader>(std::move(r));
}

}  // namespace pangeo
