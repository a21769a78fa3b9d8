// A layer's tiles as a pattern: a tile, or a sequence of patterns repeated some number of times. A GEMM
// mapping with a million tiles is a pattern of a dozen nodes (gemm_tiling.hpp), which lets the cost model
// skip through repetitions (pipeline_timing.hpp) instead of visiting every tile.
#pragma once

#include <cstdint>
#include <vector>

#include "plan/layer_plan.hpp"

namespace cosim {

struct TilePattern {
  bool leaf = true;
  TileStep tile;                  // leaf
  std::vector<TilePattern> body;  // otherwise: played in order, `times` times
  uint64_t times = 1;

  static TilePattern of(TileStep t, uint64_t times = 1) {
    TilePattern p;
    p.tile = std::move(t);
    p.times = times;
    return p;
  }
  static TilePattern repeat(std::vector<TilePattern> body, uint64_t times) {
    TilePattern p;
    p.leaf = false;
    p.body = std::move(body);
    p.times = times;
    return p;
  }
  // Tiles in one play of the body (leaf: 1).
  uint64_t period() const {
    if (leaf) return 1;
    uint64_t n = 0;
    for (const TilePattern& b : body) n += b.period() * b.times;
    return n;
  }
  uint64_t tiles() const { return period() * times; }

  // Every tile in order (tests, small patterns).
  void expand(std::vector<TileStep>& out) const {
    for (uint64_t r = 0; r < times; ++r) {
      if (leaf) {
        out.push_back(tile);
      } else {
        for (const TilePattern& b : body) b.expand(out);
      }
    }
  }
};

}  // namespace cosim
