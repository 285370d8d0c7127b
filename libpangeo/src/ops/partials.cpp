#include "partials.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "pangeo/codec.hpp"
#include "pangeo/reduce.hpp"

namespace pangeo {

namespace {
const char* kMeta = "pgpartial.json";
const char* kFormat = "pg-partial 2";

struct FieldRef {
  const char* name;
  std::vector<double> Accumulator::*member;
};
const FieldRef kFields[] = {{"n", &Accumulator::n},       {"nans", &Accumulator::nans}, {"sum", &Accumulator::sum},
                            {"sw", &Accumulator::sw},     {"mean", &Accumulator::mean}, {"m2", &Accumulator::m2},
                            {"mn", &Accumulator::mn},     {"mx", &Accumulator::mx}};

// Partial results are written once and read once: blosc lz4 with byte shuffle of the
// float64 fields (fast both ways; counts and smooth sums shrink well).
const Codec& packer() {
  static const std::unique_ptr<Codec> c = std::move(
      make_codec(Json{{"id", "blosc"}, {"cname", "lz4"}, {"clevel", 1}, {"shuffle", 1}, {"blocksize", 0}}, DType::of(DTypeKind::kFloat64))
          .value());
  return *c;
}

Status put_doubles(Store& store, const std::string& key, const std::vector<double>& v) {
  PG_ASSIGN_OR_RETURN(Bytes packed, packer().encode_from(reinterpret_cast<const uint8_t*>(v.data()), v.size() * sizeof(double)));
  return store.put(key, packed);
}

// Fills `v` (sized already) from the object `key`.
Status get_doubles(Store& store, const std::string& key, std::vector<double>& v) {
  PG_ASSIGN_OR_RETURN(auto packed, store.get(key));
  if (!packed) return corrupt("{}: no \"{}\" (an incomplete part?)", store.describe(), key);
  return packer()
      .decode_into(*packed, reinterpret_cast<uint8_t*>(v.data()), v.size() * sizeof(double))
      .with_context(fmt::format("{}: \"{}\"", store.describe(), key));
}

std::string node_key(const std::string& path, uint64_t lo, uint64_t hi) { return fmt::format("{}/b/{}-{}", path, lo, hi); }
}  // namespace

std::optional<uint64_t> stored_index(double x, uint64_t limit) {
  if (!(x >= 0) || x > double(limit) || x != std::floor(x)) return std::nullopt;
  return uint64_t(x);
}

PartialStore::PartialStore(std::shared_ptr<Store> store, Part part, Json signature)
    : part_(part), signature_(std::move(signature)), store_(std::move(store)) {}

Status PartialStore::put_node(const std::string& path, uint64_t lo, uint64_t hi, const Box& region, const Accumulator& acc) {
  const std::string k = node_key(path, lo, hi);
  Json fields = Json::array();
  for (const auto& f : kFields)
    if (!(acc.*f.member).empty()) {
      fields.push_back(f.name);
      PG_RETURN_IF_ERROR(put_doubles(*store_, k + "/" + f.name, acc.*f.member));
    }
  const std::string meta = Json{{"start", region.start}, {"count", region.count}, {"fields", fields}}.dump();
  return store_->put(k + "/region.json", Bytes(meta.begin(), meta.end()));
}

Store* PartialStore::holder(uint64_t k, uint64_t n) const {
  const uint64_t count = parts_.size();
  for (uint64_t i = 0; i < count; ++i) {
    auto [a, b] = part_range(n, Part{i, count});
    if (k >= a && k < b) return parts_[i].get();
  }
  return nullptr;
}

bool PartialStore::holds(uint64_t lo, uint64_t hi, uint64_t nbatch) const {
  return lo < hi && holder(lo, nbatch) && holder(lo, nbatch) == holder(hi - 1, nbatch);
}

Result<Box> PartialStore::get_node(const std::string& path, uint64_t lo, uint64_t hi, uint64_t nbatch, const OpSpec& op,
                                   bool weighted, Accumulator& acc) {
  Store* s = holder(lo, nbatch);
  if (!s) return internal_error("no part holds batch {} of {}", lo, nbatch);
  const std::string k = node_key(path, lo, hi);
  PG_ASSIGN_OR_RETURN(auto raw, s->get(k + "/region.json"));
  if (!raw)
    return corrupt("{}: no batches {}-{} of \"{}\" (an incomplete part, or one of another command?)", s->describe(), lo, hi, path);
  PG_ASSIGN_OR_RETURN(Json meta, parse_json(std::string_view(reinterpret_cast<const char*>(raw->data()), raw->size()),
                                             s->describe() + ": " + k + "/region.json"));
  if (!meta["start"].is_array() || !meta["count"].is_array() || meta["start"].size() != meta["count"].size())
    return corrupt("{}: {}/region.json: no region", s->describe(), k);
  Box region;
  try {
    region = Box{meta.at("start").get<Shape>(), meta.at("count").get<Shape>()};
  } catch (const std::exception&) {
    return corrupt("{}: {}/region.json: no region", s->describe(), k);
  }
  acc.init(region.size(), op, weighted);
  for (const auto& f : kFields) {
    const bool want = !(acc.*f.member).empty();
    bool have = false;
    for (const auto& name : meta.at("fields")) have |= name.get<std::string>() == f.name;
    if (want != have)
      return corrupt("{}: batches {}-{} of \"{}\" hold other statistics than this merge needs", s->describe(), lo, hi, path);
    if (want) PG_RETURN_IF_ERROR(get_doubles(*s, k + "/" + f.name, acc.*f.member));
  }
  return region;
}

Status PartialStore::put_block(const std::string& path, uint64_t block, const std::vector<double>& values) {
  return put_doubles(*store_, fmt::format("{}/x/{}", path, block), values);
}

Result<std::vector<std::vector<double>>> PartialStore::all_blocks(const std::string& path) {
  std::vector<std::vector<double>> out;
  for (const auto& s : parts_) {
    PG_ASSIGN_OR_RETURN(auto keys, s->list(path + "/x/"));
    for (const auto& key : keys) {
      PG_ASSIGN_OR_RETURN(auto packed, s->get(key));
      if (!packed) continue;
      PG_ASSIGN_OR_RETURN(Bytes raw, packer().decode(*packed, 0));
      std::vector<double> v(raw.size() / sizeof(double));
      if (!v.empty()) std::memcpy(v.data(), raw.data(), v.size() * sizeof(double));
      out.push_back(std::move(v));
    }
  }
  return out;
}

Status PartialStore::finish() {
  Json meta{{"format", kFormat}, {"part", {{"index", part_.index}, {"count", part_.count}}}, {"command", signature_}};
  const std::string text = meta.dump(2);
  return store_->put(kMeta, Bytes(text.begin(), text.end()));
}

Result<std::unique_ptr<PartialStore>> PartialStore::open_all(const std::vector<std::string>& locations, const CloudOptions& cloud) {
  std::vector<std::shared_ptr<Store>> stores;
  for (const auto& loc : locations) {
    PG_ASSIGN_OR_RETURN(auto store, open_store(loc, cloud));
    stores.push_back(std::move(store));
  }
  return open_stores(stores, locations);
}

namespace {
// True when every field that merged() reads has the type it expects.
bool command_readable(const Json& c) {
  if (!c.is_object()) return false;
  try {
    for (const char* key : {"tool", "weights", "variable", "time_coordinate", "component", "period"})
      (void)c.value(key, std::string());
    (void)c.value("inputs", std::vector<std::string>());
    (void)c.value("dims", std::vector<std::string>());
    const Json op = c.value("op", Json::object());
    if (!op.is_object()) return false;
    (void)op.value("op", 0);
    (void)op.value("q", 0.5);
    (void)op.value("ddof", 0);
    (void)op.value("skipna", true);
    return true;
  } catch (const Json::exception&) {
    return false;
  }
}
}  // namespace

Result<std::unique_ptr<PartialStore>> PartialStore::open_stores(const std::vector<std::shared_ptr<Store>>& stores,
                                                                const std::vector<std::string>& locations) {
  std::unique_ptr<PartialStore> ps(new PartialStore());
  ps->merging_ = true;
  std::map<uint64_t, std::string> seen;
  std::vector<std::pair<uint64_t, std::shared_ptr<Store>>> parts;
  uint64_t count = 0;
  for (size_t k = 0; k < stores.size(); ++k) {
    const std::string& loc = locations[k];
    const auto& store = stores[k];
    PG_ASSIGN_OR_RETURN(auto raw, store->get(kMeta));
    if (!raw) return invalid_argument("{}: not a partial result (no {}; a part that did not finish?)", loc, kMeta);
    PG_ASSIGN_OR_RETURN(Json meta, parse_json(std::string_view(reinterpret_cast<const char*>(raw->data()), raw->size()),
                                               loc + ": " + kMeta));
    const Json& part = meta.is_object() ? meta["part"] : meta;
    if (meta.is_object() && meta["format"].is_string() && meta["format"] != kFormat &&
        meta["format"].get<std::string>().rfind("pg-partial ", 0) == 0)
      return invalid_argument("{}: partial results of another version ({}, this one reads {}): run the part again", loc,
                              meta["format"].get<std::string>(), kFormat);
    if (!meta.is_object() || meta.value("format", Json()) != kFormat || !part.is_object() ||
        !part["index"].is_number_unsigned() || !part["count"].is_number_unsigned())
      return invalid_argument("{}: not a partial result", loc);
    const uint64_t i = part["index"].get<uint64_t>(), n = part["count"].get<uint64_t>();
    if (n == 0 || i >= n) return corrupt("{}: part {} of {}: not a part", loc, i, n);
    if (!command_readable(meta["command"])) return corrupt("{}: {}: not a command this version knows", loc, kMeta);
    if (parts.empty()) {
      count = n;
      ps->signature_ = meta["command"];
    } else if (n != count) {
      return invalid_argument("{}: part {} of {}, but {} is a part of {}", loc, i, n, seen.begin()->second, count);
    } else if (meta["command"] != ps->signature_) {
      return invalid_argument("{}: a partial result of another command or input than {}", loc, seen.begin()->second);
    }
    if (seen.count(i)) return invalid_argument("part {} given twice: {} and {}", i, seen[i], loc);
    seen[i] = loc;
    parts.emplace_back(i, store);
  }
  if (parts.empty()) return invalid_argument("no partial results to merge");
  for (uint64_t i = 0; i < count; ++i)
    if (!seen.count(i)) return invalid_argument("part {} of {} is missing", i, count);
  std::sort(parts.begin(), parts.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [i, s] : parts) ps->parts_.push_back(std::move(s));
  ps->part_ = Part{0, count};
  return ps;
}

}  // namespace pangeo

