// Lockstep co-simulation of an RTL PE array against the level-1 SystemC model (docs/rtl.md): one SC_THREAD,
// one clock period per cycle; each cycle the testbench drives the RTL's edge inputs by the protocol of
// docs/pe-array.md, clocks the RTL, advances the model one edge, and compares every register of every PE the
// fold uses. The first mismatch stops the run and is reported with cycle, PE, signal and both values.
#pragma once

#include <functional>

#include <systemc>

#include "rtl_cosim/cosim_result.hpp"
#include "rtl_cosim/rtl_pe_array.hpp"
#include "sim/pe_array/systolic_array.hpp"

namespace cosim {

// Deliberately wrong models, for the negative control.
enum class ModelFault {
  None,
  NarrowAccumulator,  // the model's accumulator one bit narrower than the RTL's
  OneCycleLate,       // the model starts each fold one cycle after the RTL
};

class PeArrayCosim : public sc_core::sc_module {
 public:
  PeArrayCosim(sc_core::sc_module_name name, const RtlConfig& config, uint64_t cycles, uint64_t seed,
               ModelFault fault = ModelFault::None);

  const CosimResult& result() const { return result_; }
  // Called after every fold compared (for a progress display).
  void on_fold(std::function<void(const CosimResult&)> f) { on_fold_ = std::move(f); }

 private:
  void run();
  void drive(const FoldInput& fold, Dataflow d, uint64_t edge);
  bool compare(Dataflow d, const FoldInput& fold, uint64_t fold_index, uint64_t edge);

  const RtlConfig& config_;
  uint64_t target_cycles_, seed_;
  ModelFault fault_;
  std::unique_ptr<RtlPeArray> rtl_;
  SystolicArray model_;
  CosimResult result_;
  std::function<void(const CosimResult&)> on_fold_;
};

}  // namespace cosim
