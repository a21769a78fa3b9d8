// Random GEMM layers and random legal tilings of them, for the mapper's tests.
#pragma once

#include <random>

#include "mapper/gemm_tiling.hpp"
#include "model/memory_transfer.hpp"
#include "spec/arch_spec.hpp"
#include "spec/network.hpp"

namespace cosim::test {

inline int64_t uniform(std::mt19937_64& rng, int64_t lo, int64_t hi) {
  return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
}

// A GEMM problem for chunk `c` with dimensions up to `max_dim`, tensors randomly in DRAM or the global
// buffer.
inline GemmProblem random_gemm(std::mt19937_64& rng, const ChunkSpec& c, int64_t max_dim) {
  GemmProblem p;
  p.groups = uniform(rng, 1, 3);
  p.m = uniform(rng, 1, max_dim), p.k = uniform(rng, 1, max_dim), p.n = uniform(rng, 1, max_dim);
  p.a_bits = c.pe.act_bits, p.b_bits = c.pe.weight_bits, p.acc_bits = c.pe.acc_bits, p.out_bits = 8;
  p.a_dram = uniform(rng, 0, 1), p.b_dram = uniform(rng, 0, 1), p.o_dram = uniform(rng, 0, 1);
  p.b_bypass = uniform(rng, 0, 3) == 0;
  p.out_scale = uniform(rng, 0, 3) == 0 ? 7.0 / 9.0 : 1.0;
  p.rows = c.rows, p.cols = c.cols;
  p.fold_pipelining = c.fold_pipelining;
  p.glb_budget = uint64_t(uniform(rng, 4 << 10, 512 << 10));
  if (uniform(rng, 0, 2) == 0) {  // a convolution: m and k from its window
    ConvWindow& w = p.window;
    w.kh = uniform(rng, 0, 1) ? 3 : 1, w.kw = uniform(rng, 0, 1) ? 3 : 1;
    w.sh = uniform(rng, 1, 2), w.sw = uniform(rng, 1, 2);
    // m = out_h x out_w x items within max_dim, as the layer's other dimensions.
    w.out_w = uniform(rng, 1, std::min<int64_t>(12, max_dim));
    w.out_h = uniform(rng, 1, std::min<int64_t>(12, max_dim / w.out_w));
    w.items = uniform(rng, 1, std::min<int64_t>(2, max_dim / (w.out_w * w.out_h)));
    w.channels = uniform(rng, 1, std::max<int64_t>(1, max_dim / (w.kh * w.kw)));
    const int64_t pad_h = uniform(rng, 0, (w.kh - 1) / 2), pad_w = uniform(rng, 0, (w.kw - 1) / 2);
    w.in_h = (w.out_h - 1) * w.sh + w.kh - 2 * pad_h, w.in_w = (w.out_w - 1) * w.sw + w.kw - 2 * pad_w;
    p.m = w.out_h * w.out_w * w.items, p.k = w.channels * w.kh * w.kw;
  }
  return p;
}

// A random tiling (chunk and global-buffer tiles) that fits the chunk's buffers and the layer's share of the
// global buffer, and needs at most `max_tiles` tiles (false if none found).
inline bool random_tiling(std::mt19937_64& rng, const ChunkSpec& c, const GemmProblem& p, uint64_t max_tiles,
                          GemmTiling& t) {
  for (int attempt = 0; attempt < 200; ++attempt) {
    t.dataflow = c.dataflows[size_t(uniform(rng, 0, int64_t(c.dataflows.size()) - 1))];
    t.mt = uniform(rng, 1, p.m), t.kt = uniform(rng, 1, p.k), t.nt = uniform(rng, 1, p.n);
    t.n_outer = uniform(rng, 0, 1);
    // A global-buffer tile of whole chunk tiles (0: the whole dimension).
    t.mg = uniform(rng, 0, 2) == 0 ? 0 : t.mt * uniform(rng, 1, ceil_div(p.m, t.mt));
    t.ng = uniform(rng, 0, 2) == 0 ? 0 : t.nt * uniform(rng, 1, ceil_div(p.n, t.nt));
    t.glb_n_outer = uniform(rng, 0, 1);
    // A slice of the reduction of whole chunk tiles (0: the whole reduction), partial sums in the GLB.
    t.kg = uniform(rng, 0, 2) == 0 ? t.kt * uniform(rng, 1, ceil_div(p.k, t.kt)) : 0;
    const uint64_t tiles =
        uint64_t(p.groups * ceil_div(p.m, t.mt) * ceil_div(p.k, t.kt) * ceil_div(p.n, t.nt));
    if (tiles <= max_tiles && gemm_tiling_fits(p, c, t)) return true;
  }
  return false;
}

// A network of one GEMM layer (index 1) for running a plan alone.
inline Network one_gemm_network(const GemmProblem& p, OpType op) {
  Network net;
  net.name = net.file = "one_gemm";
  Layer in;
  in.name = "input";
  Layer g;
  g.name = "gemm";
  g.type = "matmul";
  g.inputs = {0};
  g.work = WorkKind::Gemm;
  g.gemm = {p.groups, p.m, p.k, p.n};
  g.op = op;
  g.out_shape = {p.groups, p.m, p.n};
  net.layers = {in, g};
  return net;
}

}  // namespace cosim::test
