#include "mapper/auto_mapping.hpp"

#include <chrono>
#include <set>
#include <stdexcept>
#include <tuple>

#include "mapper/fixed_mapping.hpp"
#include "mapper/network_mapper.hpp"
#include "spec/input_error.hpp"
#include "spec/json_reader.hpp"

namespace cosim {

MappingFile read_mapping_file(const std::string& file) {
  const JsonField root = JsonField::load(file);
  // `cosim map --format json` writes a mapping file; its figures (schedule, allocation, ...) are ignored
  // here.
  root.allow_only({"format", "workload", "arch", "objective", "layers", "note", "seconds",
                   "mappings_considered", "mappings_simulated", "schedule", "allocation"});
  if (root["format"].string() != "cosim-mapping/1") root["format"].fail("expected \"cosim-mapping/1\"");
  MappingFile m;
  m.file = file;
  for (const JsonField& l : root["layers"].elements()) {
    l.allow_only({"layer", "unit", "dataflow", "tile", "loop_order", "glb_tile", "glb_loop_order",
                  "tile_elements", "homes", "cycles", "energy_pJ", "utilization", "loop_nest",
                  "mappings_considered", "mappings_simulated", "reused", "given"});
    GivenMapping g;
    g.pointer = l.pointer();
    const std::string name = l["layer"].string();
    if (l.has("tile_elements")) {
      g.gemm = false;
      g.tile_elements = uint64_t(l["tile_elements"].positive());
    } else if (l.has("tile")) {
      g.tiling.dataflow = dataflow_from_string(l["dataflow"].choice(dataflow_names()));
      const std::vector<JsonField> t = l["tile"].elements();
      if (t.size() != 3) l["tile"].fail("expected [Mt, Kt, Nt]");
      g.tiling.mt = t[0].positive(), g.tiling.kt = t[1].positive(), g.tiling.nt = t[2].positive();
      g.tiling.n_outer = l["loop_order"].choice({"g n m k", "g m n k"}) == "g n m k";
      if (l.has("glb_tile")) {
        const std::vector<JsonField> gt = l["glb_tile"].elements();
        if (gt.size() != 2 && gt.size() != 3) l["glb_tile"].fail("expected [Mg, Kg, Ng] or [Mg, Ng]");
        g.glb_given = true;
        g.tiling.mg = gt[0].positive(), g.tiling.ng = gt.back().positive();
        g.tiling.kg = gt.size() == 3 ? gt[1].positive() : 0;
        g.tiling.glb_n_outer = l["glb_loop_order"].choice({"g n m", "g m n"}) == "g n m";
      }
    } else {
      continue;  // a layer the mapper does not map (sparse attention): listed for information only
    }
    if (!m.layers.emplace(name, g).second) l["layer"].fail("layer \"" + name + "\" listed twice");
  }
  return m;
}

namespace {

using GemmKey = std::pair<int, decltype(GemmProblem{}.key())>;  // the chunk and the problem
using VectorKey = std::tuple<int, uint64_t, uint64_t, std::vector<std::pair<uint64_t, bool>>, uint64_t, bool>;

}  // namespace

struct MappingCache::Impl {
  std::string arch;  // ArchSpec::fingerprint() of the architecture it serves
  Objective objective = Objective::Edp;
  std::map<GemmKey, std::pair<GemmTiling, LayerMappingRecord>> gemm;
  std::map<VectorKey, std::pair<uint64_t, LayerMappingRecord>> vector;
};

MappingCache::MappingCache() : impl(std::make_unique<Impl>()) {}
MappingCache::~MappingCache() = default;

namespace {

class SearchPolicy : public LayerMappingPolicy {
 public:
  SearchPolicy(const Network& net, const ArchSpec& arch, Objective objective, const MappingFile* given,
               MappingCache& cache)
      : net_(net),
        arch_(arch),
        objective_(objective),
        given_(given),
        model_(arch),
        cache_(cache),
        gemm_cache_(cache.impl->gemm),
        vector_cache_(cache.impl->vector) {}

