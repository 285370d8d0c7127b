// Rechunking within a memory budget (the rechunker algorithm of Abernathey et al.): a
// variable goes from the input's read units to the output's write units either in one
// stage, through slabs that hold whole read units and whole write units, or, when no such
// slab fits the budget, in two: source -> intermediate copy (slabs of whole read units)
// -> target (slabs of whole write units), so that every input byte is read once and every
// output chunk written once.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "pangeo/executor.hpp"
#include "pangeo/format.hpp"

namespace pangeo {

struct RechunkLayout {
  Shape shape;
  Shape source;           // the input's read unit (read_chunks)
  bool in_place = false;  // reading part of a read unit costs its share (reads_in_place)
  Shape target;           // the output's write unit: a chunk, or a shard
  uint64_t item = 1;      // bytes per element
};

struct RechunkPlan {
  Shape read;          // slabs read from the input (stage 1's, with an intermediate)
  Shape intermediate;  // chunks of the intermediate copy; empty: one stage
  Shape write;         // slabs written out (in stage 2 read from the intermediate)
  uint64_t task_bytes = 0;  // the most one task holds: its slab and a write unit being encoded
  double read_factor = 1;   // times each input byte is read (1 when slabs hold whole read units)
  bool staged() const { return !intermediate.empty(); }
};

// Slabs larger than this gain nothing and cost parallelism.
constexpr uint64_t kSlabTarget = 32ull << 20;

// The bytes one task may hold: its share of `memory_budget` (0: unlimited) among `threads`.
uint64_t task_budget(uint64_t memory_budget, unsigned threads);

// What a task holds that reads `slab` and encodes write units of `unit`: the slab, the
// copies of its write units (or, for a slab that is one unit, a padded copy), and one
// unit's encoded bytes.
uint64_t slab_cost(const Shape& slab, const Shape& unit, uint64_t item);

// Grows `slab` along the dimensions where it is shorter than `toward` (last first), in
// multiples of `step`, up to `toward` rounded up to a step (and the array's `shape`),
// while cost(slab) <= cap; cost must be affine in each dimension's length.
Shape grow_slab(Shape slab, const Shape& toward, const Shape& step, const Shape& shape, uint64_t cap,
                const std::function<uint64_t(const Shape&)>& cost);

// Plans the copy of one variable within `budget` bytes per task, on `threads` threads;
// `may_stage`: an intermediate copy is allowed (fixed-size types).
RechunkPlan plan_rechunk(const RechunkLayout& layout, uint64_t budget, unsigned threads, bool may_stage);

// A two-stage plan whose stage-2 slabs are `write` (a whole number of layout.target
// units, or whole dimensions): stage 1 reads whole source units, grown within `budget`.
RechunkPlan plan_staging(const RechunkLayout& layout, const Shape& write, uint64_t budget);

// Whether slabs of `slab` hold whole read units of `source` (or whole dimensions).
bool holds_whole_units(const Shape& shape, const Shape& slab, const Shape& source);

// Stage 1: copies each variable of `plans` (path -> staged plan) from `in` into an
// intermediate Zarr store under exec.scratch (a directory or a store URL; $TMPDIR, else
// /tmp, when empty), reading the plan's slabs and writing its intermediate chunks. The
// reader returned reads those variables from the copy and the others from `in`; the copy
// is removed when the reader is destroyed.
Result<std::unique_ptr<DatasetReader>> stage_variables(DatasetReader& in, const std::map<std::string, RechunkPlan>& plans,
                                                       const ExecOptions& exec);
// The intermediate copy's compressor: blosc lz4 at its fastest, which costs less CPU than
// the kernel spends writing and reading the raw bytes through the page cache (it skips
// what does not compress); in object storage (`remote`) with shuffle, for fewer bytes
// to move.
Json intermediate_compressor(bool remote);

}  // namespace pangeo
