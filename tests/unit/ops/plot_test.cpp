#include "pangeo/plot.hpp"

#include <gtest/gtest.h>
#include <cairo.h>

#include <cmath>

#include "../dataset_builder.hpp"

using namespace pangeo;
using namespace testing_data;

namespace {

const double kNaN = std::nan("");

// A dataset with sst(lat, lon) on a decreasing latitude and 0..360 longitudes.
std::shared_ptr<DatasetReader> map_dataset(uint64_t ny, uint64_t nx, const std::function<double(uint64_t, uint64_t)>& f,
                                           Shape chunks = {}) {
  Group g;
  std::vector<double> lat, lon, v;
  for (uint64_t i = 0; i < ny; ++i) lat.push_back(90.0 - (i + 0.5) * 180.0 / double(ny));
  for (uint64_t j = 0; j < nx; ++j) lon.push_back((j + 0.5) * 360.0 / double(nx));
  for (uint64_t i = 0; i < ny; ++i)
    for (uint64_t j = 0; j < nx; ++j) v.push_back(f(i, j));
  add_variable(g, "lat", {"lat"}, array_of({ny}, lat));
  add_variable(g, "lon", {"lon"}, array_of({nx}, lon));
  add_variable(g, "sst", {"lat", "lon"}, array_of({ny, nx}, v), chunks);
  g.vars[0].attrs.set("units", AttrValue::text("degrees_north"));
  g.vars[2].attrs.set("long_name", AttrValue::text("Sea surface temperature"));
  g.vars[2].attrs.set("units", AttrValue::text("degC"));
  return make_dataset(g, {{"lat", array_of({ny}, lat)}, {"lon", array_of({nx}, lon)}, {"sst", array_of({ny, nx}, v)}});
}

PlotData prepared(DatasetReader& in, const PlotOptions& o = {}, ExecOptions e = {}) {
  auto r = prepare_plot(in, o, e);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? *r : PlotData{};
}

}  // namespace

TEST(PlotText, PythonFloatFormatting) {
  // Expected: Python's f"{x:.4}".
  const std::pair<double, const char*> cases[] = {
      {0.0, "0.0"},      {12.5, "12.5"},   {1234.5, "1.234e+03"}, {0.00012345, "0.0001234"}, {1e-5, "1e-05"},
      {100.0, "100.0"},  {999.96, "1e+03"}, {99.99, "99.99"},     {-0.5, "-0.5"},            {1e20, "1e+20"},
      {123456789.0, "1.235e+08"}, {3.14159, "3.142"}, {0.1, "0.1"}, {kNaN, "nan"}};
  for (const auto& [x, want] : cases) EXPECT_EQ(python_float4(x), want) << x;
}

TEST(PlotText, WrapsAsTextwrap) {
  EXPECT_EQ(wrap_text("Extended reconstructed sea surface temperature [degC]", 30),
            (std::vector<std::string>{"Extended reconstructed sea", "surface temperature [degC]"}));
  EXPECT_EQ(wrap_text("Averyveryveryverylongwordthatisover30chars here", 30),
            (std::vector<std::string>{"Averyveryveryverylongwordthati", "sover30chars here"}));
  EXPECT_EQ(wrap_text("sst", 30), (std::vector<std::string>{"sst"}));
}

TEST(PlotText, PercentileAsNumpy) {
  const std::vector<double> v = {3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, kNaN};
  EXPECT_DOUBLE_EQ(percentile(v, 2), 1.0);
  EXPECT_NEAR(percentile(v, 98), 8.400000000000002, 1e-12);
  EXPECT_DOUBLE_EQ(percentile(v, 50), 4.0);
}

TEST(PlotTicks, NiceSteps) {
  EXPECT_EQ(nice_ticks(0, 360, 9), (std::vector<double>{0, 50, 100, 150, 200, 250, 300, 350}));
  EXPECT_EQ(nice_ticks(-90, 90, 9), (std::vector<double>{-80, -60, -40, -20, 0, 20, 40, 60, 80}));
  EXPECT_EQ(nice_ticks(-0.24, 0.24, 9), (std::vector<double>{-0.2, -0.15, -0.1, -0.05, 0, 0.05, 0.1, 0.15, 0.2}));
  EXPECT_EQ(tick_labels({-2.5, 0, 2.5}), (std::vector<std::string>{"\u22122.5", "0.0", "2.5"}));
  EXPECT_EQ(tick_labels({0, 50, 100}), (std::vector<std::string>{"0", "50", "100"}));
}

