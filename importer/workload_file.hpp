// A workload from a file a user names: a workload file (docs/workload-format.md), or an ONNX model (by its
// .onnx extension) imported as `cosim import` does (docs/import.md). Every command that takes workload files
// reads them here.
#pragma once

#include <string>

#include "importer/onnx_import.hpp"
#include "spec/network.hpp"

namespace cosim {

// Throws InputError naming the file.
Network read_workload_file(const std::string& path, const NetworkOptions& options = {},
                           const ImportOptions& import = {});

}  // namespace cosim