  GemmTiling gemm(const Layer& l, const ChunkSpec& c, const GemmProblem& p) override {
    const int unit = int(&c - arch_.chunks.data());
    LayerMappingRecord& rec = records[l.name];
    if (const GivenMapping* g = given(l, true)) {
      check_given(l, c, p, *g);
      const GemmTiling t = given_glb_tiling(l, p, *g);
      rec.given = true;
      rec.cost = model_.gemm(unit, p, t, gemm_cost(arch_, p, t));
      rec.fixed_cost = fixed_cost(l, c, p, unit);
      return t;
    }
    const GemmKey key{unit, p.key()};
    auto it = gemm_cache_.find(key);
    (it != gemm_cache_.end() ? cache_.hits : cache_.misses) += 1;
    if (it != gemm_cache_.end()) {
      rec = it->second.second;
      rec.reused = true;
      rec.stats = {};
      return it->second.first;
    }
    const GemmTiling seed = fixed_gemm_tiling(net_, arch_, l, c, p);
    GemmChoice choice = search_gemm(model_, unit, p, objective_, {seed});
    if (!choice.found) {
      // The fixed rule found a tiling, and it is a candidate: only limits differing between the two can leave
      // the search empty-handed.
      throw too_many_tiles_error(net_, l, c, choice.fewest_tiles);
    }
    rec.cost = choice.cost;
    rec.stats = choice.stats;
    rec.fixed_cost = fixed_cost(l, c, p, unit);
    gemm_cache_.emplace(key, std::make_pair(choice.tiling, rec));
    return choice.tiling;
  }

  uint64_t vector_tile(const Layer& l, const VectorProblem& v, uint64_t largest) override {
    LayerMappingRecord& rec = records[l.name];
    LayerPlan largest_plan;
    plan_vector_tiles(arch_, v, largest_plan, largest);
    rec.fixed_cost = model_.plan(largest_plan, v.op);
    if (const GivenMapping* g = given(l, false)) {
      if (g->tile_elements % v.row != 0 || g->tile_elements > largest) {
        throw InputError(given_->file, g->pointer + "/tile_elements",
                         "layer \"" + l.name + "\" needs a multiple of its row (" + std::to_string(v.row) +
                             " elements) of at most " + std::to_string(largest) +
                             " elements (half the vector unit's buffer)");
      }
      LayerPlan p;
      plan_vector_tiles(arch_, v, p, g->tile_elements);
      rec.cost = model_.plan(p, v.op);
      rec.given = true;
      return g->tile_elements;
    }
    std::vector<std::pair<uint64_t, bool>> ins;
    for (const VectorTensor& t : v.inputs) ins.emplace_back(t.bytes, t.dram);
    const VectorKey key{int(v.op), v.elements, v.row, ins, v.output.bytes, v.output.dram};
    auto it = vector_cache_.find(key);
    (it != vector_cache_.end() ? cache_.hits : cache_.misses) += 1;
    if (it != vector_cache_.end()) {
      rec = it->second.second;
      rec.reused = true;
      rec.stats = {};
      return it->second.first;
    }
    const VectorChoice c = search_vector(model_, v, largest, objective_);
    rec.cost = c.cost;
    rec.stats = c.stats;
    vector_cache_.emplace(key, std::make_pair(c.tile, rec));
    return c.tile;
  }

  std::map<std::string, LayerMappingRecord> records;
  mutable std::set<std::string> used;  // layers of the mapping file that were applied
  const LayerCostModel& model() const { return model_; }

 private:
  const GivenMapping* given(const Layer& l, bool gemm) const {
    if (!given_) return nullptr;
    auto it = given_->layers.find(l.name);
    if (it == given_->layers.end()) return nullptr;
    used.insert(l.name);
    if (it->second.gemm != gemm) {
      throw InputError(given_->file, it->second.pointer,
                       "layer \"" + l.name + "\" is a " + (gemm ? "GEMM" : "vector-unit") + " layer: give " +
                           (gemm ? "dataflow, tile [Mt, Kt, Nt] and loop_order" : "tile_elements"));
    }
    return &it->second;
  }

  void check_given(const Layer& l, const ChunkSpec& c, const GemmProblem& p, const GivenMapping& g) const {
    const GemmTiling& t = g.tiling;
    if (std::find(c.dataflows.begin(), c.dataflows.end(), t.dataflow) == c.dataflows.end()) {
      throw InputError(given_->file, g.pointer + "/dataflow",
                       "chunk \"" + c.name + "\" does not support " + to_string(t.dataflow) + " (layer \"" +
                           l.name + "\")");
    }
    if (t.mt > p.m || t.kt > p.k || t.nt > p.n) {
      throw InputError(given_->file, g.pointer + "/tile",
                       "tile exceeds layer \"" + l.name + "\" (M, K, N = " + std::to_string(p.m) + ", " +
                           std::to_string(p.k) + ", " + std::to_string(p.n) + ")");
    }
    const char* too_small = gemm_tile_overflow(p, c, t.mt, t.kt, t.nt);
    if (too_small) {
      throw InputError(given_->file, g.pointer + "/tile",
                       std::string("the tile of layer \"") + l.name + "\" does not fit half of chunk \"" +
                           c.name + "\"'s " + too_small + " buffer (double buffering)");
    }
    const long double tiles =
        (long double)p.groups * ceil_div(p.m, t.mt) * ceil_div(p.k, t.kt) * ceil_div(p.n, t.nt);
    if (tiles > (long double)kMaxTilesPerLayer) {
      throw InputError(
          given_->file, g.pointer + "/tile",
          "layer \"" + l.name + "\" would need more than " + std::to_string(kMaxTilesPerLayer) + " tiles");
    }
  }

