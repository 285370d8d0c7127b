#include "cli.hpp"

#include <malloc.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <cstdio>
#include <mutex>

#include "pangeo/reduce.hpp"
#include "pangeo/collective.hpp"
#include "pangeo/cloud.hpp"
#include "pangeo/codec.hpp"
#include "pangeo/store.hpp"
#include "pangeo/version.hpp"
#include "pangeo/watchdog.hpp"

namespace pgtool {

namespace {

volatile sig_atomic_t g_signal = 0;

void on_signal(int sig) {
  if (g_signal) {
    // A second signal: stop now, leaving no temporary behind.
    pangeo::remove_pending_temporaries();
    _exit(128 + sig);
  }
  g_signal = sig;
  pangeo::stop_requested().store(true);
}

// A one-line progress bar on stderr, redrawn at most ten times a second.
class ProgressBar {
 public:
  explicit ProgressBar(std::string label)
      : label_(std::move(label)), start_(Clock::now()), bytes0_(pangeo::processed_bytes()) {}
  ~ProgressBar() {
    if (drawn_) std::fputs("\n", stderr);
  }
  void update(uint64_t done, uint64_t total) {
    auto now = Clock::now();
    if (done != total && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    const int width = 30;
    double frac = total ? double(done) / double(total) : 1.0;
    int filled = int(frac * width);
    double secs = std::chrono::duration<double>(now - start_).count();
    std::string bar(size_t(filled), '#');
    bar.resize(width, '.');
    // Throughput and time left, as rclone and pv show them.
    std::string rate, eta;
    const double bytes = double(pangeo::processed_bytes() - bytes0_);
    if (secs > 0 && bytes > 0) rate = " " + human_rate(bytes / secs);
    if (done > 0 && done < total) eta = fmt::format(" ETA {:.1f}s", secs * double(total - done) / double(done));
    std::string line = fmt::format("{} [{}] {:3d}% {}/{} chunks {:.1f}s{}{}", label_, bar, int(frac * 100), done, total,
                                   secs, rate, eta);
    const size_t len = line.size();
    if (len < width_) line.append(width_ - len, ' ');  // over what a longer line left
    width_ = len;
    std::fprintf(stderr, "\r%s", line.c_str());
    std::fflush(stderr);
    drawn_ = true;
  }

 private:
  using Clock = std::chrono::steady_clock;
  static std::string human_rate(double bytes_per_s) {
    const char* units[] = {"B/s", "KiB/s", "MiB/s", "GiB/s", "TiB/s"};
    int u = 0;
    while (bytes_per_s >= 1024 && u < 4) bytes_per_s /= 1024, ++u;
    return fmt::format("{:.1f} {}", bytes_per_s, units[u]);
  }
  std::string label_;
  Clock::time_point start_, last_{};
  uint64_t bytes0_ = 0;
  size_t width_ = 0;
  bool drawn_ = false;
};

}  // namespace

void add_common_options(CLI::App& app, CommonOptions& o, unsigned flags) {
  if (flags & kOutput) app.add_option("-o,--output", o.output, "Output path (.zarr, .nc) or - for stdout");
  if (flags & kOverwrite) app.add_flag("-O,--overwrite", o.overwrite, "Replace an existing output");
  if (flags & kThreads)
    app.add_option("-j,--threads", o.threads, "Worker threads (default: all cores)")->check(CLI::PositiveNumber);
  if (flags & kMemory) {
    add_spec_option(app, "--memory", o.memory, parse_size,
                    "Budget for data in flight, e.g. 512M (default: the smaller of 2G and a quarter of memory; 0: none)");
    if (flags & kOutput)  // tools that write a dataset may rechunk it in two stages
      app.add_option("--scratch", o.scratch,
                     "Directory or store URL for intermediate copies when rechunking in two stages (default: $TMPDIR)");
  }
  if (flags & kQuiet) app.add_flag("-q,--quiet", o.quiet, "Print nothing but errors");
  if (flags & kProgress) {
    auto* p = app.add_flag("--progress", o.progress, "Show a progress bar even when stderr is not a terminal");
    auto* n = app.add_flag("--no-progress", o.no_progress, "Never show a progress bar");
    p->excludes(n);
  }
  if (flags & kJson) app.add_flag("--json", o.json, "Machine-readable JSON on stdout");
  if (flags & kRemote) {
    app.add_option("--profile", o.cloud.profile, "AWS profile of ~/.aws/credentials and ~/.aws/config");
    app.add_option("--endpoint-url", o.cloud.endpoint_url, "S3-compatible endpoint, e.g. http://127.0.0.1:9000");
    // One --region, two meanings told apart by their form: an S3 region ("eu-west-1"), or
    // for pg-convert a region of a store to write ("time=84:96").
    app.add_option_function<std::string>(
        "--region",
        [&o, &app](const std::string& v) {
          if (v.find('=') == std::string::npos) {
            o.cloud.region = v;
            return;
          }
          if (app.get_name() != "pg-convert") throw CLI::ValidationError("--region", "an S3 region, e.g. eu-west-1");
          auto r = parse_region(v);
          if (!r.ok()) throw CLI::ValidationError("--region", r.status().message());
          o.zarr_region = *r;
        },
        "S3 region (default: as the AWS CLI finds it); pg-convert: DIM=START:STOP, a region of the store -o to write");
    app.add_flag("--anon", o.cloud.anon, "Send no credentials (public buckets)");
    o.cloud.retry.cancel = &pangeo::stop_requested();
  }
  if (flags & kVars) {
    auto list = [](const std::string& s) { return pangeo::Result<std::vector<std::string>>(split_list(s)); };
    add_spec_option(app, "-v,--vars", o.vars, list, "Keep only these variables (comma-separated) and their coordinates");
    add_spec_option(app, "--drop", o.drop, list, "Remove these variables (comma-separated)");
  }
}

pangeo::Result<pangeo::ExecOptions> exec_options(const CommonOptions& o, const std::string& label) {
  pangeo::ExecOptions e;
  e.threads = o.threads;
  e.memory_budget = o.memory ? *o.memory : pangeo::default_memory_budget();
  pangeo::set_data_limit(e.memory_budget);  // 0 (--memory 0): what the process may use
  e.scratch = o.scratch;
  e.scratch_cloud = o.cloud;
  bool show = !o.quiet && !o.no_progress && (o.progress || isatty(STDERR_FILENO));
  if (show) {
    auto bar = std::make_shared<ProgressBar>(label);
    auto mu = std::make_shared<std::mutex>();
    e.progress = [bar, mu](uint64_t done, uint64_t total) {
      std::lock_guard lock(*mu);
      bar->update(done, total);
    };
  }
  return e;
}

void add_output_options(CLI::App& app, OutputOptions& o) {
  add_spec_option(app, "--format", o.format, parse_format, "Output format: zarr, netcdf4, netcdf3 (default: from the name)");
  add_spec_option(app, "--compressor", o.compressor, parse_compressor, "Output compressor, as for pg-convert");
  add_spec_option(app, "--chunks", o.chunks, parse_dim_lengths, "Output chunks, e.g. time=12,lat=-1");
}

void apply_common(pangeo::ConvertRequest& req, const std::vector<std::string>& inputs, const CommonOptions& common) {
  req.inputs = inputs;
  req.output = common.output;
  req.overwrite = common.overwrite;
  req.cloud = common.cloud;
  req.options.keep_vars = common.vars;
  req.options.drop_vars = common.drop;
}

pangeo::Status write_result(pangeo::DatasetReader& result, const std::vector<std::string>& inputs,
                            const CommonOptions& common, const OutputOptions& out, const pangeo::ExecOptions& exec) {
  pangeo::ConvertRequest req;
  apply_common(req, inputs, common);
  req.format = out.format;
  req.options.exec = exec;
  req.options.chunks = out.chunks;
  req.options.compressor = out.compressor;
  req.options.layout_only = out.layout_only;
  return pangeo::write_dataset(result, req).status();
}

pangeo::Status check_output(const std::vector<std::string>& inputs, const CommonOptions& common, const OutputOptions& out) {
  pangeo::ConvertRequest req;
  apply_common(req, inputs, common);
  req.format = out.format;
  return pangeo::check_output(req);
}

void add_partition_options(CLI::App& app, PartitionOptions& p) {
  p.part_option = add_spec_option(
      app, "--part", p.part, parse_part_option,
      "I/N or auto: compute part I (0..N-1) and write its partial result to -o; auto: from Slurm arrays, "
      "Kubernetes Indexed Jobs or MPI");
  p.merge_option = app.add_flag("--merge", p.merge, "INPUT are the N parts' partial results: merge them into -o");
  p.part_option->excludes(p.merge_option);
}

pangeo::Status run_merge(const std::string& command, const std::vector<std::string>& partials, const CommonOptions& common,
                         const OutputOptions& out, const std::vector<const CLI::Option*>& decided) {
  for (const auto* o : decided)
    if (o->count()) return usage_error("--merge: the partial results decide the command (" + o->get_name() + ")");
  PG_ASSIGN_OR_RETURN(auto exec, exec_options(common, "merge"));
  PG_ASSIGN_OR_RETURN(std::string made_by, pangeo::partial_command(partials, common.cloud));
  if (made_by != command)
    return pangeo::invalid_argument("{}: partial results of pg-{}, not pg-{}", partials[0], made_by, command);
  PG_RETURN_IF_ERROR(check_output(partials, common, out));
  std::vector<std::string> inputs;
  PG_ASSIGN_OR_RETURN(auto result, pangeo::merge_parts(partials, common.cloud, exec, &inputs));
  std::vector<std::string> guarded = inputs;
  guarded.insert(guarded.end(), partials.begin(), partials.end());  // -o must be none of them
  return write_result(*result, guarded, common, out, exec);
}

bool under_mpi() { return pangeo::Collective::world().active(); }

pangeo::Status run_mpi_parts(const std::vector<std::string>& inputs, const CommonOptions& common, const OutputOptions& out,
                             const std::function<pangeo::Status(const pangeo::PartRequest&)>& part_run) {
  auto& world = pangeo::Collective::world();
  const pangeo::Status writable = world.rank() == 0 ? check_output(inputs, common, out) : pangeo::Status::Ok();
  if (!world.all_ok(writable.ok()))
    return writable.ok() ? pangeo::Status(pangeo::ErrorCode::kInternal, "rank 0 failed") : writable;
  auto mine = std::make_shared<pangeo::MemoryStore>();
  pangeo::PartRequest req;
  req.inputs = inputs;
  req.part = pangeo::Part{world.rank(), world.size()};
  req.cloud = common.cloud;
  req.store = mine;
  pangeo::Status s = part_run(req);
  pangeo::Bytes packed;
  if (s.ok()) {
    auto p = pangeo::pack_store(*mine);
    if (p.ok()) packed = std::move(p).value();
    else s = p.status();
  }
  if (!world.all_ok(s.ok()))
    return s.ok() ? pangeo::Status(pangeo::ErrorCode::kInternal, "another rank failed") : s;
  const std::vector<pangeo::Bytes> all = world.gather(packed);
  if (world.rank() == 0) {
    std::vector<std::shared_ptr<pangeo::Store>> stores;
    std::vector<std::string> names;
    for (size_t r = 0; r < all.size() && s.ok(); ++r) {
      auto u = pangeo::unpack_store(all[r]);
      if (!u.ok()) s = u.status();
      else stores.push_back(std::move(u).value());
      names.push_back(fmt::format("rank {}", r));
    }
    if (s.ok()) {
      std::vector<std::string> in;
      auto exec = exec_options(common, "merge");
      auto result = exec.ok() ? pangeo::merge_part_stores(stores, names, common.cloud, *exec, &in)
                              : pangeo::Result<std::unique_ptr<pangeo::DatasetReader>>(exec.status());
      s = result.ok() ? write_result(**result, in, common, out, *exec) : result.status();
    }
  }
  if (!world.all_ok(s.ok())) return s.ok() ? pangeo::Status(pangeo::ErrorCode::kInternal, "rank 0 failed") : s;
  return pangeo::Status::Ok();
}

pangeo::Status run_mpi_convert(const pangeo::ConvertRequest& req, const CommonOptions& common) {
  auto& world = pangeo::Collective::world();
  PG_ASSIGN_OR_RETURN(auto format, pangeo::output_format_for(req.output, req.format));
  if (format != pangeo::OutputFormat::kZarr || req.output == "-")
    return pangeo::unsupported("{}: under mpirun, pg-convert writes Zarr stores", req.output);
  if (req.output.find("://") != std::string::npos && req.output.rfind("file://", 0) != 0) {
    // An object store: every rank writes its share of the chunks in place; rank 0 checks
    // (and with -O clears) the output first and writes the metadata once all are done.
    // Every rank takes part in both agreements, also one that failed before them.
    pangeo::ConvertRequest mine = req;
    mine.options.share = pangeo::Part{world.rank(), world.size()};
    int rounds = 0;
    mine.options.agree = [&world, &rounds](const pangeo::Status& s) {
      ++rounds;
      if (world.all_ok(s.ok())) return pangeo::Status::Ok();
      return s.ok() ? pangeo::internal_error("another rank failed") : s;
    };
    const pangeo::Status s = pangeo::convert_dataset(mine).status();
    for (; rounds < 2 && !s.ok(); ++rounds) (void)world.all_ok(false);
    return s;
  }
  namespace fs = std::filesystem;
  const fs::path target(req.output);
  pangeo::Status s;
  std::string temp;
  if (world.rank() == 0) {
    std::error_code ec;
    if (fs::exists(target, ec) && !req.overwrite) {
      s = pangeo::already_exists("{}: output exists (use -O to overwrite)", req.output);
    } else {
      temp = (target.parent_path() / fmt::format(".{}.pgmpi-{}", target.filename().string(), ::getpid())).string();
      pangeo::ConvertRequest layout = req;
      layout.output = temp;
      layout.overwrite = false;
      layout.format = "zarr";
      layout.options.layout_only = true;
      s = pangeo::convert_dataset(layout).status();
    }
  }
  const pangeo::Bytes name = world.broadcast(pangeo::Bytes(temp.begin(), temp.end()));
  temp.assign(name.begin(), name.end());
  auto cleanup = [&] {
    std::error_code ec;
    if (world.rank() == 0 && !temp.empty()) fs::remove_all(temp, ec);
  };
  // Messages name the output the user gave, never the hidden temporary.
  auto named = [&](const pangeo::Status& e) {
    std::string msg = e.message();
    for (size_t p = 0; !temp.empty() && (p = msg.find(temp, p)) != std::string::npos; p += req.output.size())
      msg.replace(p, temp.size(), req.output);
    return pangeo::Status(e.code(), msg);
  };
  if (!world.all_ok(s.ok())) {
    cleanup();
    return s.ok() ? pangeo::internal_error("rank 0 failed") : named(s);
  }
  pangeo::RegionRequest r;
  r.output = temp;
  r.part = pangeo::Part{world.rank(), world.size()};
  r.cloud = req.cloud;
  r.exec = req.options.exec;
  auto in = pangeo::open_inputs(req.inputs, req.cloud);
  s = in.ok() ? pangeo::write_region(**in, r).status() : in.status();
  if (!world.all_ok(s.ok())) {
    cleanup();
    return s.ok() ? pangeo::internal_error("another rank failed") : named(s);
  }
  if (world.rank() == 0) {
    std::error_code ec;
    fs::remove_all(fs::path(temp) / ".pgparts", ec);
    if (fs::exists(target, ec)) {  // -O: the old output goes once the new one is complete
      const fs::path old = target.parent_path() / fmt::format(".{}.pgold-{}", target.filename().string(), ::getpid());
      fs::rename(target, old, ec);
      if (!ec) fs::rename(temp, target, ec);
      std::error_code ignore;
      fs::remove_all(old, ignore);
    } else {
      fs::rename(temp, target, ec);
    }
    if (ec) s = pangeo::io_error("{}: {}", req.output, ec.message());
    if (!s.ok()) cleanup();
  }
  if (!world.all_ok(s.ok())) return s.ok() ? pangeo::internal_error("rank 0 failed") : named(s);
  return pangeo::Status::Ok();
}

pangeo::Status usage_error(const std::string& message) { throw CLI::ValidationError(message); }

void check_usage(const std::string& name, const pangeo::Status& s) {
  if (!s.ok()) throw CLI::ValidationError(name, s.message());
}

pangeo::Status run_append(const pangeo::ConvertRequest& req, const std::string& dim, bool allow_gaps,
                          const CommonOptions& common, const std::optional<pangeo::Part>& part) {
  pangeo::AppendRequest a;
  a.output = req.output;
  a.dim = dim;
  a.allow_gaps = allow_gaps;
  a.dry_run = req.dry_run;
  a.layout_only = req.options.layout_only;
  a.part = part;
  a.cloud = req.cloud;
  a.exec = req.options.exec;
  PG_ASSIGN_OR_RETURN(auto in, pangeo::open_inputs(req.inputs, req.cloud));
  PG_ASSIGN_OR_RETURN(pangeo::AppendReport r, pangeo::append_dataset(*in, a));
  if (common.json) {
    // A part reports its chunks, as region parts do.
    const pangeo::Json j = part ? pangeo::Json{{"chunks", r.appended}, {"dimension", dim},
                                               {"part", {{"index", part->index}, {"count", part->count}}}}
                                : pangeo::Json{{"appended", r.appended}, {"skipped", r.skipped}, {"dimension", dim}};
    print_out(j.dump(2) + "\n");
  } else if (r.skipped && !common.quiet) {
    std::fprintf(stderr, "%s: already in the store along %s: nothing appended\n", req.output.c_str(), dim.c_str());
  }
  return pangeo::Status::Ok();
}

pangeo::Status run_region(const pangeo::ConvertRequest& req, const pangeo::Selector& region, const CommonOptions& common,
                          const std::optional<pangeo::Part>& part) {
  PG_ASSIGN_OR_RETURN(auto in, pangeo::open_inputs(req.inputs, req.cloud));
  return write_region_of(*in, req.output, region, common, req.options.exec, part);
}

pangeo::Status write_region_of(pangeo::DatasetReader& in, const std::string& output, const pangeo::Selector& region,
                               const CommonOptions& common, const pangeo::ExecOptions& exec,
                               const std::optional<pangeo::Part>& part) {
  pangeo::RegionRequest r;
  r.part = part;
  r.output = output;
  r.dim = region.dim;
  r.start = region.start;
  r.stop = region.stop;
  r.cloud = common.cloud;
  r.exec = exec;
  PG_ASSIGN_OR_RETURN(uint64_t chunks, pangeo::write_region(in, r));
  if (common.json) {
    pangeo::Json j{{"chunks", chunks}, {"dimension", region.dim.empty() ? pangeo::Json() : pangeo::Json(region.dim)}};
    if (part) j["part"] = {{"index", part->index}, {"count", part->count}};
    print_out(j.dump(2) + "\n");
  }
  return pangeo::Status::Ok();
}

void add_selection_options(CLI::App& app, SelectionOptions& o) {
  add_spec_list_option(app, "--isel", o.sel.isel, [](const std::string& s) { return parse_selector(s, true); },
                       "DIM=SPEC: N, START:STOP[:STEP] (Python slice), or a comma list; repeatable");
  add_spec_list_option(app, "--sel", o.sel.sel, [](const std::string& s) { return parse_selector(s, false); },
                       "DIM=SPEC: a label, A:B (inclusive), or a comma list; CF dates allowed; repeatable");
  app.add_option("--method", o.method, "nearest: pick the closest label")->check(CLI::IsMember({"nearest"}));
  o.tolerance_option = app.add_option("--tolerance", o.tolerance, "With --method nearest: the largest distance allowed");
  o.tolerance_option->needs(app.get_option("--method"));
}

pangeo::Result<std::shared_ptr<pangeo::DatasetReader>> apply_selection(std::shared_ptr<pangeo::DatasetReader> in,
                                                                        SelectionOptions& o) {
  o.sel.nearest = o.method == "nearest";
  if (o.tolerance_option->count()) o.sel.tolerance = o.tolerance;
  if (o.sel.isel.empty() && o.sel.sel.empty()) return in;
  PG_ASSIGN_OR_RETURN(auto indexers, pangeo::resolve_selection(*in, o.sel));
  return std::shared_ptr<pangeo::DatasetReader>(pangeo::make_selection_reader(in, std::move(indexers)));
}

pangeo::Status write_bytes(const std::string& output, const pangeo::Bytes& data, const CommonOptions& common,
                           const std::vector<std::string>& inputs) {
  if (output == "-") {
    print_out(std::string(data.begin(), data.end()));
    return pangeo::Status::Ok();
  }
  PG_RETURN_IF_ERROR(pangeo::check_output_is_not_an_input(output, inputs));
  return pangeo::write_whole(output, data, common.overwrite, common.cloud);
}

void print_out(const std::string& text) {
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(STDOUT_FILENO, text.data() + done, text.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EPIPE) _exit(141);  // the reader has gone: quietly, as if by SIGPIPE
      return;
    }
    done += size_t(n);
  }
}

