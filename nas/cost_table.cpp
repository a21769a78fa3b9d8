#include "nas/cost_table.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <random>
#include <sstream>

#include <fmt/format.h>

#include "flow/network_simulator.hpp"
#include "mapper/auto_mapping.hpp"
#include "model/energy_model.hpp"
#include "spec/input_error.hpp"
#include "spec/json_reader.hpp"

namespace cosim {

namespace {

// The network's cost charged to its layers (see the header): cycles by which each moves the end of the run,
// its dynamic energy, and the static energy of those cycles (leakage, and the idle energy of every unit but
// its own while it computes: EnergyModel::static_share_pJ).
struct ChargedLayer {
  std::string name;
  BlockCost cost;
};

std::vector<ChargedLayer> charge_layers(const RunReport& r, const ArchSpec& arch, const EnergyModel& energy) {
  const std::vector<UnitDesc> units = arch.units();
  std::vector<ChargedLayer> out;
  uint64_t end = 0;
  for (const LayerReport& l : r.layers) {
    const uint64_t added = l.end_cycle > end ? l.end_cycle - end : 0;
    end = std::max(end, l.end_cycle);
    const auto unit =
        std::find_if(units.begin(), units.end(), [&](const UnitDesc& u) { return u.name == l.unit; });
    const int index = unit == units.end() ? -1 : unit->index;
    const uint64_t macs = l.unit == "vector" ? 0 : l.macs;  // PE operations, as RunReport::total_macs counts
    out.push_back(
        {l.name, {added, l.energy.total() + energy.static_share_pJ(added, index, l.compute_cycles), macs}});
  }
  return out;
}

bool in_block(const std::string& layer, const std::string& gene) {
  return layer.size() > gene.size() && layer.compare(0, gene.size(), gene) == 0 && layer[gene.size()] == '.';
}

void add(BlockCost& to, const BlockCost& c) {
  to.cycles += c.cycles;
  to.energy_pJ += c.energy_pJ;
  to.macs += c.macs;
}

BlockCost total_of(const RunReport& r) {
  return {r.total_cycles, r.energy_pJ, r.total_macs};
}

// Simulates candidates one after another on one model (elaborated once), mapping with a shared cache.
class CandidateSimulator {
 public:
  CandidateSimulator(const SearchSpace& space, NetworkSimulator& sim, Objective objective)
      : space_(space), sim_(sim), objective_(objective), energy_(sim.arch()) {}
  RunReport run(const Candidate& c) {
    const std::string name = space_.name + "_lut";
    const nlohmann::json doc = space_.workload(c, name);
    const Network net = read_network(JsonField::from(doc, name));
    check_supported(net, sim_.arch());
    const AutoMapping m = auto_mapping(net, sim_.arch(), objective_, nullptr, &cache_);
    return sim_.run(net, m.plans);
  }
  std::vector<ChargedLayer> charged(const RunReport& r) const {
    return charge_layers(r, sim_.arch(), energy_);
  }

