#include "importer/workload_file.hpp"

#include "spec/json_reader.hpp"

namespace cosim {

Network read_workload_file(const std::string& path, const NetworkOptions& options,
                           const ImportOptions& import) {
  if (!is_onnx_path(path)) return read_network(path, options);
  return read_network(JsonField::from(import_onnx(path, import), path), options);
}

}  // namespace cosim