namespace {
int usage_exit(const std::string& tool, const CLI::ParseError& e) {
  std::fprintf(stderr, "%s: error: %s\n", tool.c_str(), e.what());
  std::fprintf(stderr, "Run with --help for more information.\n");
  return 2;
}
}  // namespace

int run_tool(const std::string& tool, CLI::App& app, int argc, char** argv, const std::function<pangeo::Status()>& body,
             bool splits_under_mpi) {
  // Made only when asked for: it initialises HDF5 (~1.5 ms at start and again at exit).
  app.set_version_flag("--version", std::function<std::string()>([tool] { return pangeo::version_report(tool); }));
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    return usage_exit(tool, e);
  }
  // Under a launcher, rank 0 alone does what is not split over the ranks; a command given
  // its own part (--part, e.g. auto from the rank) is every rank's to run.
  const CLI::Option* part = app.get_option_no_throw("--part");
  const bool own_part = part && part->count() > 0;
  if (pangeo::launcher_rank().index != 0 && !own_part && !(splits_under_mpi && pangeo::Collective::available())) return 0;
  // Chunk buffers of a few MiB come and go all the time: keep them in the heap instead of
  // mapping and unmapping them (and faulting their pages in) for every chunk.
  mallopt(M_MMAP_THRESHOLD, 256 << 20);
  mallopt(M_TRIM_THRESHOLD, 512 << 20);
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGHUP, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);

  // A library call that hangs (HDF5 on a damaged file): one line, temporaries removed, exit 1.
  pangeo::set_stall_handler([tool](const std::string& what, double seconds) {
    std::fprintf(stderr, "%s: error: %s: no answer from the netCDF/HDF5 library in %g s (a damaged file?)\n",
                 tool.c_str(), what.c_str(), seconds);
    pangeo::remove_pending_temporaries();
    std::_Exit(1);
  });
  pangeo::Status s;
  try {
    s = body();
  } catch (const CLI::ParseError& e) {
    return usage_exit(tool, e);
  } catch (const std::bad_alloc&) {
    s = pangeo::resource_exhausted("out of memory: the work needs more than this process may use");
  } catch (const std::exception& e) {
    s = pangeo::internal_error("unexpected failure: {}", e.what());
  }
  if (g_signal) {
    pangeo::remove_pending_temporaries();
    return 128 + g_signal;
  }
  if (s.ok()) return 0;
  if (s.code() == pangeo::ErrorCode::kCancelled) {
    pangeo::remove_pending_temporaries();
    return 130;
  }
  if (s.code() == pangeo::ErrorCode::kBrokenPipe) return 141;  // `| head`: no message, as if by SIGPIPE
  std::string msg = s.message();
  if (s.code() == pangeo::ErrorCode::kResourceExhausted) msg += " (raise --memory)";
  for (auto& c : msg)
    if (c == '\n') c = ' ';
  std::fprintf(stderr, "%s: error: %s\n", tool.c_str(), msg.c_str());
  return 1;
}

}  // namespace pgtool