 private:
  const SearchSpace& space_;
  NetworkSimulator& sim_;
  Objective objective_;
  MappingCache cache_;
  EnergyModel energy_;
};

// Each gene's entry for option `o`, from the network whose every block takes it (blocks without it take
// their first option). Fills the fixed part from the network of option 0.
void measure_option(const SearchSpace& space, CandidateSimulator& sim, int o, CostTable& t) {
  Candidate c(space.genes.size(), 0);
  for (size_t g = 0; g < c.size(); ++g)
    if (o < int(space.genes[g].options.size())) c[g] = o;
  const RunReport r = sim.run(space.normalize(c));
  const std::vector<ChargedLayer> layers = sim.charged(r);
  BlockCost blocks;
  for (size_t g = 0; g < c.size(); ++g) {
    if (o >= int(space.genes[g].options.size())) continue;
    CostEntry e{g, o, {}};
    for (const ChargedLayer& l : layers)
      if (in_block(l.name, space.genes[g].name)) add(e.cost, l.cost);
    t.entries.push_back(e);
  }
  if (o != 0) return;
  t.clock_MHz = r.clock_MHz;
  for (const ChargedLayer& l : layers) {
    const bool chosen = std::any_of(space.genes.begin(), space.genes.end(),
                                    [&](const Gene& g) { return in_block(l.name, g.name); });
    if (!chosen) add(blocks, l.cost);
  }
  // The fixed part takes what the layers do not account for (a run's tail after its last layer ends).
  const BlockCost whole = total_of(r);
  BlockCost chosen;
  for (const ChargedLayer& l : layers) add(chosen, l.cost);
  t.fixed = blocks;
  t.fixed.cycles += whole.cycles - std::min(whole.cycles, chosen.cycles);
  t.fixed.energy_pJ += whole.energy_pJ - chosen.energy_pJ;
}

}  // namespace

BlockCost CostTable::estimate(const Candidate& c) const {
  BlockCost sum = fixed;
  for (const CostEntry& e : entries)
    if (e.gene < c.size() && c[e.gene] == e.option) add(sum, e.cost);
  return sum;
}

CostTable build_cost_table(const SearchSpace& space, NetworkSimulator& simulator,
                           const CostTableOptions& options) {
  if (space.kind != "cnn")
    throw InputError(space.file, "/kind",
                     "cosim lut tabulates spaces whose genes each choose one block (\"cnn\"); in a \"" +
                         space.kind + "\" space depth and width change every layer");
  CostTable t;
  t.space = space.name;
  t.space_file = space.file;
  t.arch = simulator.arch().name;
  t.genes = space.genes;
  t.notes = space.notes;
  CandidateSimulator sim(space, simulator, options.objective);
  size_t most = 0;
  for (const Gene& g : space.genes) most = std::max(most, g.options.size());
  for (int o = 0; o < int(most); ++o) measure_option(space, sim, o, t);
  std::sort(t.entries.begin(), t.entries.end(), [](const CostEntry& a, const CostEntry& b) {
    return a.gene != b.gene ? a.gene < b.gene : a.option < b.option;
  });
  std::mt19937_64 rng(options.seed);
  for (int i = 0; i < options.samples; ++i) {
    const Candidate c = random_candidate(space, rng);
    t.checks.push_back({space.encode(c), t.estimate(c), total_of(sim.run(c))});
  }
  return t;
}

}  // namespace cosim

