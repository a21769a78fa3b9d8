#include "mapper/sparse_attention_mapping.hpp"

#include <algorithm>
#include <cmath>

#include "mapper/vector_tiles.hpp"
#include "model/buffering.hpp"
#include "model/engine_timing.hpp"
#include "model/memory_transfer.hpp"
#include "spec/input_error.hpp"

namespace cosim {

bool runs_on_sparse_engine(const ArchSpec& arch, const Layer& l) {
  return arch.sparse_attention && arch.sparse_attention->use && l.attention && l.attention->mask;
}

std::vector<HeadPolarization> polarize_attention(const ArchSpec& arch, const AttentionInfo& a) {
  const SparseAttentionSpec& s = *arch.sparse_attention;
  std::vector<HeadPolarization> out;
  for (int h = 0; h < int(a.heads); ++h) {
    out.push_back(polarize(a.mask->head(a.mask_layer, h), int(a.tokens), s.global_threshold, s.polarize));
  }
  return out;
}

uint64_t stored_scores(const std::vector<HeadPolarization>& heads) {
  uint64_t n = 0;
  for (const HeadPolarization& h : heads) n += h.dense_entries + h.sparse_entries;
  return n;
}

// Cycles of one head's SDDMM and SpMM phases on the engines with `lines_dense` of the `lines` lines (without
// the encoder's).
uint64_t engine_phase_cycles(const HeadPolarization& hp, int lines_dense, const EngineShape& e) {
  const int d = e.head_dim, M = e.macs_per_line, sparse = e.lines - lines_dense;
  const uint64_t dense = dense_engine_cycles(uint64_t(hp.global_tokens), hp.n, lines_dense, d, M);
  return std::max(dense, sparse_sddmm_cycles(hp.sparse_entries, sparse, d, M, e.gather_lines)) +
         std::max(dense, sparse_spmm_cycles(hp.sparse_rows, sparse, d, M, e.gather_lines));
}

int engine_dense_lines(const HeadPolarization& hp, const EngineShape& e) {
  const uint64_t work_dense = uint64_t(hp.global_tokens) * uint64_t(hp.n), work_sparse = hp.sparse_entries;
  if (work_dense == 0) return 0;
  if (work_sparse == 0) return e.lines;
  const double proportional = double(e.lines) * double(work_dense) / double(work_dense + work_sparse);
  int best = 1;
  uint64_t best_cycles = engine_phase_cycles(hp, 1, e);
  for (int l = 2; l < e.lines; ++l) {
    const uint64_t c = engine_phase_cycles(hp, l, e);
    if (c < best_cycles || (c == best_cycles && std::abs(l - proportional) < std::abs(best - proportional))) {
      best = l, best_cycles = c;
    }
  }
  return best;
}

namespace {

// Rows read from the Q and K buffers in the SDDMM. The denser engine holds each line's query row in the line
// while the global columns' K rows are broadcast, one per pass over the queries; a sparser-engine line reads
// the query row of every entry and loads a key's row once per key it touches (it takes every `lines`-th entry
// of the key-ordered list, so a key with c entries reaches min(c, lines) lines).
struct RowReads {
  uint64_t q = 0, k = 0;
};
RowReads sddmm_row_reads(const HeadPolarization& hp, int lines_dense, int lines_sparse) {
  RowReads r;
  if (lines_dense && hp.global_tokens) {
    r.q += uint64_t(hp.n);
    r.k += uint64_t(hp.global_tokens) * ceil_div(uint64_t(hp.n), uint64_t(lines_dense));
  }
  r.q += hp.sparse_entries;
  for (uint32_t c : hp.sparse_columns) r.k += std::min<uint64_t>(c, uint64_t(lines_sparse));
  return r;
}

uint64_t bytes_in(const std::vector<Transfer>& ts) {
  uint64_t b = 0;
  for (const Transfer& t : ts) b += t.bytes;
  return b;
}

// What every head of one attention shares on the engine.
struct EngineLayer {
  const ArchSpec& arch;
  const Network& net;
  const AttentionInfo& a;
  const SparseAttentionHomes& homes;
  int N = 0, d = 0, H = 0, L = 0, M = 0, act = 0, acc = 0;
  bool enc = false;
  int Hc = 0;                             // heads of Q and K after the encoder
  uint64_t head_bytes = 0;                // one head of Q, K or V, decoded
  uint64_t qk_loaded = 0;                 // one head of Q or K as loaded (compressed by the encoder)
  uint64_t pre_macs = 0, pre_cycles = 0;  // the decoder's work per head
  uint64_t acc_bytes = 0;                 // one head's output accumulators

