#include "mapper/network_mapper.hpp"

#include <algorithm>
#include <cmath>

#include "mapper/sparse_attention_mapping.hpp"
#include "mapper/tensor_residency.hpp"
#include "model/memory_transfer.hpp"
#include "spec/input_error.hpp"

namespace cosim {

namespace {

class NetworkMapper {
 public:
  NetworkMapper(const Network& net, const ArchSpec& arch, LayerMappingPolicy& policy)
      : net_(net), arch_(arch), policy_(policy) {
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
    std::vector<uint64_t> stored(n, 0);
    for (size_t i = 1; i < n; ++i) {
      const Layer& l = net.layers[i];
      if (l.work == WorkKind::None) continue;
      uint64_t out = bytes_of(uint64_t(elements(l.out_shape) * net.batch), l.out_bits);
      if ((l.part == AttentionPart::Scores || l.part == AttentionPart::Softmax) &&
          runs_on_sparse_engine(arch, l)) {
        out =
            bytes_of(stored_scores(polarize_attention(arch, *l.attention)) * uint64_t(net.batch), l.out_bits);
      }
      stored[i] = uint64_t(std::ceil(double(out) * out_scale_[i]));
    }
    std::vector<bool> passable(n, false);
    for (size_t i = 1; i < n; ++i) {
      const Layer& l = net.layers[i];
      passable[i] =
          l.part == AttentionPart::Scores && l.work == WorkKind::Gemm && !runs_on_sparse_engine(arch, l);
    }
    residency_ = plan_residency(net, arch, stored, source_, passable);
    in_dram_ = residency_.in_dram;
  }

