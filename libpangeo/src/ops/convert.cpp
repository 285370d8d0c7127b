#include "pangeo/convert.hpp"

#include "pangeo/grid.hpp"

#include <algorithm>
#include <filesystem>
#include <set>
#include <sstream>

namespace pangeo {

Shape derived_chunks(const Variable& v, const Shape& chunks) {
  const uint64_t item = v.dtype.kind == DTypeKind::kString ? 16 : std::max<uint32_t>(v.dtype.itemsize, 1);
  if (chunks.size() != v.shape.size() || chunks.empty()) return default_chunks(v);
  if (element_count(chunks) * item >= (1u << 20) || element_count(chunks) >= v.size()) return chunks;
  return default_chunks(v);
}

namespace {

// Coordinates a variable needs: its dimensions' coordinate variables and the names in
// its "coordinates" attribute.
std::set<std::string> needed_coordinates(const Group& g, const Variable& v) {
  std::set<std::string> out;
  for (const auto& d : v.dims)
    if (g.find_var(d)) out.insert(d);
  if (auto coords = v.attrs.text("coordinates")) {
    std::stringstream ss(*coords);
    std::string name;
    while (ss >> name)
      if (g.find_var(name)) out.insert(name);
  }
  return out;
}

void filter_group(const Group& in, Group& out, const std::string& prefix, const std::set<std::string>& keep,
                  bool keep_all, const std::set<std::string>& drop) {
  out.name = in.name;
  out.attrs = in.attrs;
  std::set<std::string> wanted;
  for (const auto& v : in.vars) {
    std::string path = prefix + v.name;
    if (drop.count(path)) continue;
    if (keep_all || keep.count(path)) {
      wanted.insert(v.name);
      for (const auto& c : needed_coordinates(in, v))
        if (!drop.count(prefix + c)) wanted.insert(c);
    }
  }
  std::set<std::string> used_dims;
  for (const auto& v : in.vars)
    if (wanted.count(v.name)) {
      out.vars.push_back(v);
      used_dims.insert(v.dims.begin(), v.dims.end());
    }
  for (const auto& d : in.dims)
    if (keep_all || used_dims.count(d.name)) out.dims.push_back(d);
  for (const auto& sub : in.groups) {
    Group s;
    filter_group(sub, s, prefix + sub.name + "/", keep, keep_all, drop);
    if (!s.vars.empty() || !s.groups.empty() || keep_all) out.groups.push_back(std::move(s));
  }
}

}  // namespace

Result<Group> select_variables(const Group& root, const std::vector<std::string>& keep,
                               const std::vector<std::string>& drop) {
  for (const auto* list : {&keep, &drop})
    for (const auto& name : *list)
      if (!find_variable(root, name).ok()) return not_found("no variable \"{}\"", name);
  Group out;
  filter_group(root, out, "", std::set<std::string>(keep.begin(), keep.end()), keep.empty(),
               std::set<std::string>(drop.begin(), drop.end()));
  return out;
}

static void set_output_storage(Group& g, const std::string& prefix, const DatasetReader& in, OutputFormat format,
                               const ConvertOptions& opt, bool input_is_zarr) {
  for (auto& v : g.vars) {
    StorageEncoding enc;
    const StorageEncoding& src = v.storage;
    enc.netcdf_enum = src.netcdf_enum;  // netCDF-4 output keeps the enum's labels
    Shape chunks = src.chunks.empty() ? default_chunks(v) : src.chunks;
    for (size_t d = 0; d < v.dims.size(); ++d) {
      auto it = opt.chunks.find(v.dims[d]);
      if (it != opt.chunks.end()) chunks[d] = it->second < 0 ? v.shape[d] : uint64_t(it->second);
      chunks[d] = std::max<uint64_t>(1, std::min<uint64_t>(chunks[d], std::max<uint64_t>(v.shape[d], 1)));
    }
    // Dimension coordinates go in one chunk, as xarray writes its index coordinates.
    if (v.is_dimension_coordinate() && v.shape[0] > 0) chunks = v.shape;
    enc.chunks = chunks;
    if (format == OutputFormat::kZarr && !opt.shards.empty()) {
      // Sharded v3: the grid holds shards; the chunks become the inner chunks.
      enc.shard_chunks = chunks;
      for (size_t d = 0; d < v.dims.size(); ++d) {
        auto it = opt.shards.find(v.dims[d]);
        if (it == opt.shards.end()) continue;
        uint64_t s = it->second < 0 ? v.shape[d] : uint64_t(it->second);
        enc.chunks[d] = std::max<uint64_t>(chunks[d], (s + chunks[d] - 1) / chunks[d] * chunks[d]);
      }
    }
    if (format == OutputFormat::kZarr) {
      if (opt.compressor) enc.compressor = *opt.compressor;
      else if (opt.stream_output) enc.compressor = nullptr;
      else if (input_is_zarr && !src.compressor.is_null()) enc.compressor = src.compressor;
      else enc.compressor = Json{{"id", "blosc"}, {"cname", "lz4"}, {"clevel", 5}, {"shuffle", 1}, {"blocksize", 0}};
      // Filters that change values or types stay with the data; vlen-utf8 is re-added.
      if (input_is_zarr && src.filters.is_array()) enc.filters = src.filters;
    } else {
      if (opt.compressor) {
        const Json& c = *opt.compressor;
        if (!c.is_null()) enc.deflate_level = c.value("level", 1);
      } else {
        enc.deflate_level = src.deflate_level;
        enc.shuffle = src.shuffle;
      }
      if (format == OutputFormat::kNetcdf3) enc.chunks.clear();
    }
    v.storage = enc;
  }
  for (auto& sub : g.groups) set_output_storage(sub, prefix + sub.name + "/", in, format, opt, input_is_zarr);
}

Result<ConvertPlan> plan_convert(const DatasetReader& in, OutputFormat format, const ConvertOptions& opt) {
  ConvertPlan plan;
  PG_ASSIGN_OR_RETURN(plan.schema, select_variables(in.root(), opt.keep_vars, opt.drop_vars));
  for (const auto& ref : all_variables(plan.schema))
    if (!ref.var->storage.unsupported.empty())
      return unsupported("{}: variable \"{}\": {}; the other variables convert without it", in.location(), ref.path,
                         ref.var->storage.unsupported);
  for (const auto& [dim, n] : opt.chunks) {
    bool found = false;
    for (const auto& ref : all_variables(plan.schema))
      for (const auto& d : ref.var->dims) found |= d == dim;
    if (!found) return invalid_argument("chunks for \"{}\", which is no dimension", dim);
  }
  if (!opt.shards.empty() && (format != OutputFormat::kZarr || opt.zarr_format != 3))
    return invalid_argument("shards need Zarr v3 output");
  if (opt.zarr_format != 2 && opt.zarr_format != 3) return invalid_argument("Zarr format {}: 2 or 3", opt.zarr_format);
  for (const auto& [dim, n] : opt.shards) {
    bool found = false;
    for (const auto& ref : all_variables(plan.schema))
      for (const auto& d : ref.var->dims) found |= d == dim;
    if (!found) return invalid_argument("shards for \"{}\", which is no dimension", dim);
  }
  if (format != OutputFormat::kZarr && opt.compressor && !opt.compressor->is_null()) {
    std::string id = opt.compressor->value("id", "");
    if (id != "zlib" && id != "gzip")
      return invalid_argument("netCDF output compresses with zlib only, not {}", id);
  }
  set_output_storage(plan.schema, "", in, format, opt, in.format_name().rfind("Zarr", 0) == 0);
  const unsigned threads = resolve_threads(opt.exec);
  const uint64_t budget = task_budget(opt.exec.memory_budget, threads);
  uint64_t largest = 0;
  for (const auto& ref : all_variables(plan.schema)) {
    const Variable& v = *ref.var;
    const uint64_t item = v.dtype.kind == DTypeKind::kString ? 16 : v.dtype.itemsize;
    const Shape unit = v.storage.chunks.empty() ? in.read_chunks(ref.path) : v.storage.chunks;
    PG_RETURN_IF_ERROR(check_array_layout(v.shape, unit, item).with_context(fmt::format("output variable \"{}\"", ref.path)));
    const RechunkLayout layout{v.shape, in.read_chunks(ref.path), in.reads_in_place(ref.path), unit, item};
    const bool may_stage = v.dtype.is_numeric() && !opt.layout_only && v.size() > 0;
    const RechunkPlan rp = plan_rechunk(layout, budget, threads, may_stage);
    plan.rechunk[ref.path] = rp;
    const ChunkGrid out_grid(v.shape, unit);
    for (const Box& b : ChunkGrid(v.shape, rp.write).boxes()) {
      ConvertPlan::Task t{ref.path, b, b.size() * item, {}, slab_cost(rp.write, unit, item)};
      if (rp.write != unit) out_grid.for_each_chunk_in(b, [&](const Shape&, const Box& c, const Box&) { t.writes.push_back(c); });
      plan.total_bytes += t.bytes;
      largest = std::max(largest, rp.task_bytes);
      plan.tasks.push_back(std::move(t));
    }
  }
  plan.peak_memory = largest * threads;
  if (opt.exec.memory_budget) plan.peak_memory = std::min(plan.peak_memory, std::max(opt.exec.memory_budget, largest));
  return plan;
}

namespace {
// Reads the slab at `box` piece by piece (DatasetReader::read_pieces) into copies of the
// output chunks `writes` it holds, then encodes and writes them one by one.
Status write_parts(DatasetReader& in, const std::string& path, const Box& box, const std::vector<Box>& writes,
                   DatasetWriter& writer) {
  // The copies' buffers stay with the thread: fresh chunk-sized allocations for every
  // slab would each be mapped, faulted in and cleared by the kernel.
  thread_local std::vector<NdArray> parts;
  parts.resize(writes.size());
  std::vector<RegionCopy> copies;
  bool ready = false;
  Status s = in.read_pieces(path, box, [&](const NdArray& piece, const Shape& origin, const Box& part) {
    if (!ready) {  // sized and typed as the first piece (strings start afresh)
      for (size_t k = 0; k < writes.size(); ++k) {
        NdArray& p = parts[k];
        if (p.shape != writes[k].count || !(p.dtype == piece.dtype) || piece.dtype.kind == DTypeKind::kString)
          p = NdArray(piece.dtype, writes[k].count);
      }
      ready = true;
    }
    copies.clear();
    for (size_t k = 0; k < writes.size(); ++k) {
      Box r;
      if (intersect(part, writes[k], &r)) copies.push_back({&parts[k], writes[k].start, r});
    }
    copy_regions(piece, origin, copies);
  });
  if (s.ok() && !ready && !writes.empty()) s = internal_error("{}: nothing read for {}", path, shape_text(box.count));
  for (size_t k = 0; k < writes.size() && s.ok(); ++k) s = writer.write(path, writes[k], parts[k]);
  if (!s.ok()) parts.clear();
  return s;
}
}  // namespace

Status run_convert(DatasetReader& in_ref, const ConvertPlan& plan, DatasetWriter& writer, const ConvertOptions& opt) {
  PG_RETURN_IF_ERROR(writer.create(plan.schema));
  // With layout_only, the coordinates' chunks alone: data variables are filled later.
  std::vector<const ConvertPlan::Task*> tasks;
  const std::set<std::string> coords =
      opt.layout_only || opt.share ? coordinate_paths(plan.schema) : std::set<std::string>();
  for (const auto& t : plan.tasks)
    if (!opt.layout_only || coords.count(t.path)) tasks.push_back(&t);
  if (opt.share) {  // the coordinates for part 0, and this part's share of the data tasks
    std::vector<const ConvertPlan::Task*> data, mine;
    for (const auto* t : tasks) (coords.count(t->path) ? mine : data).push_back(t);
    if (opt.share->index != 0) mine.clear();
    const auto [first, last] = part_range(data.size(), *opt.share);
    mine.insert(mine.end(), data.begin() + first, data.begin() + last);
    tasks = std::move(mine);
  }
  ExecOptions exec = opt.exec;
  DatasetReader* in = &in_ref;
  std::unique_ptr<DatasetReader> staged;
  std::map<std::string, RechunkPlan> two_stage;
  uint64_t first = 0;
  std::set<std::string> touched;
  for (const auto* t : tasks) touched.insert(t->path);
  for (const auto& [path, rp] : plan.rechunk)
    if (rp.staged() && touched.count(path)) {
      two_stage[path] = rp;
      first += ChunkGrid(find_variable(plan.schema, path)->var->shape, rp.read).num_chunks();
    }
  if (!two_stage.empty() && !opt.layout_only) {
    // Stage 1 first; one progress count over both stages.
    ExecOptions copy = opt.exec;
    if (opt.exec.progress)
      copy.progress = [&](uint64_t done, uint64_t) { opt.exec.progress(done, first + tasks.size()); };
    PG_ASSIGN_OR_RETURN(staged, stage_variables(in_ref, two_stage, copy));
    in = staged.get();
    if (opt.exec.progress)
      exec.progress = [&](uint64_t done, uint64_t) { opt.exec.progress(first + done, first + tasks.size()); };
  }
  auto task = [&](uint64_t i) -> Status {
    const auto& t = *tasks[i];
    if (!t.writes.empty()) return write_parts(*in, t.path, t.box, t.writes, writer);
    PG_ASSIGN_OR_RETURN(NdArray data, in->read(t.path, t.box));
    return writer.write(t.path, t.box, data);
  };
  auto cost = [&](uint64_t i) { return tasks[i]->cost ? tasks[i]->cost : tasks[i]->bytes * 3; };
  PG_RETURN_IF_ERROR(run_tasks(tasks.size(), task, cost, exec));
  return writer.finish();
}

}  // namespace pangeo

