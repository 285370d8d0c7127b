// The option grammars of the pg-* tools, parsed into the library's typed structs: the
// library never sees a flag. A value that does not parse is a usage error (exit 2), said
// in one line that names the option; add_spec_option wires a parser into CLI11 so that it
// runs while the command line is parsed.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "pangeo/dataset.hpp"
#include "pangeo/reduce.hpp"
#include "pangeo/partition.hpp"
#include "pangeo/select.hpp"

namespace pgtool {

// "a,b,c" (empty items dropped).
std::vector<std::string> split_list(const std::string& text);
// Integers and numbers, whole strings only.
pangeo::Result<int64_t> parse_integer(const std::string& text);
pangeo::Result<double> parse_number(const std::string& text);

// --chunks / --shards: "time=12,lat=-1" (-1: the whole dimension).
pangeo::Result<std::map<std::string, int64_t>> parse_dim_lengths(const std::string& spec);
// --compressor: none, zlib[:L], gzip[:L], zstd[:L], lz4[:ACCEL], bz2[:L],
// blosc[:CNAME[:CLEVEL[:SHUFFLE]]] -> a numcodecs configuration (null for none).
pangeo::Result<pangeo::Json> parse_compressor(const std::string& spec);
// --op: mean, sum, min, max, std, var, count, median, quantile:Q.
pangeo::Result<pangeo::OpSpec> parse_op(const std::string& text);
// --memory and sizes: "512M", "2G", "1048576", "64KiB".
pangeo::Result<uint64_t> parse_size(const std::string& text);
// --part: "I/N" (0 <= I < N), or "auto": from the scheduler's or launcher's environment.
pangeo::Result<pangeo::Part> parse_part_option(const std::string& text);
// --rolling DIM=N (N >= 1).
pangeo::Result<std::pair<std::string, uint64_t>> parse_rolling(const std::string& text);
// --isel / --sel DIM=SPEC: one label/position, a comma list, or a slice (positions:
// START:STOP[:STEP] with integers; labels: A:B).
pangeo::Result<pangeo::Selector> parse_selector(const std::string& text, bool positions);
// --by COORD.COMPONENT (time.month, ...) or a variable name; --resample COORD=PERIOD
// (a period of the library's table). Fill the grouping fields of `o`.
pangeo::Status parse_by(const std::string& text, pangeo::GroupByOptions& o);
pangeo::Status parse_resample(const std::string& text, pangeo::GroupByOptions& o);
// --region DIM=START:STOP (positions, or labels as --sel takes them).
pangeo::Result<pangeo::Selector> parse_region(const std::string& text);
// --zarr-format: 2 or 3.
pangeo::Result<int> parse_zarr_format(const std::string& text);
// --format: zarr, netcdf4 (netcdf), netcdf3.
pangeo::Result<std::string> parse_format(const std::string& text);
// pg-plot --size: "WxH" in pixels.
pangeo::Result<std::pair<uint32_t, uint32_t>> parse_picture_size(const std::string& text);

// The long name of an option declared as "-o,--output".
std::string option_name(const std::string& names);

// Adds an option whose value `parse` turns into `target` while CLI11 parses; a value that
// does not parse is CLI11's usage error (exit 2) naming the option.
template <typename T, typename Parse>
CLI::Option* add_spec_option(CLI::App& app, const std::string& names, T& target, Parse parse, const std::string& help) {
  return app.add_option_function<std::string>(
      names,
      [&target, parse, name = option_name(names)](const std::string& text) {
        auto r = parse(text);
        if (!r.ok()) throw CLI::ValidationError(name, r.status().message());
        target = std::move(r).value();
      },
      help);
}
// The same for a repeatable option: each value parsed and appended to `target`.
template <typename T, typename Parse>
CLI::Option* add_spec_list_option(CLI::App& app, const std::string& names, std::vector<T>& target, Parse parse,
                                  const std::string& help) {
  return app.add_option_function<std::vector<std::string>>(
      names,
      [&target, parse, name = option_name(names)](const std::vector<std::string>& texts) {
        for (const auto& text : texts) {
          auto r = parse(text);
          if (!r.ok()) throw CLI::ValidationError(name, r.status().message());
          target.push_back(std::move(r).value());
        }
      },
      help);
}

}  // namespace pgtool
