// pg-plot's drawing: the layout of a matplotlib figure (axes, ticks, labels, title,
// colorbar) at --size and --dpi, drawn on a canvas that writes PNG through cairo or SVG.
// SVG is written here rather than by cairo's SVG surface so that titles and labels stay
// text (searchable, selectable) instead of glyph outlines; cairo measures the text and
// encodes the raster embedded in it.
#include <cairo.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <sstream>

#include "pangeo/plot.hpp"

namespace pangeo {

namespace {

constexpr const char* kFont = "DejaVu Sans";
constexpr Rgb kBlack{0, 0, 0};
constexpr Rgb kWhite{255, 255, 255};
constexpr Rgb kLineColor{0x1f, 0x77, 0xb4};  // matplotlib's first colour (C0)

struct Point {
  double x, y;
};

// Measures text with cairo's toy font API (fontconfig finds DejaVu Sans).
class TextMeasure {
 public:
  TextMeasure() {
    surface_ = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 1, 1);
    cr_ = cairo_create(surface_);
    cairo_select_font_face(cr_, kFont, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  }
  ~TextMeasure() {
    cairo_destroy(cr_);
    cairo_surface_destroy(surface_);
  }
  TextMeasure(const TextMeasure&) = delete;
  TextMeasure& operator=(const TextMeasure&) = delete;
  double width(const std::string& s, double size) {
    cairo_set_font_size(cr_, size);
    cairo_text_extents_t e;
    cairo_text_extents(cr_, s.c_str(), &e);
    return e.x_advance;
  }
  // Ascent and descent of the font at `size` (the same for every text).
  std::pair<double, double> vertical(double size) {
    cairo_set_font_size(cr_, size);
    cairo_font_extents_t f;
    cairo_font_extents(cr_, &f);
    return {f.ascent, f.descent};
  }

 private:
  cairo_surface_t* surface_;
  cairo_t* cr_;
};

enum class VAlign { kTop, kCenter, kBaseline, kBottom };

// What the figure is drawn on: coordinates in pixels from the top left.
class Canvas {
 public:
  virtual ~Canvas() = default;
  virtual void rect(double x, double y, double w, double h, Rgb fill) = 0;
  virtual void polygon(const std::vector<Point>& pts, Rgb fill) = 0;
  virtual void polyline(const std::vector<Point>& pts, Rgb stroke, double width, bool closed) = 0;
  // `halign`: 0 left, 0.5 centre, 1 right of the text's own direction; rotated text reads
  // bottom to top.
  virtual void text(double x, double y, const std::string& s, double size, double halign, VAlign valign,
                    bool rotated) = 0;
  // An opaque-or-clear raster (cairo ARGB32, premultiplied) placed at integer pixels.
  virtual void image(int x, int y, int w, int h, const std::vector<uint32_t>& argb) = 0;
  virtual Result<Bytes> finish() = 0;

