#include "pangeo/version.hpp"

#include <blosc.h>
#include <cairo.h>
#include <curl/curl.h>
#include <fmt/format.h>
#include <hdf5.h>
#include <netcdf.h>
#include <zstd.h>

namespace pangeo {

const char* version() { return PANGEO_VERSION; }

std::vector<std::pair<std::string, std::string>> component_versions() {
  std::vector<std::pair<std::string, std::string>> out;
  out.emplace_back("libpangeo", version());
  // netCDF-C says "4.9.0 of Jan  1 2023 ..."; the first word is the version.
  std::string nc = nc_inq_libvers();
  out.emplace_back("netCDF-C", nc.substr(0, nc.find(' ')));
  unsigned maj = 0, min = 0, rel = 0;
  H5get_libversion(&maj, &min, &rel);
  out.emplace_back("HDF5", fmt::format("{}.{}.{}", maj, min, rel));
  out.emplace_back("c-blosc", blosc_get_version_string());
  out.emplace_back("zstd", ZSTD_versionString());
  out.emplace_back("libcurl", curl_version_info(CURLVERSION_NOW)->version);
  out.emplace_back("cairo", cairo_version_string());
  return out;
}

std::string version_report(const std::string& tool) {
  auto parts = component_versions();
  std::string out = fmt::format("{} {}\n", tool, parts[0].second);
  for (size_t i = 0; i < parts.size(); ++i) out += fmt::format("  {:<10} {}\n", parts[i].first, parts[i].second);
  out.pop_back();
  return out;
}

}  // namespace pangeo
