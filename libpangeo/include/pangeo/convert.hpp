// Format conversion: netCDF <-> Zarr, rechunking and recompressing, chunk-parallel.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "pangeo/executor.hpp"
#include "pangeo/format.hpp"
#include "pangeo/partition.hpp"
#include "pangeo/rechunk.hpp"

namespace pangeo {

struct ConvertOptions {
  std::map<std::string, int64_t> chunks;  // dimension -> chunk length (-1: whole dimension)
  std::optional<Json> compressor;         // numcodecs config, null for none; unset: default
  std::vector<std::string> keep_vars;     // -v: these and the coordinates they need
  std::vector<std::string> drop_vars;     // --drop
  bool consolidated = true;
  bool stream_output = false;  // writing the pipe format: chunks uncompressed by default
  int zarr_format = 2;         // 2 or 3
  std::map<std::string, int64_t> shards;  // Zarr v3: dimension -> shard length (a multiple of the chunk)
  bool layout_only = false;  // metadata and coordinates only, no data variables' chunks
                             // (xarray's to_zarr(compute=False)); regions fill them later
  ExecOptions exec;
  // One of several processes writing one object-store output together (mpirun): this one
  // writes part `share` of the data variables' write tasks (part 0: the coordinates too),
  // and `agree` (every process's status in, the first failure out) runs after the output
  // was checked (and, with -O, cleared by part 0) and again after the chunks; part 0 then
  // writes the metadata, so the store appears once, complete.
  std::optional<Part> share;
  std::function<Status(const Status&)> agree;
};

// The plan: what will be written, for --dry-run and progress.
struct ConvertPlan {
  Group schema;  // output groups/variables with their output storage encodings
  struct Task {
    std::string path;  // variable path
    Box box;           // region of the variable read at once
    uint64_t bytes;    // uncompressed bytes
    // Output chunks written from it when the box is a slab of several (read once where
    // the output chunks cut across the input's, e.g. rechunking to time series); empty:
    // the box is one output chunk.
    std::vector<Box> writes;
    uint64_t cost = 0;  // bytes held while it runs
  };
  std::vector<Task> tasks;
  // Each variable's slabs; those rechunked in two stages are copied first to an
  // intermediate store (stage 1), and the tasks then read them from there.
  std::map<std::string, RechunkPlan> rechunk;
  uint64_t total_bytes = 0;
  uint64_t peak_memory = 0;  // estimated bytes in flight
};


// `chunks` for a derived variable (a selection, an anomaly), unless they would be tiny
// (under 1 MiB and not the whole variable), where default_chunks serves better.
Shape derived_chunks(const Variable& v, const Shape& chunks);

// Plans a conversion of `in` to `format`.
Result<ConvertPlan> plan_convert(const DatasetReader& in, OutputFormat format, const ConvertOptions& options);
// Writes the plan with `writer` (already pointing at the temporary output).
Status run_convert(DatasetReader& in, const ConvertPlan& plan, DatasetWriter& writer, const ConvertOptions& options);

// Variables to keep, given -v/--drop: unknown names are an error.
Result<Group> select_variables(const Group& root, const std::vector<std::string>& keep,
                               const std::vector<std::string>& drop);

// The whole conversion: opens the inputs, plans, writes to a temporary sibling of
// `output` and renames it into place. With `dry_run` only the plan is made.
struct ConvertRequest {
  std::vector<std::string> inputs;
  std::string output;
  std::string format;  // "" (from the output name), zarr, netcdf4, netcdf3
  bool overwrite = false;
  bool dry_run = false;
  ConvertOptions options;
  CloudOptions cloud;  // remote inputs and outputs
};
Result<ConvertPlan> convert_dataset(const ConvertRequest& request);
// What write_dataset would refuse about request.output, checked before any work: no output,
// an unknown format, the output is an input, it exists (without overwrite), its directory
// is missing, an object store holding objects.
Status check_output(const ConvertRequest& request);
// The second half of convert_dataset: writes an opened (or derived) dataset to
// request.output; request.inputs are only checked against the output path.
Result<ConvertPlan> write_dataset(DatasetReader& in, const ConvertRequest& request);
// Appending to an existing Zarr store (v2, or v3 with default chunk keys) along a dimension (xarray's to_zarr(append_dim=)).
// The inputs must have the store's variables, dimensions and types and the same values
// along every other coordinate; they are encoded as the store encodes its data (time
// labels re-expressed in the store's units, packing and fill values as the store's), must
// continue the store's axis (no gap unless allowed), and are written chunks first and
// metadata last: a store stopped at any moment opens as its previous complete version.
// Data already in the store with the same values is a no-op (a rerun), reported as
// skipped; an overlap with other values is an error. Local stores are locked while
// appending; object stores assume one writer and check the metadata before the last write.
struct AppendRequest {
  std::string output;   // the store
  std::string dim;      // the dimension to grow
  bool allow_gaps = false;
  bool dry_run = false;
  // Appends in parts: `layout_only` grows the store's metadata and its coordinate along
  // `dim` for the new data (no data chunks; a rerun is a no-op); then each `part` writes its
  // share of the new data's chunks into the grown store (without the lock, several at once;
  // the chunk the old and the new data share keeps the store's values for the old
  // positions). Each part leaves the marker ".pgparts/DIM=START:STOP/N.I".
  bool layout_only = false;
  std::optional<Part> part;
  CloudOptions cloud;
  ExecOptions exec;
};
// Writing one region of an existing Zarr store (v2, or v3 with default chunk keys) (xarray's to_zarr(region=...)): the
// inputs hold the store's variables for positions [start, stop) of `dim`, which must be
// chunk-aligned (or end at the dimension's end) for every variable; only data variables'
// chunks are written, never metadata, so several writers may fill disjoint regions at
// once. `start`/`stop` are positions when both are integers, else labels (inclusive, as
// pg-select --sel). The inputs' labels must equal the store's there.
// With an empty `dim`, the region is the whole store (the inputs hold all of it). With a
// `part` I/N, only that part of the region's chunks is written (a contiguous share, in
// variable and chunk order), so that N processes or machines fill a store laid out once
// with layout_only; each part leaves a marker ".pgparts/N.I" in the store when done, and a
// part of another N than the markers there is an error.
struct RegionRequest {
  std::string output;
  std::string dim, start, stop;
  std::optional<Part> part;
  CloudOptions cloud;
  ExecOptions exec;
};
// The number of chunks written.
Result<uint64_t> write_region(DatasetReader& in, const RegionRequest& request);

struct AppendReport {
  uint64_t new_positions = 0;  // along dim, in the inputs
  uint64_t appended = 0;       // positions added (0 when skipped)
  bool skipped = false;        // everything was there already
};
Result<AppendReport> append_dataset(DatasetReader& in, const AppendRequest& request);

// The plan as text (--dry-run) or JSON.
std::string format_plan(const ConvertPlan& plan, bool json);

}  // namespace pangeo
