// `cosim import MODEL.onnx [-o workload.json] [--ops FILE]`: an ONNX model as a cosim workload, checked by
// reading it back before it is written.
#include <iostream>
#include <map>

#include "cli/commands.hpp"
#include "cli/report_output.hpp"
#include "importer/onnx_import.hpp"
#include "spec/input_error.hpp"
#include "spec/json_reader.hpp"
#include "spec/network.hpp"

namespace cosim {

namespace {

// The workload with one layer per line, so a diff or a grep finds a layer.
std::string workload_text(const nlohmann::json& w) {
  std::string s = "{\n";
  for (const char* key : {"format", "name", "description", "input", "defaults"}) {
    s += "  \"" + std::string(key) + "\": " + w.at(key).dump() + ",\n";
  }
  s += "  \"layers\": [\n";
  const auto& layers = w.at("layers");
  for (size_t i = 0; i < layers.size(); ++i) {
    nlohmann::json rest = layers[i];
    std::string line = "{\"name\": " + rest["name"].dump() + ", \"type\": " + rest["type"].dump();
    rest.erase("name");
    rest.erase("type");
    for (const auto& [key, value] : rest.items()) line += ", \"" + key + "\": " + value.dump();
    s += "    " + line + (i + 1 < layers.size() ? "},\n" : "}\n");
  }
  return s + "  ]\n}\n";
}

}  // namespace

CommandAction add_import_command(CLI::App& app) {
  struct Options {
    std::string model, output, ops;
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "import", "Translate an ONNX model (e.g. exported by torch.onnx.export) into a cosim workload file");
  cmd->add_option("MODEL", o->model, "ONNX model file (.onnx)")->required();
  cmd->add_option("-o,--output", o->output, "Write the workload here (default: standard output)");
  cmd->add_option("--ops", o->ops,
                  "Operator rules (JSON, docs/import.md): which imported layers run on the shift or adder "
                  "chunk; the others run on the multiplier");
  return [o]() {
    const nlohmann::json w =
        import_onnx(o->model, o->ops.empty() ? ImportOptions{} : read_import_options(o->ops));
    const Network net = read_network(JsonField::from(w, o->model));  // what it writes always runs
    std::map<std::string, int> types;
    for (size_t i = 1; i < net.layers.size(); ++i) ++types[net.layers[i].type];
    std::string summary;
    for (const auto& [type, n] : types)
      summary += (summary.empty() ? "" : ", ") + std::to_string(n) + " " + type;
    write_outputs({{o->output, workload_text(w)}});
    std::cerr << "cosim import: " << o->model << ": " << net.layers.size() - 1 << " layers (" << summary
              << "), " << double(net.total_macs()) / 1e9 << " GMACs"
              << (o->output.empty() ? "" : " -> " + o->output) << "\n";
    return 0;
  };
}

}  // namespace cosim
