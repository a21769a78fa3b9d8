// Lockstep co-simulation of an RTL PE array against the level-1 SystemC model (docs/rtl.md): one SC_THREAD,
// one clock period per cycle; each cycle the testbench drives the RTL's edge inputs by the protocol of
// docs/pe-array.md, clocks the RTL, advances the model one edge, and compares every register of every PE the
// fold uses. The first mismatch stops the run and is reported with cycle, PE, signal and both values.
#pragma once

#include <functional>
#include <random>

#include <systemc>

#include "rtl_cosim/cosim_result.hpp"
#include "rtl_cosim/rtl_pe_array.hpp"
#include "sim/pe_array/pipelined_tile.hpp"
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
  FoldInput random_operands(std::mt19937_64& rng, int64_t m, int64_t k, int64_t n) const;
  bool run_fold(std::mt19937_64& rng);
  bool run_pipelined_tile(std::mt19937_64& rng);
  void drive(const FoldInput& fold, Dataflow d, uint64_t edge);
  bool compare(Dataflow d, const FoldInput& fold, uint64_t fold_index, uint64_t edge);
  bool compare_pipelined(Dataflow d, uint64_t edge);
  bool collect_outputs(Dataflow d, const FoldInput& f, uint64_t edge, bool before_edge);
  bool fail(uint64_t edge, int row, int col, const std::string& signal, uint64_t rtl, uint64_t model);

  const RtlConfig& config_;
  uint64_t target_cycles_, seed_;
  ModelFault fault_;
  std::unique_ptr<RtlPeArray> rtl_;
  SystolicArray model_;
  PipelinedArray pipelined_model_;
  std::vector<int64_t> rtl_outputs_;  // a fold's results as the RTL's output ports gave them
  size_t rtl_collected_ = 0;
  CosimResult result_;
  std::function<void(const CosimResult&)> on_fold_;
};

}  // namespace cosim