namespace pangeo {

namespace {

Json op_json(const OpSpec& op) { return {{"op", int(op.op)}, {"q", op.q}, {"ddof", op.ddof}, {"skipna", op.skipna}}; }
OpSpec op_from(const Json& j) {
  OpSpec op;
  op.op = ReduceOp(j.value("op", 0));
  op.q = j.value("q", 0.5);
  op.ddof = j.value("ddof", 0);
  op.skipna = j.value("skipna", true);
  return op;
}

// Runs `compute` (the reduction, with o.partials set) into a partial store at the request's output.
template <typename Options, typename Compute>
Status write_part(const PartRequest& req, Options o, Json command, Compute compute) {
  if (req.output.empty() && !req.store) return invalid_argument("no output given (-o PATH)");
  if (!req.store) PG_RETURN_IF_ERROR(check_output_is_not_an_input(req.output, req.inputs));
  command["inputs"] = req.inputs;
  PG_ASSIGN_OR_RETURN(auto in, open_inputs(req.inputs, req.cloud));
  std::shared_ptr<DatasetReader> shared = std::move(in);
  const bool remote = req.output.find("://") != std::string::npos && req.output.rfind("file://", 0) != 0;
  std::unique_ptr<AtomicOutput> out;
  std::shared_ptr<Store> store = req.store;
  if (store) {
    // given: nothing to create
  } else if (remote) {
    PG_ASSIGN_OR_RETURN(store, open_store(req.output, req.cloud));
    PG_ASSIGN_OR_RETURN(auto exists, store->size("pgpartial.json"));
    if (exists && !req.overwrite) return already_exists("{}: output exists (use -O to overwrite)", req.output);
    if (exists) PG_RETURN_IF_ERROR(clear_store(*store).with_context(req.output));
  } else {
    PG_ASSIGN_OR_RETURN(out, AtomicOutput::create(req.output, req.overwrite, true));
    store = std::make_shared<DirectoryStore>(out->temp_path());
  }
  o.partials = std::make_shared<PartialStore>(store, req.part, command);
  PG_RETURN_IF_ERROR(compute(shared, o).status());
  PG_RETURN_IF_ERROR(shared->check_input());
  PG_RETURN_IF_ERROR(o.partials->finish());
  return out ? out->commit() : Status::Ok();
}

}  // namespace

Status reduce_part(const PartRequest& req, const ReduceOptions& o) {
  Json command{{"tool", "reduce"}, {"dims", o.dims}, {"op", op_json(o.op)}, {"weights", o.weights}};
  return write_part(req, o, command, [](std::shared_ptr<DatasetReader> in, const ReduceOptions& r) { return reduce_dataset(in, r); });
}

Status groupby_part(const PartRequest& req, const GroupByOptions& o) {
  if (o.anomaly) return unsupported("anomalies are shaped like the input: write them in parts with pg-convert --part");
  Json command{{"tool", "groupby"},   {"variable", o.variable}, {"time_coordinate", o.time_coordinate},
               {"component", o.component}, {"period", o.period},  {"op", op_json(o.op)}};
  return write_part(req, o, command, [](std::shared_ptr<DatasetReader> in, const GroupByOptions& g) { return groupby_dataset(in, g); });
}

namespace {
struct StatsOptions {
  ExecOptions exec;
  std::shared_ptr<PartialStore> partials;
};
}  // namespace

Status stats_part(const PartRequest& req, const ExecOptions& exec) {
  return write_part(req, StatsOptions{exec, nullptr}, Json{{"tool", "info"}},
                    [](std::shared_ptr<DatasetReader> in, const StatsOptions& o) { return stats_in_parts(*in, o.exec, o.partials.get()); });
}

Result<std::vector<VarStats>> merge_stats(const std::vector<std::string>& partials, const CloudOptions& cloud,
                                          const ExecOptions& exec, std::shared_ptr<DatasetReader>* input) {
  PG_ASSIGN_OR_RETURN(std::shared_ptr<PartialStore> ps, PartialStore::open_all(partials, cloud));
  const std::string tool = ps->signature().value("tool", "");
  if (tool != "info") return invalid_argument("{}: partial results of pg-{}, not pg-info --stats", partials[0], tool);
  PG_ASSIGN_OR_RETURN(auto in, open_inputs(ps->signature().value("inputs", std::vector<std::string>()), cloud));
  std::shared_ptr<DatasetReader> shared = std::move(in);
  if (input) *input = shared;
  return stats_in_parts(*shared, exec, ps.get());
}

Result<std::string> partial_command(const std::vector<std::string>& partials, const CloudOptions& cloud) {
  PG_ASSIGN_OR_RETURN(auto ps, PartialStore::open_all(partials, cloud));
  return ps->signature().value("tool", "");
}

namespace {
Result<std::unique_ptr<DatasetReader>> merged(std::shared_ptr<PartialStore> ps, const CloudOptions& cloud,
                                              const ExecOptions& exec, std::vector<std::string>* inputs) {
  const Json& c = ps->signature();
  std::vector<std::string> in_locations = c.value("inputs", std::vector<std::string>());
  if (inputs) *inputs = in_locations;
  PG_ASSIGN_OR_RETURN(auto in, open_inputs(in_locations, cloud));
  std::shared_ptr<DatasetReader> shared = std::move(in);
  const std::string tool = c.value("tool", "");
  if (tool == "reduce") {
    ReduceOptions o;
    o.dims = c.value("dims", std::vector<std::string>());
    o.op = op_from(c.value("op", Json::object()));
    o.weights = c.value("weights", "");
    o.exec = exec;
    o.partials = ps;
    return reduce_dataset(shared, o);
  }
  if (tool == "groupby") {
    GroupByOptions o;
    o.variable = c.value("variable", "");
    o.time_coordinate = c.value("time_coordinate", "");
    o.component = c.value("component", "");
    o.period = c.value("period", "");
    o.op = op_from(c.value("op", Json::object()));
    o.exec = exec;
    o.partials = ps;
    return groupby_dataset(shared, o);
  }
  return invalid_argument("partial results of an unknown command \"{}\"", tool);
}
}  // namespace

Result<std::unique_ptr<DatasetReader>> merge_parts(const std::vector<std::string>& partials, const CloudOptions& cloud,
                                                   const ExecOptions& exec, std::vector<std::string>* inputs) {
  PG_ASSIGN_OR_RETURN(std::shared_ptr<PartialStore> ps, PartialStore::open_all(partials, cloud));
  return merged(ps, cloud, exec, inputs);
}

Result<std::unique_ptr<DatasetReader>> merge_part_stores(const std::vector<std::shared_ptr<Store>>& stores,
                                                         const std::vector<std::string>& names, const CloudOptions& cloud,
                                                         const ExecOptions& exec, std::vector<std::string>* inputs) {
  PG_ASSIGN_OR_RETURN(std::shared_ptr<PartialStore> ps, PartialStore::open_stores(stores, names));
  return merged(ps, cloud, exec, inputs);
}

}  // namespace pangeo