TEST(PlotTicks, DatesAtRoundIntervals) {
  const double lo = double(days_from_date(Calendar::kStandard, 1982, 1, 15));
  const double hi = double(days_from_date(Calendar::kStandard, 1983, 12, 15));
  auto ticks = date_ticks(lo, hi, Calendar::kStandard, 6);
  ASSERT_FALSE(ticks.empty());
  EXPECT_EQ(ticks.front().label, "1982-07");  // 23 months in at most 6 ticks: every 6 months
  EXPECT_EQ(ticks.back().label, "1983-07");
  EXPECT_LE(ticks.size(), 6u);
  // Decades for a century; days for a month; a 360-day calendar's months.
  auto years = date_ticks(0, 365.25 * 100, Calendar::kStandard, 8);
  EXPECT_EQ(years.front().label, "0020");
  auto days = date_ticks(lo, lo + 20, Calendar::kStandard, 8);
  EXPECT_EQ(days.front().label, "1982-01-15");
  auto d360 = date_ticks(double(days_from_date(Calendar::k360Day, 2000, 1, 1)),
                         double(days_from_date(Calendar::k360Day, 2000, 12, 30)), Calendar::k360Day, 7);
  EXPECT_EQ(d360.front().label, "2000-01");
  EXPECT_EQ(d360[1].days - d360[0].days, 60);  // two 30-day months
}

TEST(PlotColormap, EndsAndReversal) {
  auto v = Colormap::named("viridis");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->colors().size(), 256u);
  EXPECT_EQ(v->at(0), (Rgb{0x44, 0x01, 0x54}));
  EXPECT_EQ(v->at(-3), v->at(0));   // below the range: the lowest colour
  EXPECT_EQ(v->at(1.0), v->colors().back());
  EXPECT_EQ(v->at(0.5), v->colors()[128]);
  auto r = Colormap::named("RdBu_r"), f = Colormap::named("RdBu");
  ASSERT_TRUE(r.ok() && f.ok());
  EXPECT_EQ(r->at(0), f->colors().back());
  EXPECT_FALSE(Colormap::named("nope").ok());
  EXPECT_FALSE(picture_format_for("x.jpg", "").ok());
  EXPECT_EQ(*picture_format_for("x.SVG", ""), PictureFormat::kSvg);
  EXPECT_EQ(*picture_format_for("-", "png"), PictureFormat::kPng);
}

TEST(PlotData, MapWithDecreasingLatitudeAndXarrayDefaults) {
  auto in = map_dataset(18, 36, [](uint64_t i, uint64_t j) { return i == 3 && j == 5 ? kNaN : double(i) - 5.0 + j * 0.01; });
  ASSERT_TRUE(in);
  PlotData p = prepared(*in);
  EXPECT_EQ(p.rank, 2u);
  EXPECT_EQ(p.ny, 18u);
  EXPECT_EQ(p.nx, 36u);
  EXPECT_DOUBLE_EQ(p.x.edges.front(), 0);
  EXPECT_DOUBLE_EQ(p.x.edges.back(), 360);
  EXPECT_DOUBLE_EQ(p.y.edges.front(), 90);  // stored order kept: decreasing
  EXPECT_DOUBLE_EQ(p.y.edges.back(), -90);
  EXPECT_EQ(p.y.label, "lat [degrees_north]");
  EXPECT_EQ(p.value_label, "Sea surface temperature [degC]");  // 30 characters: one line
  EXPECT_TRUE(std::isnan(p.values[3 * 36 + 5]));
  // Both signs: RdBu_r, symmetric about 0.
  EXPECT_EQ(p.cmap, "RdBu_r");
  EXPECT_DOUBLE_EQ(p.vmax, 12.35);
  EXPECT_DOUBLE_EQ(p.vmin, -12.35);
  EXPECT_EQ(p.extend, "neither");
  PlotOptions o;
  o.robust = true;
  PlotData r = prepared(*in, o);
  EXPECT_LT(r.vmax, 12.35);
  EXPECT_DOUBLE_EQ(r.vmin, -r.vmax);
  EXPECT_EQ(r.extend, "max");  // the symmetric lower limit lies below the data
  o = {};
  o.vmin = 0, o.vmax = 5;
  PlotData lim = prepared(*in, o);
  EXPECT_EQ(lim.cmap, "viridis");  // both limits given: never divergent
  EXPECT_EQ(lim.extend, "both");
}

