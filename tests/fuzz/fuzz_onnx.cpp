// libFuzzer harness: the ONNX importer (protobuf parse, checker, shape inference, translation) and the
// workload reader on what it produces.
#include "importer/onnx_import.hpp"
#include "spec/json_reader.hpp"
#include "spec/network.hpp"
#include "tests/fuzz/fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string model(reinterpret_cast<const char*>(data), size);
  return cosim::fuzz::expect_input_error_only([&] {
    const nlohmann::json w = cosim::import_onnx_data(model, "model.onnx");
    cosim::read_network(cosim::JsonField::from(w, "model.onnx"));
  });
}
