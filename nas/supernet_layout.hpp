// What a weight-sharing supernet of a search space is made of (cosim train, docs/training.md): the space's
// network in order, each part either a fixed layer or a choice slot -- a gene whose every option is a block
// of layers (or null for a skipped block). Built from the space's own workloads, so that the network trained
// is the network the simulator costs. Only spaces whose genes are blocks (kind "cnn") have one.
#pragma once

#include <nlohmann/json.hpp>

#include "nas/search_space.hpp"

namespace cosim {

// {"space", "input", "bits", "slots": [{"layer": L} | {"gene": NAME, "index": G, "options": [[L...] |
// null]}]}. Throws InputError naming the space file when the space's genes are not blocks.
nlohmann::json supernet_layout(const SearchSpace& space);

}  // namespace cosim
