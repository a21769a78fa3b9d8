// A NAS search space read from a data file (docs/search.md, format cosim-space/1): categorical genes, and how
// a candidate (one option per gene) becomes a workload that `cosim run` reads. Two kinds:
//   * "cnn": a NASA-like hybrid CNN: stem, stages of MBConv blocks whose operator (mult, shift, adder,
//     shift+add), kernel and expansion are searched, or the block skipped; head.
//   * "vit": a ViT: depth, width (embed dim with its heads), MLP ratio, the operator of every linear layer of
//     every block, attention dense or sparse at a chosen sparsity.
#pragma once

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "spec/arch_spec.hpp"

namespace cosim {

struct Gene {
  std::string name;                  // e.g. "depth", "s3b1", "b4.fc1"
  std::vector<std::string> options;  // shown in reports; the candidate holds an index
};

using Candidate = std::vector<int>;  // one option index per gene

// Where the hypervolume is measured from (docs/search.md): a hardware figure no candidate worth keeping
// exceeds, and an accuracy estimate at or below every candidate's.
struct ReferencePoint {
  double energy_uJ = 0, latency_ms = 0, edp_uJ_ms = 0;
  double accuracy_proxy = 0;  // with the built-in proxy (its own scale)
  double accuracy = 0;        // with a table or command estimator
};

class SearchSpace {
 public:
  virtual ~SearchSpace() = default;
  std::string file, name, kind, description;
  std::vector<Gene> genes;
  ReferencePoint reference;
  nlohmann::json proxy;  // weights of the built-in accuracy proxy (accuracy.hpp)

  // Fits the space to the accelerator it is searched on: a gene whose options cannot differ on that hardware
  // is collapsed to the one option that describes what the hardware does (docs/search.md), so that the search
  // does not spend its budget on candidates that cost the same. Adds a sentence per collapsed gene to notes.
  virtual void fit_to(const ArchSpec& /*arch*/) {}
  std::vector<std::string> notes;  // what fit_to changed, for the user and front.json
  // Genes that do not matter for the candidate (operators of blocks beyond its depth, ...) set to 0, so that
  // equal networks have equal encodings.
  virtual Candidate normalize(const Candidate& c) const = 0;
  // The network as a cosim-workload/1 document named `name`.
  virtual nlohmann::json workload(const Candidate& c, const std::string& name) const = 0;

  // Canonical text of a normalized candidate: the space's name and one option index per gene, e.g.
  // "vit:2.1.3.0.0.2...". The key of caches and journals.
  std::string encode(const Candidate& c) const;
  // Throws std::invalid_argument when the text is no candidate of this space.
  Candidate decode(const std::string& text) const;
  // Gene=option pairs for people, skipping genes that do not matter.
  std::string describe(const Candidate& c) const;
};

// A uniformly drawn option per gene, normalized.
Candidate random_candidate(const SearchSpace& s, std::mt19937_64& rng);

// Reads a space file, or a built-in space by name ("vit", "cnn_cifar", "cnn_imagenet") from the data
// directory's spaces/. Throws InputError.
std::unique_ptr<SearchSpace> read_space(const std::string& file_or_name, const std::string& data_dir);

}  // namespace cosim
