// The auto-mapper for a whole network: each GEMM and vector layer gets the mapping that minimizes the
// objective for the layer running alone (mapping_search.hpp); identical layers (same problem on the same
// unit) are searched once. The fixed rule's choice is always one of the candidates, so a layer is never
// mapped worse than by the fixed mapping. Sparse attention keeps the engine's own schedule.
//
// A mapping file (docs/mapper.md, format cosim-mapping/1) fixes the mapping of the layers it names; the
// others are searched.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "mapper/layer_cost.hpp"
#include "mapper/mapping_search.hpp"
#include "plan/layer_plan.hpp"
#include "spec/network.hpp"

namespace cosim {

// A mapping given by the user for one layer.
struct GivenMapping {
  std::string pointer;  // where in the mapping file, for errors
  bool gemm = true;
  GemmTiling tiling;           // GEMM layers
  bool glb_given = false;      // the file gives the global-buffer tile (else the mapper picks it)
  uint64_t tile_elements = 0;  // vector layers
};

struct MappingFile {
  std::string file;
  std::map<std::string, GivenMapping> layers;  // by layer name
};

// Reads a mapping file. Throws InputError.
MappingFile read_mapping_file(const std::string& file);

struct LayerMappingRecord {
  LayerCost cost;        // alone on its unit (exact)
  LayerCost fixed_cost;  // of the fixed rule's mapping, alone
  SearchStats stats;     // of this layer's search (zero when it reused an identical layer's)
  bool reused = false;   // mapped like an identical layer searched before
  bool given = false;    // from the mapping file
};

struct AutoMapping {
  std::vector<LayerPlan> plans;
  std::vector<LayerMappingRecord> records;  // one per plan
  SearchStats total;
  double seconds = 0;  // wall time of the mapping
};

// Searched layers kept across networks (a NAS loop maps many networks that share layers). Valid for one
// architecture, by content (ArchSpec::fingerprint: the same figures read twice share it), and objective:
// auto_mapping refuses it with another.
class MappingCache {
 public:
  MappingCache();
  ~MappingCache();
  uint64_t hits = 0, misses = 0;  // layers found / searched
  struct Impl;
  std::unique_ptr<Impl> impl;
};

AutoMapping auto_mapping(const Network& net, const ArchSpec& arch, Objective objective,
                         const MappingFile* given = nullptr, MappingCache* cache = nullptr);

}  // namespace cosim
