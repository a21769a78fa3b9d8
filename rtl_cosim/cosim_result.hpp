// The outcome of a lockstep co-simulation of RTL against the SystemC model.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace cosim {

struct Mismatch {
  uint64_t cycle = 0;  // cycle of the run (all folds counted)
  uint64_t fold = 0;   // fold number and its edge
  uint64_t edge = 0;
  int row = 0, col = 0;
  std::string signal;
  uint64_t rtl = 0, model = 0;  // raw bits of the field
  std::string describe() const {
    return "cycle " + std::to_string(cycle) + " (fold " + std::to_string(fold) + ", edge " +
           std::to_string(edge) + "): PE (" + std::to_string(row) + ", " + std::to_string(col) + ") " +
           signal + ": RTL " + std::to_string(rtl) + ", model " + std::to_string(model);
  }
};

struct CosimResult {
  uint64_t cycles = 0;  // cycles compared
  uint64_t folds = 0;
  uint64_t folds_by_dataflow[3] = {0, 0, 0};            // PE arrays: output-, weight-, input-stationary
  uint64_t pipelined_tiles_by_dataflow[3] = {0, 0, 0};  // PE arrays: tiles run with pipelined folds
  std::optional<Mismatch> mismatch;
  bool ok() const { return !mismatch; }
};

}  // namespace cosim
