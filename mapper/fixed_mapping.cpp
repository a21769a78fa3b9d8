#include "mapper/fixed_mapping.hpp"

#include <algorithm>

#include "sim/pe_array/fold_timing.hpp"
#include "spec/input_error.hpp"

namespace cosim {

uint64_t bytes_of(uint64_t elements, int bits) {
  return (elements * uint64_t(bits) + 7) / 8;
}

uint64_t dram_burst_bytes(uint64_t bytes, const ArchSpec& arch) {
  const uint64_t b = arch.dram.burst_bytes;
  return (bytes + b - 1) / b * b;
}

namespace {

std::string size_text(uint64_t bytes) {
  if (bytes % 1024 == 0) return std::to_string(bytes / 1024) + " KiB";
  return std::to_string(bytes) + " B";
}

class FixedMapper {
 public:
  FixedMapper(const Network& net, const ArchSpec& arch) : net_(net), arch_(arch) {
    const size_t n = net.layers.size();
    in_dram_.assign(n, true);
    plan_of_.assign(n, -1);
    source_.assign(n, 0);
    for (size_t i = 0; i < n; ++i) {
      const Layer& l = net.layers[i];
      if (i == 0) {
        source_[i] = 0;
        in_dram_[i] = true;
      } else if (l.work == WorkKind::None) {
        source_[i] = source_[size_t(l.inputs[0])];  // a reshape is its input, seen differently
        in_dram_[i] = in_dram_[size_t(l.inputs[0])];
      } else {
        source_[i] = int(i);
        const uint64_t out = bytes_of(uint64_t(elements(l.out_shape) * net.batch), l.out_bits);
        in_dram_[i] = out > arch.global_buffer.size / 4;
      }
    }
  }

  std::vector<LayerPlan> run() {
    std::vector<LayerPlan> plans;
    for (size_t i = 1; i < net_.layers.size(); ++i) {
      const Layer& l = net_.layers[i];
      if (l.work == WorkKind::None) continue;
      LayerPlan p;
      p.layer = int(i);
      for (int in : l.inputs) {
        const int producer = plan_of_[size_t(source_[size_t(in)])];
        if (producer >= 0 && std::find(p.deps.begin(), p.deps.end(), producer) == p.deps.end()) {
          p.deps.push_back(producer);
        }
      }
      if (l.work == WorkKind::Gemm) {
        plan_gemm(l, p);
      } else {
        plan_vector(l, p);
      }
      plan_of_[i] = int(plans.size());
      plans.push_back(std::move(p));
    }
    return plans;
  }

 private:
  const Network& net_;
  const ArchSpec& arch_;
  std::vector<bool> in_dram_;
  std::vector<int> plan_of_, source_;

  static const char* home(bool dram) { return dram ? "DRAM" : "GLB"; }

  // A transfer of `bytes` between a unit and the tensor's home; counts the memory-side actions.
  Transfer transfer(uint64_t bytes, bool dram, ActionCounts& a) const {
    if (dram) {
      const uint64_t burst = dram_burst_bytes(bytes, arch_);
      a.dram_bytes += double(burst);
      a.glb_bytes += 2.0 * double(bytes);  // staged through the global buffer: written, then read
      return {burst, true};
    }
    a.glb_bytes += double(bytes);
    return {bytes, false};
  }

