// A cost lookup table for differentiable NAS (cosim lut, docs/search.md): per searchable block and option,
// the latency and energy the block adds to the network, simulated in its place. FBNet (Wu et al., CVPR 2019)
// and ProxylessNAS (Cai et al., ICLR 2019) build such tables by timing each block alone on a phone and take a
// network's cost as the sum of its blocks'; here each entry comes from the cycle-level model with the block
// in the network, and how far the sum is from the whole network simulated is measured (the additivity error).
//
// What an entry is: in a simulated network, each layer is charged the cycles by which it moves the end of the
// run (its end minus the latest end before it: overlap with earlier layers is not charged twice), and its
// dynamic energy plus the static energy of those cycles. A block's entry is the sum over its layers; the
// layers no gene chooses (stem, head, classifier) form the fixed part. In the network an entry was measured
// in, fixed part + entries = the simulated total exactly; elsewhere the difference is the additivity error.
// Its one mechanism in this model is next-layer weight prefetch (mapper/network_mapper.cpp): a layer's first
// weight tile is fetched as soon as its chunk's previous plan has loaded, so a block whose chunk the blocks
// before it left idle starts with its weights on chip, and how early depends on them. On an accelerator of
// one chunk the table is exact.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "flow/network_simulator.hpp"
#include "mapper/layer_cost.hpp"
#include "nas/search_space.hpp"
#include "spec/arch_spec.hpp"

namespace cosim {

struct BlockCost {
  uint64_t cycles = 0;
  double energy_pJ = 0;
  uint64_t macs = 0;  // PE operations (vector-unit work is in the cycles and energy, not here)
};

struct CostEntry {
  size_t gene = 0;
  int option = 0;
  BlockCost cost;
};

// One random candidate: its cost summed from the table and simulated whole.
struct AdditivityCheck {
  std::string encoding;
  BlockCost table, simulated;
};

struct CostTable {
  std::string space, space_file, arch, arch_file;
  std::vector<Gene> genes;  // of the space as fitted to the accelerator
  std::vector<std::string> notes;
  double clock_MHz = 0;
  BlockCost fixed;  // the layers no gene chooses
  std::vector<CostEntry> entries;
  std::vector<AdditivityCheck> checks;
  // The table's estimate of a candidate: fixed part + its options' entries.
  BlockCost estimate(const Candidate& c) const;
};

struct CostTableOptions {
  Objective objective = Objective::Edp;  // of the auto-mapper, per layer
  int samples = 20;                      // random candidates for the additivity error
  uint64_t seed = 1;
};

// Simulates on `simulator` (its model elaborated once, whatever else it ran), for each option index, the
// network whose every block takes it (where the block has it), and `samples` random candidates. The space
// must have been fitted to the simulator's architecture (SearchSpace::fit_to). Throws InputError when the
// space's genes are not per block (a vit space's depth and width change every layer).
CostTable build_cost_table(const SearchSpace& space, NetworkSimulator& simulator,
                           const CostTableOptions& options);

// Fields with units in their names (cycles, _us, _pJ, _uJ); the additivity error in percent.
nlohmann::json to_json(const CostTable& t);
std::string to_csv(const CostTable& t);    // one row per gene and option, then the fixed part
std::string to_table(const CostTable& t);  // for people
// One line: the mean and largest additivity error of cycles and energy over the random candidates.
std::string additivity_line(const CostTable& t);

}  // namespace cosim
