// An ONNX model as the importer reads it: the protobuf messages parsed and shape-inferred by Debian's ONNX
// library, every tensor's shape, which tensors are constant (initializers, parameters exported without
// values, Constant nodes and whatever is computed from them and from shapes alone), the values of small
// constants, and who consumes each tensor.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <onnx/onnx_pb.h>

namespace cosim {

using OnnxShape = std::vector<int64_t>;

class OnnxGraph {
 public:
  // Reads, checks and shape-infers `file` (or, when `data` is given, the model in it, called `file`).
  // Throws InputError naming the file.
  explicit OnnxGraph(const std::string& file, const std::string* data = nullptr);

  const std::string& file() const { return file_; }
  const onnx::GraphProto& graph() const { return model_.graph(); }
  int64_t opset() const { return opset_; }
  const std::string& input() const { return input_; }  // the network input
  size_t parameters_without_values() const { return valueless_parameters_; }

  // The inferred shape of a tensor; throws InputError naming the node when shape inference left it unknown.
  const OnnxShape& shape(const std::string& tensor, const onnx::NodeProto& node) const;
  bool constant(const std::string& tensor) const { return constants_.count(tensor) > 0; }
  // The values of a constant of at most 64 elements whose values the file holds (integers or floats).
  std::optional<std::vector<double>> values(const std::string& tensor) const;
  // The nodes that read a tensor (and whether it is a graph output).
  const std::vector<const onnx::NodeProto*>& consumers(const std::string& tensor) const;
  bool graph_output(const std::string& tensor) const { return outputs_.count(tensor) > 0; }

 private:
  void parse(const std::string* data);
  void infer_shapes();
  void record_shape(const onnx::ValueInfoProto& v);
  void check_window_attributes() const;
  void find_input_and_constants();
  void propagate_constants();
  void fold_constant_node(const onnx::NodeProto& n);
  bool give_folded_values();

  std::string file_;
  onnx::ModelProto model_;
  int64_t opset_ = 0;
  std::string input_;
  size_t valueless_parameters_ = 0;
  std::map<std::string, OnnxShape> shapes_;
  std::set<std::string> constants_;
  std::map<std::string, std::vector<double>> values_;
  std::set<std::string> integers_;  // tensors of an integer element type
  std::map<std::string, std::vector<const onnx::NodeProto*>> consumers_;
  std::set<std::string> outputs_;
};

// The node's attribute `name` as integers / one integer / a string, or the default.
std::vector<int64_t> ints_attribute(const onnx::NodeProto& n, const std::string& name,
                                    std::vector<int64_t> dflt = {});
int64_t int_attribute(const onnx::NodeProto& n, const std::string& name, int64_t dflt);
std::string describe(const onnx::NodeProto& n);  // node "NAME" (OpType)

}  // namespace cosim
