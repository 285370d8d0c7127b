// Command-line policy shared by every pg-* tool: common options, progress bars, error
// printing and exit codes (0 ok, 1 failure, 2 usage, 130 / 128+signal interrupted).
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <memory>
#include <map>
#include <optional>
#include <string>

#include "pangeo/convert.hpp"
#include "pangeo/executor.hpp"
#include "pangeo/select.hpp"
#include "pangeo/status.hpp"
#include "pangeo/store.hpp"
#include "specs.hpp"

namespace pgtool {

struct CommonOptions {
  std::string output;
  bool overwrite = false;
  unsigned threads = 0;
  std::optional<uint64_t> memory;  // --memory, bytes (0: unlimited); unset: default_memory_budget()
  std::string scratch;             // --scratch: where intermediate copies go
  bool quiet = false;
  bool progress = false, no_progress = false;
  bool json = false;
  std::vector<std::string> vars, drop;
  pangeo::CloudOptions cloud;  // --profile, --endpoint-url, --region, --anon
  std::optional<pangeo::Selector> zarr_region;  // pg-convert --region DIM=START:STOP
};

enum CommonFlags : unsigned {
  kOutput = 1, kOverwrite = 2, kThreads = 4, kMemory = 8, kQuiet = 16, kProgress = 32, kJson = 64, kVars = 128,
  kRemote = 256,
};

// Adds the options named by `flags` to `app`.
void add_common_options(CLI::App& app, CommonOptions& o, unsigned flags);

// Builds the executor options (threads, memory budget, progress bar).
pangeo::Result<pangeo::ExecOptions> exec_options(const CommonOptions& o, const std::string& label);

// Runs a tool: parses the command line (usage errors exit 2), installs the signal
// handlers, calls `body`, prints a failed Status as "pg-TOOL: error: ..." and maps it to
// the exit code. Under an MPI launcher, a tool that does not split its work over the
// ranks (`splits_under_mpi` false, or a build without MPI) runs on rank 0 alone: the
// other ranks leave at once, successfully, so the job does what one process does, once;
// unless the command names its own part (--part I/N or auto), which every rank runs.
int run_tool(const std::string& tool, CLI::App& app, int argc, char** argv, const std::function<pangeo::Status()>& body,
             bool splits_under_mpi = false);

// Adds the options every tool that writes a dataset shares: --format, --compressor, --chunks.
struct OutputOptions {
  std::string format;                       // "" (from the name), zarr, netcdf4, netcdf3
  std::optional<pangeo::Json> compressor;   // unset: the default
  std::map<std::string, int64_t> chunks;
  bool layout_only = false;                 // --init: metadata and coordinates only
};
void add_output_options(CLI::App& app, OutputOptions& o);

// Fills a conversion request's inputs and common options (output, -O, cloud, -v/--drop).
void apply_common(pangeo::ConvertRequest& req, const std::vector<std::string>& inputs, const CommonOptions& common);

// pg-convert --append-dim: appends the request's inputs to the store it names and reports
// what happened (--json: {"appended": N, "skipped": BOOL}).
// With req.options.layout_only (--init) the store is grown for the inputs without their data,
// which `part` runs then write.
pangeo::Status run_append(const pangeo::ConvertRequest& req, const std::string& dim, bool allow_gaps,
                          const CommonOptions& common, const std::optional<pangeo::Part>& part = std::nullopt);

// pg-convert --region: writes the request's inputs into that region of the store.
// With `part`, only that part of the region's chunks; an empty region.dim: the whole store.
pangeo::Status run_region(const pangeo::ConvertRequest& req, const pangeo::Selector& region, const CommonOptions& common,
                          const std::optional<pangeo::Part>& part = std::nullopt);
// The same for a dataset already open (a selection of the inputs).
pangeo::Status write_region_of(pangeo::DatasetReader& in, const std::string& output, const pangeo::Selector& region,
                               const CommonOptions& common, const pangeo::ExecOptions& exec,
                               const std::optional<pangeo::Part>& part);

// Writes `result` to common.output (atomically, format from the name or --format).
pangeo::Status write_result(pangeo::DatasetReader& result, const std::vector<std::string>& inputs,
                            const CommonOptions& common, const OutputOptions& out, const pangeo::ExecOptions& exec);

// What writing `common.output` would refuse (it exists, it is an input, its directory is
// missing...), checked before the work that precedes the write (a reduction is computed
// whole before it is written).
pangeo::Status check_output(const std::vector<std::string>& inputs, const CommonOptions& common, const OutputOptions& out);

// --part and --merge (pg-reduce, pg-groupby).
struct PartitionOptions {
  std::optional<pangeo::Part> part;
  bool merge = false;
  CLI::Option* part_option = nullptr;
  CLI::Option* merge_option = nullptr;
};
void add_partition_options(CLI::App& app, PartitionOptions& p);
// --merge: the partial results of `command` ("reduce", "groupby") given as INPUT, merged
// and written to -o as the one-process run would write it. `decided`: the options that
// the partial results decide (a usage error when given).
pangeo::Status run_merge(const std::string& command, const std::vector<std::string>& partials, const CommonOptions& common,
                         const OutputOptions& out, const std::vector<const CLI::Option*>& decided);

// Under an MPI launcher (mpirun -n N, built with MPI): each rank computes part rank/N of
// `command` with `part_run` into memory, the parts meet at rank 0 over MPI, and rank 0
// merges them and writes -o, once. Every rank returns the job's outcome.
bool under_mpi();
pangeo::Status run_mpi_parts(const std::vector<std::string>& inputs, const CommonOptions& common, const OutputOptions& out,
                             const std::function<pangeo::Status(const pangeo::PartRequest&)>& part_run);

// pg-convert under an MPI launcher, to a local Zarr store: rank 0 lays the store out in a
// hidden sibling of -o, every rank writes its part of the chunks, and rank 0 renames it
// into place once all are done.
pangeo::Status run_mpi_convert(const pangeo::ConvertRequest& req, const CommonOptions& common);

// A usage error found after parsing (options that go together, or neither given): exits 2
// with the usage hint, as CLI11's own errors do. Declared to return a Status so that a
// tool's body can `return usage_error(...)`; it throws.
pangeo::Status usage_error(const std::string& message);
// Throws the usage error "NAME: message" when `s` is not ok (for option callbacks).
void check_usage(const std::string& name, const pangeo::Status& s);

// --isel, --sel, --method, --tolerance (pg-select, pg-plot).
struct SelectionOptions {
  pangeo::SelectOptions sel;
  std::string method;
  double tolerance = 0;
  CLI::Option* tolerance_option = nullptr;
};
void add_selection_options(CLI::App& app, SelectionOptions& o);
// `in` with the selection applied (a lazy view).
pangeo::Result<std::shared_ptr<pangeo::DatasetReader>> apply_selection(std::shared_ptr<pangeo::DatasetReader> in,
                                                                        SelectionOptions& o);

// Writes one whole output (a picture) to `output`: "-" is stdout, else a file (atomically)
// or an object URL; never one of `inputs`.
pangeo::Status write_bytes(const std::string& output, const pangeo::Bytes& data, const CommonOptions& common,
                           const std::vector<std::string>& inputs);

// Writes to stdout; a closed pipe is not an error worth a message.
void print_out(const std::string& text);

}  // namespace pgtool
