// Growing and filling existing Zarr stores: appending along one dimension (xarray's
// to_zarr(append_dim=...)) and writing one region (to_zarr(region=...)). New data is
// encoded as the store encodes it (time units and calendar, dtype, packing, fill value,
// chunks, codecs). Appends write chunks first and metadata last, so that a store stopped
// at any moment still opens as its previous complete version and a rerun completes it;
// region writes never touch metadata.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "pangeo/cf.hpp"
#include "pangeo/convert.hpp"
#include "pangeo/grid.hpp"
#include "pangeo/select.hpp"

namespace fs = std::filesystem;

namespace pangeo {

namespace {

// An exclusive lock on a local store (a hidden sibling file), so that two appends to one
// store do not interleave: the second waits. Object stores have no locks (single writer).
class StoreLock {
 public:
  static Result<std::unique_ptr<StoreLock>> take(const std::string& target) {
    auto lock = std::unique_ptr<StoreLock>(new StoreLock());
    if (target.find("://") != std::string::npos && target.rfind("file://", 0) != 0) return lock;
    fs::path p = fs::path(target.rfind("file://", 0) == 0 ? target.substr(7) : target).lexically_normal();
    if (p.filename().empty()) p = p.parent_path();
    std::error_code ec;
    if (!fs::is_directory(p, ec)) return lock;  // no store: nothing to lock (opening it fails)
    const fs::path lock_path = p.parent_path() / ("." + p.filename().string() + ".pglock");
    lock->fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (lock->fd_ < 0) return io_error("{}: cannot lock the store", target);
    if (::flock(lock->fd_, LOCK_EX) != 0) return io_error("{}: cannot lock the store", target);
    return lock;
  }
  ~StoreLock() {
    if (fd_ >= 0) ::close(fd_);  // releases the lock
  }

