// A plain C++ cycle model (step() per rising edge, done(), cycles()) clocked by SystemC: one SC_THREAD
// advances it one edge per clock period (the fastest clocked form measured in ../shared/notes: one process,
// no sc_signal inside the model). Callers in other SC_THREADs start work on the model and wait for it to
// finish.
#pragma once

#include <cstdint>
#include <utility>

#include <systemc>

namespace cosim {

template <class Model>
class ClockedModel : public sc_core::sc_module {
 public:
  template <class... Args>
  ClockedModel(sc_core::sc_module_name name, sc_core::sc_time period, Args&&... args)
      : sc_core::sc_module(name), model_(std::forward<Args>(args)...), period_(period) {
    SC_HAS_PROCESS(ClockedModel);
    SC_THREAD(clock_edges);
  }

  // Calls start(model), then clocks the model until it is done; returns its cycles. Call from an SC_THREAD.
  template <class Start>
  uint64_t run(Start&& start) {
    start(model_);
    if (model_.done()) return 0;
    start_.notify(sc_core::SC_ZERO_TIME);
    sc_core::wait(done_);
    return model_.cycles();
  }

  const Model& model() const { return model_; }

 private:
  void clock_edges() {
    for (;;) {
      sc_core::wait(start_);
      while (model_.step()) sc_core::wait(period_);
      sc_core::wait(period_);  // the last edge also takes a period
      done_.notify(sc_core::SC_ZERO_TIME);
    }
  }

  Model model_;
  sc_core::sc_time period_;
  sc_core::sc_event start_, done_;
};

}  // namespace cosim