  EngineLayer(const ArchSpec& ar, const Network& n, const Layer& qk, const SparseAttentionHomes& ho)
      : arch(ar), net(n), a(*qk.attention), homes(ho) {
    const SparseAttentionSpec& s = *arch.sparse_attention;
    N = int(a.tokens), d = int(a.head_dim), H = int(a.heads), L = s.mac_lines, M = s.macs_per_line;
    act = qk.act_bits, acc = s.pe.acc_bits;
    enc = s.encoder;
    Hc = enc ? s.compressed_heads(H) : H;
    head_bytes = bytes_of(uint64_t(N) * uint64_t(d), act);
    qk_loaded = enc ? ceil_div(head_bytes * uint64_t(Hc), uint64_t(H)) : head_bytes;
    pre_macs = enc ? 4 * uint64_t(N) * uint64_t(d) * uint64_t(Hc) : 0;
    pre_cycles = ceil_div(pre_macs, uint64_t(L) * uint64_t(M));
    acc_bytes = bytes_of(uint64_t(N) * uint64_t(d), acc);
  }

  // A head's data must fit one slot of each engine buffer (double buffering, model/buffering.hpp).
  void need(uint64_t bytes, uint64_t capacity, const char* buffer, int h, const char* what) const {
    if (fits_buffer_slot(bytes * 8, capacity)) return;
    throw InputError(arch.file, std::string("/sparse_attention/buffers/") + buffer,
                     "head " + std::to_string(h) + " of attention \"" + a.name + "\" (of " + net.file +
                         ") needs " + std::to_string(bytes) + " B of " + what + " in the " + buffer +
                         " buffer, twice for double buffering; it has " + size_text(capacity));
  }

  void check_fits(const HeadPolarization& hp, int h) const {
    const SparseAttentionSpec& s = *arch.sparse_attention;
    const uint64_t score_bytes = bytes_of(hp.dense_entries + hp.sparse_entries, act);
    need(head_bytes, s.q_buffer, "q", h, "queries");
    need(head_bytes, s.k_buffer, "k", h, "keys");
    need(head_bytes, s.v_buffer, "v", h, "values");
    need(hp.index_bytes, s.index_buffer, "index", h, "CSC index");
    need(std::max(score_bytes, acc_bytes), s.output_buffer, "output", h, "scores or output accumulators");
    need(score_bytes, s.q_buffer, "q", h, "attention probabilities");
  }

  // SDDMM of one head: scores of the dense block and of the kept sparse entries.
  TileStep sddmm(const HeadPolarization& hp, const AttentionHeadStats& st, uint64_t phase_cycles,
                 ActionCounts& a1) const {
    const uint64_t entries = hp.dense_entries + hp.sparse_entries, score_bytes = bytes_of(entries, act);
    TileStep t;
    t.loads.push_back(memory_transfer(arch, qk_loaded, homes.qkv_dram, TensorRole::Input,
                                      a1));  // Q of this head (compressed)
    t.loads.push_back(memory_transfer(arch, qk_loaded, homes.qkv_dram, TensorRole::Weight, a1));  // K
    // The CSC index is fixed with the mask, stored in DRAM like weights.
    if (hp.index_bytes) t.loads.push_back(memory_transfer(arch, hp.index_bytes, true, TensorRole::Index, a1));
    t.compute_cycles = pre_cycles + phase_cycles;
    t.stores.push_back(memory_transfer(arch, score_bytes, homes.scores_dram, TensorRole::Output, a1));
    const RowReads reads = sddmm_row_reads(hp, st.lines_dense, st.lines_sparse);
    a1.macs = entries * uint64_t(d) + pre_macs;
    a1.compute_cycles = t.compute_cycles;
    const double decode = enc ? double(qk_loaded + head_bytes) : 0.0;  // the decoder reads and rewrites
    a1.input_buffer_bytes = double(qk_loaded) + decode + double(reads.q) * d * act / 8.0;
    a1.weight_buffer_bytes = double(qk_loaded) + decode + double(reads.k) * d * act / 8.0;
    a1.index_buffer_bytes = 2.0 * double(hp.index_bytes);
    a1.output_buffer_bytes = 2.0 * double(score_bytes);
    return t;
  }