  void plan_gemm(const Layer& l, LayerPlan& p) const {
    const ChunkSpec& c = *arch_.chunk_for(l.op);
    p.unit = int(&c - arch_.chunks.data());
    const Dataflow d = c.dataflows.front();
    const int64_t M = l.gemm.m, K = l.gemm.k, N = l.gemm.n;
    const int a_bits = l.act_bits, b_bits = l.b_is_weight ? l.weight_bits : l.act_bits;
    const int acc_bits = c.pe.acc_bits;
    // Half of each buffer, in bits: the other half holds the next tile.
    const uint64_t cap_in = c.input_buffer * 4, cap_w = c.weight_buffer * 4, cap_out = c.output_buffer * 4;

    // Array sides the m and n dims map to (1 when the dim streams in time).
    const SpatialMap sm = spatial_map(d, 1, 2, 3);  // which dims (1=m, 2=k, 3=n) sit on rows and cols
    auto side = [&](int which) -> int64_t {
      return sm.rows_dim == which ? c.rows : sm.cols_dim == which ? c.cols : 1;
    };
    auto align = [&](int64_t t, int64_t full, int which) {
      return (t < full && t >= side(which)) ? t / side(which) * side(which) : t;
    };
    const bool a_dram = in_dram_[size_t(source_[size_t(l.inputs[0])])];
    const bool b_dram = l.b_is_weight ? true : in_dram_[size_t(source_[size_t(l.inputs.back())])];
    const bool o_dram = in_dram_[size_t(p.layer)];
    p.mapping.dataflow = d;
    p.mapping.input_home = home(a_dram);
    p.mapping.weight_home = l.b_is_weight ? "DRAM" : home(b_dram);
    p.mapping.output_home = home(o_dram);

    // Candidates: Kt = K, K/2, K/4, ...; for each, the widest Mt, Nt that fit, and both orders of the m and n
    // loops. Halving stops once it no longer widens the tile (a smaller Kt would only add reloads). Keep the
    // one moving the fewest DRAM bytes, then the fewest compute cycles, then the fewest global buffer bytes;
    // ties go to the larger Kt, then to n outside.
    bool found = false;
    LayerPlan best;
    int64_t last_m = -1, last_n = -1;
    for (int64_t Kt = K;; Kt = (Kt + 1) / 2) {
      int64_t Nt = std::min<int64_t>(N, int64_t(cap_w / uint64_t(Kt * b_bits)));
      int64_t Mt = std::min<int64_t>(M, int64_t(cap_in / uint64_t(Kt * a_bits)));
      while (Mt >= 1 && Nt >= 1 && uint64_t(Mt * Nt * acc_bits) > cap_out) {
        if (Mt >= Nt)
          Mt = Mt / 2;
        else
          Nt = Nt / 2;
      }
      if (Mt >= 1 && Nt >= 1) {
        Mt = align(Mt, M, 1);
        Nt = align(Nt, N, 3);
        if (Mt == last_m && Nt == last_n) break;
        last_m = Mt;
        last_n = Nt;
        for (bool n_outer : {true, false}) {
          LayerPlan cand = p;
          cand.mapping.tile_m = Mt;
          cand.mapping.tile_k = Kt;
          cand.mapping.tile_n = Nt;
          gemm_tiles(l, c, d, {Mt, Kt, Nt}, n_outer, a_dram, b_dram, o_dram, cand, false);
          const ActionCounts &x = cand.actions, &y = best.actions;
          const bool better = !found || x.dram_bytes < y.dram_bytes ||
                              (x.dram_bytes == y.dram_bytes &&
                               (x.compute_cycles < y.compute_cycles ||
                                (x.compute_cycles == y.compute_cycles && x.glb_bytes < y.glb_bytes)));
          if (better) best = std::move(cand);
          found = true;
        }
      }
      if (Kt == 1) break;
    }
    if (!found) {
      throw InputError(arch_.file, c.pointer + "/buffers",
                       "chunk \"" + c.name + "\" cannot hold any tile of layer \"" + l.name + "\" (of " +
                           net_.file + "): a 1x1x1 tile needs " + std::to_string(a_bits) + "/" +
                           std::to_string(b_bits) + "/" + std::to_string(acc_bits) +
                           " bits of input/weight/output, twice for double buffering; buffers are " +
                           size_text(c.input_buffer) + "/" + size_text(c.weight_buffer) + "/" +
                           size_text(c.output_buffer));
    }
    // Materialize the chosen candidate's tiles.
    const Mapping chosen = best.mapping;
    best.actions = ActionCounts{};
    gemm_tiles(l, c, d, {chosen.tile_m, chosen.tile_k, chosen.tile_n}, chosen.loop_order == "g n m k", a_dram,
               b_dram, o_dram, best, true);
    p = std::move(best);
  }