 private:
  StoreLock() = default;
  int fd_ = -1;
};

// The packing and masking attributes that decide how values are stored.
bool same_encoding(const Variable& a, const Variable& b) {
  for (const char* k : {"scale_factor", "add_offset", "_FillValue", "missing_value"}) {
    const AttrValue* x = a.attrs.find(k);
    const AttrValue* y = b.attrs.find(k);
    if (bool(x) != bool(y) || (x && !(*x == *y))) return false;
  }
  return a.dtype == b.dtype;
}

// Stored values of `src` (a variable encoded like `from`) re-encoded as `to` encodes them:
// decoded, then packed and masked with `to`'s attributes, rounded for integers as xarray
// does.
NdArray reencode(const NdArray& src, const Variable& from, const Variable& to) {
  std::vector<double> vals;
  MaskAndScale(from).decode_all(src, vals);
  NdArray out(to.dtype, src.shape);
  const MaskAndScale ms(to);
  const DType as = unsigned_view(to);  // _Unsigned: stored as the twin type's bytes
  const auto fill = to.fill_value_bytes();
  for (size_t i = 0; i < vals.size(); ++i) {
    double x = vals[i];
    if (std::isnan(x) && fill) {
      std::memcpy(out.bytes.data() + i * to.dtype.itemsize, fill->data(), to.dtype.itemsize);
      continue;
    }
    x = (x - ms.offset()) / ms.scale();
    if (to.dtype.is_integer()) x = std::nearbyint(x);
    store_from_double(as, out.bytes.data(), i, x);
  }
  return out;
}

struct Axis {
  std::vector<double> seconds;  // or plain values when not a time axis
  std::optional<TimeUnits> units;
};

Result<Axis> read_axis(DatasetReader& in, const std::string& dim) {
  const Variable* v = in.root().find_var(dim);
  if (!v || v->rank() != 1 || v->dims[0] != dim) return invalid_argument("no coordinate variable \"{}\" to append along", dim);
  Axis a;
  PG_ASSIGN_OR_RETURN(a.seconds, read_coordinate(in, dim));
  if (is_time_variable(*v)) {
    PG_ASSIGN_OR_RETURN(TimeUnits tu, TimeUnits::of(*v));
    for (auto& x : a.seconds) x = tu.to_seconds(x);
    a.units = tu;
  }
  return a;
}

// Checks that `in` has the store's variables, dimensions and types, and the same values
// along every other dimension's coordinate.
Status check_schema(DatasetReader& store, DatasetReader& in, const std::string& dim) {
  const Group& s = store.root();
  const Group& n = in.root();
  if (!s.groups.empty() || !n.groups.empty()) return unsupported("writing into stores with groups (appends, regions, parts): convert them whole");
  for (const auto& v : s.vars) {
    const Variable* w = n.find_var(v.name);
    if (!w) return invalid_argument("the store has a variable \"{}\" that the new data lacks", v.name);
    if (w->dims != v.dims)
      return invalid_argument("variable \"{}\": dimensions ({}) in the store, ({}) in the new data", v.name,
                              fmt::join(v.dims, ", "), fmt::join(w->dims, ", "));
    if (w->dtype != v.dtype)
      return invalid_argument("variable \"{}\": {} in the store, {} in the new data", v.name, v.dtype.numpy_name(),
                              w->dtype.numpy_name());
    for (size_t d = 0; d < v.rank(); ++d)
      if (v.dims[d] != dim && v.shape[d] != w->shape[d])
        return invalid_argument("variable \"{}\": dimension \"{}\" has {} values in the store, {} in the new data", v.name,
                                v.dims[d], v.shape[d], w->shape[d]);
    if (!v.axis(dim) && v.is_dimension_coordinate()) {
      PG_ASSIGN_OR_RETURN(auto a, read_coordinate(store, v.name));
      PG_ASSIGN_OR_RETURN(auto b, read_coordinate(in, v.name));
      for (size_t i = 0; i < a.size(); ++i)
        if (!(a[i] == b[i] || (std::isnan(a[i]) && std::isnan(b[i]))))
          return invalid_argument("coordinate \"{}\" differs at position {}: {} in the store, {} in the new data", v.name, i,
                                  a[i], b[i]);
    }
  }
  for (const auto& w : n.vars)
    if (!s.find_var(w.name)) return invalid_argument("the new data has a variable \"{}\" that the store lacks", w.name);
  return Status::Ok();
}

// Whether the new data along `dim` equals the store's at positions [at, at + count).
Result<bool> already_there(DatasetReader& store, DatasetReader& in, const std::string& dim, uint64_t at) {
  for (const auto& v : store.root().vars) {
    if (!v.axis(dim) || v.name == dim) continue;
    const Variable& w = *in.root().find_var(v.name);
    const size_t d = *v.axis(dim);
    Box sb = Box::whole(v.shape), nb = Box::whole(w.shape);
    sb.start[d] = at;
    sb.count[d] = w.shape[d];
    PG_ASSIGN_OR_RETURN(NdArray a, store.read(v.name, sb));
    PG_ASSIGN_OR_RETURN(NdArray b, in.read(v.name, nb));
    std::vector<double> x, y;
    MaskAndScale(v).decode_all(a, x);
    MaskAndScale(w).decode_all(b, y);
    for (size_t i = 0; i < x.size(); ++i)
      if (!(x[i] == y[i] || (std::isnan(x[i]) && std::isnan(y[i])))) return false;
  }
  return true;
}

// The existing Zarr v2 store at `output`, checked to be one we can write into.
Result<std::unique_ptr<DatasetReader>> open_writable(const std::string& output, const CloudOptions& cloud,
                                                     std::shared_ptr<Store>* store) {
  if (output.empty()) return invalid_argument("no store given (-o PATH)");
  if (output == "-") return unsupported("writing into a store needs a store, not a stream");
  if (auto f = output_format_for(output, ""); f.ok() && *f != OutputFormat::kZarr)
    return unsupported("{}: only Zarr stores can be appended to or written by region", output);
  PG_ASSIGN_OR_RETURN(*store, open_store(output, cloud));
  PG_ASSIGN_OR_RETURN(bool exists, store_holds_dataset(*store));
  if (!exists) return not_found("{}: no Zarr store there to write into", output);
  PG_ASSIGN_OR_RETURN(auto existing, open_store_dataset(*store, output));
  const bool v3 = existing->format_name() == "Zarr v3";
  if (!v3 && existing->format_name() != "Zarr v2")
    return unsupported("{}: writing into {} stores is not supported", output, existing->format_name());
  for (const auto& v : existing->root().vars) {
    if (!v3 && (v.storage.order != 'C' || v.storage.dimension_separator != "."))
      return unsupported("{}: variable \"{}\": writing into F-order or \"/\"-separated arrays", output, v.name);
    if (v3 && v.storage.zarr_chunk_keys != "default/")
      return unsupported("{}: variable \"{}\": writing into arrays with chunk keys other than c/0/0", output, v.name);
  }
  return existing;
}

// One chunk (or shard) to write: a variable and the chunk's box.
struct ChunkTask {
  const Variable* var;
  Box box;
};

// The chunks of the variables along `dim` that positions [start, start + count) touch
// (data variables only: dimension coordinates are left out).
std::vector<ChunkTask> chunks_along(const Group& g, const std::string& dim, uint64_t start, uint64_t count,
                                    bool data_only) {
  std::vector<ChunkTask> tasks;
  for (const auto& v : g.vars) {
    if (!v.axis(dim) || (data_only && v.is_dimension_coordinate())) continue;
    const size_t k = *v.axis(dim);
    Box region = Box::whole(v.shape);
    region.start[k] = start;
    region.count[k] = count;
    ChunkGrid(v.shape, v.storage.chunks.empty() ? v.shape : v.storage.chunks)
        .for_each_chunk_in(region, [&](const Shape&, const Box& chunk, const Box&) { tasks.push_back({&v, chunk}); });
  }
  return tasks;
}

// Every chunk of the data variables (dimension coordinates left out), in variable and
// chunk order.
std::vector<ChunkTask> all_data_chunks(const Group& g) {
  std::vector<ChunkTask> tasks;
  for (const auto& v : g.vars) {
    if (v.is_dimension_coordinate()) continue;
    for (const Box& b : ChunkGrid(v.shape, v.storage.chunks.empty() ? v.shape : v.storage.chunks).boxes()) tasks.push_back({&v, b});
  }
  return tasks;
}

// The store's consolidated metadata as it is now (what readers open first), to tell whether
// another writer changed the store meanwhile.
Result<std::string> metadata_snapshot(Store& store) {
  std::string out;
  for (const char* key : {".zmetadata", "zarr.json", ".zgroup", ".zattrs"}) {
    PG_ASSIGN_OR_RETURN(auto b, store.get(key));
    out += std::string(key) + "=" + (b ? std::string(b->begin(), b->end()) : std::string("-")) + "\n";
  }
  return out;
}

// The writer that writes into `store` as it was written: its Zarr version, and
// consolidated metadata where it has them.
Result<std::unique_ptr<DatasetWriter>> writer_for(const DatasetReader& existing, std::shared_ptr<Store> store,
                                                  std::shared_ptr<Store> target) {
  const bool v3 = existing.format_name() == "Zarr v3";
  bool consolidated = false;
  if (v3) {
    PG_ASSIGN_OR_RETURN(auto root, store->get("zarr.json"));
    consolidated = root && std::string(root->begin(), root->end()).find("\"consolidated_metadata\"") != std::string::npos;
  } else {
    PG_ASSIGN_OR_RETURN(auto z, store->size(".zmetadata"));
    consolidated = z.has_value();
  }
  return make_writer(OutputSpec{OutputFormat::kZarr, v3 ? 3 : 2, consolidated}, std::move(target), "");
}

// `in`'s variable `v` (encoded as the store's `to`), box `src` of it.
Result<NdArray> read_as_store(DatasetReader& in, const Variable& to, const Box& src) {
  const Variable& w = *in.root().find_var(to.name);
  PG_ASSIGN_OR_RETURN(NdArray fresh, in.read(to.name, src));
  return same_encoding(to, w) ? fresh : reencode(fresh, w, to);
}

}  // namespace

namespace {
// [start, stop) of `dim` that the request names, checked against the store's chunks and
// labels and against the inputs.
Result<std::pair<uint64_t, uint64_t>> region_positions(DatasetReader& existing, DatasetReader& in, const RegionRequest& req) {
  const Group& s = existing.root();
  const std::string& dim = req.dim;
  const Dimension* d = s.find_dim(dim);
  if (!d) return invalid_argument("{}: the store has no dimension \"{}\"", req.output, dim);
  // The region: positions when both bounds are integers, else labels.
  const auto is_int = [](const std::string& t) {
    const size_t from = !t.empty() && t[0] == '-' ? 1 : 0;
    return t.size() > from && t.find_first_not_of("0123456789", from) == std::string::npos;
  };
  Selector sel;
  sel.dim = dim;
  sel.kind = Selector::Kind::kSlice;
  sel.start = req.start;
  sel.stop = req.stop;
  SelectOptions so;
  ((is_int(req.start) || req.start.empty()) && (is_int(req.stop) || req.stop.empty()) ? so.isel : so.sel).push_back(sel);
  PG_ASSIGN_OR_RETURN(auto idx, resolve_selection(existing, so));
  const auto& pos = idx[0].index;
  const uint64_t start = pos.front(), stop = pos.back() + 1;
  if (stop - start != pos.size() || pos.back() < pos.front()) return invalid_argument("{}: the region must be increasing", req.output);
  // Chunk-aligned for every variable along dim: no two writers share a chunk.
  for (const auto& v : s.vars) {
    if (!v.axis(dim) || (v.is_dimension_coordinate())) continue;  // coordinates: written by --init
    const size_t k = *v.axis(dim);
    const uint64_t c = std::max<uint64_t>(1, v.storage.chunks.empty() ? v.shape[k] : v.storage.chunks[k]);
    if (start % c != 0 || (stop % c != 0 && stop != d->size))
      return invalid_argument("{}: region {}:{} of \"{}\" is not aligned to the chunks of \"{}\" ({} long); the nearest aligned region is {}:{}",
                              req.output, start, stop, dim, v.name, c, start / c * c, std::min(d->size, (stop + c - 1) / c * c));
  }
  // The inputs hold exactly that region, with the store's labels.
  const Variable* nd = in.root().find_var(dim);
  const uint64_t n = in.root().find_dim(dim) ? in.root().find_dim(dim)->size : 0;
  if (n != stop - start)
    return invalid_argument("{}: region {}:{} has {} positions, the inputs {}", req.output, start, stop, stop - start, n);
  if (nd) {
    PG_ASSIGN_OR_RETURN(Axis a, read_axis(existing, dim));
    PG_ASSIGN_OR_RETURN(Axis b, read_axis(in, dim));
    for (uint64_t i = 0; i < n; ++i)
      if (std::fabs(a.seconds[start + i] - b.seconds[i]) > 1e-6 * std::max(1.0, std::fabs(b.seconds[i])))
        return invalid_argument("{}: the inputs' \"{}\" differs from the store's at region position {}", req.output, dim, i);
  }
  return std::make_pair(start, stop);
}

// Parts leave "<prefix>N.I" when done (".pgparts/" for regions, ".pgparts/DIM=START:STOP/"
// for the parts of one append); parts of another N are an error.
const std::string kPartMarkers = ".pgparts/";

Status check_part_count(Store& store, const std::string& prefix, const std::string& output, const Part& part) {
  PG_ASSIGN_OR_RETURN(auto keys, store.list(prefix));
  for (const auto& k : keys) {
    const std::string name = k.substr(prefix.size());
    if (name.find('/') != std::string::npos) continue;  // another append's parts
    const std::string n = name.substr(0, name.find('.'));
    if (n != std::to_string(part.count))
      return invalid_argument("{}: parts of {} have written to this store (marker {}); this is part {}/{}", output, n, k,
                              part.index, part.count);
  }
  return Status::Ok();
}
}  // namespace

Result<uint64_t> write_region(DatasetReader& in, const RegionRequest& req) {
  std::shared_ptr<Store> store;
  PG_ASSIGN_OR_RETURN(auto existing, open_writable(req.output, req.cloud, &store));
  const Group& s = existing->root();
  PG_RETURN_IF_ERROR(check_schema(*existing, in, req.dim).with_context(req.output));
  uint64_t start = 0, stop = 0;
  if (!req.dim.empty()) {
    PG_ASSIGN_OR_RETURN(auto range, region_positions(*existing, in, req));
    std::tie(start, stop) = range;
  }
  if (req.part) PG_RETURN_IF_ERROR(check_part_count(*store, kPartMarkers, req.output, *req.part));
  // Data variables' chunks only, through a writer whose metadata is never sent.
  auto held = std::make_shared<MetadataLastStore>(store, zarr_write_rank);
  PG_ASSIGN_OR_RETURN(auto writer, writer_for(*existing, store, held));
  PG_RETURN_IF_ERROR(writer->create(s));
  std::vector<ChunkTask> tasks = req.dim.empty() ? all_data_chunks(s) : chunks_along(s, req.dim, start, stop - start, true);
  const auto [first, last] = part_range(tasks.size(), req.part.value_or(Part()));
  tasks = std::vector<ChunkTask>(tasks.begin() + first, tasks.begin() + last);
  auto task = [&](uint64_t i) -> Status {
    const Variable& v = *tasks[i].var;
    Box src = tasks[i].box;
    if (auto k = v.axis(req.dim); k && !req.dim.empty()) src.start[*k] -= start;
    PG_ASSIGN_OR_RETURN(NdArray data, read_as_store(in, v, src));
    return writer->write(v.name, tasks[i].box, data).with_context(req.output);
  };
  auto cost = [&](uint64_t i) { return tasks[i].box.size() * tasks[i].var->dtype.itemsize * 3; };
  PG_RETURN_IF_ERROR(run_tasks(tasks.size(), task, cost, req.exec));
  PG_RETURN_IF_ERROR(in.check_input());
  if (req.part) PG_RETURN_IF_ERROR(store->put(fmt::format("{}{}.{}", kPartMarkers, req.part->count, req.part->index), Bytes()));
  return uint64_t(tasks.size());
}

Result<AppendReport> append_dataset(DatasetReader& in, const AppendRequest& req) {
  AppendReport report;
  const std::string& dim = req.dim;
  if (req.output.empty()) return invalid_argument("no store given (-o PATH)");
  // One appender at a time; the parts of an append laid out already write side by side.
  std::unique_ptr<StoreLock> lock;
  if (!req.part) {
    PG_ASSIGN_OR_RETURN(lock, StoreLock::take(req.output));
  }
  std::shared_ptr<Store> store;
  PG_ASSIGN_OR_RETURN(auto existing, open_writable(req.output, req.cloud, &store));
  PG_ASSIGN_OR_RETURN(std::string snapshot, metadata_snapshot(*store));
  const Group& s = existing->root();
  if (!s.find_dim(dim)) return invalid_argument("{}: the store has no dimension \"{}\"", req.output, dim);
  PG_RETURN_IF_ERROR(check_schema(*existing, in, dim).with_context(req.output));

  // The new labels in the store's units; where they start decides what happens.
  PG_ASSIGN_OR_RETURN(Axis old_axis, read_axis(*existing, dim));
  PG_ASSIGN_OR_RETURN(Axis new_axis, read_axis(in, dim));
  if (bool(old_axis.units) != bool(new_axis.units) ||
      (old_axis.units && old_axis.units->calendar() != new_axis.units->calendar()))
    return invalid_argument("{}: \"{}\" has another calendar or kind in the new data", req.output, dim);
  const auto& olds = old_axis.seconds;
  const auto& news = new_axis.seconds;
  report.new_positions = news.size();
  if (news.empty()) return report;
  for (size_t i = 1; i < news.size(); ++i)
    if (!(news[i] > news[i - 1])) return invalid_argument("\"{}\" does not increase in the new data", dim);
  const auto eq = [](double a, double b) { return std::fabs(a - b) <= 1e-6 * std::max(1.0, std::fabs(a)); };
  // Where the new labels are in the store already, all of them: their first position.
  std::optional<uint64_t> laid_out;
  if (!olds.empty() && news[0] <= olds.back() + 1e-9) {
    auto at = std::find_if(olds.begin(), olds.end(), [&](double x) { return eq(x, news[0]); });
    const uint64_t pos = uint64_t(at - olds.begin());
    bool labels_match = at != olds.end() && pos + news.size() <= olds.size();
    for (size_t i = 0; labels_match && i < news.size(); ++i) labels_match = eq(olds[pos + i], news[i]);
    if (labels_match) laid_out = pos;
  }
  const uint64_t old_len = s.find_dim(dim)->size;
  // The positions the new data takes, the store's length after, and the chunks to write.
  uint64_t lo = old_len, total = old_len + news.size();
  Group grown = s;
  std::vector<ChunkTask> tasks;
  if (req.part) {
    if (!laid_out)
      return invalid_argument("{}: no place in the store for the new data along \"{}\" (lay it out first with --append-dim {} --init)",
                              req.output, dim, dim);
    lo = *laid_out;
    total = old_len;
    const std::string prefix = fmt::format("{}{}={}:{}/", kPartMarkers, dim, lo, lo + news.size());
    PG_RETURN_IF_ERROR(check_part_count(*store, prefix, req.output, *req.part));
    tasks = chunks_along(grown, dim, lo, news.size(), true);
    const auto [first, last] = part_range(tasks.size(), *req.part);
    tasks = std::vector<ChunkTask>(tasks.begin() + first, tasks.begin() + last);
  } else {
    if (laid_out) {
      // A rerun: the same labels already in the store, with the same values, is a no-op
      // (a layout: the same labels).
      bool same = req.layout_only;
      if (!same) {
        PG_ASSIGN_OR_RETURN(same, already_there(*existing, in, dim, *laid_out));
      }
      if (same) {
        report.skipped = true;
        return report;
      }
      return invalid_argument("{}: the new data overlaps the store along \"{}\" with different values", req.output, dim);
    }
    if (!olds.empty() && news[0] <= olds.back() + 1e-9)
      return invalid_argument("{}: the new data starts inside the store's \"{}\" (it must continue after the last value)",
                              req.output, dim);
    if (olds.size() >= 2 && !req.allow_gaps) {
      const double step = olds.back() - olds[olds.size() - 2];
      if (news[0] - olds.back() > 1.5 * step)
        return invalid_argument("{}: a gap along \"{}\" between the store's last value and the new data", req.output, dim);
    }
    // The store's schema, grown along `dim`.
    for (auto& d : grown.dims)
      if (d.name == dim) d.size = total;
    for (auto& v : grown.vars)
      for (size_t d = 0; d < v.rank(); ++d)
        if (v.dims[d] == dim) v.shape[d] = total;
    tasks = chunks_along(grown, dim, old_len, news.size(), false);
    if (req.layout_only)  // the coordinate along dim only: parts write the rest
      tasks.erase(std::remove_if(tasks.begin(), tasks.end(), [](const ChunkTask& t) { return !t.var->is_dimension_coordinate(); }),
                  tasks.end());
  }
  if (req.dry_run) {
    report.appended = news.size();
    return report;
  }
  // Chunks (the one shared with the store's data completed from the store) first, metadata last.
  auto held = std::make_shared<MetadataLastStore>(store, zarr_write_rank);
  PG_ASSIGN_OR_RETURN(auto writer, writer_for(*existing, store, held));
  PG_RETURN_IF_ERROR(writer->create(grown));
  const uint64_t hi = lo + news.size();
  auto task = [&](uint64_t i) -> Status {
    const Variable& v = *tasks[i].var;
    const Box& box = tasks[i].box;
    const size_t d = *v.axis(dim);
    NdArray out(v.dtype, box.count);
    // Positions outside the new data's: the store's own stored values.
    if (box.start[d] < lo || box.start[d] + box.count[d] > hi) {
      Box have = box;
      have.count[d] = std::min(box.start[d] + box.count[d], old_len) - std::min(box.start[d], old_len);
      if (have.count[d] > 0) {
        PG_ASSIGN_OR_RETURN(NdArray old, existing->read(v.name, have));
        copy_region(old, have.start, out, box.start, have);
      }
    }
    // New positions: the time labels in the store's units, values as the store encodes them.
    Box part = box;
    part.start[d] = std::max(box.start[d], lo);
    part.count[d] = std::min(box.start[d] + box.count[d], hi) - part.start[d];
    Box src = part;
    src.start[d] -= lo;
    NdArray fresh;
    if (v.name == dim && old_axis.units) {
      fresh = NdArray(v.dtype, part.count);
      for (uint64_t k = 0; k < part.count[0]; ++k)
        store_from_double(v.dtype, fresh.bytes.data(), k, old_axis.units->from_seconds(news[src.start[0] + k]));
    } else {
      PG_ASSIGN_OR_RETURN(fresh, read_as_store(in, v, src));
    }
    copy_region(fresh, part.start, out, box.start, part);
    return writer->write(v.name, box, out).with_context(req.output);
  };
  auto cost = [&](uint64_t i) { return tasks[i].box.size() * tasks[i].var->dtype.itemsize * 3; };
  PG_RETURN_IF_ERROR(run_tasks(tasks.size(), task, cost, req.exec));
  PG_RETURN_IF_ERROR(in.check_input());
  if (req.part) {  // a part: its chunks, never metadata
    PG_RETURN_IF_ERROR(
        store->put(fmt::format("{}{}={}:{}/{}.{}", kPartMarkers, dim, lo, hi, req.part->count, req.part->index), Bytes()));
    report.appended = tasks.size();
    return report;
  }
  PG_RETURN_IF_ERROR(writer->finish());
  // The store describes the new data only once all of it is there, and only if its
  // metadata is still what this append started from (object stores have no locks).
  PG_ASSIGN_OR_RETURN(std::string now, metadata_snapshot(*store));
  if (now != snapshot) return invalid_argument("{}: the store changed while appending (one writer at a time)", req.output);
  PG_RETURN_IF_ERROR(held->flush());
  report.appended = news.size();
  return report;
}

}  // namespace pangeo