namespace pangeo {

namespace {
bool remote_output(const std::string& output) {
  return output.find("://") != std::string::npos && output.rfind("file://", 0) != 0;
}

// An object store may take the output when it holds nothing, or when -O is given: the
// number of objects to clear first. Objects without metadata are what an interrupted run
// left: replaced with -O, refused without.
Result<size_t> check_remote_output(const std::shared_ptr<Store>& remote, const ConvertRequest& req) {
  PG_ASSIGN_OR_RETURN(bool exists, store_holds_dataset(remote));
  if (exists && !req.overwrite) return already_exists("{}: output exists (use -O to overwrite)", req.output);
  PG_ASSIGN_OR_RETURN(std::vector<std::string> old_keys, remote->list(""));
  if (!old_keys.empty() && !req.overwrite)
    return already_exists("{}: holds {} objects but no dataset (an interrupted run?); -O replaces them", req.output,
                          old_keys.size());
  return old_keys.size();
}
}  // namespace

Status check_output(const ConvertRequest& req) {
  if (req.output.empty()) return invalid_argument("no output given (-o PATH)");
  PG_RETURN_IF_ERROR(output_format_for(req.output, req.format).status());
  if (req.output == "-") return Status::Ok();
  PG_RETURN_IF_ERROR(check_output_is_not_an_input(req.output, req.inputs));
  if (remote_output(req.output)) {
    PG_ASSIGN_OR_RETURN(auto remote, open_store(req.output, req.cloud));
    return check_remote_output(remote, req).status();
  }
  return AtomicOutput::check(req.output.rfind("file://", 0) == 0 ? req.output.substr(7) : req.output, req.overwrite);
}

Result<ConvertPlan> convert_dataset(const ConvertRequest& req) {
  if (req.output.empty()) return invalid_argument("no output given (-o PATH)");
  PG_RETURN_IF_ERROR(output_format_for(req.output, req.format).status());
  PG_ASSIGN_OR_RETURN(auto in, open_inputs(req.inputs, req.cloud));
  return write_dataset(*in, req);
}

Result<ConvertPlan> write_dataset(DatasetReader& in_ref, const ConvertRequest& req) {
  if (req.output.empty()) return invalid_argument("no output given (-o PATH)");
  PG_ASSIGN_OR_RETURN(OutputFormat format, output_format_for(req.output, req.format));
  const OutputSpec spec{format, req.options.zarr_format, req.options.consolidated};
  DatasetReader* in = &in_ref;
  if (req.output == "-") {
    if (req.options.zarr_format != 2) return unsupported("streams carry Zarr v2 stores");
    ConvertOptions opt = req.options;
    opt.stream_output = true;
    PG_ASSIGN_OR_RETURN(ConvertPlan plan, plan_convert(*in, format, opt));
    if (req.dry_run) return plan;
    auto tar = std::make_shared<TarStreamWriter>(1);
    PG_ASSIGN_OR_RETURN(auto writer, make_writer(OutputSpec{format, 2, opt.consolidated}, tar, ""));
    PG_RETURN_IF_ERROR(run_convert(*in, plan, *writer, opt));
    PG_RETURN_IF_ERROR(in->check_input());
    PG_RETURN_IF_ERROR(tar->finish());
    return plan;
  }
  if (remote_output(req.output)) {
    // Object storage: no rename to make the output atomic, so metadata goes last.
    if (format != OutputFormat::kZarr) return unsupported("{}: remote outputs are Zarr stores", req.output);
    PG_ASSIGN_OR_RETURN(ConvertPlan plan, plan_convert(*in, format, req.options));
    if (req.dry_run) return plan;
    PG_ASSIGN_OR_RETURN(auto remote, open_store(req.output, req.cloud));
    PG_RETURN_IF_ERROR(check_output_is_not_an_input(req.output, req.inputs));
    const bool lead = !req.options.share || req.options.share->index == 0;
    auto agreed = [&](const Status& s) { return req.options.agree ? req.options.agree(s) : s; };
    auto check_and_clear = [&]() -> Status {
      PG_ASSIGN_OR_RETURN(size_t old_keys, check_remote_output(remote, req));
      // Replacing a store: the old one goes first, metadata first. New chunks written under
      // old metadata would read as a mix if the run died, and old chunks left beside new
      // metadata could be read as data where the new store has none.
      if (old_keys) PG_RETURN_IF_ERROR(clear_store(*remote).with_context(req.output));
      return Status::Ok();
    };
    PG_RETURN_IF_ERROR(agreed(lead ? check_and_clear() : Status::Ok()));
    auto held = std::make_shared<MetadataLastStore>(remote, zarr_write_rank);
    PG_ASSIGN_OR_RETURN(auto writer, make_writer(spec, held, ""));
    Status wrote = run_convert(*in, plan, *writer, req.options);
    if (wrote.ok()) wrote = in->check_input();
    PG_RETURN_IF_ERROR(agreed(wrote));
    if (lead) PG_RETURN_IF_ERROR(held->flush());
    return plan;
  }
  PG_RETURN_IF_ERROR(check_output_is_not_an_input(req.output, req.inputs));
  PG_ASSIGN_OR_RETURN(ConvertPlan plan, plan_convert(*in, format, req.options));
  if (req.dry_run) return plan;
  PG_ASSIGN_OR_RETURN(auto out, AtomicOutput::create(req.output, req.overwrite, format == OutputFormat::kZarr));
  std::shared_ptr<Store> dir;
  if (format == OutputFormat::kZarr) dir = std::make_shared<DirectoryStore>(out->temp_path());
  PG_ASSIGN_OR_RETURN(auto writer, make_writer(spec, dir, out->temp_path().string()));
  Status s = run_convert(*in, plan, *writer, req.options);
  writer.reset();
  if (!s.ok()) {
    // Messages name the output the user gave, never the hidden temporary.
    std::string msg = s.message();
    const std::string temp = out->temp_path().string();
    for (size_t p = 0; (p = msg.find(temp, p)) != std::string::npos; p += req.output.size()) msg.replace(p, temp.size(), req.output);
    return Status(s.code(), msg);
  }
  PG_RETURN_IF_ERROR(in->check_input());
  PG_RETURN_IF_ERROR(out->commit());
  return plan;
}

}  // namespace pangeo