 protected:
  // The baseline offset that puts the text's `valign` point at y.
  static double baseline_shift(VAlign v, double ascent, double descent) {
    switch (v) {
      case VAlign::kTop: return ascent;
      case VAlign::kCenter: return (ascent - descent) / 2;
      case VAlign::kBottom: return -descent;
      case VAlign::kBaseline: return 0;
    }
    return 0;
  }
};

cairo_status_t append_bytes(void* closure, const unsigned char* data, unsigned int length) {
  auto* out = static_cast<Bytes*>(closure);
  out->insert(out->end(), data, data + length);
  return CAIRO_STATUS_SUCCESS;
}

// A cairo image surface for a raster (kept alive while drawn).
cairo_surface_t* raster_surface(int w, int h, const std::vector<uint32_t>& argb, std::vector<uint8_t>& store) {
  const int stride = cairo_format_stride_for_width(CAIRO_FORMAT_ARGB32, w);
  store.assign(size_t(stride) * size_t(h), 0);
  for (int r = 0; r < h; ++r) std::memcpy(store.data() + size_t(r) * size_t(stride), argb.data() + size_t(r) * size_t(w), size_t(w) * 4);
  return cairo_image_surface_create_for_data(store.data(), CAIRO_FORMAT_ARGB32, w, h, stride);
}

class PngCanvas : public Canvas {
 public:
  PngCanvas(int w, int h, TextMeasure& m) : measure_(m) {
    surface_ = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, w, h);
    cr_ = cairo_create(surface_);
    cairo_select_font_face(cr_, kFont, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    rect(0, 0, w, h, kWhite);
  }
  ~PngCanvas() override {
    cairo_destroy(cr_);
    cairo_surface_destroy(surface_);
  }
  PngCanvas(const PngCanvas&) = delete;
  PngCanvas& operator=(const PngCanvas&) = delete;
  void rect(double x, double y, double w, double h, Rgb c) override {
    color(c);
    cairo_rectangle(cr_, x, y, w, h);
    cairo_fill(cr_);
  }
  void polygon(const std::vector<Point>& pts, Rgb c) override {
    trace(pts, true);
    color(c);
    cairo_fill(cr_);
  }
  void polyline(const std::vector<Point>& pts, Rgb c, double width, bool closed) override {
    trace(pts, closed);
    color(c);
    cairo_set_line_width(cr_, width);
    cairo_set_line_join(cr_, CAIRO_LINE_JOIN_ROUND);
    cairo_set_line_cap(cr_, closed ? CAIRO_LINE_CAP_SQUARE : CAIRO_LINE_CAP_BUTT);
    cairo_stroke(cr_);
  }
  void text(double x, double y, const std::string& s, double size, double halign, VAlign valign, bool rotated) override {
    cairo_save(cr_);
    cairo_set_font_size(cr_, size);
    auto [asc, desc] = measure_.vertical(size);
    cairo_translate(cr_, x, y);
    if (rotated) cairo_rotate(cr_, -M_PI / 2);
    cairo_move_to(cr_, -halign * measure_.width(s, size), baseline_shift(valign, asc, desc));
    color(kBlack);
    cairo_show_text(cr_, s.c_str());
    cairo_restore(cr_);
  }
  void image(int x, int y, int w, int h, const std::vector<uint32_t>& argb) override {
    std::vector<uint8_t> store;
    cairo_surface_t* img = raster_surface(w, h, argb, store);
    cairo_save(cr_);
    cairo_set_source_surface(cr_, img, x, y);
    cairo_pattern_set_filter(cairo_get_source(cr_), CAIRO_FILTER_NEAREST);
    cairo_rectangle(cr_, x, y, w, h);
    cairo_fill(cr_);
    cairo_restore(cr_);
    cairo_surface_destroy(img);
  }
  Result<Bytes> finish() override {
    Bytes out;
    cairo_surface_flush(surface_);
    if (cairo_surface_write_to_png_stream(surface_, append_bytes, &out) != CAIRO_STATUS_SUCCESS)
      return internal_error("cannot encode the PNG picture");
    return out;
  }

 private:
  void color(Rgb c) { cairo_set_source_rgb(cr_, c.r / 255.0, c.g / 255.0, c.b / 255.0); }
  void trace(const std::vector<Point>& pts, bool closed) {
    cairo_new_path(cr_);
    for (size_t i = 0; i < pts.size(); ++i)
      i ? cairo_line_to(cr_, pts[i].x, pts[i].y) : cairo_move_to(cr_, pts[i].x, pts[i].y);
    if (closed) cairo_close_path(cr_);
  }
  TextMeasure& measure_;
  cairo_surface_t* surface_;
  cairo_t* cr_;
};

std::string xml_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default:
        // Control characters are not allowed in XML 1.0.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n') out += ' ';
        else out += c;
    }
  }
  return out;
}

std::string base64(const Bytes& in) {
  static const char* k = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  for (size_t i = 0; i < in.size(); i += 3) {
    uint32_t v = uint32_t(in[i]) << 16;
    if (i + 1 < in.size()) v |= uint32_t(in[i + 1]) << 8;
    if (i + 2 < in.size()) v |= in[i + 2];
    out += k[(v >> 18) & 63];
    out += k[(v >> 12) & 63];
    out += i + 1 < in.size() ? k[(v >> 6) & 63] : '=';
    out += i + 2 < in.size() ? k[v & 63] : '=';
  }
  return out;
}

std::string hex(Rgb c) { return fmt::format("#{:02x}{:02x}{:02x}", c.r, c.g, c.b); }

