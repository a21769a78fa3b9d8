// The MPI job this process is part of, if any. MPI starts only when mpirun launched the process (its
// environment says so); a plain `cosim sweep` is one rank and never touches MPI. Build the ProcessPool
// before this (Open MPI does not support fork after MPI_Init).
#pragma once

namespace cosim {

class MpiWorld {
 public:
  MpiWorld();
  // Rank 0 tells the other ranks to stop serving (also when it leaves by an exception), then MPI finishes.
  ~MpiWorld();
  MpiWorld(const MpiWorld&) = delete;
  MpiWorld& operator=(const MpiWorld&) = delete;

  int rank() const { return rank_; }
  int size() const { return size_; }

 private:
  int rank_ = 0, size_ = 1;
  bool started_ = false;
};

// This process's rank as mpirun's environment gives it (0 when not under mpirun), readable before MPI starts:
// the CLI prints errors on rank 0 only, since every rank reads the same inputs and fails the same way.
int rank_from_environment();

// Message tags between rank 0 and the others (parallel/task_dispatch.cpp).
enum MpiTag : int { kTagReady = 1, kTagTask = 2, kTagResult = 3, kTagStop = 4 };

}  // namespace cosim
