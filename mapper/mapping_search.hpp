// The per-layer mapping search (docs/mapper.md).
//
// GEMM space, per layer on its chunk: every dataflow the chunk lists x loop order (g n m k, g m n k) x tile
// sizes Mt, Kt, Nt from tile_candidates() — every size of a dimension up to kEveryTileUpTo; above that the
// whole dimension, balanced splits ceil(D/j), multiples of the array side the dimension is unrolled on,
// halvings and divisors, and for Mt and Nt the largest size the buffers allow (and its balanced equal) —
// keeping those whose tiles fit one buffer slot (model/buffering.hpp) and that need at most
// kMaxTilesPerLayer tiles. Spatial unrolling follows
// from the dataflow (docs/pe-array.md): a tile's spatial dimensions fold over the array.
//
// Search: branch and bound, exact. Every legal mapping gets its action counts in closed form and a lower
// bound on its cycles (compute alone; DRAM transfers alone plus latency; global-buffer transfers alone),
// hence on its energy and EDP. Mappings are visited in order of bound; each is costed exactly
// (LayerCostModel) until the next bound exceeds the best exact cost, which proves the rest cannot win. Ties
// in the objective go to the mapping listed first in the enumeration order (dataflow as listed by the chunk,
// n outside before m outside, then larger Kt, larger Mt, larger Nt); seeds passed by the caller (the fixed
// rule's choice) come before all of them. brute_force = true costs every mapping exactly: the reference the
// tests compare with.
#pragma once

#include <cstdint>
#include <vector>

#include "mapper/gemm_tiling.hpp"
#include "mapper/layer_cost.hpp"
#include "mapper/vector_tiles.hpp"

namespace cosim {

struct SearchStats {
  uint64_t considered = 0;  // legal mappings costed in closed form with a bound
  uint64_t simulated = 0;   // of which costed exactly (the rest were proven no better by their bound)
  SearchStats& operator+=(const SearchStats& o) {
    considered += o.considered, simulated += o.simulated;
    return *this;
  }
};

struct GemmChoice {
  bool found = false;
  GemmTiling tiling;
  LayerCost cost;
  SearchStats stats;
  uint64_t fewest_tiles = 0;  // when nothing fits only because of kMaxTilesPerLayer: the fewest needed
};

// Dimensions up to this size try every tile size.
constexpr int64_t kEveryTileUpTo = 32;

// Tile sizes tried along a dimension of size `dim` unrolled on an array side of `side` (1: streamed).
std::vector<int64_t> tile_candidates(int64_t dim, int64_t side);

GemmChoice search_gemm(const LayerCostModel& model, int unit, const GemmProblem& p, Objective objective,
                       const std::vector<GemmTiling>& seeds = {}, bool brute_force = false);

struct VectorChoice {
  uint64_t tile = 0;
  LayerCost cost;
  SearchStats stats;
};

// Tiles of largest, largest/2, ... elements (whole rows, at most 8 sizes); exact cost of each. Smaller tiles
// start computing sooner and end storing sooner, larger ones move fewer, larger transfers.
VectorChoice search_vector(const LayerCostModel& model, const VectorProblem& v, uint64_t largest,
                           Objective objective);

}  // namespace cosim
