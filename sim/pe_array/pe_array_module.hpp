// The level-1 SystemC model: a systolic array clocked edge by edge. One SC_THREAD advances the plain C++
// array by one edge per clock period (the fastest clocked form measured in ../shared/notes: a single process,
// no sc_signal inside the array). Callers in other SC_THREADs hand it folds and wait for the results.
#pragma once

#include <systemc>

#include "sim/pe_array/systolic_array.hpp"

namespace cosim {

class PeArrayModule : public sc_core::sc_module {
 public:
  PeArrayModule(sc_core::sc_module_name name, OpType op, int rows, int cols, const PeFormat& format,
                sc_core::sc_time period)
      : sc_core::sc_module(name), array_(op, rows, cols, format), period_(period) {
    SC_HAS_PROCESS(PeArrayModule);
    SC_THREAD(clock_edges);
  }

  // Runs a fold to completion; returns the simulated cycles (clock edges). Call from an SC_THREAD.
  uint64_t run_fold(Dataflow d, const FoldInput& fold) {
    array_.start(d, fold);
    start_.notify(sc_core::SC_ZERO_TIME);
    sc_core::wait(done_);
    return array_.cycles();
  }

  const SystolicArray& array() const { return array_; }

 private:
  void clock_edges() {
    for (;;) {
      sc_core::wait(start_);
      while (array_.step()) sc_core::wait(period_);
      sc_core::wait(period_);  // the last edge also takes a period
      done_.notify(sc_core::SC_ZERO_TIME);
    }
  }

  SystolicArray array_;
  sc_core::sc_time period_;
  sc_core::sc_event start_, done_;
};

}  // namespace cosim