TEST(PlotData, AveragesDownToPixelsWithinTheBudget) {
  // 600 x 2000 cells on a 256 x 128 picture: blocks of 5 x 8 cells.
  auto in = map_dataset(600, 2000, [](uint64_t i, uint64_t j) { return (i % 7 == 0 && j % 3 == 0) ? kNaN : double(i * 2000 + j); },
                        {50, 500});
  ASSERT_TRUE(in);
  PlotOptions o;
  o.width = 256, o.height = 128;
  ExecOptions big;
  PlotData p = prepared(*in, o, big);
  EXPECT_EQ(p.averaged_y, 5u);
  EXPECT_EQ(p.averaged_x, 8u);
  EXPECT_EQ(p.ny, 120u);
  EXPECT_EQ(p.nx, 250u);
  ASSERT_EQ(p.y.edges.size(), 121u);
  EXPECT_DOUBLE_EQ(p.y.edges[1], 90 - 5 * 180.0 / 600);
  // Block (2, 3): the mean of its non-missing cells.
  double sum = 0;
  int n = 0;
  for (uint64_t i = 10; i < 15; ++i)
    for (uint64_t j = 24; j < 32; ++j)
      if (!(i % 7 == 0 && j % 3 == 0)) sum += double(i * 2000 + j), ++n;
  EXPECT_DOUBLE_EQ(p.values[2 * 250 + 3], sum / n);
  // The same cells with one thread and a 1 MiB budget (tiles smaller than a chunk row).
  ExecOptions small;
  small.threads = 1;
  small.memory_budget = 1 << 20;
  PlotData q = prepared(*in, o, small);
  ASSERT_EQ(q.values.size(), p.values.size());
  for (size_t k = 0; k < p.values.size(); ++k) ASSERT_EQ(q.values[k], p.values[k]) << k;
}

TEST(PlotData, LinesKeepExtremesWhenThinned) {
  Group g;
  const uint64_t n = 100000;
  std::vector<double> t(n), v(n);
  for (uint64_t i = 0; i < n; ++i) t[i] = double(i), v[i] = std::sin(double(i) / 1000.0);
  v[54321] = 50;  // a spike thinning must not lose
  add_variable(g, "time", {"time"}, array_of({n}, t));
  add_variable(g, "x", {"time"}, array_of({n}, v), {10000});
  g.vars[0].attrs.set("units", AttrValue::text("hours since 2000-01-01"));
  auto in = make_dataset(g, {{"time", array_of({n}, t)}, {"x", array_of({n}, v)}});
  ASSERT_TRUE(in);
  PlotData p = prepared(*in);
  EXPECT_EQ(p.rank, 1u);
  EXPECT_TRUE(p.x.time);
  EXPECT_LT(p.values.size(), n / 10);
  EXPECT_EQ(*std::max_element(p.values.begin(), p.values.end()), 50);
  EXPECT_TRUE(std::is_sorted(p.x.points.begin(), p.x.points.end()));
  const double day0 = double(days_from_date(Calendar::kStandard, 2000, 1, 1));
  EXPECT_DOUBLE_EQ(p.x.points.front(), day0);
}