  std::vector<LayerPlan> run() {
    std::vector<LayerPlan> plans;
    for (size_t i = 1; i < net_.layers.size(); ++i) {
      const Layer& l = net_.layers[i];
      if (l.work == WorkKind::None || plan_of_[i] >= 0) continue;
      if (l.part == AttentionPart::Scores && runs_on_sparse_engine(arch_, l)) {
        plan_sparse(i, plans);
        continue;
      }
      if (l.part == AttentionPart::Scores && residency_.groups_per_pass[i] > 0) {
        plan_passes(i, plans);
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
    mark_weight_prefetches(plans);
    return plans;
  }

 private:
  const Network& net_;
  const ArchSpec& arch_;
  LayerMappingPolicy& policy_;
  std::vector<bool> in_dram_;
  TensorResidency residency_;
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
        if ((l.part == AttentionPart::Scores || l.part == AttentionPart::Values) &&
            runs_on_sparse_engine(arch_, l) && in == l.inputs.back()) {
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

  // A dense attention in passes (tensor_residency.hpp): qk, softmax and sv of each group of heads in turn;
  // a pass's qk waits for the previous pass's sv, whose scores buffer it reuses.
  void plan_passes(size_t qk, std::vector<LayerPlan>& plans) {
    const int64_t groups = net_.layers[qk].gemm.groups, per_pass = residency_.groups_per_pass[qk];
    const LayerPlan first = new_plan(qk);  // its deps: the qkv producer
    for (int64_t g = 0; g < groups; g += per_pass) {
      for (size_t part = 0; part < 3; ++part) {
        const Layer& l = net_.layers[qk + part];
        LayerPlan p;
        p.layer = int(qk + part);
        p.pass_first = g, p.pass_groups = per_pass;
        if (part == 0 && g > 0) p.deps.push_back(plan_of_[qk + 2]);
        if (part != 1) p.deps.insert(p.deps.end(), first.deps.begin(), first.deps.end());
        if (part != 0) p.deps.push_back(plan_of_[qk + part - 1]);
        if (l.work == WorkKind::Gemm) {
          plan_gemm(l, p);
        } else {
          plan_vector(l, p);
        }
        plan_of_[qk + part] = int(plans.size());
        plans.push_back(std::move(p));
      }
    }
  }

  void plan_gemm(const Layer& l, LayerPlan& p) const {
    const ChunkSpec& c = *arch_.chunk_for(l.op);
    p.unit = int(&c - arch_.chunks.data());
    GemmProblem prob;
    prob.groups = p.pass_groups > 0 ? p.pass_groups : l.gemm.groups;
    prob.m = l.gemm.m, prob.k = l.gemm.k, prob.n = l.gemm.n;
    prob.a_bits = l.act_bits;
    prob.b_bits = l.b_is_weight ? l.weight_bits : l.act_bits;
    prob.acc_bits = c.pe.acc_bits;
    prob.out_bits = l.out_bits;
    prob.a_dram = in_dram_[size_t(source_[size_t(l.inputs[0])])];
    prob.b_dram = l.b_is_weight ? true : bool(in_dram_[size_t(source_[size_t(l.inputs.back())])]);
    prob.o_dram = in_dram_[size_t(p.layer)];
    prob.out_scale = out_scale_[size_t(p.layer)];
    prob.b_bypass = l.b_is_weight && arch_.global_buffer.weights_bypass;
    prob.rows = c.rows, prob.cols = c.cols;
    prob.reads_every_operation = c.operand_reads == OperandReads::EveryOperation;
    prob.fold_pipelining = c.fold_pipelining;
    prob.window = l.conv;
    prob.glb_budget = glb_budget(l, prob);
    materialize_gemm(arch_, prob, policy_.gemm(l, c, prob), p);
  }

  // The global buffer left for a GEMM layer's staged tiles: what the tensors kept there while it runs (its
  // own kept operands and output among them) do not take. No more than its largest tile can use (the whole
  // layer and its partial sums), so that identical layers with different neighbours share
  // one search (the cache key holds the budget) without a tiling fitting one and not the other.
  uint64_t glb_budget(const Layer& l, const GemmProblem& p) const {
    const uint64_t held = residency_.resident_bytes[size_t(&l - net_.layers.data())];
    const uint64_t left = arch_.global_buffer.size - std::min(arch_.global_buffer.size, held);
    const uint64_t largest = glb_tile_bytes(p, p.m, p.k, p.n) + p.psum_bytes(p.m, p.n);
    return std::min(left, largest);
  }

  // Next-layer weight prefetch (docs/accelerator-model.md): a GEMM whose weights are staged in the global
  // buffer has its first weight tile fetched early, while the plans it waits for still run: as soon as its
  // chunk's load thread takes it (once the chunk's previous plan has loaded its last tile) if the tile fits
  // beside what every plan from that previous one on holds (live tensors and staged tiles); else, when the
  // previous plan is one it waits for, once that plan has ended and released its tiles, if the tile fits
  // beside what every later plan holds.
  void mark_weight_prefetches(std::vector<LayerPlan>& plans) const {
    std::vector<int> last_on_unit(size_t(arch_.unit_count()), -1);
    for (size_t j = 0; j < plans.size(); ++j) {
      LayerPlan& p = plans[j];
      const int prev = last_on_unit.at(size_t(p.unit));
      last_on_unit[size_t(p.unit)] = int(j);
      const Layer& l = net_.layers[size_t(p.layer)];
      if (l.work != WorkKind::Gemm || !l.b_is_weight || p.attention || arch_.global_buffer.weights_bypass ||
          p.unit >= int(arch_.chunks.size()) || p.tiles.empty() || p.tiles[0].fetches.empty() ||
          p.deps.empty())  // without plans to wait for, its fetches start as early anyway
        continue;
      const uint64_t weights = p.tiles[0].fetches.back().bytes;  // fetched last (gemm_tiling.cpp)
      if (room_beside(plans, size_t(std::max(prev, 0)), j, weights)) {
        p.prefetch_fetches = 1;
      } else if (prev >= 0 && waits_for(plans, j, size_t(prev)) &&
                 room_beside(plans, size_t(prev) + 1, j, weights)) {
        p.prefetch_fetches = 1;
        p.prefetch_after = prev;
      }
    }
  }

  // `bytes` fit in the global buffer beside what each of plans [from, to) holds while it runs.
  bool room_beside(const std::vector<LayerPlan>& plans, size_t from, size_t to, uint64_t bytes) const {
    const uint64_t capacity = arch_.global_buffer.size;
    for (size_t i = from; i < to; ++i) {
      const uint64_t held = residency_.resident_bytes[size_t(plans[i].layer)] + plans[i].glb_footprint;
      if (held > capacity || bytes > capacity - held) return false;
    }
    return true;
  }

  // Plan j waits, directly or through others, for plan `earlier` (dependencies point to earlier plans).
  static bool waits_for(const std::vector<LayerPlan>& plans, size_t j, size_t earlier) {
    std::vector<bool> seen(j - earlier, false);  // plans earlier+1 .. j
    std::vector<size_t> stack{j};
    while (!stack.empty()) {
      const size_t k = stack.back();
      stack.pop_back();
      for (int d : plans[k].deps) {
        const size_t dd = size_t(d);
        if (dd == earlier) return true;
        if (dd < earlier || dd >= j || seen[dd - earlier - 1]) continue;
        seen[dd - earlier - 1] = true;
        stack.push_back(dd);
      }
    }
    return false;
  }

  // A vector layer; a softmax pass of an attention (p.pass_groups > 0) takes its share of the heads.
  void plan_vector(const Layer& l, LayerPlan& p) const {
    const bool pass = p.pass_groups > 0;  // then the layer before it is the attention's qk
    const uint64_t share = pass ? uint64_t(p.pass_groups) : 1;
    const uint64_t of = pass ? uint64_t(net_.layers[size_t(p.layer) - 1].gemm.groups) : 1;
    auto part = [&](uint64_t x) { return x / of * share; };  // whole heads: exact
    std::vector<VectorTensor> inputs;
    for (int in : l.inputs) {
      const Layer& src = net_.layers[size_t(in)];
      inputs.push_back({bytes_of(part(uint64_t(elements(src.out_shape) * net_.batch)), src.out_bits),
                        bool(in_dram_[size_t(source_[size_t(in)])])});
    }
    const VectorTensor out{bytes_of(part(uint64_t(elements(l.out_shape) * net_.batch)), l.out_bits),
                           bool(in_dram_[size_t(p.layer)])};
    const VectorProblem v{"layer \"" + l.name + "\" (of " + net_.file + ")",
                          l.vector_op,
                          part(l.vector_elements),
                          l.vector_row,
                          inputs,
                          out};
    plan_vector_tiles(arch_, v, p, policy_.vector_tile(l, v, largest_vector_tile(arch_, v)));
  }
};

}  // namespace

std::vector<LayerPlan> map_network(const Network& net, const ArchSpec& arch, LayerMappingPolicy& policy) {
  check_supported(net, arch);
  return NetworkMapper(net, arch, policy).run();
}

InputError too_many_tiles_error(const Network& net, const Layer& l, const ChunkSpec& c, uint64_t fewest) {
  return InputError(net.file, l.pointer,
                    "layer \"" + l.name + "\" needs at least " + std::to_string(fewest) +
                        " tiles on chunk \"" + c.name + "\", more than the " +
                        std::to_string(kMaxTilesPerLayer) +
                        " per layer this simulator runs; reduce the batch or the layer's size");
}

InputError no_tile_fits_error(const ArchSpec& arch, const Network& net, const Layer& l, const ChunkSpec& c,
                              const GemmProblem& p) {
  // Name the buffer that is too small for even a 1x1x1 tile, double buffered.
  const char* overflow = gemm_tile_overflow(p, c, 1, 1, 1);
  const char* which = overflow ? overflow : "output";
  return InputError(arch.file, c.pointer + "/buffers/" + which,
                    "chunk \"" + c.name + "\" cannot hold any tile of layer \"" + l.name + "\" (of " +
                        net.file + "): a 1x1x1 tile needs " + std::to_string(p.a_bits) + "/" +
                        std::to_string(p.b_bits) + "/" + std::to_string(p.acc_bits) +
                        " bits of input/weight/output, twice for double buffering; buffers are " +
                        size_text(c.input_buffer) + "/" + size_text(c.weight_buffer) + "/" +
                        size_text(c.output_buffer));
}

InputError glb_too_small_error(const ArchSpec& arch, const Network& net, const Layer& l,
                               const GemmProblem& p) {
  return InputError(
      arch.file, "/global_buffer/size",
      "the global buffer cannot hold a tile of layer \"" + l.name + "\" (of " + net.file +
          "): one row and one column, one step of its reduction and their partial sums, twice for double "
          "buffering, need " +
          std::to_string(2 * std::min(glb_tile_bytes(p, 1, 1, 1), glb_tile_bytes(p, 1, p.k, 1))) +
          " B beside the " +
          std::to_string(arch.global_buffer.size - std::min(arch.global_buffer.size, p.glb_budget)) +
          " B its live activations hold");
}

}  // namespace cosim
