// Rolling windows along one dimension, as xarray's rolling(dim=N, center=...).
#include <algorithm>
#include <cmath>

#include "pangeo/convert.hpp"
#include "reduction.hpp"

namespace pangeo {

Result<std::unique_ptr<DatasetReader>> rolling_dataset(std::shared_ptr<DatasetReader> in, const RollingOptions& o) {
  const Group& root = in->root();
  const Dimension* dim = root.find_dim(o.dim);
  if (!dim) return not_found("no dimension \"{}\"", o.dim);
  if (o.window < 1) return invalid_argument("a rolling window along \"{}\" must be at least 1 long", o.dim);
  const uint64_t minp = o.min_periods.value_or(o.window);
  if (minp < 1 || minp > o.window) return invalid_argument("the minimum periods must be from 1 to the window length");
  if (o.op.op == ReduceOp::kQuantile) return unsupported("rolling quantiles");
  // Window [i - before, i + after]: trailing, or centred as xarray centres (the label sits
  // at window // 2 from the start).
  const int64_t before = o.center ? int64_t(o.window / 2) : int64_t(o.window) - 1;
  const int64_t after = int64_t(o.window) - 1 - before;
  Group out = root;
  const std::set<std::string> coords = coordinate_paths(root);
  std::vector<std::pair<std::string, DerivedReader::Compute>> computes;
  for (auto& v : out.vars) {
    if (!has_dim(v, o.dim) || !v.dtype.is_numeric() || is_time_variable(v) || is_coordinate(v, coords)) continue;
    const Variable src_v = v;
    const size_t rd = size_t(std::find(v.dims.begin(), v.dims.end(), o.dim) - v.dims.begin());
    DType odt = result_dtype(v, o.op);
    if (o.op.op == ReduceOp::kCount) odt = DType::of(DTypeKind::kFloat64);
    v.dtype = odt;
    v.attrs = decoded_attrs(v.attrs);
    v.storage = StorageEncoding();
    v.storage.chunks = derived_chunks(v, in->read_chunks(v.name));
    const uint64_t len = src_v.shape[rd];
    const OpSpec op = o.op;
    computes.emplace_back(v.name, [in, src_v, rd, odt, before, after, len, minp, op](const Box& box) -> Result<NdArray> {
      Box src = box;
      int64_t lo = std::max<int64_t>(0, int64_t(box.start[rd]) - before);
      int64_t hi = std::min<int64_t>(int64_t(len), int64_t(box.start[rd] + box.count[rd]) + after);
      src.start[rd] = uint64_t(lo);
      src.count[rd] = uint64_t(hi - lo);
      PG_ASSIGN_OR_RETURN(std::vector<double> vals, read_decoded(*in, src_v.name, src_v, src));
      NdArray out(odt, box.count);
      const size_t rank = box.count.size();
      uint64_t inner = 1, outer = 1;
      for (size_t d = rd + 1; d < rank; ++d) inner *= box.count[d];
      for (size_t d = 0; d < rd; ++d) outer *= box.count[d];
      const uint64_t n_src = src.count[rd], n_out = box.count[rd];
      std::vector<double> window;
      for (uint64_t a = 0; a < outer; ++a)
        for (uint64_t c = 0; c < inner; ++c)
          for (uint64_t t = 0; t < n_out; ++t) {
            int64_t center = int64_t(box.start[rd] + t);
            int64_t w0 = std::max<int64_t>(center - before, 0), w1 = std::min<int64_t>(center + after, int64_t(len) - 1);
            Accumulator acc(1, op, false);
            window.clear();
            bool nan = false;
            for (int64_t p = w0; p <= w1; ++p) {
              double x = vals[(a * n_src + uint64_t(p - lo)) * inner + c];
              if (std::isnan(x)) nan = true;
              acc.add(0, x, 1.0);
              if (!std::isnan(x)) window.push_back(x);
            }
            double r;
            if (acc.n[0] < double(minp) || (nan && !op.skipna)) r = NAN;
            else if (op.op == ReduceOp::kMedian) r = quantile_of(window, 0.5, Interpolation::kMedian);
            else r = acc.finish(0);
            store_from_double(odt, out.bytes.data(), (a * n_out + t) * inner + c, r);
          }
      return out;
    });
  }
  if (computes.empty()) return invalid_argument("no numeric variable has the dimension \"{}\"", o.dim);
  auto reader = std::make_unique<DerivedReader>(in, out, in->format_name());
  for (auto& [path, f] : computes) reader->set_compute(path, std::move(f), out.find_var(path)->storage.chunks);
  return std::unique_ptr<DatasetReader>(std::move(reader));
}

}  // namespace pangeo
