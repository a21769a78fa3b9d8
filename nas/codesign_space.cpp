#include "nas/codesign_space.hpp"

namespace cosim {

namespace {

// A value as an option reads: 16, 32 KiB, "wrap" without quotes.
std::string option_text(const nlohmann::json& v) {
  return v.is_string() ? v.get<std::string>() : v.dump();
}

}  // namespace

CoDesignSpace::CoDesignSpace(std::unique_ptr<SearchSpace> network, std::vector<ArchParameter> parameters,
                             nlohmann::json base_arch, std::string base_arch_file)
    : network_(std::move(network)),
      parameters_(std::move(parameters)),
      base_arch_(std::move(base_arch)),
      base_arch_file_(std::move(base_arch_file)) {
  file = network_->file, name = network_->name, kind = network_->kind;
  description = network_->description;
  reference = network_->reference, proxy = network_->proxy, notes = network_->notes;
  genes = network_->genes;
  for (const ArchParameter& p : parameters_) {
    Gene g{p.name, {}};
    for (const nlohmann::json& v : p.values) g.options.push_back(option_text(v));
    genes.push_back(std::move(g));
  }
}

Candidate CoDesignSpace::network_part(const Candidate& c) const {
  return Candidate(c.begin(), c.begin() + std::ptrdiff_t(network_->genes.size()));
}

nlohmann::json CoDesignSpace::arch_document(const Candidate& c, nlohmann::json* assignments) const {
  std::vector<size_t> choice;
  for (size_t k = network_->genes.size(); k < c.size(); ++k) choice.push_back(size_t(c[k]));
  return with_parameters(base_arch_, parameters_, choice, assignments);
}

Candidate CoDesignSpace::normalize(const Candidate& c) const {
  Candidate n = network_->normalize(network_part(c));
  n.insert(n.end(), c.begin() + std::ptrdiff_t(network_->genes.size()), c.end());
  return n;
}

nlohmann::json CoDesignSpace::workload(const Candidate& c, const std::string& name) const {
  return network_->workload(network_part(c), name);
}

}  // namespace cosim
