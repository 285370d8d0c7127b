// Small netCDF files written by our netCDF writer, for the format tests.
#pragma once

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>

#include "../dataset_builder.hpp"

namespace testing_data {

namespace fs = std::filesystem;

inline fs::path scratch(const std::string& name) {
  return fs::temp_directory_path() / fmt::format("pg-netcdf-test-{}-{}", ::getpid(), name);
}

// Writes `g` (one chunk per variable) to a netCDF file.
inline void write_nc(const fs::path& path, const Group& g, const std::map<std::string, NdArray>& data, OutputFormat f) {
  auto w = make_netcdf_writer(path.string(), f);
  ASSERT_TRUE(w->create(g).ok());
  for (const auto& v : g.vars) ASSERT_TRUE(w->write(v.name, Box::whole(v.shape), data.at(v.name)).ok()) << v.name;
  ASSERT_TRUE(w->finish().ok());
}

inline Group months(double first, std::map<std::string, NdArray>& data) {
  Group g;
  data["time"] = array_of({2}, {first, first + 31});
  data["v"] = array_of({2, 3}, {first, 1, 2, 3, 4, first}, DTypeKind::kFloat32);
  add_variable(g, "time", {"time"}, data["time"]);
  g.vars.back().attrs.set("units", AttrValue::text("days since 2000-01-01"));
  g.dims[0].unlimited = true;
  add_variable(g, "v", {"time", "x"}, data["v"]);
  g.vars.back().attrs.set("long_name", AttrValue::text("a value"));
  return g;
}

}  // namespace testing_data