TEST(PlotData, RefusesWhatCannotBeDrawn) {
  Group g;
  add_variable(g, "a", {"t", "y", "x"}, array_of({2, 3, 4}, std::vector<double>(24, 1.0)));
  add_variable(g, "s", {}, array_of({}, {1.0}));
  add_variable(g, "nan", {"x"}, array_of({4}, {kNaN, kNaN, kNaN, kNaN}));
  add_variable(g, "y", {"y"}, array_of({3}, {1, 3, 2}));
  add_variable(g, "m", {"y", "x"}, array_of({3, 4}, std::vector<double>(12, 1.0)));
  auto in = make_dataset(g, {{"a", array_of({2, 3, 4}, std::vector<double>(24, 1.0))},
                             {"s", array_of({}, {1.0})},
                             {"nan", array_of({4}, {kNaN, kNaN, kNaN, kNaN})},
                             {"y", array_of({3}, {1, 3, 2})},
                             {"m", array_of({3, 4}, std::vector<double>(12, 1.0))}});
  ASSERT_TRUE(in);
  auto err = [&](const std::string& var) {
    PlotOptions o;
    o.var = var;
    auto r = prepare_plot(*in, o, {});
    return r.ok() ? std::string("ok") : r.status().message();
  };
  EXPECT_NE(err("").find("data variables"), std::string::npos);
  EXPECT_NE(err("a").find("has 3 dimensions"), std::string::npos);
  EXPECT_NE(err("s").find("single value"), std::string::npos);
  EXPECT_NE(err("nan").find("no finite value"), std::string::npos);
  EXPECT_NE(err("m").find("not sorted"), std::string::npos);
  EXPECT_NE(err("zz").find("zz"), std::string::npos);
}

TEST(PlotRender, PngPixelsAndSvgText) {
  auto in = map_dataset(4, 8, [](uint64_t i, uint64_t j) { return i == 0 && j == 0 ? kNaN : double(i * 8 + j); });
  ASSERT_TRUE(in);
  PlotOptions o;
  PlotData p = prepared(*in, o);
  PlotLayout l;
  auto png = render_plot(p, o, &l);
  ASSERT_TRUE(png.ok()) << png.status().message();
  ASSERT_GT(png->size(), 8u);
  EXPECT_EQ(std::string(png->begin() + 1, png->begin() + 4), "PNG");
  EXPECT_GT(l.width, 200);
  EXPECT_DOUBLE_EQ(l.xlim[0], 0);
  EXPECT_DOUBLE_EQ(l.ylim[1], 90);
  // Decode it with cairo and look at the cells: (0, 0) top left is missing (white),
  // the last cell (bottom right) takes the top colour of viridis.
  struct Reader {
    const Bytes* b;
    size_t at = 0;
  } rd{&*png};
  cairo_surface_t* s = cairo_image_surface_create_from_png_stream(
      [](void* c, unsigned char* data, unsigned int len) {
        auto* r = static_cast<Reader*>(c);
        if (r->at + len > r->b->size()) return CAIRO_STATUS_READ_ERROR;
        std::memcpy(data, r->b->data() + r->at, len);
        r->at += len;
        return CAIRO_STATUS_SUCCESS;
      },
      &rd);
  ASSERT_EQ(cairo_surface_status(s), CAIRO_STATUS_SUCCESS);
  auto pixel = [&](double fx, double fy) {
    const int x = l.x + int(fx * l.width), y = l.y + int(fy * l.height);
    const uint8_t* row = cairo_image_surface_get_data(s) + y * cairo_image_surface_get_stride(s);
    uint32_t v;
    std::memcpy(&v, row + 4 * x, 4);
    return Rgb{uint8_t(v >> 16), uint8_t(v >> 8), uint8_t(v)};
  };
  EXPECT_EQ(pixel(1 / 16.0, 1 / 8.0), (Rgb{255, 255, 255}));
  EXPECT_EQ(pixel(15 / 16.0, 7 / 8.0), Colormap::named("viridis")->colors().back());
  EXPECT_EQ(pixel(3 / 16.0, 1 / 8.0), Colormap::named("viridis")->at((1 - 1) / 30.0));
  cairo_surface_destroy(s);
  o.format = PictureFormat::kSvg;
  auto svg = render_plot(p, o);
  ASSERT_TRUE(svg.ok());
  const std::string text(svg->begin(), svg->end());
  EXPECT_NE(text.find(">lat [degrees_north]</text>"), std::string::npos);
  EXPECT_NE(text.find(">Sea surface temperature [degC]</text>"), std::string::npos);
  EXPECT_NE(text.find("data:image/png;base64,"), std::string::npos);
}
