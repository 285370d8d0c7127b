// Partitioned reductions: a part run computes its share of a reduction's batches (or of
// its exact blocks) and writes them to a partial store; a merge run combines what the
// parts wrote so that the result is bit for bit the one-process result whatever the
// number of parts.
//
// Batch results combine along a fixed binary tree over the batches (node [lo, hi) has the
// children [lo, mid) and [mid, hi), mid = lo + (hi - lo) / 2), in one process as across
// parts; a part writes the largest nodes that lie within its share of the batches (at
// most about 2 log2 N of them, however many batches it computed), and the merge combines
// those up to the root.
//
// A partial store (a directory or an object-store prefix): "pgpartial.json" (written last,
// so a part that stopped early has none: the format, the command and the part), and per
// node "VAR/b/LO-HI/region.json" with one object per accumulator field ("VAR/b/LO-HI/sum",
// ... float64, blosc lz4), per exact block "VAR/x/K" (the block's results). Which part
// holds batch K of N follows from part_range, as the part runs split them.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "accumulator.hpp"
#include "pangeo/info.hpp"
#include "pangeo/partition.hpp"
#include "pangeo/store.hpp"

namespace pangeo {

// A count or position stored as a double in a partial result, when it is a whole number
// in [0, limit] (partial results are read from outside, so nothing else is trusted).
std::optional<uint64_t> stored_index(double x, uint64_t limit);

class PartialStore {
 public:
  // Writing: part `part` of the command `signature` into `store`.
  PartialStore(std::shared_ptr<Store> store, Part part, Json signature);
  // Merging: every part's store, checked to be parts 0..N-1 of one command, once each.
  static Result<std::unique_ptr<PartialStore>> open_all(const std::vector<std::string>& locations, const CloudOptions& cloud);
  static Result<std::unique_ptr<PartialStore>> open_stores(const std::vector<std::shared_ptr<Store>>& stores,
                                                            const std::vector<std::string>& names);

  bool merging() const { return merging_; }
  const Part& part() const { return part_; }
  const Json& signature() const { return signature_; }

  // Writes the combined result of batches [lo, hi) (covering `region` of the output).
  Status put_node(const std::string& path, uint64_t lo, uint64_t hi, const Box& region, const Accumulator& acc);
  // Merges: true when one part computed all of batches [lo, hi) of `nbatch`.
  bool holds(uint64_t lo, uint64_t hi, uint64_t nbatch) const;
  // Merges: reads node [lo, hi) of `nbatch` into `acc` (every field `op` needs is
  // overwritten) and returns the region of output cells it covers.
  Result<Box> get_node(const std::string& path, uint64_t lo, uint64_t hi, uint64_t nbatch, const OpSpec& op, bool weighted,
                       Accumulator& acc);
  Status put_block(const std::string& path, uint64_t block, const std::vector<double>& values);
  // Merges: every part's blocks of the variable.
  Result<std::vector<std::vector<double>>> all_blocks(const std::string& path);
  // Writes pgpartial.json (part runs).
  Status finish();

 private:
  PartialStore() = default;
  // The store of the part that holds item k of n.
  Store* holder(uint64_t k, uint64_t n) const;

  bool merging_ = false;
  Part part_;
  Json signature_;
  std::shared_ptr<Store> store_;  // part runs
  std::vector<std::shared_ptr<Store>> parts_;  // merges: part i's store
  std::vector<std::string> locations_;
};

// compute_stats with partial results: with `partial` writing, the part's share of the
// chunks' statistics go to it (and nothing is returned); merging, they come from it.
Result<std::vector<VarStats>> stats_in_parts(DatasetReader& in, const ExecOptions& exec, PartialStore* partial);

}  // namespace pangeo