class SvgCanvas : public Canvas {
 public:
  SvgCanvas(int w, int h, double dpi, TextMeasure& m) : measure_(m) {
    // Width and height in points (as matplotlib writes them); drawing in pixels.
    out_ << fmt::format(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" version=\"1.1\" "
        "width=\"{:.2f}pt\" height=\"{:.2f}pt\" viewBox=\"0 0 {} {}\">\n",
        w * 72.0 / dpi, h * 72.0 / dpi, w, h);
    rect(0, 0, w, h, kWhite);
  }
  void rect(double x, double y, double w, double h, Rgb c) override {
    out_ << fmt::format("<rect x=\"{:.3f}\" y=\"{:.3f}\" width=\"{:.3f}\" height=\"{:.3f}\" fill=\"{}\"/>\n", x, y, w, h, hex(c));
  }
  void polygon(const std::vector<Point>& pts, Rgb c) override {
    out_ << fmt::format("<path d=\"{}\" fill=\"{}\"/>\n", path(pts, true), hex(c));
  }
  void polyline(const std::vector<Point>& pts, Rgb c, double width, bool closed) override {
    out_ << fmt::format(
        "<path d=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"{:.3f}\" stroke-linejoin=\"round\" "
        "stroke-linecap=\"{}\"/>\n",
        path(pts, closed), hex(c), width, closed ? "square" : "butt");
  }
  void text(double x, double y, const std::string& s, double size, double halign, VAlign valign, bool rotated) override {
    auto [asc, desc] = measure_.vertical(size);
    const char* anchor = halign < 0.25 ? "start" : halign > 0.75 ? "end" : "middle";
    out_ << fmt::format(
        "<text transform=\"translate({:.3f} {:.3f}){}\" x=\"0\" y=\"{:.3f}\" font-family=\"{}, sans-serif\" "
        "font-size=\"{:.3f}\" text-anchor=\"{}\" fill=\"#000000\" xml:space=\"preserve\">{}</text>\n",
        x, y, rotated ? " rotate(-90)" : "", baseline_shift(valign, asc, desc), kFont, size, anchor, xml_escape(s));
  }
  void image(int x, int y, int w, int h, const std::vector<uint32_t>& argb) override {
    std::vector<uint8_t> store;
    cairo_surface_t* img = raster_surface(w, h, argb, store);
    Bytes png;
    cairo_surface_write_to_png_stream(img, append_bytes, &png);
    cairo_surface_destroy(img);
    out_ << fmt::format(
        "<image x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" preserveAspectRatio=\"none\" "
        "style=\"image-rendering:pixelated\" xlink:href=\"data:image/png;base64,{}\"/>\n",
        x, y, w, h, base64(png));
  }
  Result<Bytes> finish() override {
    out_ << "</svg>\n";
    const std::string s = out_.str();
    return Bytes(s.begin(), s.end());
  }

 private:
  static std::string path(const std::vector<Point>& pts, bool closed) {
    std::string d;
    for (size_t i = 0; i < pts.size(); ++i) d += fmt::format("{}{:.3f} {:.3f} ", i ? "L" : "M", pts[i].x, pts[i].y);
    if (closed) d += "Z";
    return d;
  }
  TextMeasure& measure_;
  std::ostringstream out_;
};

struct Tick {
  double value;
  std::string label;
};

// Ticks of an axis over [lo, hi]: dates on time axes, nice numbers otherwise.
std::vector<Tick> axis_ticks(double lo, double hi, bool time, const std::string& calendar, int nbins) {
  std::vector<Tick> out;
  if (time) {
    auto cal = parse_calendar(calendar);
    for (auto& t : date_ticks(lo, hi, cal.ok() ? *cal : Calendar::kStandard, nbins + 1)) out.push_back({t.days, t.label});
    if (!out.empty()) return out;
  }
  auto values = nice_ticks(lo, hi, nbins);
  values.erase(std::remove_if(values.begin(), values.end(),
                              [&](double v) { return v < lo - 1e-9 * (hi - lo) || v > hi + 1e-9 * (hi - lo); }),
               values.end());
  auto labels = tick_labels(values);
  for (size_t i = 0; i < values.size(); ++i) out.push_back({values[i], labels[i]});
  return out;
}

std::vector<std::string> lines_of(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  for (std::string line; std::getline(ss, line);) out.push_back(line);
  if (out.empty()) out.push_back("");
  return out;
}

// matplotlib's nonsingular limits and 5% margins for line plots.
std::pair<double, double> padded(double lo, double hi) {
  if (!(hi > lo)) {
    double e = lo == 0 ? 0.05 : std::abs(lo) * 0.05;
    return {lo - e, hi + e};
  }
  double m = (hi - lo) * 0.05;
  return {lo - m, hi + m};
}