  // SpMM of one head: probabilities (held in the Q buffer) times V, accumulated into the output rows.
  TileStep spmm(const HeadPolarization& hp, const AttentionHeadStats& st, uint64_t phase_cycles,
                ActionCounts& a2) const {
    const uint64_t entries = hp.dense_entries + hp.sparse_entries, score_bytes = bytes_of(entries, act);
    TileStep t;
    t.loads.push_back(memory_transfer(arch, score_bytes, homes.probs_dram, TensorRole::Input, a2));
    t.loads.push_back(
        memory_transfer(arch, head_bytes, homes.qkv_dram, TensorRole::Weight, a2));  // V, not compressed
    if (hp.index_bytes) t.loads.push_back(memory_transfer(arch, hp.index_bytes, true, TensorRole::Index, a2));
    t.compute_cycles = phase_cycles;
    t.stores.push_back(memory_transfer(arch, head_bytes, homes.out_dram, TensorRole::Output, a2));
    // The denser engine broadcasts V of a global column to its lines once per pass over the rows; the
    // sparser engine gathers V of every entry's key.
    const uint64_t value_reads =
        (st.lines_dense ? uint64_t(hp.global_tokens) * ceil_div(uint64_t(N), uint64_t(st.lines_dense)) : 0) +
        hp.sparse_entries;
    uint64_t sparse_rows = 0;
    for (uint32_t c : hp.sparse_rows) sparse_rows += c > 0;
    const uint64_t dense_rows = hp.global_tokens ? uint64_t(N) : 0;
    const uint64_t shared_rows = hp.global_tokens ? sparse_rows : 0;
    a2.macs = entries * uint64_t(d);
    a2.compute_cycles = t.compute_cycles;
    a2.input_buffer_bytes = 2.0 * double(score_bytes);
    a2.value_buffer_bytes = double(head_bytes) + double(value_reads) * d * act / 8.0;
    a2.index_buffer_bytes = 2.0 * double(hp.index_bytes);
    // Row partials written by each engine, read back where both engines add to a row or where the sparser
    // engine's runs split a row over two lines, read for the store.
    const uint64_t split_parts = sparse_spmm_split_parts(hp.sparse_rows, st.lines_sparse);
    a2.output_buffer_bytes =
        double(dense_rows + sparse_rows + shared_rows + 2 * split_parts) * d * acc / 8.0 + double(acc_bytes);
    return t;
  }

  // Both phases of one head of one batch item: its tiles and actions, and its figures in `st`.
  void plan_head(const HeadPolarization& hp, LayerPlan& sddmm_plan, LayerPlan& spmm_plan,
                 AttentionHeadStats& st) const {
    const uint64_t dense_phase = dense_engine_cycles(uint64_t(hp.global_tokens), N, st.lines_dense, d, M);
    const int port = arch.sparse_attention->gather_lines;
    const uint64_t sparse_sddmm = sparse_sddmm_cycles(hp.sparse_entries, st.lines_sparse, d, M, port);
    const uint64_t sparse_spmm = sparse_spmm_cycles(hp.sparse_rows, st.lines_sparse, d, M, port);
    ActionCounts a1, a2;
    TileStep t1 = sddmm(hp, st, std::max(dense_phase, sparse_sddmm), a1);
    TileStep t2 = spmm(hp, st, std::max(dense_phase, sparse_spmm), a2);
    st.pre_cycles += pre_cycles;
    st.dense_cycles += 2 * dense_phase;
    st.sparse_cycles += sparse_sddmm + sparse_spmm;
    st.cycles += t1.compute_cycles + t2.compute_cycles;
    st.bytes_moved += bytes_in(t1.loads) + bytes_in(t1.stores) + bytes_in(t2.loads) + bytes_in(t2.stores);
    st.actions += a1;
    st.actions += a2;
    sddmm_plan.actions += a1;
    spmm_plan.actions += a2;
    sddmm_plan.tiles.push_back(std::move(t1));
    spmm_plan.tiles.push_back(std::move(t2));
  }

  AttentionHeadStats head_stats(const HeadPolarization& hp, int h) const {
    AttentionHeadStats st;
    st.head = h;
    st.sparsity = hp.sparsity();
    st.global_tokens = hp.global_tokens;
    st.kept = hp.kept;
    st.dense_entries = hp.dense_entries;
    st.dense_kept = hp.dense_kept;
    st.sparse_entries = hp.sparse_entries;
    st.index_bytes = hp.index_bytes;
    st.lines_dense = engine_dense_lines(hp, {L, d, M, arch.sparse_attention->gather_lines});
    st.lines_sparse = L - st.lines_dense;
    return st;
  }

