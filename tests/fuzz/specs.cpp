// The option grammars every tool parses (--sel/--isel, --chunks, --compressor, --op, sizes,
// --part, --rolling, --by/--resample, --region, formats, picture sizes). First byte: which grammar.
#include "common.hpp"
#include "common/specs.hpp"

using namespace pgtool;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
  pangeo::GroupByOptions g;
  switch (data[0] % 14) {
    case 0: (void)parse_integer(text); break;
    case 1: (void)parse_number(text); break;
    case 2: (void)parse_dim_lengths(text); break;
    case 3: (void)parse_compressor(text); break;
    case 4: (void)parse_op(text); break;
    case 5: (void)parse_size(text); break;
    case 6: (void)parse_part_option(text); break;
    case 7: (void)parse_rolling(text); break;
    case 8: (void)parse_selector(text, true); break;
    case 9: (void)parse_selector(text, false); break;
    case 10: (void)parse_by(text, g); break;
    case 11: (void)parse_resample(text, g); break;
    case 12: (void)parse_region(text); break;
    case 13: (void)parse_zarr_format(text); (void)parse_format(text); (void)parse_picture_size(text); break;
  }
  return 0;
}