  struct TileSize {
    int64_t m, k, n;
  };

  void gemm_tiles(const Layer& l, const ChunkSpec& c, Dataflow d, TileSize ts, bool n_outer, bool a_dram,
                  bool b_dram, bool o_dram, LayerPlan& p, bool materialize) const {
    const int64_t G = l.gemm.groups, M = l.gemm.m, K = l.gemm.k, N = l.gemm.n;
    const int64_t Mt = ts.m, Kt = ts.k, Nt = ts.n;
    const int a_bits = l.act_bits, b_bits = l.b_is_weight ? l.weight_bits : l.act_bits;
    const int acc_bits = c.pe.acc_bits;
    p.mapping.loop_order = n_outer ? "g n m k" : "g m n k";
    ActionCounts& a = p.actions;
    int64_t held_a[3] = {-1, -1, -1}, held_b[3] = {-1, -1, -1};
    const int64_t outer_end = n_outer ? N : M, outer_step = n_outer ? Nt : Mt;
    const int64_t inner_end = n_outer ? M : N, inner_step = n_outer ? Mt : Nt;
    for (int64_t g = 0; g < G; ++g) {
      for (int64_t o0 = 0; o0 < outer_end; o0 += outer_step) {
        for (int64_t i0 = 0; i0 < inner_end; i0 += inner_step) {
          const int64_t n0 = n_outer ? o0 : i0, m0 = n_outer ? i0 : o0;
          for (int64_t k0 = 0; k0 < K; k0 += Kt) {
            const int64_t m = std::min(Mt, M - m0), k = std::min(Kt, K - k0), n = std::min(Nt, N - n0);
            TileStep t;
            if (held_a[0] != g || held_a[1] != m0 || held_a[2] != k0) {
              const uint64_t bytes = bytes_of(uint64_t(m * k), a_bits);
              t.loads.push_back(transfer(bytes, a_dram, a));
              a.input_buffer_bytes += double(bytes);
              held_a[0] = g, held_a[1] = m0, held_a[2] = k0;
            }
            if (held_b[0] != g || held_b[1] != k0 || held_b[2] != n0) {
              const uint64_t bytes = bytes_of(uint64_t(k * n), b_bits);
              t.loads.push_back(transfer(bytes, b_dram, a));
              a.weight_buffer_bytes += double(bytes);
              held_b[0] = g, held_b[1] = k0, held_b[2] = n0;
            }
            t.compute_cycles = tile_cycles(d, c.rows, c.cols, m, k, n);
            const SpatialMap s = spatial_map(d, m, k, n);
            const int64_t fr = ceil_div(s.rows_dim, c.rows), fc = ceil_div(s.cols_dim, c.cols);
            // Operand reads into the array (see docs/accelerator-model.md for the per-dataflow counts).
            double a_reads = 0, b_reads = 0;
            int64_t result_writes = m * n;
            switch (d) {
              case Dataflow::OutputStationary:
                a_reads = double(m * k * fc), b_reads = double(k * n * fr);
                break;
              case Dataflow::WeightStationary:
                a_reads = double(m * k * fc), b_reads = double(k * n), result_writes = m * n * fr;
                break;
              case Dataflow::InputStationary:
                a_reads = double(m * k), b_reads = double(k * n * fc), result_writes = m * n * fr;
                break;
            }
            const uint64_t psum_adds = uint64_t(result_writes - m * n + (k0 > 0 ? m * n : 0));
            a.input_buffer_bytes += a_reads * a_bits / 8;
            a.weight_buffer_bytes += b_reads * b_bits / 8;
            a.output_buffer_bytes += double(uint64_t(result_writes) + psum_adds) * acc_bits / 8;
            a.psum_adds += psum_adds;
            a.macs += uint64_t(m * k * n);
            a.compute_cycles += t.compute_cycles;
            if (k0 + k == K) {
              const uint64_t bytes = bytes_of(uint64_t(m * n), l.out_bits);
              a.output_buffer_bytes += double(m * n) * acc_bits / 8;
              t.stores.push_back(transfer(bytes, o_dram, a));
            }
            if (materialize) p.tiles.push_back(std::move(t));
          }
        }
      }
    }
  }

