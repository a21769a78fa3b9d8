// The sparse-attention engine's MAC lines as a clocked SystemC model (the plain C++ group, clocked edge by
// edge).
#pragma once

#include "sim/clocked_model.hpp"
#include "sim/sparse_attention/mac_line_group.hpp"

namespace cosim {

class MacLineGroupModule : public ClockedModel<MacLineGroup> {
 public:
  MacLineGroupModule(sc_core::sc_module_name name, int lines, int macs, const PeFormat& f,
                     sc_core::sc_time period)
      : ClockedModel<MacLineGroup>(name, period, lines, macs, f) {}

  // Runs a phase to completion; returns the cycles it took. Call from an SC_THREAD.
  uint64_t run(const EnginePhase& phase) {
    return ClockedModel<MacLineGroup>::run([&](MacLineGroup& g) { g.start(phase); });
  }
  const MacLineGroup& group() const { return model(); }
};

}  // namespace cosim