namespace cosim {

namespace {

nlohmann::json cost_json(const BlockCost& c, double clock_MHz) {
  return {{"cycles", c.cycles},
          {"latency_us", clock_MHz > 0 ? double(c.cycles) / clock_MHz : 0.0},
          {"energy_uJ", c.energy_pJ / 1e6},
          {"macs", c.macs}};
}

double error_percent(double table, double simulated) {
  return simulated != 0 ? 100.0 * (table - simulated) / simulated : 0.0;
}

struct ErrorSummary {
  double mean_cycles = 0, max_cycles = 0, mean_energy = 0, max_energy = 0;
};

ErrorSummary summarize(const CostTable& t) {
  ErrorSummary s;
  for (const AdditivityCheck& c : t.checks) {
    const double ec = std::fabs(error_percent(double(c.table.cycles), double(c.simulated.cycles)));
    const double ee = std::fabs(error_percent(c.table.energy_pJ, c.simulated.energy_pJ));
    s.mean_cycles += ec / double(t.checks.size());
    s.mean_energy += ee / double(t.checks.size());
    s.max_cycles = std::max(s.max_cycles, ec);
    s.max_energy = std::max(s.max_energy, ee);
  }
  return s;
}

}  // namespace

nlohmann::json to_json(const CostTable& t) {
  nlohmann::json entries = nlohmann::json::array();
  for (const CostEntry& e : t.entries) {
    nlohmann::json j = {{"gene", t.genes[e.gene].name},
                        {"option", t.genes[e.gene].options[size_t(e.option)]}};
    j.update(cost_json(e.cost, t.clock_MHz));
    entries.push_back(j);
  }
  nlohmann::json checks = nlohmann::json::array();
  for (const AdditivityCheck& c : t.checks)
    checks.push_back(
        {{"candidate", c.encoding},
         {"table", cost_json(c.table, t.clock_MHz)},
         {"simulated", cost_json(c.simulated, t.clock_MHz)},
         {"cycles_error_percent", error_percent(double(c.table.cycles), double(c.simulated.cycles))},
         {"energy_error_percent", error_percent(c.table.energy_pJ, c.simulated.energy_pJ)}});
  const ErrorSummary s = summarize(t);
  return {{"format", "cosim-lut/1"},
          {"space", t.space},
          {"space_file", t.space_file},
          {"arch", t.arch},
          {"clock_MHz", t.clock_MHz},
          {"notes", t.notes},
          {"fixed", cost_json(t.fixed, t.clock_MHz)},
          {"entries", entries},
          {"additivity",
           {{"samples", t.checks.size()},
            {"mean_abs_cycles_error_percent", s.mean_cycles},
            {"max_abs_cycles_error_percent", s.max_cycles},
            {"mean_abs_energy_error_percent", s.mean_energy},
            {"max_abs_energy_error_percent", s.max_energy},
            {"candidates", checks}}}};
}

namespace {

using RowWriter =
    std::function<void(const std::string& gene, const std::string& option, const BlockCost& c, double us)>;

// Each row of the table, with its latency in microseconds: every block's options, then the fixed layers.
void for_each_row(const CostTable& t, const std::string& fixed_option, const RowWriter& row) {
  const auto latency_us = [&](const BlockCost& c) {
    return t.clock_MHz > 0 ? double(c.cycles) / t.clock_MHz : 0.0;
  };
  for (const CostEntry& e : t.entries)
    row(t.genes[e.gene].name, t.genes[e.gene].options[size_t(e.option)], e.cost, latency_us(e.cost));
  row("fixed", fixed_option, t.fixed, latency_us(t.fixed));
}

}  // namespace

std::string to_csv(const CostTable& t) {
  std::ostringstream out;
  out << "gene,option,cycles,latency_us,energy_uJ,macs\n";
  for_each_row(t, "", [&](const std::string& gene, const std::string& option, const BlockCost& c, double us) {
    out << fmt::format("{},{},{},{:.6g},{:.9g},{}\n", gene, option, c.cycles, us, c.energy_pJ / 1e6, c.macs);
  });
  return out.str();
}

std::string additivity_line(const CostTable& t) {
  const ErrorSummary s = summarize(t);
  return fmt::format(
      "additivity over {} random candidates (table sum vs the whole network simulated): cycles mean {:.2f}% "
      "max "
      "{:.2f}%, energy mean {:.2f}% max {:.2f}%",
      t.checks.size(), s.mean_cycles, s.max_cycles, s.mean_energy, s.max_energy);
}

std::string to_table(const CostTable& t) {
  std::ostringstream out;
  out << fmt::format("Cost table of space {} on {} ({} MHz): what each block adds, simulated in place\n",
                     t.space, t.arch, t.clock_MHz);
  for (const std::string& n : t.notes) out << "note: " << n << "\n";
  out << fmt::format("{:<8} {:<16} {:>12} {:>12} {:>12} {:>12}\n", "block", "option", "cycles", "latency_us",
                     "energy_uJ", "macs");
  for_each_row(t, "(stem, head)",
               [&](const std::string& gene, const std::string& option, const BlockCost& c, double us) {
                 out << fmt::format("{:<8} {:<16} {:>12} {:>12.3f} {:>12.4f} {:>12}\n", gene, option,
                                    c.cycles, us, c.energy_pJ / 1e6, c.macs);
               });
  out << additivity_line(t) << "\n";
  return out.str();
}

}  // namespace cosim
