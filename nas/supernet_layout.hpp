// What a weight-sharing supernet of a search space is made of (cosim train, docs/training.md): the space's
// network in order, each part either a fixed layer or a choice slot -- a gene whose every option is a block
// of layers (or null for a skipped block). Built from the space's own workloads, so that the network trained
// is the network the simulator costs. Only spaces whose genes are blocks (kind "cnn") have one.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "nas/search_space.hpp"

namespace cosim {

// {"space", "input", "bits", "slots": [{"layer": L} | {"gene": NAME, "index": G, "values": [option names],
// "options": [[L...] | null]}]}. Throws InputError naming the space file when the space's genes are not
// blocks.
nlohmann::json supernet_layout(const SearchSpace& space);

// Where a space's candidates are in a supernet trained from `layout` (perhaps from the same space before
// fit_to dropped operators the accelerator lacks): per gene of `space`, the supernet's gene, and per option,
// the supernet's option of that name. Throws InputError naming `file` (the checkpoint) unless every block
// option of `space` is in the supernet exactly as `space` builds it, and every fixed layer matches.
struct SupernetMap {
  std::vector<size_t> gene;
  std::vector<std::vector<int>> option;
  size_t genes = 0;  // the supernet's
};
SupernetMap map_to_supernet(const nlohmann::json& layout, const SearchSpace& space, const std::string& file);

// A candidate of the mapped space as a supernet path (an option index per supernet gene).
std::vector<int> supernet_path(const SupernetMap& map, const Candidate& c);

}  // namespace cosim
