#include "nas/supernet_layout.hpp"

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
    slots.push_back({{"gene", gene->first}, {"index", gene->second}, {"options", options}});
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

}  // namespace cosim
