// A co-design search space (docs/search.md, "Co-design"): a network space's genes followed by one gene per
// accelerator parameter (spec/arch_parameters.hpp), each option one value of it, so that a strategy searches
// the network and the accelerator together. A candidate's network is its network genes alone (what the
// accuracy estimators see); its accelerator is the base architecture with the chosen values set.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "nas/search_space.hpp"
#include "spec/arch_parameters.hpp"

namespace cosim {

class CoDesignSpace : public SearchSpace {
 public:
  // `network` already fitted to the base architecture; `parameters` resolved against `base_arch`.
  CoDesignSpace(std::unique_ptr<SearchSpace> network, std::vector<ArchParameter> parameters,
                nlohmann::json base_arch, std::string base_arch_file);

  const SearchSpace& network() const { return *network_; }
  const std::vector<ArchParameter>& parameters() const { return parameters_; }
  const std::string& base_arch_file() const { return base_arch_file_; }

  // The network genes of a candidate: a candidate of network().
  Candidate network_part(const Candidate& c) const;
  // The candidate's accelerator: the base architecture document with its chosen values set, and what was
  // set (parameter name -> value).
  nlohmann::json arch_document(const Candidate& c, nlohmann::json* assignments = nullptr) const;

  Candidate normalize(const Candidate& c) const override;
  nlohmann::json workload(const Candidate& c, const std::string& name) const override;

 private:
  std::unique_ptr<SearchSpace> network_;
  std::vector<ArchParameter> parameters_;
  nlohmann::json base_arch_;
  std::string base_arch_file_;
};

}  // namespace cosim
