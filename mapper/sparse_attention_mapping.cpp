#include "mapper/sparse_attention_mapping.hpp"

#include <algorithm>
#include <cmath>

#include "mapper/vector_tiles.hpp"
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

}  // namespace

void plan_sparse_attention(const ArchSpec& arch, const Network& net, const Layer& qk,
                           const SparseAttentionHomes& homes, LayerPlan& sddmm, LayerPlan& softmax,
                           LayerPlan& spmm) {
  const SparseAttentionSpec& s = *arch.sparse_attention;
  const AttentionInfo& a = *qk.attention;
  const int N = int(a.tokens), d = int(a.head_dim), H = int(a.heads);
  const int L = s.mac_lines, M = s.macs_per_line;
  const int act = qk.act_bits, acc = s.pe.acc_bits;
  if (act > s.pe.act_bits) {
    throw InputError(net.file, qk.pointer + "/bits",
                     "attention \"" + a.name + "\" has " + std::to_string(act) +
                         "-bit activations; the sparse-attention "
                         "engine of " +
                         arch.file + " takes " + std::to_string(s.pe.act_bits) + " bits");
  }
  const std::vector<HeadPolarization> heads = polarize_attention(arch, a);

  // MAC lines split between the engines in proportion to their work in this layer (ViTCoD's dense_ratio).
  uint64_t work_dense = 0, work_sparse = 0;
  for (const HeadPolarization& hp : heads) work_dense += hp.dense_entries, work_sparse += hp.sparse_entries;
  int lines_dense = 0;
  if (work_dense > 0 && work_sparse == 0) {
    lines_dense = L;
  } else if (work_dense > 0) {
    lines_dense = int(std::llround(double(L) * double(work_dense) / double(work_dense + work_sparse)));
    lines_dense = std::clamp(lines_dense, 1, L - 1);
  }
  const int lines_sparse = L - lines_dense;

  const bool enc = s.encoder;
  const int Hc = enc ? s.compressed_heads(H) : H;
  const uint64_t head_bytes = bytes_of(uint64_t(N) * uint64_t(d), act);  // one head of Q, K or V, decoded
  const uint64_t qk_loaded = enc ? ceil_div(head_bytes * uint64_t(Hc), uint64_t(H)) : head_bytes;
  const uint64_t pre_macs = enc ? 4 * uint64_t(N) * uint64_t(d) * uint64_t(Hc) : 0;
  const uint64_t pre_cycles = ceil_div(pre_macs, uint64_t(L) * uint64_t(M));
  const uint64_t acc_bytes = bytes_of(uint64_t(N) * uint64_t(d), acc);

  auto stats = std::make_shared<AttentionLayerStats>();
  stats->attention = a.name;
  stats->mask_source = a.mask->source;
  stats->mask_layer = a.mask_layer;
  stats->lines_dense = lines_dense;
  stats->lines_sparse = lines_sparse;
  stats->polarized = s.polarize;
  stats->encoded = enc;
  stats->compressed_heads = Hc;

  auto need = [&](uint64_t bytes, uint64_t capacity, const char* buffer, int h, const char* what) {
    if (2 * bytes <= capacity) return;
    throw InputError(arch.file, std::string("/sparse_attention/buffers/") + buffer,
                     "head " + std::to_string(h) + " of attention \"" + a.name + "\" (of " + net.file +
                         ") needs " + std::to_string(bytes) + " B of " + what + " in the " + buffer +
                         " buffer, twice for double buffering; it has " + size_text(capacity));
  };

  if (uint64_t(net.batch) * uint64_t(H) > kMaxTilesPerLayer) {
    throw InputError(net.file, "/batch",
                     "attention \"" + a.name + "\" needs " +
                         std::to_string(uint64_t(net.batch) * uint64_t(H)) + " head tiles, more than the " +
                         std::to_string(kMaxTilesPerLayer) +
                         " per layer this simulator runs; reduce the batch");
  }
  for (int64_t b = 0; b < net.batch; ++b) {
    for (int h = 0; h < H; ++h) {
      const HeadPolarization& hp = heads[size_t(h)];
      const uint64_t entries = hp.dense_entries + hp.sparse_entries;
      const uint64_t score_bytes = bytes_of(entries, act);
      need(head_bytes, s.q_buffer, "q", h, "queries");
      need(head_bytes, s.k_buffer, "k", h, "keys");
      need(head_bytes, s.v_buffer, "v", h, "values");
      need(hp.index_bytes, s.index_buffer, "index", h, "CSC index");
      need(std::max(score_bytes, acc_bytes), s.output_buffer, "output", h, "scores or output accumulators");
      need(score_bytes, s.q_buffer, "q", h, "attention probabilities");

      const uint64_t dense_phase = dense_engine_cycles(uint64_t(hp.global_tokens), N, lines_dense, d, M);
      const uint64_t sparse_sddmm = sparse_sddmm_cycles(hp.sparse_entries, lines_sparse, d, M);
      const uint64_t sparse_spmm = sparse_spmm_cycles(hp.sparse_rows, lines_sparse, d, M);
      const uint64_t sddmm_phase = std::max(dense_phase, sparse_sddmm);
      const uint64_t spmm_phase = std::max(dense_phase, sparse_spmm);
      const RowReads reads = sddmm_row_reads(hp, lines_dense, lines_sparse);
      // SpMM: the denser engine broadcasts V of a global column to its lines once per pass over the rows; the
      // sparser engine gathers V of every entry's key.
      const uint64_t value_reads =
          (lines_dense ? uint64_t(hp.global_tokens) * ceil_div(uint64_t(N), uint64_t(lines_dense)) : 0) +
          hp.sparse_entries;
      uint64_t sparse_rows = 0;
      for (uint32_t c : hp.sparse_rows) sparse_rows += c > 0;
      const uint64_t dense_rows = hp.global_tokens ? uint64_t(N) : 0;
      const uint64_t shared_rows = hp.global_tokens ? sparse_rows : 0;

      // SDDMM: scores of the dense block and of the kept sparse entries.
      TileStep t1;
      ActionCounts a1;
      t1.loads.push_back(
          memory_transfer(arch, qk_loaded, homes.qkv_dram, a1));  // Q of this head (compressed)
      t1.loads.push_back(memory_transfer(arch, qk_loaded, homes.qkv_dram, a1));  // K
      // The CSC index is fixed with the mask, stored in DRAM like weights.
      if (hp.index_bytes) t1.loads.push_back(memory_transfer(arch, hp.index_bytes, true, a1));
      t1.compute_cycles = pre_cycles + sddmm_phase;
      t1.stores.push_back(memory_transfer(arch, score_bytes, homes.scores_dram, a1));
      a1.macs = entries * uint64_t(d) + pre_macs;
      a1.compute_cycles = t1.compute_cycles;
      const double decode = enc ? double(qk_loaded + head_bytes) : 0.0;  // the decoder reads and rewrites
      a1.input_buffer_bytes = double(qk_loaded) + decode + double(reads.q) * d * act / 8.0;
      a1.weight_buffer_bytes = double(qk_loaded) + decode + double(reads.k) * d * act / 8.0;
      a1.index_buffer_bytes = 2.0 * double(hp.index_bytes);
      a1.output_buffer_bytes = 2.0 * double(score_bytes);

      // SpMM: probabilities (held in the Q buffer) times V, accumulated into the output rows.
      TileStep t2;
      ActionCounts a2;
      t2.loads.push_back(memory_transfer(arch, score_bytes, homes.probs_dram, a2));
      t2.loads.push_back(memory_transfer(arch, head_bytes, homes.qkv_dram, a2));  // V, not compressed
      if (hp.index_bytes) t2.loads.push_back(memory_transfer(arch, hp.index_bytes, true, a2));
      t2.compute_cycles = spmm_phase;
      t2.stores.push_back(memory_transfer(arch, head_bytes, homes.out_dram, a2));
      a2.macs = entries * uint64_t(d);
      a2.compute_cycles = t2.compute_cycles;
      a2.input_buffer_bytes = 2.0 * double(score_bytes);
      a2.value_buffer_bytes = double(head_bytes) + double(value_reads) * d * act / 8.0;
      a2.index_buffer_bytes = 2.0 * double(hp.index_bytes);
      // Row partials written by each engine, read back where both engines add to a row, read for the store.
      a2.output_buffer_bytes =
          double(dense_rows + sparse_rows + shared_rows) * d * acc / 8.0 + double(acc_bytes);

      if (b == 0) {
        AttentionHeadStats st;
        st.head = h;
        st.sparsity = hp.sparsity();
        st.global_tokens = hp.global_tokens;
        st.kept = hp.kept;
        st.dense_entries = hp.dense_entries;
        st.dense_kept = hp.dense_kept;
        st.sparse_entries = hp.sparse_entries;
        st.index_bytes = hp.index_bytes;
        stats->heads.push_back(st);
      }
      AttentionHeadStats& st = stats->heads[size_t(h)];
      st.pre_cycles += pre_cycles;
      st.dense_cycles += 2 * dense_phase;
      st.sparse_cycles += sparse_sddmm + sparse_spmm;
      st.cycles += pre_cycles + sddmm_phase + spmm_phase;
      st.bytes_moved += bytes_in(t1.loads) + bytes_in(t1.stores) + bytes_in(t2.loads) + bytes_in(t2.stores);
      st.actions += a1;
      st.actions += a2;
      sddmm.actions += a1;
      spmm.actions += a2;
      sddmm.tiles.push_back(std::move(t1));
      spmm.tiles.push_back(std::move(t2));
    }
  }
  for (AttentionHeadStats& st : stats->heads) {
    const double both = double(st.cycles - st.pre_cycles);  // the two phases' cycles
    const double dense_macs = 2.0 * double(st.dense_entries) * d * double(net.batch);
    const double sparse_macs = 2.0 * double(st.sparse_entries) * d * double(net.batch);
    st.dense_utilization = lines_dense && both > 0 ? dense_macs / (double(lines_dense) * M * both) : 0;
    st.sparse_utilization = lines_sparse && both > 0 ? sparse_macs / (double(lines_sparse) * M * both) : 0;
  }

  const int unit = arch.sparse_engine_index();
  for (LayerPlan* p : {&sddmm, &spmm}) {
    p->unit = unit;
    p->mapping.loop_order = "batch head";
    p->mapping.dataflow =
        Dataflow::WeightStationary;  // K-stationary: the key (or value) row stays in the lines
    p->mapping.tile_m = N;
    p->mapping.tile_k = d;
    p->mapping.tile_n = N;
    p->mapping.input_home = homes.qkv_dram ? "DRAM" : "GLB";
    p->mapping.weight_home = p->mapping.input_home;
  }
  sddmm.mapping.output_home = homes.scores_dram ? "DRAM" : "GLB";
  spmm.mapping.output_home = homes.out_dram ? "DRAM" : "GLB";
  sddmm.attention = stats;

  const uint64_t scores = stored_scores(heads) * uint64_t(net.batch);
  plan_vector_tiles(arch,
                    {"the softmax of attention \"" + a.name + "\" (of " + net.file + ")",
                     VectorOp::Softmax,
                     scores,
                     uint64_t(N),
                     {{bytes_of(scores, act), homes.scores_dram}},
                     {bytes_of(scores, act), homes.probs_dram}},
                    softmax);
}

}  // namespace cosim
