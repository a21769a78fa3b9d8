// The sparse-attention engine's MAC lines as a clocked SystemC model: one SC_THREAD advances the plain C++
// group one edge per clock period (the same structure as the PE arrays' pe_array_module.hpp).
#pragma once

#include <systemc>

#include "sim/sparse_attention/mac_line_group.hpp"

namespace cosim {

class MacLineGroupModule : public sc_core::sc_module {
 public:
  MacLineGroupModule(sc_core::sc_module_name name, int lines, int macs, const PeFormat& f,
                     sc_core::sc_time period)
      : sc_core::sc_module(name), group_(lines, macs, f), period_(period) {
    SC_HAS_PROCESS(MacLineGroupModule);
    SC_THREAD(clock_edges);
  }

  // Runs a phase to completion; returns the cycles it took. Call from an SC_THREAD.
  uint64_t run(const EnginePhase& phase) {
    group_.start(phase);
    if (group_.done()) return 0;
    start_.notify(sc_core::SC_ZERO_TIME);
    sc_core::wait(done_);
    return group_.cycles();
  }
  const MacLineGroup& group() const { return group_; }

 private:
  void clock_edges() {
    for (;;) {
      sc_core::wait(start_);
      while (group_.step()) sc_core::wait(period_);
      sc_core::wait(period_);
      done_.notify(sc_core::SC_ZERO_TIME);
    }
  }
  MacLineGroup group_;
  sc_core::sc_time period_;
  sc_core::sc_event start_, done_;
};

}  // namespace cosim
