// Paths of the repository's presets and workloads, and in-memory edits of them for tests.
#pragma once

#include <fstream>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "spec/arch_spec.hpp"
#include "spec/json_reader.hpp"
#include "spec/network.hpp"

namespace cosim::test {

inline std::string source_path(const std::string& rel) {
  return std::string(COSIM_SOURCE_DIR) + "/" + rel;
}

inline nlohmann::json load_json(const std::string& rel) {
  std::ifstream in(source_path(rel));
  return nlohmann::json::parse(in);
}

// Reads a repository file after `edit` changed its JSON. The document keeps the file's path as its name, so
// relative references (the technology table) still resolve and errors name the file.
inline ArchSpec arch_with(const std::string& rel, const std::function<void(nlohmann::json&)>& edit) {
  nlohmann::json j = load_json(rel);
  edit(j);
  return read_arch(JsonField::from(j, source_path(rel)));
}

inline Network network_with(const std::string& rel, const std::function<void(nlohmann::json&)>& edit) {
  nlohmann::json j = load_json(rel);
  edit(j);
  return read_network(JsonField::from(j, source_path(rel)));
}

}  // namespace cosim::test
