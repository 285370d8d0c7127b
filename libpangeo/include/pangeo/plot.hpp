// Quick-look pictures with xarray's defaults: a 2-D variable as a colour-mapped raster
// (pcolormesh) with a colorbar, a 1-D variable as a line, as DataArray.plot() draws them.
// Data are read chunk-parallel within the memory budget and averaged down to the pixels
// drawn; the picture is PNG (cairo) or SVG.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pangeo/cf.hpp"
#include "pangeo/executor.hpp"
#include "pangeo/format.hpp"

namespace pangeo {

struct Rgb {
  uint8_t r = 0, g = 0, b = 0;
  bool operator==(const Rgb& o) const { return r == o.r && g == o.g && b == o.b; }
};

// A matplotlib colormap of 256 colours by name ("viridis", "RdBu"; NAME_r reversed).
class Colormap {
 public:
  static Result<Colormap> named(const std::string& name);
  static std::vector<std::string> names();  // without the _r forms
  const std::string& name() const { return name_; }
  // The colour of a normalised value as matplotlib picks it: bin floor(t * 256),
  // values below 0 and above 1 take the end colours.
  Rgb at(double t) const;
  const std::vector<Rgb>& colors() const { return lut_; }

 private:
  std::string name_;
  std::vector<Rgb> lut_;
};

enum class PictureFormat { kPng, kSvg };
// The format a path names (.png, .svg), or an explicit --format value.
Result<PictureFormat> picture_format_for(const std::string& path, const std::string& explicit_format);

struct PlotOptions {
  std::string var;                   // "": the dataset's only data variable
  uint32_t width = 640, height = 480;  // pixels (SVG: user units)
  double dpi = 100;                  // pixels per inch: text and lines scale with it
  bool robust = false;               // colour limits at the 2nd and 98th percentiles
  std::optional<double> vmin, vmax;
  std::string cmap;                  // "": viridis, or RdBu_r for data of both signs
  PictureFormat format = PictureFormat::kPng;
};

// One axis of the picture: positions of the cell edges (2-D) or of the points (1-D),
// in the coordinate's units (days from the calendar's day 0 for times).
struct PlotAxis {
  std::string dim;
  std::string label;     // "long_name [units]", wrapped at 30 characters as xarray does
  std::vector<double> edges;  // 2-D: n + 1 edges of the (averaged) cells, monotonic
  std::vector<double> points; // 1-D: the x of each point drawn
  bool time = false;
  std::string calendar;  // for time axes
};

// What a picture shows, computed from the data (independent of PNG or SVG).
struct PlotData {
  std::string var;
  size_t rank = 0;           // 1 or 2
  PlotAxis x, y;             // 1-D: y has no edges; its label is the variable's
  std::vector<double> values;  // 2-D: ny * nx cells (row 0 at y.edges[0]); 1-D: values at x.points
  uint64_t ny = 0, nx = 0;
  uint64_t averaged_y = 1, averaged_x = 1;  // cells of the input per cell drawn
  std::string title;         // the scalar coordinates, as DataArray._title_for_slice()
  std::string value_label;   // the variable's label (colorbar or y axis)
  // 2-D colour limits and map, as xarray's _determine_cmap_params decides them.
  double vmin = 0, vmax = 0;
  std::string cmap;
  std::string extend = "neither";  // "min", "max", "both": colorbar arrows
};

// Reads the variable and decides everything xarray decides: size-1 dimensions squeezed
// (their coordinates go to the title), axes from the coordinates, colour limits. Errors:
// unknown variable, several data variables and no -v, 0 or more than 2 dimensions left,
// text values, no finite value, a coordinate that is not monotonic.
Result<PlotData> prepare_plot(DatasetReader& in, const PlotOptions& options, const ExecOptions& exec);

// Where the axes landed in the picture: their box in pixels from the top left, and the
// data limits they span (x left to right, y bottom to top).
struct PlotLayout {
  int x = 0, y = 0, width = 0, height = 0;
  double xlim[2] = {0, 0}, ylim[2] = {0, 0};
};

// The picture: PNG or SVG bytes.
Result<Bytes> render_plot(const PlotData& data, const PlotOptions& options, PlotLayout* layout = nullptr);

// What was drawn, for --json: the variable, kind ("map", "line"), size, title, the axes'
// box and limits, colour limits and map, cells averaged per cell drawn.
Json plot_json(const PlotData& data, const PlotOptions& options, const PlotLayout& layout, const std::string& output);

// ---- pieces, exposed for tests ----------------------------------------------------------

// Tick positions in [lo, hi] at a "nice" step (1, 2, 2.5, 5 times a power of ten), at most
// nbins + 1 of them, as matplotlib's MaxNLocator; and their labels with the decimals the
// step needs ("−" as matplotlib writes minus).
std::vector<double> nice_ticks(double lo, double hi, int nbins);
std::vector<std::string> tick_labels(const std::vector<double>& ticks);
// Date ticks for [lo, hi] days of `calendar` at a round interval (years, months, days,
// hours, minutes), at most `max_ticks`, labelled as matplotlib's AutoDateFormatter does
// (%Y, %Y-%m, %Y-%m-%d, %m-%d %H, %d %H:%M).
struct DateTick {
  double days;
  std::string label;
};
std::vector<DateTick> date_ticks(double lo, double hi, Calendar calendar, int max_ticks);
// A float as Python's f"{x:.4}" writes it (xarray's titles).
std::string python_float4(double x);
// `text` wrapped into lines of at most `width` characters, as Python's textwrap.wrap.
std::vector<std::string> wrap_text(const std::string& text, size_t width);
// numpy.percentile(values, q) with linear interpolation, of the finite values.
double percentile(std::vector<double> values, double q);

}  // namespace pangeo
