#include "pangeo/info.hpp"
#include "pangeo/version.hpp"

#include "accumulator.hpp"
#include "partials.hpp"
#include "pangeo/grid.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>
#include <mutex>
#include <set>
#include <sstream>

#include "pangeo/cf.hpp"

namespace pangeo {

namespace {

std::string quote_cdl(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

// Shortest round-trip form of a double, like Python's repr ("0.1", "1e+34", "20.0").
std::string repr_double(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  std::string s = fmt::format("{}", v);
  if (s.find_first_of(".e") == std::string::npos) s += ".0";
  return s;
}

std::string attr_cdl(const AttrValue& a) {
  if (a.is_text()) {
    if (a.value.is_string()) return quote_cdl(a.value.get<std::string>());
    std::string out;
    for (size_t i = 0; i < a.value.size(); ++i) out += (i ? ", " : "") + quote_cdl(a.value[i].get<std::string>());
    return out;
  }
  std::string out;
  auto nums = a.numbers();
  for (size_t i = 0; i < nums.size(); ++i) out += (i ? ", " : "") + cdl_number(nums[i], a.dtype);
  return out;
}

// ncdump names the type only where the value's suffix cannot say it.
std::string attr_type_prefix(const AttrValue& a) { return a.dtype.kind == DTypeKind::kString ? "string " : ""; }

}  // namespace

std::string cdl_number(double v, const DType& dt) {
  switch (dt.kind) {
    case DTypeKind::kInt8: return fmt::format("{}b", int64_t(v));
    case DTypeKind::kUInt8: return fmt::format("{}UB", int64_t(v));
    case DTypeKind::kInt16: return fmt::format("{}s", int64_t(v));
    case DTypeKind::kUInt16: return fmt::format("{}US", int64_t(v));
    case DTypeKind::kInt32: return fmt::format("{}", int64_t(v));
    case DTypeKind::kUInt32: return fmt::format("{}U", uint64_t(v));
    case DTypeKind::kInt64: return fmt::format("{}LL", int64_t(v));
    case DTypeKind::kUInt64: return fmt::format("{}ULL", uint64_t(v));
    default: break;
  }
  bool single = dt.kind == DTypeKind::kFloat32;
  if (std::isnan(v)) return single ? "NaNf" : "NaN";
  if (std::isinf(v)) return std::string(v > 0 ? "" : "-") + (single ? "Infinityf" : "Infinity");
  // ncdump: %.7g for float, %.15g for double, with a '.' forced into the mantissa.
  std::string s = fmt::format("{:.{}g}", v, single ? 7 : 15);
  if (!single && std::stod(s) != v) s = fmt::format("{:.17g}", v);
  if (s.find('.') == std::string::npos) {
    auto e = s.find('e');
    if (e == std::string::npos) s += ".";
    else s.insert(e, ".");
  }
  return single ? s + "f" : s;
}

std::string format_cdl(const Group& root, const std::string& name) {
  std::string out;
  std::function<void(const Group&, const std::string&, bool)> group = [&](const Group& g, const std::string& ind, bool top) {
    if (!g.dims.empty()) {
      out += ind + "dimensions:\n";
      for (const auto& d : g.dims) {
        if (d.unlimited) out += fmt::format("{}\t{} = UNLIMITED ; // ({} currently)\n", ind, d.name, d.size);
        else out += fmt::format("{}\t{} = {} ;\n", ind, d.name, d.size);
      }
    }
    if (!g.vars.empty()) {
      out += ind + "variables:\n";
      for (const auto& v : g.vars) {
        std::string type = v.dtype.cdl_name();
        if (type.empty()) type = v.dtype.numpy_name();
        std::string dims;
        for (size_t i = 0; i < v.dims.size(); ++i) dims += (i ? ", " : "") + v.dims[i];
        out += fmt::format("{}\t{} {}{} ;\n", ind, type, v.name, v.dims.empty() ? "" : "(" + dims + ")");
        for (const auto& a : v.attrs.items()) {
          AttrValue av = a.value;
          if (a.name == "_FillValue" && !av.is_text()) av.dtype = v.dtype;
          out += fmt::format("{}\t\t{}{}:{} = {} ;\n", ind, attr_type_prefix(av), v.name, a.name, attr_cdl(av));
        }
      }
    }
    if (!g.attrs.empty()) {
      out += fmt::format("\n{}// {}attributes:\n", ind, top ? "global " : "group ");
      for (const auto& a : g.attrs.items())
        out += fmt::format("{}\t\t{}:{} = {} ;\n", ind, attr_type_prefix(a.value), a.name, attr_cdl(a.value));
    }
    for (const auto& sub : g.groups) {
      out += fmt::format("\n{}group: {} {{\n", ind, sub.name);
      group(sub, ind + "  ", false);
      out += fmt::format("{}  }} // group {}\n", ind, sub.name);
    }
  };
  out += fmt::format("netcdf {} {{\n", name);
  group(root, "", true);
  out += "}\n";
  return out;
}

namespace {

std::string format_values(DatasetReader& in, const std::string& path, const Variable& v) {
  if (v.rank() != 1 || v.size() == 0) return "...";
  const uint64_t n = v.shape[0];
  std::vector<uint64_t> picks;
  if (n <= 6) {
    for (uint64_t i = 0; i < n; ++i) picks.push_back(i);
  } else {
    picks = {0, 1, 2, n - 3, n - 2, n - 1};
  }
  std::optional<TimeUnits> tu;
  if (is_time_variable(v)) {
    auto t = TimeUnits::of(v);
    if (t.ok()) tu = *t;
  }
  MaskAndScale ms(v);
  std::vector<std::string> parts;
  for (uint64_t i : picks) {
    auto r = in.read(path, Box{{i}, {1}});
    if (!r.ok()) return "...";
    std::string s;
    if (v.dtype.kind == DTypeKind::kString) s = r->strings[0];
    else if (v.dtype.kind == DTypeKind::kChar || v.dtype.kind == DTypeKind::kBytes)
      s = std::string(r->bytes.begin(), r->bytes.end()).c_str();
    else if (!v.dtype.is_numeric()) s = "?";
    else {
      double x = ms.decode(*r, 0);
      if (tu) s = std::isfinite(x) ? tu->to_datetime(x).iso() : "NaT";  // as numpy shows a missing time
      else if (v.dtype.is_integer() && !ms.packed() && std::isfinite(x)) s = fmt::format("{}", int64_t(x));
      else s = repr_double(x);
    }
    parts.push_back(s);
  }
  std::string out;
  for (size_t k = 0; k < parts.size(); ++k) {
    if (n > 6 && k == 3) out += " ...";
    out += (k ? " " : "") + parts[k];
  }
  return out;
}

std::string human_bytes(double b) {
  const char* units[] = {"B", "kB", "MB", "GB", "TB"};
  int u = 0;
  while (b >= 1000 && u < 4) {
    b /= 1000;
    ++u;
  }
  return u == 0 ? fmt::format("{}B", uint64_t(b)) : fmt::format("{:.1f}{}", b, units[u]);
}

// Bytes a local file, or the files under a local directory, take; nullopt for anything else.
std::optional<uint64_t> size_on_disk(const std::string& location) {
  std::error_code ec;
  const std::filesystem::path p = location.rfind("file://", 0) == 0 ? location.substr(7) : location;
  if (location.find("://") != std::string::npos && location.rfind("file://", 0) != 0) return std::nullopt;
  if (std::filesystem::is_regular_file(p, ec)) return std::filesystem::file_size(p, ec);
  if (!std::filesystem::is_directory(p, ec)) return std::nullopt;
  uint64_t total = 0;
  for (auto it = std::filesystem::recursive_directory_iterator(p, ec); !ec && it != std::filesystem::recursive_directory_iterator();
       it.increment(ec))
    if (it->is_regular_file(ec)) total += it->file_size(ec);
  return total;
}

}  // namespace

namespace {
// As xarray decodes a variable: CF times (datetime64, 8 bytes), else decoded_dtype; strings
// are objects (8 bytes).
bool decodes_to_time(const Variable& v) { return is_time_variable(v) && TimeUnits::of(v).ok(); }
DType shown_dtype(const Variable& v) {
  if (v.dtype.kind == DTypeKind::kString || decodes_to_time(v)) return DType::of(DTypeKind::kInt64);
  return decoded_dtype(v);
}
}  // namespace

Result<std::string> format_summary(DatasetReader& in) {
  const Group& root = in.root();
  // As xarray's repr: the size of the data in memory; the Format line gives what the file
  // or directory takes on disk, where the input is local.
  uint64_t nbytes = 0;
  for (const auto& ref : all_variables(root)) nbytes += ref.var->size() * shown_dtype(*ref.var).itemsize;
  std::string out = fmt::format("<pangeo.Dataset> Size: {}\n", human_bytes(double(nbytes)));
  const auto disk = size_on_disk(in.location());
  out += fmt::format("Format:      {} ({}{})\n", in.format_name(), in.location(),
                     disk ? ", " + human_bytes(double(*disk)) + " on disk" : std::string());
  const std::set<std::string> coords = coordinate_paths(root);
  std::function<void(const Group&, const std::string&)> group = [&](const Group& g, const std::string& prefix) {
    // Dimensions used by variables (xarray lists only those), sorted by name.
    std::vector<std::pair<std::string, uint64_t>> dims;
    for (const auto& v : g.vars)
      for (size_t d = 0; d < v.dims.size(); ++d)
        if (std::none_of(dims.begin(), dims.end(), [&](auto& x) { return x.first == v.dims[d]; }))
          dims.emplace_back(v.dims[d], v.shape[d]);
    std::sort(dims.begin(), dims.end());
    std::string dl;
    for (size_t i = 0; i < dims.size(); ++i) dl += fmt::format("{}{}: {}", i ? ", " : "", dims[i].first, dims[i].second);
    if (!prefix.empty()) out += fmt::format("Group: /{}\n", prefix.substr(0, prefix.size() - 1));
    out += fmt::format("Dimensions:  ({})\n", dl);
    // Coordinates as xarray decodes them.
    std::set<std::string> coord_names;
    for (const auto& v : g.vars)
      if (coords.count(prefix + v.name)) coord_names.insert(v.name);
    size_t width = 0;
    for (const auto& v : g.vars) width = std::max(width, v.name.size());
    auto line = [&](const Variable& v, const char* mark) {
      std::string dims;
      for (size_t i = 0; i < v.dims.size(); ++i) dims += (i ? ", " : "") + v.dims[i];
      const std::string type = decodes_to_time(v) ? "datetime" : shown_dtype(v).numpy_name();
      std::string grid;
      if (!v.storage.shard_chunks.empty()) {
        grid = " [shards";
        for (size_t i = 0; i < v.storage.chunks.size(); ++i) grid += (i ? "x" : " ") + std::to_string(v.storage.chunks[i]);
        grid += ", chunks";
        for (size_t i = 0; i < v.storage.shard_chunks.size(); ++i) grid += (i ? "x" : " ") + std::to_string(v.storage.shard_chunks[i]);
        grid += "]";
      }
      return fmt::format("  {} {:<{}} ({}) {} {}{}\n", mark, v.name, width, dims, type,
                         coord_names.count(v.name) ? format_values(in, prefix + v.name, v) : "...", grid);
    };
    out += "Coordinates:\n";
    for (const auto& v : g.vars)
      if (coord_names.count(v.name)) out += line(v, v.dims.size() == 1 && v.dims[0] == v.name ? "*" : " ");
    out += "Data variables:\n";
    for (const auto& v : g.vars)
      if (!coord_names.count(v.name)) out += line(v, " ");
    // A group's "coordinates" attribute is decoded into the coordinates above, as xarray does.
    std::vector<const Attribute*> shown;
    for (const auto& a : g.attrs.items())
      if (a.name != "coordinates") shown.push_back(&a);
    if (!shown.empty()) {
      out += "Attributes:\n";
      size_t aw = 0;
      for (const auto* a : shown) aw = std::max(aw, a->name.size());
      for (const auto* ap : shown) {
        const auto& a = *ap;
        std::string val;
        if (a.value.is_text()) {
          val = a.value.value.is_string() ? a.value.value.get<std::string>() : attr_cdl(a.value);
        } else if (a.value.value.is_array()) {
          for (size_t i = 0; i < a.value.value.size(); ++i) val += (i ? ", " : "") + a.value.value[i].dump();
        } else {
          val = a.value.value.dump();
        }
        std::replace(val.begin(), val.end(), '\n', ' ');
        if (val.size() > 70) val = val.substr(0, 67) + "...";
        out += fmt::format("    {:<{}}  {}\n", a.name + ":", aw + 1, val);
      }
    }
    for (const auto& sub : g.groups) group(sub, prefix + sub.name + "/");
  };
  group(root, "");
  return out;
}

Result<std::vector<VarStats>> compute_stats(DatasetReader& in, const ExecOptions& exec) { return stats_in_parts(in, exec, nullptr); }

Result<std::vector<VarStats>> stats_in_parts(DatasetReader& in, const ExecOptions& exec, PartialStore* partial) {
  struct Task {
    size_t var;
    Box box;
  };
  auto vars = all_variables(in.root());
  std::vector<Task> tasks;
  std::vector<VarStats> out(vars.size());
  for (size_t k = 0; k < vars.size(); ++k) {
    const Variable& v = *vars[k].var;
    out[k].path = vars[k].path;
    out[k].numeric = v.dtype.is_numeric();
    if (!out[k].numeric) continue;
    for (const Box& b : ChunkGrid(v.shape, in.read_chunks(vars[k].path)).boxes()) tasks.push_back({k, b});
  }
  // One accumulator cell per task (count, NaNs, sum, min, max), merged in task order: the
  // same answer whatever the thread count or the parts.
  const unsigned fields = Accumulator::kSum | Accumulator::kMin | Accumulator::kMax | Accumulator::kNans;
  Accumulator partials;
  partials.init_fields(tasks.size(), OpSpec{}, fields);
  std::vector<std::vector<double>*> columns{&partials.n, &partials.nans, &partials.sum, &partials.mn, &partials.mx};
  // A part's cells travel as one block: its first task, its task count, then each field.
  const std::string key = "stats";
  if (partial && partial->merging()) {
    PG_ASSIGN_OR_RETURN(auto blocks, partial->all_blocks(key));
    std::vector<uint8_t> seen(tasks.size(), 0);
    for (const auto& b : blocks) {
      const auto first = b.size() >= 2 ? stored_index(b[0], tasks.size()) : std::nullopt;
      const auto count = b.size() >= 2 ? stored_index(b[1], tasks.size()) : std::nullopt;
      if (!first || !count || *count > tasks.size() - *first || b.size() != 2 + columns.size() * *count)
        return corrupt("partial statistics of another input (its chunks differ from this one's)");
      for (uint64_t i = 0; i < *count; ++i) {
        if (seen[*first + i]++) return corrupt("partial statistics cover chunk {} twice", *first + i);
        for (size_t f = 0; f < columns.size(); ++f) (*columns[f])[*first + i] = b[2 + f * *count + i];
      }
    }
    for (size_t i = 0; i < seen.size(); ++i)
      if (!seen[i]) return corrupt("no part holds the statistics of chunk {}", i);
  } else {
    const auto [first, last] = part_range(tasks.size(), partial ? partial->part() : Part());
    auto task = [&, first = first](uint64_t k) -> Status {
      const uint64_t i = first + k;
      const Task& t = tasks[i];
      const Variable& v = *vars[t.var].var;
      PG_ASSIGN_OR_RETURN(NdArray a, in.read(vars[t.var].path, t.box));
      MaskAndScale ms(v);
      const size_t n = a.size();
      for (size_t j = 0; j < n; ++j) partials.add(i, ms.decode(a, j));
      return Status::Ok();
    };
    auto cost = [&, first = first](uint64_t k) { return tasks[first + k].box.size() * vars[tasks[first + k].var].var->dtype.itemsize * 2; };
    PG_RETURN_IF_ERROR(run_tasks(last - first, task, cost, exec));
    if (partial) {
      std::vector<double> block{double(first), double(last - first)};
      for (auto* c : columns) block.insert(block.end(), c->begin() + first, c->begin() + last);
      PG_RETURN_IF_ERROR(partial->put_block(key, partial->part().index, block));
      return std::vector<VarStats>();
    }
  }
  Accumulator merged;
  merged.init_fields(vars.size(), OpSpec{}, fields);
  for (size_t i = 0; i < tasks.size(); ++i) merged.merge(tasks[i].var, partials, i);
  for (size_t k = 0; k < vars.size(); ++k) {
    out[k].count = uint64_t(merged.n[k]);
    out[k].nan_count = uint64_t(merged.nans[k]);
    out[k].min = merged.n[k] ? merged.mn[k] : NAN;
    out[k].max = merged.n[k] ? merged.mx[k] : NAN;
    out[k].mean = merged.finish(k);
    const Variable& v = *vars[k].var;
    if (merged.n[k] && is_time_variable(v)) {
      auto tu = TimeUnits::of(v);
      if (tu.ok()) {
        out[k].min_date = tu->to_datetime(out[k].min).iso();
        out[k].max_date = tu->to_datetime(out[k].max).iso();
        out[k].mean_date = tu->to_datetime(out[k].mean).iso();
      }
    }
  }
  return out;
}

namespace {
// Plain JSON has no NaN or infinities: --json writes them as the strings "NaN",
// "Infinity" and "-Infinity" (zarr-python's spelling for fill values).
Json strict_json(const Json& j) {
  return replace_non_finite(j, [](double d) { return Json(std::isnan(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity"); });
}
}  // namespace

Json describe_json(DatasetReader& in, const std::vector<VarStats>* stats, const std::optional<StoreStats>* store) {
  std::function<Json(const Group&, const std::string&)> group = [&](const Group& g, const std::string& prefix) {
    Json j;
    j["name"] = g.name.empty() ? "/" : g.name;
    j["dimensions"] = Json::array();
    for (const auto& d : g.dims) j["dimensions"].push_back({{"name", d.name}, {"size", d.size}, {"unlimited", d.unlimited}});
    j["attributes"] = strict_json(g.attrs.to_json());
    j["variables"] = Json::array();
    for (const auto& v : g.vars) {
      Json jv{{"name", v.name}, {"path", prefix + v.name}, {"dtype", v.dtype.numpy_name()}, {"dimensions", v.dims},
              {"shape", v.shape}, {"attributes", strict_json(v.attrs.to_json())}};
      Json enc = Json::object();
      if (!v.storage.chunks.empty()) enc["chunks"] = v.storage.chunks;
      if (!v.storage.compressor.is_null()) enc["compressor"] = v.storage.compressor;
      if (v.storage.filters.is_array() && !v.storage.filters.empty()) enc["filters"] = v.storage.filters;
      if (v.storage.deflate_level) enc["zlib"] = v.storage.deflate_level;
      if (!v.storage.zarr_v3_codecs.is_null()) enc["codecs"] = v.storage.zarr_v3_codecs;
      if (!v.storage.shard_chunks.empty()) enc["inner_chunks"] = v.storage.shard_chunks;
      if (v.storage.shuffle) enc["shuffle"] = true;
      jv["encoding"] = enc;
      if (stats)
        for (const auto& s : *stats)
          if (s.path == prefix + v.name && s.numeric) {
            auto num = [](double x) { return std::isfinite(x) ? Json(x) : Json(nullptr); };
            jv["stats"] = {{"count", s.count}, {"nan_count", s.nan_count}, {"min", num(s.min)}, {"max", num(s.max)}, {"mean", num(s.mean)}};
            if (!s.min_date.empty())
              jv["stats"].update({{"min_date", s.min_date}, {"max_date", s.max_date}, {"mean_date", s.mean_date}});
          }
      j["variables"].push_back(jv);
    }
    j["groups"] = Json::array();
    for (const auto& sub : g.groups) j["groups"].push_back(group(sub, prefix + sub.name + "/"));
    return j;
  };
  Json out{{"location", in.location()}, {"format", in.format_name()}, {"root", group(in.root(), "")}};
  Json library{{"name", "libpangeo"}};
  for (const auto& [name, ver] : component_versions()) {
    if (name == "libpangeo") library["version"] = ver;
    else library["components"][name] = ver;
  }
  out["library"] = library;
  if (store && *store) {
    const StoreStats& s = **store;
    out["store"] = {{"objects", s.objects}, {"stored_bytes", s.stored_bytes}, {"raw_bytes", s.raw_bytes},
                    {"ratio", s.stored_bytes ? double(s.raw_bytes) / double(s.stored_bytes) : 0.0},
                    {"chunks", s.chunks_expected}, {"missing_chunks", s.chunks_missing}};
  }
  return out;
}

}  // namespace pangeo

namespace pangeo {

std::string format_stats(const std::vector<VarStats>& stats, const std::optional<StoreStats>& store) {
  std::string out = "\nStatistics (decoded values):\n";
  size_t w = 8, vw = 14;
  for (const auto& s : stats) w = std::max(w, s.path.size());
  for (const auto& s : stats) vw = std::max({vw, s.min_date.size(), s.max_date.size(), s.mean_date.size()});
  out += fmt::format("  {:<{}} {:>{}} {:>{}} {:>{}} {:>12} {:>12}\n", "variable", w, "min", vw, "max", vw, "mean", vw, "count",
                     "nan");
  for (const auto& s : stats) {
    if (!s.numeric) continue;
    // Times as dates of their calendar, as xarray shows them.
    auto cell = [&](double x, const std::string& date) { return date.empty() ? fmt::format("{:.7g}", x) : date; };
    out += fmt::format("  {:<{}} {:>{}} {:>{}} {:>{}} {:>12} {:>12}\n", s.path, w, cell(s.min, s.min_date), vw,
                       cell(s.max, s.max_date), vw, cell(s.mean, s.mean_date), vw, s.count, s.nan_count);
  }
  if (store) {
    const StoreStats& st = *store;
    out += fmt::format("\nStore:\n  objects         {}\n  stored bytes    {}\n  raw bytes       {}\n  ratio           {:.2f}\n"
                       "  chunks          {}\n  missing chunks  {}\n",
                       st.objects, st.stored_bytes, st.raw_bytes,
                       st.stored_bytes ? double(st.raw_bytes) / double(st.stored_bytes) : 0.0, st.chunks_expected,
                       st.chunks_missing);
  }
  return out;
}

}  // namespace pangeo
