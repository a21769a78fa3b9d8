// What a layer asks of the accelerator once it is mapped: the unit it runs on, the tiles it is cut into (each
// with its loads, compute cycles and stores), and the action counts its energy is computed from.
// Produced by a mapper (fixed_mapping.hpp today), consumed by the accelerator model and the energy model.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "spec/op_types.hpp"

namespace cosim {

// A transfer between a unit's buffers and memory. DRAM transfers pass through the global buffer.
struct Transfer {
  uint64_t bytes = 0;
  bool dram =
      false;  // over the DRAM channel (bytes are already rounded up to whole bursts); else GLB port only
};

struct TileStep {
  std::vector<Transfer> loads;
  uint64_t compute_cycles = 0;
  std::vector<Transfer> stores;  // empty while partial sums stay in the output buffer
};

// Counts from which energy is computed (sim/accel/energy_model.hpp). Bytes are fractional where elements are
// narrower than a byte.
struct ActionCounts {
  uint64_t macs = 0;              // PE operations (GEMM) or element operations (vector unit)
  uint64_t psum_adds = 0;         // accumulator-width adds combining partial sums at the output buffer
  uint64_t compute_cycles = 0;    // cycles the unit's array or lanes are busy
  double input_buffer_bytes = 0;  // reads + writes of the unit's input buffer (vector unit: its one buffer)
  double weight_buffer_bytes = 0;
  double output_buffer_bytes = 0;
  double glb_bytes = 0;   // reads + writes of the global buffer
  double dram_bytes = 0;  // reads + writes of DRAM, whole bursts
};

struct Mapping {
  Dataflow dataflow = Dataflow::OutputStationary;
  int64_t tile_m = 0, tile_k = 0, tile_n = 0;        // buffer-level tile (vector layers: tile_m elements)
  std::string loop_order;                            // outermost first, e.g. "g n m k"
  std::string input_home, weight_home, output_home;  // "DRAM" or "GLB"
};

struct LayerPlan {
  int layer = 0;          // index in Network::layers
  int unit = 0;           // chunk index, or Accelerator's vector unit index (= number of chunks)
  std::vector<int> deps;  // indices of the plans this one waits for
  Mapping mapping;
  std::vector<TileStep> tiles;
  ActionCounts actions;
};

}  // namespace cosim
