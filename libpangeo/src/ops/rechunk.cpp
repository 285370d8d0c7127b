// The rechunk planner (slabs and stages from the memory budget) and stage 1, the copy
// into an intermediate store.
#include "pangeo/rechunk.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <numeric>
#include <random>
#include <set>

#include "pangeo/convert.hpp"
#include "pangeo/grid.hpp"

namespace pangeo {

uint64_t task_budget(uint64_t memory_budget, unsigned threads) {
  if (!memory_budget) return 4 * kSlabTarget;
  return std::max<uint64_t>(memory_budget / std::max(1u, threads), 1);
}

uint64_t slab_cost(const Shape& slab, const Shape& unit, uint64_t item) {
  const uint64_t s = element_count(slab) * item, u = element_count(unit) * item;
  return s + std::max(s, u) + u;
}

bool holds_whole_units(const Shape& shape, const Shape& slab, const Shape& source) {
  for (size_t d = 0; d < shape.size(); ++d)
    if (slab[d] < shape[d] && slab[d] % std::max<uint64_t>(source[d], 1) != 0) return false;
  return true;
}

namespace {

Shape clipped(const Shape& s, const Shape& shape) {
  Shape out(shape.size(), 1);
  for (size_t d = 0; d < shape.size() && d < s.size(); ++d) out[d] = std::clamp<uint64_t>(s[d], 1, std::max<uint64_t>(shape[d], 1));
  return out;
}

uint64_t round_up(uint64_t n, uint64_t step) { return (n + step - 1) / step * step; }

}  // namespace

Shape grow_slab(Shape slab, const Shape& toward, const Shape& step, const Shape& shape, uint64_t cap,
                const std::function<uint64_t(const Shape&)>& cost) {
  for (size_t d = slab.size(); d-- > 0;) {
    if (slab[d] >= toward[d]) continue;
    const uint64_t limit = std::min(shape[d], round_up(toward[d], step[d]));
    // cost is affine in slab[d] from one step on: find the largest multiple of step that fits.
    Shape probe = slab;
    probe[d] = step[d];
    const uint64_t one = cost(probe);
    probe[d] = 2 * step[d];
    const uint64_t two = cost(probe);
    if (one > cap || two <= one) continue;
    uint64_t steps = (cap - one) / (two - one) + 1;
    if (steps * step[d] < limit) {  // as few slabs, of even lengths
      const uint64_t total = (limit + step[d] - 1) / step[d], slabs = (total + steps - 1) / steps;
      steps = (total + slabs - 1) / slabs;
    }
    slab[d] = std::max(slab[d], std::min(limit, steps * step[d]));
    if (slab[d] < limit) break;  // no room left for the dimensions before
  }
  return slab;
}

namespace {

// The intermediate chunk: whole along dimensions where both slabs are, else a length
// that tiles both the stage-1 and the stage-2 slabs.
Shape intermediate_of(const Shape& read, const Shape& write, const Shape& shape) {
  Shape out(shape.size());
  for (size_t d = 0; d < shape.size(); ++d) {
    const bool r = read[d] >= shape[d], w = write[d] >= shape[d];
    out[d] = r && w ? shape[d] : r ? write[d] : w ? read[d] : std::gcd(read[d], write[d]);
  }
  return out;
}

double read_factor(const Shape& slab, const Shape& source, const Shape& shape) {
  double f = 1;
  for (size_t d = 0; d < shape.size(); ++d)
    if (slab[d] < shape[d] && slab[d] % source[d] != 0)
      f *= double(source[d] + slab[d] - std::gcd(source[d], slab[d])) / double(slab[d]);
  return f;
}

}  // namespace

RechunkPlan plan_staging(const RechunkLayout& l, const Shape& write, uint64_t budget) {
  const Shape S = clipped(l.source, l.shape), W = clipped(write, l.shape), T = clipped(l.target, l.shape);
  RechunkPlan p;
  p.write = W;
  // Stage 1 reads whole source units, grown toward the write slab so that the
  // intermediate chunks are not tiny.
  const uint64_t cap = std::min(budget, kSlabTarget);
  auto cost = [&](const Shape& r) { return slab_cost(r, intermediate_of(r, W, l.shape), l.item); };
  p.read = grow_slab(S, W, S, l.shape, cap, cost);
  p.intermediate = intermediate_of(p.read, W, l.shape);
  p.task_bytes = std::max(cost(p.read), slab_cost(W, T, l.item));
  return p;
}

RechunkPlan plan_rechunk(const RechunkLayout& l, uint64_t budget, unsigned threads, bool may_stage) {
  const Shape S = clipped(l.source, l.shape), T = clipped(l.target, l.shape);
  auto cost = [&](const Shape& s) { return slab_cost(s, T, l.item); };
  const uint64_t cap = std::min(budget, kSlabTarget);
  RechunkPlan one;
  // Output chunks grown toward the input's read unit: whole read units where they fit.
  one.read = one.write = grow_slab(T, S, T, l.shape, std::max(cap, cost(T)), cost);
  one.task_bytes = cost(one.write);
  one.read_factor = l.in_place ? 1 : read_factor(one.read, S, l.shape);
  if (one.read_factor <= 1) return one;
  // Slabs holding whole units of both grids.
  Shape aligned(l.shape.size());
  for (size_t d = 0; d < aligned.size(); ++d) aligned[d] = std::min(l.shape[d], std::lcm(S[d], T[d]));
  const uint64_t slabs = ChunkGrid(l.shape, aligned).num_chunks();
  const uint64_t total = element_count(l.shape) * l.item;
  if (cost(aligned) <= budget && (slabs >= 2 * uint64_t(threads) || total <= kSlabTarget)) {
    RechunkPlan a;
    a.read = a.write = aligned;
    a.task_bytes = cost(aligned);
    return a;
  }
  // Reading each input byte twice costs less than an intermediate copy.
  if (!may_stage || one.read_factor <= 2) return one;
  return plan_staging(l, one.write, budget);
}

namespace {

// The intermediate copy, removed when the last user goes (a local one with its file).
struct Scratch {
  std::shared_ptr<Store> store;
  bool remote = false;
  ~Scratch() {
    if (remote && store) (void)clear_store(*store);
  }
};

class StagedReader final : public DatasetReader {
 public:
  StagedReader(DatasetReader& in, std::shared_ptr<Scratch> scratch, std::unique_ptr<DatasetReader> staged,
               std::set<std::string> paths)
      : in_(in), scratch_(std::move(scratch)), staged_(std::move(staged)), paths_(std::move(paths)) {}
  const Group& root() const override { return in_.root(); }
  std::string format_name() const override { return in_.format_name(); }
  std::string location() const override { return in_.location(); }
  Shape read_chunks(const std::string& path) const override {
    return paths_.count(path) ? staged_->read_chunks(path) : in_.read_chunks(path);
  }
  bool reads_in_place(const std::string& path) const override { return !paths_.count(path) && in_.reads_in_place(path); }
  Status check_input() override { return in_.check_input(); }
  Result<NdArray> read(const std::string& path, const Box& box) override {
    return paths_.count(path) ? staged_->read(path, box) : in_.read(path, box);
  }
  Status read_pieces(const std::string& path, const Box& box, const PieceSink& sink) override {
    return paths_.count(path) ? staged_->read_pieces(path, box, sink) : in_.read_pieces(path, box, sink);
  }

