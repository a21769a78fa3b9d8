#include "mapper/chunk_allocation.hpp"

#include <algorithm>

#include "mapper/auto_mapping.hpp"
#include "spec/input_error.hpp"

namespace cosim {

namespace {

struct Totals {
  uint64_t pes = 0, input = 0, weight = 0, output = 0;
};

Totals totals(const ArchSpec& arch) {
  Totals t;
  for (const ChunkSpec& c : arch.chunks) {
    t.pes += uint64_t(c.pes()), t.input += c.input_buffer, t.weight += c.weight_buffer;
    t.output += c.output_buffer;
  }
  return t;
}

uint64_t share(uint64_t total, uint64_t pes, uint64_t all_pes) {
  return uint64_t((unsigned __int128)total * pes / all_pes) / 64 * 64;
}

void set_shape(ChunkSpec& c, int rows, int cols, const Totals& t) {
  c.rows = rows, c.cols = cols;
  const uint64_t pes = uint64_t(rows * cols);
  c.input_buffer = share(t.input, pes, t.pes);
  c.weight_buffer = share(t.weight, pes, t.pes);
  c.output_buffer = share(t.output, pes, t.pes);
}

std::vector<std::pair<int, int>> shapes(uint64_t total_pes) {
  std::vector<std::pair<int, int>> s;
  const int sides[] = {8, 12, 16, 20, 24, 28, 32, 40, 48, 64};
  for (int r : sides) {
    for (int c : sides) {
      if (uint64_t(r * c) <= total_pes && r <= 2 * c && c <= 2 * r) s.push_back({r, c});
    }
  }
  std::stable_sort(s.begin(), s.end(),
                   [](auto& a, auto& b) { return a.first * a.second < b.first * b.second; });
  return s;  // ascending in PEs
}

// Per unit: the cycles of its layers for one batch item, each alone, as a mapping found them.
std::vector<uint64_t> stages_of(const AutoMapping& m, const ArchSpec& arch) {
  std::vector<uint64_t> s(size_t(arch.unit_count()), 0);
  for (size_t i = 0; i < m.plans.size(); ++i) s[size_t(m.plans[i].unit)] += m.records[i].cost.cycles;
  return s;
}

// The same, mapping the network. Empty when a layer fits no mapping.
std::vector<uint64_t> stages(const Network& net, const ArchSpec& arch, Objective objective) {
  try {
    return stages_of(auto_mapping(net, arch, objective), arch);
  } catch (const InputError&) {
    return {};
  }
}

Allocation finish_with(ArchSpec arch, const std::vector<uint64_t>& s) {
  Allocation a;
  if (s.empty())
    throw InputError(arch.file, "/chunks", "the allocation leaves a chunk too small for a layer");
  for (size_t i = 0; i < arch.chunks.size(); ++i) {
    const ChunkSpec& c = arch.chunks[i];
    a.chunks.push_back({c.name, c.rows, c.cols, c.input_buffer, c.weight_buffer, c.output_buffer, s[i]});
    a.bottleneck = std::max(a.bottleneck, s[i]);
  }
  for (size_t i = arch.chunks.size(); i < s.size(); ++i)
    a.other_stage_cycles = std::max(a.other_stage_cycles, s[i]);
  a.bottleneck = std::max(a.bottleneck, a.other_stage_cycles);
  a.arch = std::move(arch);
  return a;
}

Allocation finish(const Network& net, ArchSpec arch, Objective objective) {
  const std::vector<uint64_t> s = stages(net, arch, objective);
  return finish_with(std::move(arch), s);
}

}  // namespace

Allocation current_allocation(const Network& net, const ArchSpec& arch, Objective objective) {
  return finish(net, arch, objective);
}

Allocation current_allocation(const ArchSpec& arch, const AutoMapping& mapped) {
  return finish_with(arch, stages_of(mapped, arch));
}

Allocation equal_allocation(const Network& net, const ArchSpec& arch, Objective objective) {
  const Totals t = totals(arch);
  const auto s = shapes(t.pes / arch.chunks.size());
  if (s.empty()) throw InputError(arch.file, "/chunks", "fewer than 64 PEs (8x8) per chunk to share");
  ArchSpec a = arch;
  for (ChunkSpec& c : a.chunks) set_shape(c, s.back().first, s.back().second, t);
  Allocation r = finish(net, std::move(a), objective);
  r.options_tried = 1;
  return r;
}

Allocation balanced_allocation(const Network& net, const ArchSpec& arch, Objective objective,
                               const AllocationProgress& progress) {
  const Totals t = totals(arch);
  const auto s = shapes(t.pes);
  const size_t nc = arch.chunks.size();
  // stage[shape][unit]: every chunk at that shape (a chunk's stage does not depend on the others' shapes).
  std::vector<std::vector<uint64_t>> stage;
  uint64_t other = 0;
  for (auto [r, c] : s) {
    ArchSpec a = arch;
    for (ChunkSpec& ch : a.chunks) set_shape(ch, r, c, t);
    stage.push_back(stages(net, a, objective));
    if (!stage.back().empty()) {
      for (size_t u = nc; u < stage.back().size(); ++u) other = std::max(other, stage.back()[u]);
    }
    if (progress) progress(stage.size(), s.size());
  }
  // Every combination of shapes within the total: few enough to enumerate.
  std::vector<size_t> pick(nc, 0), best;
  uint64_t best_bottleneck = UINT64_MAX, best_pes = UINT64_MAX;
  int tried = 0;
  for (;;) {
    uint64_t pes = 0, bottleneck = other;
    bool ok = true;
    for (size_t i = 0; i < nc && ok; ++i) {
      pes += uint64_t(s[pick[i]].first * s[pick[i]].second);
      ok = !stage[pick[i]].empty();
      if (ok) bottleneck = std::max(bottleneck, stage[pick[i]][i]);
    }
    if (ok && pes <= t.pes) {
      ++tried;
      if (bottleneck < best_bottleneck || (bottleneck == best_bottleneck && pes < best_pes)) {
        best_bottleneck = bottleneck, best_pes = pes, best = pick;
      }
    }
    size_t i = 0;
    while (i < nc && ++pick[i] == s.size()) pick[i++] = 0;
    if (i == nc) break;
  }
  if (best.empty())
    throw InputError(arch.file, "/chunks", "no allocation of the chunks' PEs fits every layer");
  ArchSpec a = arch;
  for (size_t i = 0; i < nc; ++i) set_shape(a.chunks[i], s[best[i]].first, s[best[i]].second, t);
  Allocation r = finish(net, std::move(a), objective);
  r.options_tried = tried;
  return r;
}

}  // namespace cosim
