// Sharing a fixed total of PEs and buffer space among the chunks so that the pipeline stages balance
// (docs/mapper.md). A chunk's stage is the work of its layers for one batch item: the sum of their costs
// alone, each layer mapped by the search for the chunk's size. The allocation minimizing the largest stage
// (the pipeline's initiation interval) wins; ties go to fewer PEs, then to the first in the order tried.
//
// Shapes tried per chunk: rows and cols each 8, 12, 16, 20, 24, 28, 32, 40, 48 or 64, neither more than twice
// the other (tall arrays suit output-stationary layers with few output channels, wide ones the opposite),
// within the total. Buffers follow the PEs: each chunk gets the share of the total input, weight and output
// buffer bytes that it gets of the PEs (rounded down to 64 B). The vector unit and the sparse-attention
// engine are not reallocated; their stages count in the balance.
#pragma once

#include <functional>

#include <string>
#include <vector>

#include "mapper/auto_mapping.hpp"
#include "mapper/layer_cost.hpp"
#include "spec/arch_spec.hpp"
#include "spec/network.hpp"

namespace cosim {

struct ChunkShare {
  std::string chunk;
  int rows = 0, cols = 0;
  uint64_t input_buffer = 0, weight_buffer = 0, output_buffer = 0;
  uint64_t stage_cycles = 0;  // its layers' cycles for one batch item
};

struct Allocation {
  std::vector<ChunkShare> chunks;
  uint64_t other_stage_cycles = 0;  // the largest stage of the vector unit and the sparse engine
  uint64_t bottleneck = 0;          // largest stage
  ArchSpec arch;                    // the architecture with this allocation
  int options_tried = 0;
};

// The architecture's own allocation, with its stage times.
Allocation current_allocation(const Network& net, const ArchSpec& arch, Objective objective);
// The same from a mapping of the network on `arch` already made (no second search).
Allocation current_allocation(const ArchSpec& arch, const AutoMapping& mapped);

// The same total split equally: every chunk gets the largest tried shape within total / chunks PEs.
Allocation equal_allocation(const Network& net, const ArchSpec& arch, Objective objective);

// Called after each chunk shape the balanced allocation has mapped the network at: (shapes done, shapes).
using AllocationProgress = std::function<void(size_t, size_t)>;

// The balanced allocation.
Allocation balanced_allocation(const Network& net, const ArchSpec& arch, Objective objective,
                               const AllocationProgress& progress = {});

}  // namespace cosim