  void finish_utilization(AttentionHeadStats& st) const {
    const double both = double(st.cycles - st.pre_cycles);  // the two phases' cycles
    const double dense_macs = 2.0 * double(st.dense_entries) * d * double(net.batch);
    const double sparse_macs = 2.0 * double(st.sparse_entries) * d * double(net.batch);
    st.dense_utilization = st.lines_dense && both > 0 ? dense_macs / (double(st.lines_dense) * M * both) : 0;
    st.sparse_utilization =
        st.lines_sparse && both > 0 ? sparse_macs / (double(st.lines_sparse) * M * both) : 0;
  }

  // K-stationary: the key (or value) row stays in the lines; one tile per batch item and head.
  void set_mappings(LayerPlan& sddmm_plan, LayerPlan& spmm_plan) const {
    for (LayerPlan* p : {&sddmm_plan, &spmm_plan}) {
      p->unit = arch.sparse_engine_index();
      p->mapping.loop_order = "batch head";
      p->mapping.dataflow = Dataflow::WeightStationary;
      p->mapping.tile_m = N;
      p->mapping.tile_k = d;
      p->mapping.tile_n = N;
      p->mapping.input_home = homes.qkv_dram ? "DRAM" : "GLB";
      p->mapping.weight_home = p->mapping.input_home;
    }
    sddmm_plan.mapping.output_home = homes.scores_dram ? "DRAM" : "GLB";
    spmm_plan.mapping.output_home = homes.out_dram ? "DRAM" : "GLB";
  }
};

void check_engine_takes(const ArchSpec& arch, const Network& net, const Layer& qk) {
  const SparseAttentionSpec& s = *arch.sparse_attention;
  const AttentionInfo& a = *qk.attention;
  if (qk.act_bits > s.pe.act_bits) {
    throw InputError(net.file, qk.pointer + "/bits",
                     "attention \"" + a.name + "\" has " + std::to_string(qk.act_bits) +
                         "-bit activations; the sparse-attention engine of " + arch.file + " takes " +
                         std::to_string(s.pe.act_bits) + " bits");
  }
  if (uint64_t(net.batch) * uint64_t(a.heads) > kMaxTilesPerLayer) {
    throw InputError(net.file, "/batch",
                     "attention \"" + a.name + "\" needs " +
                         std::to_string(uint64_t(net.batch) * uint64_t(a.heads)) +
                         " head tiles, more than the " + std::to_string(kMaxTilesPerLayer) +
                         " per layer this simulator runs; reduce the batch");
  }
}

}  // namespace

void plan_sparse_attention(const ArchSpec& arch, const Network& net, const Layer& qk,
                           const SparseAttentionHomes& homes, LayerPlan& sddmm, LayerPlan& softmax,
                           LayerPlan& spmm) {
  check_engine_takes(arch, net, qk);
  const AttentionInfo& a = *qk.attention;
  const std::vector<HeadPolarization> heads = polarize_attention(arch, a);
  const EngineLayer e(arch, net, qk, homes);

  auto stats = std::make_shared<AttentionLayerStats>();
  stats->attention = a.name;
  stats->mask_source = a.mask->source;
  stats->mask_layer = a.mask_layer;
  stats->polarized = arch.sparse_attention->polarize;
  stats->encoded = e.enc;
  stats->compressed_heads = e.Hc;
  for (int h = 0; h < e.H; ++h) stats->heads.push_back(e.head_stats(heads[size_t(h)], h));
  for (int64_t b = 0; b < net.batch; ++b) {
    for (int h = 0; h < e.H; ++h) {
      e.check_fits(heads[size_t(h)], h);
      e.plan_head(heads[size_t(h)], sddmm, spmm, stats->heads[size_t(h)]);
    }
  }
  for (AttentionHeadStats& st : stats->heads) e.finish_utilization(st);
  e.set_mappings(sddmm, spmm);
  sddmm.attention = stats;

  const uint64_t scores = stored_scores(heads) * uint64_t(net.batch);
  plan_vector_tiles(arch,
                    {"the softmax of attention \"" + a.name + "\" (of " + net.file + ")",
                     VectorOp::Softmax,
                     scores,
                     uint64_t(e.N),
                     {{bytes_of(scores, e.act), homes.scores_dram}},
                     {bytes_of(scores, e.act), homes.probs_dram}},
                    softmax);
}

}  // namespace cosim