  void plan_vector(const Layer& l, LayerPlan& p) const {
    const VectorUnitSpec& v = arch_.vector_unit;
    p.unit = int(arch_.chunks.size());
    const uint64_t E = l.vector_elements, row = l.vector_row;
    std::vector<uint64_t> in_bytes;
    std::vector<bool> in_dram;
    uint64_t total = 0;
    for (int in : l.inputs) {
      const Layer& src = net_.layers[size_t(in)];
      in_bytes.push_back(bytes_of(uint64_t(elements(src.out_shape) * net_.batch), src.out_bits));
      in_dram.push_back(in_dram_[size_t(source_[size_t(in)])]);
      total += in_bytes.back();
    }
    const uint64_t out_bytes = bytes_of(uint64_t(elements(l.out_shape) * net_.batch), l.out_bits);
    total += out_bytes;
    // Elements per tile: whole rows filling half the buffer (the other half holds the next tile).
    const double bytes_per_element = double(total) / double(E);
    uint64_t T = uint64_t(double(v.buffer) / 2 / bytes_per_element) / row * row;
    if (T == 0) {
      throw InputError(arch_.file, "/vector_unit/buffer",
                       "the vector unit's buffer (" + size_text(v.buffer) + ") cannot hold one row of " +
                           std::to_string(row) + " elements of layer \"" + l.name + "\" (of " + net_.file +
                           ") twice for double buffering");
    }
    T = std::min(T, E);
    p.mapping.tile_m = int64_t(T);
    p.mapping.loop_order = "elements";
    p.mapping.input_home = home(in_dram.front());
    p.mapping.output_home = home(in_dram_[size_t(p.layer)]);
    const bool o_dram = in_dram_[size_t(p.layer)];
    const VectorOpCost& cost = v.ops.at(l.vector_op);
    ActionCounts& a = p.actions;
    // Bytes of each tensor up to element e, so tiles add up exactly to the tensor.
    auto upto = [E](uint64_t bytes, uint64_t e) { return uint64_t((unsigned __int128)bytes * e / E); };
    for (uint64_t e0 = 0; e0 < E; e0 += T) {
      const uint64_t e1 = std::min(E, e0 + T);
      TileStep t;
      for (size_t i = 0; i < in_bytes.size(); ++i) {
        const uint64_t b = upto(in_bytes[i], e1) - upto(in_bytes[i], e0);
        if (b == 0) continue;
        t.loads.push_back(transfer(b, in_dram[i], a));
        a.input_buffer_bytes += 2.0 * double(b);  // written by the DMA, read by the lanes
      }
      t.compute_cycles =
          (e1 - e0 + uint64_t(v.lanes) - 1) / uint64_t(v.lanes) * uint64_t(cost.cycles_per_element);
      const uint64_t ob = upto(out_bytes, e1) - upto(out_bytes, e0);
      if (ob > 0) {
        t.stores.push_back(transfer(ob, o_dram, a));
        a.input_buffer_bytes += 2.0 * double(ob);  // written by the lanes, read by the DMA
      }
      a.macs += e1 - e0;
      a.compute_cycles += t.compute_cycles;
      p.tiles.push_back(std::move(t));
    }
  }
};

}  // namespace

std::vector<LayerPlan> fixed_mapping(const Network& net, const ArchSpec& arch) {
  check_supported(net, arch);
  return FixedMapper(net, arch).run();
}

}  // namespace cosim