  // The given tiling with its global-buffer tile: the file's, checked, or the first the mapper weighs.
  GemmTiling given_glb_tiling(const Layer& l, const GemmProblem& p, const GivenMapping& g) const {
    GemmTiling t = g.tiling;
    if (!g.glb_given) {
      std::vector<GemmTiling> options;
      glb_tilings(p, t, options);
      if (options.empty()) throw glb_too_small_error(arch_, net_, l, p);
      return options.front();
    }
    const std::string at = g.pointer + "/glb_tile";
    if (t.mg > p.m || t.ng > p.n || t.kg > p.k) {
      throw InputError(given_->file, at,
                       "global-buffer tile exceeds layer \"" + l.name +
                           "\" (M, K, N = " + std::to_string(p.m) + ", " + std::to_string(p.k) + ", " +
                           std::to_string(p.n) + ")");
    }
    if ((t.mg < p.m && t.mg % t.mt != 0) || (t.ng < p.n && t.ng % t.nt != 0) ||
        (t.kg != 0 && t.kg < p.k && t.kg % t.kt != 0)) {
      throw InputError(given_->file, at,
                       "a global-buffer tile of layer \"" + l.name +
                           "\" is the whole dimension or a multiple of the tile along it");
    }
    t.mg = t.mg == p.m ? 0 : t.mg, t.ng = t.ng == p.n ? 0 : t.ng, t.kg = t.kg == p.k ? 0 : t.kg;
    if (!glb_tile_fits(p, t.glb_m(p), t.glb_k(p), t.glb_n(p))) {
      throw InputError(given_->file, at,
                       "the global-buffer tile of layer \"" + l.name + "\" needs " +
                           std::to_string(glb_tile_bytes(p, t.glb_m(p), t.glb_k(p), t.glb_n(p))) + " B; " +
                           std::to_string(p.glb_budget) +
                           " B of the global buffer are free beside its live activations");
    }
    if (!psum_distance_ok(p, t)) {
      throw InputError(
          given_->file, at,
          "the global-buffer tile of layer \"" + l.name +
              "\" slices the reduction but holds too few chunk tiles: partial sums would be loaded "
              "back fewer than " +
              std::to_string(kPsumDistance) + " tiles after they were stored");
    }
    return t;
  }

  LayerCost fixed_cost(const Layer& l, const ChunkSpec& c, const GemmProblem& p, int unit) const {
    const GemmTiling f = fixed_gemm_tiling(net_, arch_, l, c, p);
    return model_.gemm(unit, p, f, gemm_cost(arch_, p, f));
  }

  const Network& net_;
  const ArchSpec& arch_;
  Objective objective_;
  const MappingFile* given_;
  LayerCostModel model_;
  MappingCache& cache_;
  std::map<GemmKey, std::pair<GemmTiling, LayerMappingRecord>>& gemm_cache_;
  std::map<VectorKey, std::pair<uint64_t, LayerMappingRecord>>& vector_cache_;
};

}  // namespace

AutoMapping auto_mapping(const Network& net, const ArchSpec& arch, Objective objective,
                         const MappingFile* given, MappingCache* cache) {
  const auto t0 = std::chrono::steady_clock::now();
  MappingCache local;
  if (!cache) cache = &local;
  const std::string fingerprint = arch.fingerprint();
  if (cache->impl->arch.empty()) cache->impl->arch = fingerprint, cache->impl->objective = objective;
  if (cache->impl->arch != fingerprint || cache->impl->objective != objective) {
    throw std::logic_error("a MappingCache serves one architecture and objective");
  }
  SearchPolicy policy(net, arch, objective, given, *cache);
  AutoMapping m;
  m.plans = map_network(net, arch, policy);
  if (given) {
    for (const auto& [name, g] : given->layers) {
      if (!policy.used.count(name)) {
        throw InputError(given->file, g.pointer + "/layer",
                         "no layer \"" + name + "\" that the mapper maps in " + net.file +
                             " (sparse-attention layers keep the engine's schedule)");
      }
    }
  }
  for (const LayerPlan& p : m.plans) {
    const Layer& l = net.layers[size_t(p.layer)];
    auto it = policy.records.find(l.name);
    LayerMappingRecord rec;
    if (it != policy.records.end()) {
      rec = it->second;
    } else {  // sparse attention: the engine's schedule, not searched
      rec.cost = rec.fixed_cost = policy.model().plan(p, l.vector_op);
    }
    m.total += rec.stats;
    m.records.push_back(rec);
  }
  m.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return m;
}

}  // namespace cosim
