// Lockstep co-simulation of the RTL MAC line (rtl/mac_line.sv) against one line of the level-1 SystemC model
// of the sparse-attention engine (sim/sparse_attention/mac_line_group.*): random entries in dot (SDDMM) and
// axpy (SpMM) mode, the stage registers, accumulator, row accumulators, scores and output buffer compared
// every cycle.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <systemc>

#include "rtl_cosim/cosim_result.hpp"
#include "spec/op_types.hpp"

namespace cosim {

class RtlMacLine {
 public:
  virtual ~RtlMacLine() = default;
  struct Beat {
    bool axpy = false, valid = false, first = false, last = false, row_last = false;
    int beat = 0;
    std::vector<int64_t> a, b;  // one value per lane
  };
  virtual void drive(bool rst, const Beat& beat) = 0;
  virtual void clock() = 0;
  virtual bool s1_valid() const = 0;
  virtual uint64_t s1_sum() const = 0;  // 64 bits, sign-extended
  virtual uint64_t acc() const = 0;
  virtual bool score_valid() const = 0;
  virtual uint64_t row(int f) const = 0;
  virtual bool flush_valid() const = 0;
  virtual uint64_t flush(int f) const = 0;
};

struct MacLineConfig {
  std::string name;
  int macs = 8, head_dim = 64;
  PeFormat format;
  std::function<std::unique_ptr<RtlMacLine>()> make;
};

const std::vector<MacLineConfig>& mac_line_configs();

struct EnginePhase;
class MacLineGroup;

class MacLineCosim : public sc_core::sc_module {
 public:
  MacLineCosim(sc_core::sc_module_name name, const MacLineConfig& config, uint64_t cycles, uint64_t seed);
  const CosimResult& result() const { return result_; }

 private:
  void run();
  bool run_phase(const EnginePhase& p, RtlMacLine& rtl, MacLineGroup& model);
  void compare(uint64_t edge, const EnginePhase& p, const RtlMacLine& rtl, const MacLineGroup& model);
  void fail(uint64_t edge, const char* signal, int col, uint64_t rtl, uint64_t model);
  const MacLineConfig& config_;
  uint64_t target_, seed_;
  CosimResult result_;
};

}  // namespace cosim