namespace pangeo {

namespace {
std::string compact_shape(const Shape& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) out += (i ? "x" : "") + std::to_string(s[i]);
  return out.empty() ? "-" : out;
}
}  // namespace

std::string format_plan(const ConvertPlan& plan, bool json) {
  std::map<std::string, std::pair<uint64_t, uint64_t>> per_var;  // tasks, bytes
  uint64_t objects = 0;
  for (const auto& t : plan.tasks) {
    auto& e = per_var[t.path];
    e.first += std::max<uint64_t>(1, t.writes.size());
    e.second += t.bytes;
    objects += std::max<uint64_t>(1, t.writes.size());
  }
  auto rechunk_of = [&](const std::string& path) {
    auto it = plan.rechunk.find(path);
    return it == plan.rechunk.end() ? RechunkPlan() : it->second;
  };
  auto slabs = [](const Variable& v, const Shape& s) { return s.empty() ? 0 : ChunkGrid(v.shape, s).num_chunks(); };
  if (json) {
    Json j{{"objects", objects}, {"bytes", plan.total_bytes}, {"peak_memory", plan.peak_memory}};
    j["variables"] = Json::array();
    for (const auto& ref : all_variables(plan.schema)) {
      auto e = per_var[ref.path];
      const RechunkPlan rp = rechunk_of(ref.path);
      Json stages = Json::array();
      if (rp.staged())
        stages.push_back({{"read_slab", rp.read}, {"reads", slabs(*ref.var, rp.read)}, {"write_chunks", rp.intermediate},
                          {"writes", slabs(*ref.var, rp.intermediate)}});
      stages.push_back({{"read_slab", rp.write}, {"reads", slabs(*ref.var, rp.write)}, {"write_chunks", ref.var->storage.chunks},
                        {"writes", e.first}});
      j["variables"].push_back({{"path", ref.path}, {"shape", ref.var->shape}, {"chunks", ref.var->storage.chunks},
                                {"dtype", ref.var->dtype.numpy_name()}, {"chunk_objects", e.first}, {"bytes", e.second},
                                {"compressor", ref.var->storage.compressor}, {"stages", stages},
                                {"read_factor", rp.read_factor}});
    }
    return j.dump(2) + "\n";
  }
  std::string out;
  for (const auto& ref : all_variables(plan.schema)) {
    auto e = per_var[ref.path];
    out += fmt::format("{:<24} {:<10} chunks {:<20} {:>8} objects {:>14} bytes\n", ref.path, ref.var->dtype.numpy_name(),
                       compact_shape(ref.var->storage.chunks), e.first, e.second);
    const RechunkPlan rp = rechunk_of(ref.path);
    if (rp.staged()) {
      out += fmt::format("  stage 1: {} slabs of {} -> intermediate chunks {} ({} objects)\n", slabs(*ref.var, rp.read),
                         compact_shape(rp.read), compact_shape(rp.intermediate), slabs(*ref.var, rp.intermediate));
      out += fmt::format("  stage 2: {} slabs of {} -> output chunks\n", slabs(*ref.var, rp.write), compact_shape(rp.write));
    } else if (!rp.write.empty() && rp.write != ref.var->storage.chunks) {
      out += fmt::format("  {} slabs of {}{}\n", slabs(*ref.var, rp.write), compact_shape(rp.write),
                         rp.read_factor > 1 ? fmt::format(", input read {:.1f} times", rp.read_factor) : "");
    }
  }
  out += fmt::format("total: {} chunk objects, {} bytes uncompressed, estimated peak memory {} bytes\n", objects,
                     plan.total_bytes, plan.peak_memory);
  return out;
}

}  // namespace pangeo
