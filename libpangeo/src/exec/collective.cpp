#include "pangeo/collective.hpp"

#include "pangeo/partition.hpp"

#include <cstdlib>
#include <string>

#ifdef PANGEO_HAVE_MPI
#define OMPI_SKIP_MPICXX 1  // the C interface only
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>
#endif

namespace pangeo {

bool Collective::available() {
#ifdef PANGEO_HAVE_MPI
  return true;
#else
  return false;
#endif
}

Collective& Collective::world() {
  static Collective* w = [] {
    auto* c = new Collective();
#ifdef PANGEO_HAVE_MPI
    if (launcher_rank().count > 1) {
      int provided = 0;
      MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
      int r = 0, n = 1;
      MPI_Comm_rank(MPI_COMM_WORLD, &r);
      MPI_Comm_size(MPI_COMM_WORLD, &n);
      c->rank_ = uint64_t(r);
      c->size_ = uint64_t(n);
      std::atexit([] {
        int done = 0;
        MPI_Finalized(&done);
        if (!done) MPI_Finalize();
      });
    }
#endif
    return c;
  }();
  return *w;
}

bool Collective::all_ok(bool ok) {
#ifdef PANGEO_HAVE_MPI
  if (active()) {
    int mine = ok ? 1 : 0, all = 0;
    MPI_Allreduce(&mine, &all, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    return all == 1;
  }
#endif
  return ok;
}

std::vector<Bytes> Collective::gather(const Bytes& mine) {
#ifdef PANGEO_HAVE_MPI
  if (active()) {
    // Sizes first (64-bit), then the bytes in pieces that fit MPI's int counts.
    uint64_t n = mine.size();
    std::vector<uint64_t> sizes(size_);
    MPI_Gather(&n, 1, MPI_UINT64_T, sizes.data(), 1, MPI_UINT64_T, 0, MPI_COMM_WORLD);
    std::vector<Bytes> all;
    if (rank_ == 0) {
      all.resize(size_);
      all[0] = mine;
      for (uint64_t r = 1; r < size_; ++r) {
        all[r].resize(sizes[r]);
        for (uint64_t off = 0; off < sizes[r];) {
          const int piece = int(std::min<uint64_t>(sizes[r] - off, 1u << 30));
          MPI_Recv(all[r].data() + off, piece, MPI_BYTE, int(r), 7, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
          off += uint64_t(piece);
        }
      }
    } else {
      for (uint64_t off = 0; off < n;) {
        const int piece = int(std::min<uint64_t>(n - off, 1u << 30));
        MPI_Send(mine.data() + off, piece, MPI_BYTE, 0, 7, MPI_COMM_WORLD);
        off += uint64_t(piece);
      }
    }
    return all;
  }
#endif
  return {mine};
}

Bytes Collective::broadcast(const Bytes& bytes) {
#ifdef PANGEO_HAVE_MPI
  if (active()) {
    uint64_t n = bytes.size();
    MPI_Bcast(&n, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD);
    Bytes out = rank_ == 0 ? bytes : Bytes(n);
    for (uint64_t off = 0; off < n;) {
      const int piece = int(std::min<uint64_t>(n - off, 1u << 30));
      MPI_Bcast(out.data() + off, piece, MPI_BYTE, 0, MPI_COMM_WORLD);
      off += uint64_t(piece);
    }
    return out;
  }
#endif
  return bytes;
}

}  // namespace pangeo
