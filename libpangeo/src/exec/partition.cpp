#include "pangeo/partition.hpp"

#include <cstdlib>

namespace pangeo {

std::pair<uint64_t, uint64_t> part_range(uint64_t n, const Part& part) {
  const unsigned __int128 a = (unsigned __int128)n * part.index / part.count;
  const unsigned __int128 b = (unsigned __int128)n * (part.index + 1) / part.count;
  return {uint64_t(a), uint64_t(b)};
}

namespace {
Result<uint64_t> whole_number(const std::string& text, const std::string& what) {
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos || text.size() > 18)
    return invalid_argument("{}: \"{}\" is not a whole number", what, text);
  return uint64_t(std::stoull(text));
}

Result<Part> checked(uint64_t index, uint64_t count, const std::string& what) {
  if (count == 0) return invalid_argument("{}: no parts", what);
  if (index >= count) return invalid_argument("{}: part {} of {} (parts are numbered 0 to {})", what, index, count, count - 1);
  return Part{index, count};
}
}  // namespace

Result<Part> parse_part(const std::string& text) {
  const size_t slash = text.find('/');
  if (slash == std::string::npos) return invalid_argument("\"{}\": expected I/N, e.g. 0/4, or auto", text);
  PG_ASSIGN_OR_RETURN(uint64_t i, whole_number(text.substr(0, slash), text));
  PG_ASSIGN_OR_RETURN(uint64_t n, whole_number(text.substr(slash + 1), text));
  return checked(i, n, text);
}

Result<Part> part_from_environment(const std::function<std::string(const std::string&)>& env) {
  auto from = [&](const char* index, const char* count, uint64_t base) -> Result<Part> {
    PG_ASSIGN_OR_RETURN(uint64_t i, whole_number(env(index), index));
    PG_ASSIGN_OR_RETURN(uint64_t n, whole_number(env(count), count));
    if (i < base) return invalid_argument("{} {} is below the array's first index {}", index, i, base);
    return checked(i - base, n, fmt::format("{}, {}", index, count));
  };
  if (!env("PG_PART_INDEX").empty()) return from("PG_PART_INDEX", "PG_PART_COUNT", 0);
  if (!env("SLURM_ARRAY_TASK_ID").empty()) {
    uint64_t base = 0;
    if (!env("SLURM_ARRAY_TASK_MIN").empty()) {
      PG_ASSIGN_OR_RETURN(base, whole_number(env("SLURM_ARRAY_TASK_MIN"), "SLURM_ARRAY_TASK_MIN"));
    }
    return from("SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_COUNT", base);
  }
  if (!env("JOB_COMPLETION_INDEX").empty()) {
    if (env("PG_PART_COUNT").empty())
      return invalid_argument("JOB_COMPLETION_INDEX is set but PG_PART_COUNT is not (set it to the Job's completions)");
    return from("JOB_COMPLETION_INDEX", "PG_PART_COUNT", 0);
  }
  if (!env("OMPI_COMM_WORLD_RANK").empty()) return from("OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE", 0);
  if (!env("PMI_RANK").empty()) return from("PMI_RANK", "PMI_SIZE", 0);
  if (!env("PMIX_RANK").empty()) return from("PMIX_RANK", "PMI_SIZE", 0);
  return invalid_argument(
      "no part in the environment (PG_PART_INDEX/PG_PART_COUNT, a Slurm job array, a Kubernetes Indexed Job "
      "or an MPI launcher)");
}

namespace {
std::string getenv_or_empty(const std::string& name) {
  const char* v = std::getenv(name.c_str());
  return std::string(v ? v : "");
}
}  // namespace

Result<Part> part_from_environment() { return part_from_environment(getenv_or_empty); }

Part launcher_rank(const std::function<std::string(const std::string&)>& env) {
  const char* names[][3] = {{"OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE", ""},
                            {"PMI_RANK", "PMI_SIZE", ""},
                            {"PMIX_RANK", "PMIX_SIZE", "PMI_SIZE"}};
  for (const auto& n : names) {
    auto i = whole_number(env(n[0]), n[0]);
    if (!i.ok()) continue;
    auto count = whole_number(env(n[1]), n[1]);
    if (!count.ok() && *n[2]) count = whole_number(env(n[2]), n[2]);
    if (count.ok() && *i < *count) return Part{*i, *count};
  }
  return Part{};
}

Part launcher_rank() { return launcher_rank(getenv_or_empty); }

}  // namespace pangeo
