// Parts of a run for many processes or machines: part I of N owns a contiguous, fixed
// share of the work's items (chunks, in the order the single-process run takes them), so
// N job-array tasks, MPI ranks or Indexed-Job pods each do their share of the same
// command and together write what one process writes.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>

#include "pangeo/status.hpp"

namespace pangeo {

struct Part {
  uint64_t index = 0;  // 0 .. count-1
  uint64_t count = 1;
  bool whole() const { return count == 1; }
};

// Items [first, last) of `n` that `part` owns: n * I / N to n * (I + 1) / N.
std::pair<uint64_t, uint64_t> part_range(uint64_t n, const Part& part);

// "I/N" (0 <= I < N).
Result<Part> parse_part(const std::string& text);

// The part a scheduler or launcher gave this process, from its environment (`env` looks
// a variable up, empty when unset): PG_PART_INDEX/PG_PART_COUNT; Slurm job arrays
// (SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN of SLURM_ARRAY_TASK_COUNT); Kubernetes
// Indexed Jobs (JOB_COMPLETION_INDEX, with the count in PG_PART_COUNT); MPI launchers
// (OMPI_COMM_WORLD_RANK/SIZE, PMI_RANK/PMI_SIZE, PMIX_RANK with PMI_SIZE). An error names
// what is missing.
Result<Part> part_from_environment(const std::function<std::string(const std::string&)>& env);
Result<Part> part_from_environment();

// The rank an MPI launcher gave this process, of how many it started
// (OMPI_COMM_WORLD_RANK/SIZE, PMI_RANK/PMI_SIZE, PMIX_RANK with PMIX_SIZE or PMI_SIZE),
// read from the environment whether or not MPI is used; 0 of 1 when no launcher started it.
Part launcher_rank(const std::function<std::string(const std::string&)>& env);
Part launcher_rank();

}  // namespace pangeo