uint32_t argb(Rgb c) { return 0xff000000u | uint32_t(c.r) << 16 | uint32_t(c.g) << 8 | c.b; }

// For each of `n` pixels along an axis spanning [lo, hi] (pixel 0 at `lo` when not
// `flipped`), the cell of `edges` holding its centre, or -1.
std::vector<int64_t> pixel_cells(const std::vector<double>& edges, double lo, double hi, int n, bool flipped) {
  std::vector<int64_t> out(size_t(n), -1);
  const bool increasing = edges.back() >= edges.front();
  const size_t cells = edges.size() - 1;
  for (int i = 0; i < n; ++i) {
    double f = (i + 0.5) / n;
    double v = flipped ? hi - f * (hi - lo) : lo + f * (hi - lo);
    size_t k;
    if (increasing) {
      k = size_t(std::upper_bound(edges.begin(), edges.end(), v) - edges.begin());
      if (k == 0 || k > cells) continue;
      out[size_t(i)] = int64_t(k - 1);
    } else {
      k = size_t(std::upper_bound(edges.begin(), edges.end(), v, std::greater<double>()) - edges.begin());
      if (k == 0 || k > cells) continue;
      out[size_t(i)] = int64_t(k - 1);
    }
  }
  return out;
}

}  // namespace

Result<Bytes> render_plot(const PlotData& p, const PlotOptions& o, PlotLayout* layout) {
  TextMeasure measure;
  const int W = int(o.width), H = int(o.height);
  const double s = o.dpi / 72.0;  // pixels per point
  const double fs = 10 * s, title_fs = 12 * s;
  const double tick_len = 3.5 * s, tick_pad = 3.5 * s, label_pad = 4 * s, spine = 0.8 * s;
  const auto [asc, desc] = measure.vertical(fs);
  const double line_h = (asc + desc) * 1.2;
  const double border = 0.03 * std::min(W, H);
  const auto xlabel = lines_of(p.x.label);
  const auto ylabel = lines_of(p.rank == 2 ? p.y.label : p.value_label);

  // Data ranges of the axes.
  double x0, x1, y0, y1;
  if (p.rank == 2) {
    std::tie(x0, x1) = std::minmax(p.x.edges.front(), p.x.edges.back());
    std::tie(y0, y1) = std::minmax(p.y.edges.front(), p.y.edges.back());
  } else {
    double xmin = INFINITY, xmax = -INFINITY, vmin = INFINITY, vmax = -INFINITY;
    for (size_t i = 0; i < p.values.size(); ++i) {
      // As matplotlib's data limits: points with a missing value do not count.
      if (!std::isfinite(p.values[i])) continue;
      xmin = std::min(xmin, p.x.points[i]), xmax = std::max(xmax, p.x.points[i]);
      vmin = std::min(vmin, p.values[i]), vmax = std::max(vmax, p.values[i]);
    }
    std::tie(x0, x1) = padded(xmin, xmax);
    std::tie(y0, y1) = padded(vmin, vmax);
  }

  // Vertical layout: title, axes, x tick labels, x label.
  const double top = border + (p.title.empty() ? 0 : (asc + desc) * title_fs / fs * 1.2 + 6 * s);
  const double bottom = border + tick_len + tick_pad + line_h + label_pad + line_h * double(xlabel.size());
  const double plot_h = std::floor(H - top - bottom);
  if (plot_h < 16) return invalid_argument("picture {}x{} too small for its text at {} dpi", W, H, o.dpi);
  const int ybins = std::clamp(int(plot_h / (fs * 2)), 1, 9);
  const auto yticks = axis_ticks(y0, y1, p.rank == 2 && p.y.time, p.y.calendar, ybins);
  double ytick_w = 0;
  for (const auto& t : yticks) ytick_w = std::max(ytick_w, measure.width(t.label, fs));
  const double left = border + line_h * double(ylabel.size()) + label_pad + ytick_w + tick_pad + tick_len;

  // The colorbar (2-D): as tall as the axes, a twentieth of that wide.
  double right = border;
  std::vector<Tick> cticks;
  const auto clabel = lines_of(p.value_label);
  const double bar_w = std::max(4.0, plot_h / 20), bar_pad = 0.05 * W * 0.8;
  if (p.rank == 2) {
    const int cbins = std::clamp(int(plot_h / (fs * 2)), 1, 9);
    cticks = axis_ticks(p.vmin, p.vmax, false, "", cbins);
    double w = 0;
    for (const auto& t : cticks) w = std::max(w, measure.width(t.label, fs));
    right += bar_pad + bar_w + tick_len + tick_pad + w + label_pad + line_h * double(clabel.size());
  } else {
    right += measure.width("0000-00-00", fs) / 2;
  }
  const double plot_w = std::floor(W - left - right);
  if (plot_w < 16) return invalid_argument("picture {}x{} too small for its text at {} dpi", W, H, o.dpi);
  const int ax = int(std::round(left)), ay = int(std::round(top)), aw = int(plot_w), ah = int(plot_h);
  int xbins;
  if (p.x.time) {
    xbins = std::clamp(int(aw / (measure.width("0000-00-00", fs) * 1.4)), 1, 9);
  } else {
    xbins = std::clamp(int(aw / (fs * 3)), 1, 9);
  }
  auto xticks = axis_ticks(x0, x1, p.x.time, p.x.calendar, xbins);
  // Labels wider than their share of the axis: fewer ticks.
  for (int tries = 0; tries < 8 && xticks.size() > 2; ++tries) {
    double widest = 0;
    for (const auto& t : xticks) widest = std::max(widest, measure.width(t.label, fs));
    if (widest * 1.2 * double(xticks.size()) <= aw) break;
    xbins = std::max(1, xbins - 1);
    xticks = axis_ticks(x0, x1, p.x.time, p.x.calendar, xbins);
  }

  if (layout) *layout = PlotLayout{ax, ay, aw, ah, {x0, x1}, {y0, y1}};
  std::unique_ptr<Canvas> canvas;
  if (o.format == PictureFormat::kPng) canvas = std::make_unique<PngCanvas>(W, H, measure);
  else canvas = std::make_unique<SvgCanvas>(W, H, o.dpi, measure);
  auto to_px = [&](double v) { return ax + (v - x0) / (x1 - x0) * aw; };
  auto to_py = [&](double v) { return ay + ah - (v - y0) / (y1 - y0) * ah; };

  Colormap cmap;  // maps: the raster and the colorbar
  if (p.rank == 2) {
    PG_ASSIGN_OR_RETURN(cmap, Colormap::named(p.cmap));
    const auto cols = pixel_cells(p.x.edges, x0, x1, aw, false);
    const auto rows = pixel_cells(p.y.edges, y0, y1, ah, true);
    std::vector<uint32_t> raster(size_t(aw) * size_t(ah), 0);
    const double span = p.vmax - p.vmin;
    for (int r = 0; r < ah; ++r) {
      if (rows[size_t(r)] < 0) continue;
      const double* row = p.values.data() + size_t(rows[size_t(r)]) * p.nx;
      for (int c = 0; c < aw; ++c) {
        if (cols[size_t(c)] < 0) continue;
        double v = row[cols[size_t(c)]];
        if (std::isnan(v)) continue;
        double t = span > 0 ? (v - p.vmin) / span : 0.0;
        raster[size_t(r) * size_t(aw) + size_t(c)] = argb(cmap.at(t));
      }
    }
    canvas->image(ax, ay, aw, ah, raster);
  } else {
    // The line, broken at missing values.
    std::vector<Point> run;
    auto flush = [&] {
      if (run.size() >= 2) canvas->polyline(run, kLineColor, 1.5 * s, false);
      run.clear();
    };
    for (size_t i = 0; i < p.values.size(); ++i) {
      if (!std::isfinite(p.values[i])) {
        flush();
        continue;
      }
      run.push_back({to_px(p.x.points[i]), to_py(p.values[i])});
    }
    if (run.size() == 1) canvas->polygon({{run[0].x - s, run[0].y - s}, {run[0].x + s, run[0].y - s},
                                          {run[0].x + s, run[0].y + s}, {run[0].x - s, run[0].y + s}}, kLineColor);
    flush();
  }

  // Spines, ticks and their labels.
  const double h = spine / 2;
  canvas->polyline({{ax - h, ay - h}, {ax + aw + h, ay - h}, {ax + aw + h, ay + ah + h}, {ax - h, ay + ah + h}}, kBlack,
                   spine, true);
  for (const auto& t : xticks) {
    double px = to_px(t.value);
    canvas->polyline({{px, ay + ah + spine}, {px, ay + ah + spine + tick_len}}, kBlack, spine, false);
    canvas->text(px, ay + ah + spine + tick_len + tick_pad, t.label, fs, 0.5, VAlign::kTop, false);
  }
  for (const auto& t : yticks) {
    double py = to_py(t.value);
    canvas->polyline({{ax - spine, py}, {ax - spine - tick_len, py}}, kBlack, spine, false);
    canvas->text(ax - spine - tick_len - tick_pad, py, t.label, fs, 1.0, VAlign::kCenter, false);
  }
  // Axis labels: x centred below, y rotated at the left; the title centred above.
  double ly = ay + ah + spine + tick_len + tick_pad + line_h + label_pad;
  for (const auto& line : xlabel) {
    canvas->text(ax + aw / 2.0, ly, line, fs, 0.5, VAlign::kTop, false);
    ly += line_h;
  }
  double lx = ax - spine - tick_len - tick_pad - ytick_w - label_pad;
  for (size_t i = ylabel.size(); i-- > 0;) {
    canvas->text(lx, ay + ah / 2.0, ylabel[i], fs, 0.5, VAlign::kBottom, true);
    lx -= line_h;
  }
  if (!p.title.empty()) canvas->text(ax + aw / 2.0, ay - 6 * s, p.title, title_fs, 0.5, VAlign::kBottom, false);

  if (p.rank == 2) {
    // The colorbar: the colormap from vmin (bottom) to vmax (top), arrows for values
    // beyond them (--robust, --vmin/--vmax) in the end colours.
    const bool low = p.extend == "min" || p.extend == "both", high = p.extend == "max" || p.extend == "both";
    const double frac = 0.05;
    const double inner = ah / (1 + frac * (low + high));
    const int bx = int(std::round(ax + aw + bar_pad)), bw = int(std::round(bar_w));
    const int by = int(std::round(ay + (high ? inner * frac : 0))), bh = int(std::round(inner));
    std::vector<uint32_t> bar(size_t(bw) * size_t(bh));
    for (int r = 0; r < bh; ++r) {
      uint32_t c = argb(cmap.at(1.0 - (r + 0.5) / bh));
      for (int k = 0; k < bw; ++k) bar[size_t(r) * size_t(bw) + size_t(k)] = c;
    }
    canvas->image(bx, by, bw, bh, bar);
    std::vector<Point> outline;
    if (high) {
      canvas->polygon({{double(bx), double(by)}, {bx + bw / 2.0, by - inner * frac}, {double(bx + bw), double(by)}},
                      cmap.colors().back());
      outline = {{double(bx), double(by)}, {bx + bw / 2.0, by - inner * frac}, {double(bx + bw), double(by)}};
    } else {
      outline = {{double(bx), double(by)}, {double(bx + bw), double(by)}};
    }
    if (low) {
      canvas->polygon({{double(bx + bw), double(by + bh)}, {bx + bw / 2.0, by + bh + inner * frac}, {double(bx), double(by + bh)}},
                      cmap.colors().front());
      outline.insert(outline.end(), {{double(bx + bw), double(by + bh)}, {bx + bw / 2.0, by + bh + inner * frac},
                                     {double(bx), double(by + bh)}});
    } else {
      outline.insert(outline.end(), {{double(bx + bw), double(by + bh)}, {double(bx), double(by + bh)}});
    }
    canvas->polyline(outline, kBlack, spine, true);
    double cw = 0;
    const double span = p.vmax - p.vmin;
    for (const auto& t : cticks) {
      double py = span > 0 ? by + bh - (t.value - p.vmin) / span * bh : by + bh;
      canvas->polyline({{double(bx + bw), py}, {bx + bw + tick_len, py}}, kBlack, spine, false);
      canvas->text(bx + bw + tick_len + tick_pad, py, t.label, fs, 0.0, VAlign::kCenter, false);
      cw = std::max(cw, measure.width(t.label, fs));
    }
    double cx = bx + bw + tick_len + tick_pad + cw + label_pad;
    for (const auto& line : clabel) {
      canvas->text(cx, by + bh / 2.0, line, fs, 0.5, VAlign::kTop, true);
      cx += line_h;
    }
  }
  return canvas->finish();
}

}  // namespace pangeo
