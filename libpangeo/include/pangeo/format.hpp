// Formats: netCDF-3, netCDF-4 (via netCDF-C/HDF5), Zarr v2 and Zarr v3 behind one reader
// and one writer interface, chosen from one table (format/builtin_formats.cpp). Readers
// hand out *stored* values; CF decoding is cf.hpp's job.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "pangeo/dataset.hpp"
#include "pangeo/store.hpp"

namespace pangeo {

// A variable's path from the root group: "sst" or "ocean/temp".
struct VarRef {
  const Group* group = nullptr;
  const Variable* var = nullptr;
  std::string path;
};
// Looks up "a/b/name" under `root`.
Result<VarRef> find_variable(const Group& root, const std::string& path);
// The default chunk shape for a variable without one: whole trailing dimensions and as
// much of the leading ones as fits about 4 MiB.
Shape default_chunks(const Variable& v);

// Every variable of `root` and its subgroups, depth first, in order.
std::vector<VarRef> all_variables(const Group& root);

// The dataset's coordinates as xarray decodes them, as paths: dimension coordinates and
// every name a "coordinates" attribute lists, of a variable or of its group (the older
// global form), taken in that variable's group. Names of no variable are left out.
std::set<std::string> coordinate_paths(const Group& root);

// Object-level facts about a store (pg-info --stats).
struct StoreStats {
  uint64_t objects = 0;       // keys in the store
  uint64_t stored_bytes = 0;  // bytes of all chunk objects
  uint64_t raw_bytes = 0;     // bytes of all chunks once decoded (nominal, full chunks)
  uint64_t chunks_expected = 0;
  uint64_t chunks_missing = 0;
};

class DatasetReader {
 public:
  virtual ~DatasetReader() = default;
  virtual const Group& root() const = 0;
  // "netCDF-4", "netCDF-3 classic", "netCDF-3 64-bit offset", "netCDF-3 CDF5", "Zarr v2" ...
  virtual std::string format_name() const = 0;
  virtual std::string location() const = 0;
  // Stored values of the variable at `path` within `box`, C order, native byte order.
  // Safe to call from several threads at once.
  virtual Result<NdArray> read(const std::string& path, const Box& box) = 0;
  // The same values piece by piece: sink(piece, origin, part) for pieces that together
  // cover `box` once, each an array placed at `origin` of which `part` (within `box`) is
  // to be taken; the piece lives only during the call. Chunked formats hand over their
  // chunks as they are decoded (while they are in the cache, with no array of the whole
  // box); by default, read() gives one piece.
  using PieceSink = std::function<void(const NdArray& piece, const Shape& origin, const Box& part)>;
  virtual Status read_pieces(const std::string& path, const Box& box, const PieceSink& sink);
  // The variable's natural read unit (its chunk shape, or a row-sized slab).
  virtual Shape read_chunks(const std::string& path) const;
  // Whether reading part of a read unit costs only that part (uncompressed storage read
  // in place), so that planners need no slabs aligned with read_chunks().
  virtual bool reads_in_place(const std::string& path) const { (void)path; return false; }
  // Store-level statistics, for formats that have them (Zarr); nullopt otherwise.
  virtual Result<std::optional<StoreStats>> store_stats() { return std::optional<StoreStats>(); }
  // Confirms the input was whole (a stream reached its end-of-archive); call before
  // committing any output made from it.
  virtual Status check_input() { return Status::Ok(); }
};

// Opens a dataset, finding its format from the content: netCDF-3/4 files, Zarr v2 and v3
// stores in a directory or at a URL (s3://, gs://, http(s)://, file://).
Result<std::unique_ptr<DatasetReader>> open_dataset(const std::string& location, const CloudOptions& cloud = {});
// Opens the Zarr dataset (either version) held in `store`; `name` names a bare array,
// `location` (default: `name`) the messages.
Result<std::unique_ptr<DatasetReader>> open_store_dataset(std::shared_ptr<Store> store, const std::string& name,
                                                          const std::string& location = "");
// Whether `store` holds a dataset of a format we read (its metadata keys are there).
Result<bool> store_holds_dataset(std::shared_ptr<Store> store);
// The order in which a Zarr store's keys are written (to object storage, by uploads) so
// that readers never see half a store: chunks 0, arrays' and subgroups' metadata 1, the
// root's own (.zgroup, .zattrs, zarr.json) 2, consolidated metadata (.zmetadata) 3.
int zarr_write_rank(const std::string& key);

enum class OutputFormat { kZarr, kNetcdf4, kNetcdf3 };
// The output format a path names (".nc"/".nc4"/".cdf" netCDF-4, ".zarr" or an existing
// Zarr directory Zarr), or an explicit --format value.
Result<OutputFormat> output_format_for(const std::string& path, const std::string& explicit_format);

class DatasetWriter {
 public:
  virtual ~DatasetWriter() = default;
  // Defines every group, dimension, variable and attribute. Variables' `storage` says
  // how to store them (chunks, compressor, filters).
  virtual Status create(const Group& root) = 0;
  // Writes `data` (stored values) to `box` of the variable at `path`. For Zarr the box
  // must be exactly one chunk (clipped at the array's edge). Thread-safe.
  virtual Status write(const std::string& path, const Box& box, const NdArray& data) = 0;
  // Completes the output (consolidated metadata, closing files).
  virtual Status finish() = 0;
};

// What to write: the format and, for Zarr, its version and consolidated metadata.
struct OutputSpec {
  OutputFormat format = OutputFormat::kZarr;
  int zarr_format = 2;
  bool consolidated = true;
};
// A writer from the format table: Zarr writes to `store`, netCDF creates the file `path`.
Result<std::unique_ptr<DatasetWriter>> make_writer(const OutputSpec& spec, std::shared_ptr<Store> store,
                                                   const std::string& path);

// A Zarr v2 writer on `store`, writing metadata as zarr-python and xarray do.
std::unique_ptr<DatasetWriter> make_zarr_writer(std::shared_ptr<Store> store, bool consolidated);
// A Zarr v3 writer (zarr.json, consolidated metadata inline in the root as zarr-python 3
// writes it). Variables whose storage has shard_chunks are written with sharding_indexed:
// storage.chunks is then the shard shape and shard_chunks the inner chunk shape, and each
// write() is one whole shard, assembled from its inner chunks and stored once.
std::unique_ptr<DatasetWriter> make_zarr_v3_writer(std::shared_ptr<Store> store, bool consolidated);
// A netCDF writer creating `path` (netCDF-4, or netCDF-3 64-bit offset).
std::unique_ptr<DatasetWriter> make_netcdf_writer(const std::string& path, OutputFormat format);

// Readers for each format.
Result<std::unique_ptr<DatasetReader>> open_zarr(std::shared_ptr<Store> store, const std::string& name);
Result<std::unique_ptr<DatasetReader>> open_zarr_v3(std::shared_ptr<Store> store, const std::string& name);
Result<std::unique_ptr<DatasetReader>> open_netcdf(const std::string& path);

// Opens one or more inputs (paths, or quoted glob patterns expanded here); several
// are joined with open_concatenated.
Result<std::unique_ptr<DatasetReader>> open_inputs(const std::vector<std::string>& inputs, const CloudOptions& cloud = {});

// Several files of one dataset joined along their record dimension, in coordinate order,
// as xarray.open_mfdataset(combine="by_coords") does. Inconsistent inputs are an error
// naming two of the files.
Result<std::unique_ptr<DatasetReader>> open_concatenated(std::vector<std::unique_ptr<DatasetReader>> parts);

}  // namespace pangeo
