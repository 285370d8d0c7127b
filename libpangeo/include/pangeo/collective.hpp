// Processes started together by an MPI launcher (mpirun -n N): each rank does one part of
// the work (as --part I/N does) and the results meet at rank 0 over MPI, so no partial
// stores are needed. MPI is optional: a build without it (or a process not started by a
// launcher) is a group of one.
#pragma once

#include <cstdint>
#include <vector>

#include "pangeo/array.hpp"

namespace pangeo {

class Collective {
 public:
  // The world: MPI's when built with MPI and started by a launcher of more than one
  // process (MPI is initialised on first use and finalised at exit); else one process.
  static Collective& world();
  // Whether this build can run under an MPI launcher.
  static bool available();

  uint64_t rank() const { return rank_; }
  uint64_t size() const { return size_; }
  bool active() const { return size_ > 1; }
  // Whether `ok` holds on every rank.
  bool all_ok(bool ok);
  // Rank 0 receives every rank's bytes in rank order; other ranks an empty list.
  std::vector<Bytes> gather(const Bytes& mine);
  // Rank 0's `bytes`, on every rank.
  Bytes broadcast(const Bytes& bytes);

 private:
  Collective() = default;
  uint64_t rank_ = 0, size_ = 1;
};

}  // namespace pangeo
