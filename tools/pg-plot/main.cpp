// pg-plot: a quick-look picture of one variable with xarray's defaults (a map for 2-D
// data, a line for 1-D), PNG or SVG.
#include "common/cli.hpp"
#include "pangeo/plot.hpp"

int main(int argc, char** argv) {
  CLI::App app{"Draw one variable as xarray's DataArray.plot() does: a 2-D variable as a colour-mapped map with a "
               "colorbar, a 1-D variable as a line; PNG or SVG.",
               "pg-plot"};
  pgtool::CommonOptions common;
  pgtool::SelectionOptions sel;
  pangeo::PlotOptions plot;
  std::string format;
  std::vector<std::string> inputs;
  app.add_option("INPUT", inputs, "netCDF file(s) or Zarr store, or - for a stream from another pg- tool")->required();
  app.add_option("-o,--output", common.output, "Picture to write (.png, .svg), or - for stdout (with --format)");
  app.add_flag("-O,--overwrite", common.overwrite, "Replace an existing picture");
  app.add_option("-v,--variable", plot.var, "The variable to draw (default: the only data variable)");
  pgtool::add_selection_options(app, sel);
  std::pair<uint32_t, uint32_t> size{plot.width, plot.height};
  pgtool::add_spec_option(app, "--size", size, pgtool::parse_picture_size, "WxH: picture size in pixels (default 640x480)");
  app.add_option("--dpi", plot.dpi, "Pixels per inch: scales text and lines (default 100)");
  app.add_flag("--robust", plot.robust, "Colour limits at the 2nd and 98th percentiles instead of the extremes");
  pgtool::add_spec_option(app, "--vmin", plot.vmin, pgtool::parse_number, "Lowest value of the colour scale");
  pgtool::add_spec_option(app, "--vmax", plot.vmax, pgtool::parse_number, "Highest value of the colour scale");
  app.add_option("--cmap", plot.cmap, "Colormap (viridis, RdBu_r, ...; default viridis, RdBu_r for data of both signs)");
  app.add_option("--format", format, "png or svg (default: from the name)")->check(CLI::IsMember({"png", "svg"}));
  pgtool::add_common_options(app, common, pgtool::kThreads | pgtool::kMemory | pgtool::kQuiet | pgtool::kProgress |
                                              pgtool::kJson | pgtool::kRemote);
  return pgtool::run_tool("pg-plot", app, argc, argv, [&]() -> pangeo::Status {
    if (common.output.empty()) return pangeo::invalid_argument("no output given (-o PATH)");
    std::tie(plot.width, plot.height) = size;
    if (common.output == "-" && format.empty()) return pgtool::usage_error("-o -: give --format png or svg");
    PG_ASSIGN_OR_RETURN(plot.format, pangeo::picture_format_for(common.output, format));
    PG_ASSIGN_OR_RETURN(auto exec, pgtool::exec_options(common, "plot"));
    PG_ASSIGN_OR_RETURN(std::shared_ptr<pangeo::DatasetReader> in, pangeo::open_inputs(inputs, common.cloud));
    PG_ASSIGN_OR_RETURN(auto view, pgtool::apply_selection(in, sel));
    PG_ASSIGN_OR_RETURN(pangeo::PlotData data, pangeo::prepare_plot(*view, plot, exec));
    pangeo::PlotLayout layout;
    PG_ASSIGN_OR_RETURN(pangeo::Bytes picture, pangeo::render_plot(data, plot, &layout));
    PG_RETURN_IF_ERROR(in->check_input());
    PG_RETURN_IF_ERROR(pgtool::write_bytes(common.output, picture, common, inputs));
    if (common.json && common.output != "-") pgtool::print_out(pangeo::plot_json(data, plot, layout, common.output).dump(2) + "\n");
    return pangeo::Status::Ok();
  });
}
