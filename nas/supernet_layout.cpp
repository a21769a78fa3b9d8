#include "nas/supernet_layout.hpp"

#include <algorithm>
#include <map>

#include "spec/input_error.hpp"

namespace cosim {

namespace {

// The layers of the block named `gene` in a candidate's workload, or null when the candidate skips it.
nlohmann::json block_layers(const SearchSpace& space, Candidate c, size_t gene, int option) {
  c[gene] = option;
  const nlohmann::json workload = space.workload(space.normalize(c), "supernet");
  for (const nlohmann::json& layer : workload["layers"])
    if (layer.value("name", "") == space.genes[gene].name) return layer.at("layers");
  return nullptr;
}

}  // namespace

nlohmann::json supernet_layout(const SearchSpace& space) {
  const Candidate base = space.normalize(Candidate(space.genes.size(), 0));
  const nlohmann::json workload = space.workload(base, "supernet");
  std::map<std::string, size_t> gene_of;
  for (size_t g = 0; g < space.genes.size(); ++g) gene_of[space.genes[g].name] = g;
  nlohmann::json slots = nlohmann::json::array();
  size_t choice_slots = 0;
  for (const nlohmann::json& layer : workload["layers"]) {
    const auto gene = gene_of.find(layer.value("name", ""));
    if (gene == gene_of.end() || !layer.contains("layers")) {
      slots.push_back({{"layer", layer}});
      continue;
    }
    nlohmann::json options = nlohmann::json::array();
    for (size_t o = 0; o < space.genes[gene->second].options.size(); ++o)
      options.push_back(block_layers(space, base, gene->second, int(o)));
    slots.push_back({{"gene", gene->first},
                     {"index", gene->second},
                     {"values", space.genes[gene->second].options},
                     {"options", options}});
    ++choice_slots;
  }
  if (choice_slots != space.genes.size())
    throw InputError(space.file, "/kind",
                     "a supernet needs a space whose every gene chooses a block (kind \"cnn\"), not \"" +
                         space.kind + "\"");
  return {{"space", space.name},
          {"input", workload["input"]},
          {"bits", workload["defaults"]["bits"]},
          {"slots", slots}};
}

SupernetMap map_to_supernet(const nlohmann::json& layout, const SearchSpace& space, const std::string& file) {
  const nlohmann::json mine = supernet_layout(space);
  const nlohmann::json& slots = layout.at("slots");
  auto differs = [&](const std::string& what) {
    return InputError(file, "/cosim_layout",
                      "the supernet was trained for another network than space " + space.name + " (" + what +
                          "): train one for this space with cosim train --space " + space.file);
  };
  if (layout.at("input") != mine["input"] || layout.at("bits") != mine["bits"])
    throw differs("its input or bit widths differ");
  if (slots.size() != mine["slots"].size()) throw differs("it has another number of layers and blocks");
  SupernetMap map;
  map.gene.resize(space.genes.size());
  map.option.resize(space.genes.size());
  for (size_t s = 0; s < slots.size(); ++s) {
    const nlohmann::json &theirs = slots[s], &ours = mine["slots"][s];
    if (ours.contains("layer")) {
      if (theirs.value("layer", nlohmann::json()) != ours["layer"])
        throw differs("layer " + std::to_string(s) + " differs");
      continue;
    }
    const std::string name = ours["gene"].get<std::string>();
    if (theirs.value("gene", "") != name) throw differs("it has no block " + name + " in that place");
    const size_t g = ours["index"].get<size_t>();
    map.gene[g] = theirs.at("index").get<size_t>();
    map.genes = std::max(map.genes, map.gene[g] + 1);
    for (size_t o = 0; o < ours["values"].size(); ++o) {
      const nlohmann::json& value = ours["values"][o];
      const nlohmann::json& values = theirs.at("values");
      const auto at = std::find(values.begin(), values.end(), value);
      if (at == values.end() || theirs.at("options").at(size_t(at - values.begin())) != ours["options"][o])
        throw differs("block " + name + " has no option " + value.dump() + " built as this space builds it");
      map.option[g].push_back(int(at - values.begin()));
    }
  }
  return map;
}

std::vector<int> supernet_path(const SupernetMap& map, const Candidate& c) {
  std::vector<int> path(map.genes, 0);
  for (size_t g = 0; g < c.size(); ++g) path[map.gene.at(g)] = map.option.at(g).at(size_t(c[g]));
  return path;
}

}  // namespace cosim
