// `cosim import`: an ONNX model (as PyTorch exports it) becomes a cosim workload (docs/import.md).
// Convolutions, Gemm and MatMul become PE layers, activations and arithmetic vector layers, layout operators
// free reshapes or copies; batch norms after convolutions, biases after linear layers, and the decomposed
// GELU, SiLU, hard-swish and layer-norm patterns are folded. Layer names come from the ONNX node names.
#pragma once

#include <map>
#include <string>

#include <nlohmann/json.hpp>

namespace cosim {

struct ImportOptions {
  // Per-layer operators (docs/import.md): glob patterns over the imported layer names, first match wins; a
  // layer no rule matches runs on the multiplier.
  std::vector<std::pair<std::string, std::string>> op_rules;  // pattern -> mult | shift | adder
};

// Reads the operator rules file (`--ops FILE`). Throws InputError.
ImportOptions read_import_options(const std::string& ops_file);

// The workload (cosim-workload/1) for the ONNX model in `file`. Throws InputError naming the file, and the
// node and its operator type when a node cannot be placed.
nlohmann::json import_onnx(const std::string& file, const ImportOptions& options = {});

// The same for a model held in memory (`data`: the serialized ModelProto), called `name` in errors.
nlohmann::json import_onnx_data(const std::string& data, const std::string& name,
                                const ImportOptions& options = {});

// Whether a path names an ONNX model (by its extension), so `cosim run|map` import it first.
bool is_onnx_path(const std::string& path);

}  // namespace cosim
