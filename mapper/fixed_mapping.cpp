#include "mapper/fixed_mapping.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "mapper/memory_transfer.hpp"
#include "mapper/sparse_attention_mapping.hpp"
#include "mapper/vector_tiles.hpp"
#include "sim/pe_array/fold_timing.hpp"
#include "spec/input_error.hpp"

namespace cosim {

namespace {

class FixedMapper {
 public:
  FixedMapper(const Network& net, const ArchSpec& arch) : net_(net), arch_(arch) {
    const size_t n = net.layers.size();
    in_dram_.assign(n, true);
    plan_of_.assign(n, -1);
    source_.assign(n, 0);
    out_scale_.assign(n, 1.0);
    for (size_t i = 1; i < n; ++i) {
      const Layer& l = net.layers[i];
      source_[i] =
          l.work == WorkKind::None ? source_[size_t(l.inputs[0])] : int(i);  // a reshape is its input
    }
    mark_encoded_producers();
    for (size_t i = 1; i < n; ++i) {
      const Layer& l = net.layers[i];
      if (l.work == WorkKind::None) {
        in_dram_[i] = in_dram_[size_t(l.inputs[0])];
        continue;
      }
      uint64_t out = bytes_of(uint64_t(elements(l.out_shape) * net.batch), l.out_bits);
      if ((l.type == "attention.qk" || l.type == "attention.softmax") && runs_on_sparse_engine(arch, l)) {
        out =
            bytes_of(stored_scores(polarize_attention(arch, *l.attention)) * uint64_t(net.batch), l.out_bits);
      }
      in_dram_[i] = double(out) * out_scale_[i] > double(arch.global_buffer.size / 4);
    }
  }

  std::vector<LayerPlan> run() {
    std::vector<LayerPlan> plans;
    for (size_t i = 1; i < net_.layers.size(); ++i) {
      const Layer& l = net_.layers[i];
      if (l.work == WorkKind::None || plan_of_[i] >= 0) continue;
      if (l.type == "attention.qk" && runs_on_sparse_engine(arch_, l)) {
        plan_sparse(i, plans);
        continue;
      }
      LayerPlan p = new_plan(i);
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
  std::vector<double> out_scale_;  // stored bytes / plain bytes of a layer's output (Q/K encoder)

  LayerPlan new_plan(size_t i) const {
    LayerPlan p;
    p.layer = int(i);
    for (int in : net_.layers[i].inputs) {
      const int producer = plan_of_[size_t(source_[size_t(in)])];
      if (producer >= 0 && std::find(p.deps.begin(), p.deps.end(), producer) == p.deps.end()) {
        p.deps.push_back(producer);
      }
    }
    return p;
  }

  // A packed q, k, v tensor read only by sparse attentions with the encoder on leaves its producer with Q and
  // K compressed across heads: (2 * compressed heads / heads + 1) / 3 of its plain size.
  void mark_encoded_producers() {
    if (!arch_.sparse_attention || !arch_.sparse_attention->use || !arch_.sparse_attention->encoder) return;
    const size_t n = net_.layers.size();
    std::vector<int> encoded_readers(n, 0), readers(n, 0);
    std::vector<const AttentionInfo*> info(n, nullptr);
    for (size_t i = 1; i < n; ++i) {
      const Layer& l = net_.layers[i];
      if (l.work == WorkKind::None) continue;
      for (int in : l.inputs) {
        const size_t src = size_t(source_[size_t(in)]);
        ++readers[src];
        if ((l.type == "attention.qk" || l.type == "attention.sv") && runs_on_sparse_engine(arch_, l) &&
            in == l.inputs.back()) {
          ++encoded_readers[src];
          info[src] = l.attention.get();
        }
      }
    }
    for (size_t i = 1; i < n; ++i) {
      if (!info[i] || readers[i] != encoded_readers[i] || net_.layers[i].work != WorkKind::Gemm) continue;
      const double h = double(info[i]->heads), hc = double(arch_.sparse_attention->compressed_heads(int(h)));
      out_scale_[i] = (2.0 * hc / h + 1.0) / 3.0;
    }
  }

  void plan_sparse(size_t qk, std::vector<LayerPlan>& plans) {
    const Layer& l = net_.layers[qk];
    SparseAttentionHomes homes;
    homes.qkv_dram = in_dram_[size_t(source_[size_t(l.inputs[0])])];
    homes.scores_dram = in_dram_[qk];
    homes.probs_dram = in_dram_[qk + 1];
    homes.out_dram = in_dram_[qk + 2];
    LayerPlan sddmm = new_plan(qk);
    LayerPlan softmax;
    softmax.layer = int(qk + 1);
    LayerPlan spmm;
    spmm.layer = int(qk + 2);
    plan_sparse_attention(arch_, net_, l, homes, sddmm, softmax, spmm);
    plan_of_[qk] = int(plans.size());
    plans.push_back(std::move(sddmm));
    softmax.deps = {plan_of_[qk]};
    plan_of_[qk + 1] = int(plans.size());
    plans.push_back(std::move(softmax));
    spmm.deps = {plan_of_[qk + 1]};
    for (int d : plans[size_t(plan_of_[qk])].deps) spmm.deps.push_back(d);  // V comes from the qkv producer
    plan_of_[qk + 2] = int(plans.size());
    plans.push_back(std::move(spmm));
  }

  static const char* home(bool dram) { return dram ? "DRAM" : "GLB"; }

  Transfer transfer(uint64_t bytes, bool dram, ActionCounts& a) const {
    return memory_transfer(arch_, bytes, dram, a);
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
    long double fewest_tiles = std::numeric_limits<long double>::infinity();
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
        const long double tiles =
            (long double)l.gemm.groups * ceil_div(N, Nt) * ceil_div(M, Mt) * ceil_div(K, Kt);
        fewest_tiles = std::min(fewest_tiles, tiles);
        if (tiles > (long double)kMaxTilesPerLayer) continue;
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
    if (!found && fewest_tiles < std::numeric_limits<long double>::infinity()) {
      throw InputError(net_.file, l.pointer,
                       "layer \"" + l.name + "\" needs at least " + std::to_string(uint64_t(fewest_tiles)) +
                           " tiles on chunk \"" + c.name + "\", more than the " +
                           std::to_string(kMaxTilesPerLayer) +
                           " per layer this simulator runs; reduce the batch or the layer's size");
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
              const uint64_t bytes = uint64_t(
                  std::ceil(double(bytes_of(uint64_t(m * n), l.out_bits)) * out_scale_[size_t(p.layer)]));
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
    std::vector<VectorTensor> inputs;
    for (int in : l.inputs) {
      const Layer& src = net_.layers[size_t(in)];
      inputs.push_back({bytes_of(uint64_t(elements(src.out_shape) * net_.batch), src.out_bits),
                        bool(in_dram_[size_t(source_[size_t(in)])])});
    }
    const VectorTensor out{bytes_of(uint64_t(elements(l.out_shape) * net_.batch), l.out_bits),
                           bool(in_dram_[size_t(p.layer)])};
    plan_vector_tiles(arch_, "layer \"" + l.name + "\" (of " + net_.file + ")", l.vector_op,
                      l.vector_elements, l.vector_row, inputs, out, p);
  }
};

}  // namespace

std::vector<LayerPlan> fixed_mapping(const Network& net, const ArchSpec& arch) {
  check_supported(net, arch);
  return FixedMapper(net, arch).run();
}

}  // namespace cosim
