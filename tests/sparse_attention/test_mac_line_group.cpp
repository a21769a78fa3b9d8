// Level 1 of the sparse-attention engine: the clocked MAC-line model, driven with the four schedules of
// engine_timing.hpp built here from random masks, against the closed forms (cycles, with and without a gather
// port narrower than the sparser engine) and plain references (scores and SpMM outputs, bit for bit, with
// wrap and saturation).
#include <gtest/gtest.h>

#include <random>
#include <set>
#include <sstream>
#include <systemc>

#include "mapper/polarization.hpp"
#include "model/engine_timing.hpp"
#include "sim/pe_array/pe_arith.hpp"
#include "sim/sparse_attention/mac_line_group_module.hpp"
#include "support/spec_reference.hpp"

namespace cosim {
namespace {

struct Case {
  int n, d, lines, macs, global;
  double keep;
};

struct Schedules {
  EnginePhase dense_sddmm, sparse_sddmm, dense_spmm, sparse_spmm;
};

// Builds the engine's four schedules for one head of a random mask with `global` full key columns.
Schedules build(std::mt19937_64& rng, const Case& c, int lines_dense, int lines_sparse,
                std::vector<uint8_t>& pruned) {
  const int n = c.n, d = c.d;
  pruned.assign(size_t(n) * size_t(n), 1);
  std::bernoulli_distribution keep(c.keep);
  for (int q = 0; q < n; ++q)
    for (int k = 0; k < n; ++k)  // row 0 kept whole, as ViTCoD keeps the class token's row
      pruned[size_t(q * n + k)] = !(k < c.global || q == 0 || keep(rng));
  std::uniform_int_distribution<int64_t> val(-128, 127);
  std::vector<int64_t> q(size_t(n * d)), k(size_t(n * d)), v(size_t(n * d));
  for (auto* m : {&q, &k, &v})
    for (auto& x : *m) x = val(rng);
  const HeadPolarization hp = polarize(pruned.data(), n, /*threshold=*/n / 2, true);
  auto is_global = [&](int key) {
    int col = 0;
    for (int r = 0; r < n; ++r) col += pruned[size_t(r * n + key)] == 0;
    return col > n / 2;
  };
  std::vector<int> globals;
  for (int key = 0; key < n; ++key)
    if (is_global(key)) globals.push_back(key);
  EXPECT_EQ(int(globals.size()), hp.global_tokens);

  Schedules s;
  for (EnginePhase* p : {&s.dense_sddmm, &s.sparse_sddmm, &s.dense_spmm, &s.sparse_spmm}) {
    p->head_dim = d;
    p->n = n;
    p->q = q;
    p->k = (p == &s.dense_spmm || p == &s.sparse_spmm) ? v : k;
    p->mode = (p == &s.dense_spmm || p == &s.sparse_spmm) ? LineMode::Axpy : LineMode::Dot;
    p->groups.resize(1);
  }
  // Denser engine: rows round-robin, each over the global columns.
  for (EnginePhase* p : {&s.dense_sddmm, &s.dense_spmm}) {
    p->groups[0].lines.resize(size_t(lines_dense));
    int id = 0;
    for (int r = 0; r < n && lines_dense > 0; ++r)
      for (int key : globals) p->groups[0].lines[size_t(r % lines_dense)].push_back({r, key, id++});
    p->scores = size_t(id);
  }
  // Sparser engine, SDDMM: kept entries of the other columns in key order, round-robin.
  s.sparse_sddmm.groups[0].lines.resize(size_t(lines_sparse));
  int id = 0;
  for (int key = 0; key < n; ++key) {
    if (is_global(key)) continue;
    for (int r = 0; r < n; ++r)
      if (!pruned[size_t(r * n + key)]) {
        s.sparse_sddmm.groups[0].lines[size_t(id % lines_sparse)].push_back({r, key, id});
        ++id;
      }
  }
  s.sparse_sddmm.scores = size_t(id);
  // Sparser engine, SpMM: the kept entries in row order, runs of ceil(entries / lines) per line (a row may
  // continue on the next line).
  s.sparse_spmm.groups[0].lines.resize(size_t(lines_sparse));
  int spmm_entries = 0;
  for (int r = 0; r < n; ++r)
    for (int key = 0; key < n; ++key) spmm_entries += !pruned[size_t(r * n + key)] && !is_global(key);
  const int run = lines_sparse > 0 ? (spmm_entries + lines_sparse - 1) / lines_sparse : 1;
  id = 0;
  for (int r = 0; r < n; ++r)
    for (int key = 0; key < n; ++key)
      if (!pruned[size_t(r * n + key)] && !is_global(key)) {
        s.sparse_spmm.groups[0].lines[size_t(id / run)].push_back({r, key, id});
        ++id;
      }
  for (EnginePhase* p : {&s.dense_spmm, &s.sparse_spmm}) {
    size_t entries = 0;
    for (const auto& l : p->groups[0].lines) entries += l.size();
    p->s.resize(entries);
    for (auto& x : p->s) x = val(rng);
  }
  return s;
}

struct Bench : sc_core::sc_module {
  MacLineGroupModule dense, sparse;
  Overflow overflow;
  std::vector<std::string> failures;
  int heads = 0;
  uint64_t split_parts = 0;  // rows the sparser SpMM's runs split over two lines
  int port_bound = 0;        // sparser SDDMMs the gather port made slower
  Bench(sc_core::sc_module_name name, int ld, int ls, int macs, PeFormat f)
      : sc_module(name),
        dense("dense", ld, macs, f, sc_core::sc_time(2, sc_core::SC_NS)),
        sparse("sparse", ls, macs, f, sc_core::sc_time(2, sc_core::SC_NS)),
        overflow(f.overflow),
        ld_(ld),
        ls_(ls),
        macs_(macs),
        f_(f) {
    SC_HAS_PROCESS(Bench);
    SC_THREAD(drive);
  }
  void drive() {
    std::mt19937_64 rng(2024 + int(overflow));
    const Case cases[] = {{17, 16, 0, 0, 3, 0.2},
                          {40, 20, 0, 0, 5, 0.05},
                          {64, 64, 0, 0, 0, 0.1},
                          {33, 7, 0, 0, 33, 0.0},
                          {50, 24, 0, 0, 2, 0.5}};
    for (const Case& c : cases) {
      for (int rep = 0; rep < 4; ++rep) {
        std::vector<uint8_t> pruned;
        Schedules s = build(rng, c, ld_, ls_, pruned);
        const HeadPolarization hp = polarize(pruned.data(), c.n, c.n / 2, true);
        std::ostringstream where;
        where << "n=" << c.n << " d=" << c.d << " G=" << hp.global_tokens << " nnz=" << hp.sparse_entries;
        check(dense, s.dense_sddmm, dense_engine_cycles(uint64_t(hp.global_tokens), c.n, ld_, c.d, macs_),
              where.str() + " dense SDDMM");
        check(dense, s.dense_spmm, dense_engine_cycles(uint64_t(hp.global_tokens), c.n, ld_, c.d, macs_),
              where.str() + " dense SpMM");
        // The sparser engine with every line served each edge, then with a gather port for 1, 3 and 5 of
        // its 7 lines.
        for (int port : {0, 1, 3, 5}) {
          const std::string at = where.str() + " gather " + std::to_string(port);
          s.sparse_sddmm.gather_lines = s.sparse_spmm.gather_lines = port;
          const uint64_t sddmm = sparse_sddmm_cycles(hp.sparse_entries, ls_, c.d, macs_, port),
                         spmm = sparse_spmm_cycles(hp.sparse_rows, ls_, c.d, macs_, port);
          check(sparse, s.sparse_sddmm, sddmm, at + " sparse SDDMM");
          check(sparse, s.sparse_spmm, spmm, at + " sparse SpMM");
          if (port > 0) port_bound += sddmm > sparse_sddmm_cycles(hp.sparse_entries, ls_, c.d, macs_, 0);
        }
        // Row parts in the queues beyond one per row: what the output-buffer energy counts.
        std::set<int> rows;
        uint64_t parts = 0;
        for (const auto& line : s.sparse_spmm.groups[0].lines) {
          std::set<int> here;
          for (const EngineEntry& e : line) here.insert(e.row), rows.insert(e.row);
          parts += here.size();
        }
        if (parts - rows.size() != sparse_spmm_split_parts(hp.sparse_rows, ls_))
          failures.push_back(where.str() + ": " + std::to_string(parts - rows.size()) +
                             " split parts, counted " +
                             std::to_string(sparse_spmm_split_parts(hp.sparse_rows, ls_)));
        split_parts += parts - rows.size();
        ++heads;
      }
    }
  }
  void check(MacLineGroupModule& m, const EnginePhase& p, uint64_t closed_form, const std::string& what) {
    const sc_core::sc_time t0 = sc_core::sc_time_stamp();
    const uint64_t cycles = m.run(p);
    const uint64_t elapsed = uint64_t((sc_core::sc_time_stamp() - t0) / sc_core::sc_time(2, sc_core::SC_NS));
    if (cycles != closed_form || (cycles && elapsed != cycles)) {
      failures.push_back(what + ": simulated " + std::to_string(cycles) + " (" + std::to_string(elapsed) +
                         " periods), closed form " + std::to_string(closed_form));
    }
    if (p.mode == LineMode::Dot && m.group().scores() != test::spec_scores(p, f_, macs_)) {
      failures.push_back(what + ": scores differ from the reference");
    }
    if (p.mode == LineMode::Axpy && m.group().out() != test::spec_axpy(p, f_)) {
      failures.push_back(what + ": outputs differ from the reference");
    }
  }
  int ld_, ls_, macs_;
  PeFormat f_;
};

class MacLines : public testing::TestWithParam<Overflow> {};

TEST_P(MacLines, ClockedModelMatchesClosedFormsAndReferences) {
  PeFormat f;
  f.act_bits = 8;
  f.weight_bits = 8;
  f.acc_bits = 18;  // narrow enough that long dot products overflow
  f.overflow = GetParam();
  Bench bench("bench", 5, 7, 4, f);
  sc_core::sc_start();
  EXPECT_EQ(bench.heads, 20);
  EXPECT_GT(bench.split_parts, 20u) << "the sparser SpMM's runs should split rows over lines";
  EXPECT_GT(bench.port_bound, 30) << "the gather port should bind in most limited runs";
  for (const auto& x : bench.failures) ADD_FAILURE() << x;
}

INSTANTIATE_TEST_SUITE_P(Overflow, MacLines, testing::Values(Overflow::Wrap, Overflow::Saturate),
                         [](const testing::TestParamInfo<Overflow>& i) {
                           return std::string(to_string(i.param));
                         });

}  // namespace
}  // namespace cosim