 private:
  DatasetReader& in_;
  std::shared_ptr<Scratch> scratch_;  // outlives staged_
  std::unique_ptr<DatasetReader> staged_;
  std::set<std::string> paths_;
};

// Keeps the staged variables of `g` (and their dimensions), without attributes.
void keep_staged(Group& g, const std::string& prefix, const std::map<std::string, RechunkPlan>& plans, const Json& compressor) {
  g.attrs = Attributes();
  std::vector<Variable> vars;
  for (auto& v : g.vars) {
    auto it = plans.find(prefix + v.name);
    if (it == plans.end()) continue;
    v.attrs = Attributes();
    StorageEncoding enc;
    enc.chunks = it->second.intermediate;
    enc.compressor = compressor;
    v.storage = enc;
    vars.push_back(std::move(v));
  }
  g.vars = std::move(vars);
  for (auto& sub : g.groups) keep_staged(sub, prefix + sub.name + "/", plans, compressor);
}

std::string unique_name() {
  std::random_device rd;
  return fmt::format("pg-scratch-{}-{:08x}", ::getpid(), rd());
}

}  // namespace

Json intermediate_compressor(bool remote) {
  return Json{{"id", "blosc"}, {"cname", "lz4"}, {"clevel", 1}, {"shuffle", remote ? 1 : 0}, {"blocksize", 0}};
}

Result<std::unique_ptr<DatasetReader>> stage_variables(DatasetReader& in, const std::map<std::string, RechunkPlan>& plans,
                                                       const ExecOptions& exec) {
  auto scratch = std::make_shared<Scratch>();  // removes the copy on every way out
  std::string where = exec.scratch;
  if (where.find("://") != std::string::npos && where.rfind("file://", 0) != 0) {
    while (!where.empty() && where.back() == '/') where.pop_back();
    PG_ASSIGN_OR_RETURN(scratch->store, open_store(where + "/" + unique_name(), exec.scratch_cloud));
    scratch->remote = true;
  } else {
    if (where.rfind("file://", 0) == 0) where = where.substr(7);
    if (where.empty()) {
      const char* t = std::getenv("TMPDIR");
      where = t && *t ? t : "/tmp";
    }
    std::error_code ec;
    if (!std::filesystem::is_directory(where, ec))
      return not_found("{}: no such directory for intermediate copies", where);
    // A file per writing thread (removed with the store): creating thousands of chunk
    // files costs more than writing them.
    auto file = ScratchFileStore::create(std::filesystem::path(where) / unique_name());
    if (!file.ok()) return file.status().with_context("intermediate copy");
    scratch->store = *file;
  }
  ConvertPlan copy;
  copy.schema = in.root();
  keep_staged(copy.schema, "", plans, intermediate_compressor(scratch->remote));
  for (const auto& ref : all_variables(copy.schema)) {
    const RechunkPlan& p = plans.at(ref.path);
    const Variable& v = *ref.var;
    const ChunkGrid inter(v.shape, p.intermediate);
    for (const Box& b : ChunkGrid(v.shape, p.read).boxes()) {
      ConvertPlan::Task t{ref.path, b, b.size() * v.dtype.itemsize, {}, slab_cost(p.read, p.intermediate, v.dtype.itemsize)};
      if (p.read != p.intermediate) inter.for_each_chunk_in(b, [&](const Shape&, const Box& c, const Box&) { t.writes.push_back(c); });
      copy.total_bytes += t.bytes;
      copy.tasks.push_back(std::move(t));
    }
  }
  auto writer = make_zarr_writer(scratch->store, false);
  ConvertOptions opt;
  opt.exec = exec;
  PG_RETURN_IF_ERROR(run_convert(in, copy, *writer, opt).with_context("intermediate copy"));
  writer.reset();
  PG_ASSIGN_OR_RETURN(auto reader, open_store_dataset(scratch->store, "", scratch->store->describe()));
  std::set<std::string> paths;
  for (const auto& [path, p] : plans) paths.insert(path);
  return std::unique_ptr<DatasetReader>(new StagedReader(in, std::move(scratch), std::move(reader), std::move(paths)));
}

}  // namespace pangeo
