// Opens a netCDF file or Zarr store, reads one variable and prints the mean of its values
// (CF-decoded: missing values skipped, packing applied), as xarray's ds[VAR].mean() gives.
//   mean INPUT VAR
#include <pangeo/cf.hpp>
#include <pangeo/format.hpp>
#include <pangeo/version.hpp>

#include <cmath>
#include <cstdio>

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: mean INPUT VAR\n");
    return 2;
  }
  auto in = pangeo::open_dataset(argv[1]);
  if (!in.ok()) {
    std::fprintf(stderr, "mean: %s\n", in.status().message().c_str());
    return 1;
  }
  auto ref = pangeo::find_variable((*in)->root(), argv[2]);
  if (!ref.ok()) {
    std::fprintf(stderr, "mean: %s\n", ref.status().message().c_str());
    return 1;
  }
  const pangeo::Variable& v = *ref->var;
  auto data = (*in)->read(ref->path, pangeo::Box::whole(v.shape));
  if (!data.ok()) {
    std::fprintf(stderr, "mean: %s\n", data.status().message().c_str());
    return 1;
  }
  std::vector<double> values;
  pangeo::MaskAndScale(v).decode_all(*data, values);
  double sum = 0;
  size_t n = 0;
  for (double x : values)
    if (!std::isnan(x)) sum += x, ++n;
  std::printf("%s mean %.17g over %zu values (libpangeo %s)\n", argv[2], n ? sum / double(n) : NAN, n, pangeo::version());
  return 0;
}
