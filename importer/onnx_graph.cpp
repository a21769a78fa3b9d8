#include "importer/onnx_graph.hpp"

#include <onnx/checker.h>
#include <onnx/defs/schema.h>
#include <onnx/shape_inference/implementation.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>

#include "spec/input_error.hpp"

namespace cosim {

namespace {

constexpr size_t kMaxValues = 64;  // constants whose values the importer reads (shapes, bounds, indices)

// The values a tensor message holds, when it holds at most kMaxValues numbers of a type read here.
std::optional<std::vector<double>> tensor_values(const onnx::TensorProto& t) {
  uint64_t count = 1;
  for (int64_t d : t.dims()) {
    if (d < 0 || d > int64_t(kMaxValues)) return std::nullopt;
    count *= uint64_t(d);
  }
  if (count > kMaxValues) return std::nullopt;
  std::vector<double> v;
  auto raw = [&](auto zero) {
    using T = decltype(zero);
    if (t.raw_data().size() != count * sizeof(T)) return false;
    for (uint64_t i = 0; i < count; ++i) {
      T x;
      std::memcpy(&x, t.raw_data().data() + i * sizeof(T), sizeof(T));
      v.push_back(double(x));
    }
    return true;
  };
  // Raw little-endian bytes, or the typed field of the message.
  auto take = [&](auto zero, const auto& field) {
    if (t.has_raw_data()) return raw(zero);
    v.assign(field.begin(), field.end());
    return true;
  };
  bool ok = false;
  switch (t.data_type()) {
    case onnx::TensorProto::FLOAT:
      ok = take(float(), t.float_data());
      break;
    case onnx::TensorProto::DOUBLE:
      ok = take(double(), t.double_data());
      break;
    case onnx::TensorProto::INT64:
      ok = take(int64_t(), t.int64_data());
      break;
    case onnx::TensorProto::INT32:
      ok = take(int32_t(), t.int32_data());
      break;
    default:
      break;
  }
  if (!ok) return std::nullopt;
  if (v.size() != count) return std::nullopt;
  return v;
}

bool integer_type(int32_t elem_type) {
  using T = onnx::TensorProto;
  for (int32_t t :
       {T::INT8, T::INT16, T::INT32, T::INT64, T::UINT8, T::UINT16, T::UINT32, T::UINT64, T::BOOL}) {
    if (elem_type == t) return true;
  }
  return false;
}

const onnx::AttributeProto* attribute(const onnx::NodeProto& n, const std::string& name) {
  for (const onnx::AttributeProto& a : n.attribute()) {
    if (a.name() == name) return &a;
  }
  return nullptr;
}

}  // namespace

std::vector<int64_t> ints_attribute(const onnx::NodeProto& n, const std::string& name,
                                    std::vector<int64_t> dflt) {
  const onnx::AttributeProto* a = attribute(n, name);
  return a ? std::vector<int64_t>(a->ints().begin(), a->ints().end()) : dflt;
}

int64_t int_attribute(const onnx::NodeProto& n, const std::string& name, int64_t dflt) {
  const onnx::AttributeProto* a = attribute(n, name);
  return a ? a->i() : dflt;
}

std::string describe(const onnx::NodeProto& n) {
  return "node \"" + n.name() + "\" (" + n.op_type() + ")";
}

OnnxGraph::OnnxGraph(const std::string& file, const std::string* data) : file_(file) {
  parse(data);
  check_window_attributes();
  find_input_and_constants();
  infer_shapes();
  propagate_constants();
  if (give_folded_values()) {  // shapes that depend on them can now be inferred
    infer_shapes();
    constants_.clear();
    consumers_.clear();
    for (const onnx::TensorProto& t : model_.graph().initializer()) constants_.insert(t.name());
    for (const onnx::ValueInfoProto& v : model_.graph().input()) {
      if (v.name() != input_) constants_.insert(v.name());
    }
    propagate_constants();
  }
}

// Shape inference propagates the values of shape arithmetic only as far as its operators go; where it stops
// (PyTorch's Expand of a class token goes through ConstantOfShape, Equal and Where), the values folded here
// are handed to it as initializers. Returns whether there was any.
bool OnnxGraph::give_folded_values() {
  std::set<std::string> initialized;
  for (const onnx::TensorProto& t : model_.graph().initializer()) initialized.insert(t.name());
  bool any = false;
  for (const onnx::NodeProto& n : model_.graph().node()) {
    bool unknown = false;
    for (const std::string& out : n.output()) {
      auto s = shapes_.find(out);
      unknown = unknown || s == shapes_.end() || std::count(s->second.begin(), s->second.end(), -1) > 0;
    }
    if (!unknown) continue;
    for (const std::string& in : n.input()) {
      auto v = values_.find(in);
      if (v == values_.end() || initialized.count(in) || in.empty()) continue;
      onnx::TensorProto* t = model_.mutable_graph()->add_initializer();
      t->set_name(in);
      t->set_data_type(onnx::TensorProto::INT64);
      t->add_dims(int64_t(v->second.size()));
      for (double x : v->second) t->add_int64_data(int64_t(x));
      initialized.insert(in);
      any = true;
    }
  }
  return any;
}

void OnnxGraph::parse(const std::string* data) {
  std::ifstream in;
  if (!data) {
    in.open(file_, std::ios::binary);
    if (!in) throw InputError(file_, "", "cannot open the file");
  }
  if (!(data ? model_.ParseFromString(*data) : model_.ParseFromIstream(&in))) {
    throw InputError(file_, "", "not an ONNX model (the protobuf message does not parse)");
  }
  if (!model_.has_graph() || model_.graph().node_size() == 0) {
    throw InputError(file_, "", "the ONNX model has no graph nodes");
  }
  try {
    onnx::checker::check_model(model_);  // the structure shape inference relies on
  } catch (const std::exception& e) {
    std::string what = e.what();
    if (const size_t nl = what.find('\n'); nl != std::string::npos) what.resize(nl);
    throw InputError(file_, "", "not a valid ONNX model: " + what);
  }
  for (const onnx::OperatorSetIdProto& o : model_.opset_import()) {
    if (o.domain().empty() || o.domain() == "ai.onnx") opset_ = o.version();
  }
  if (opset_ < 7) {
    throw InputError(file_, "",
                     "the model imports ONNX opset " + std::to_string(opset_) +
                         "; cosim reads opsets 7 and later (PyTorch exports 13-17)");
  }
}

// ONNX's shape inference divides by strides and dilations and sizes by kernels and groups without checking
// them (a stride of 0 stops the process): they are checked here first, on every node.
void OnnxGraph::check_window_attributes() const {
  for (const onnx::NodeProto& n : model_.graph().node()) {
    for (const onnx::AttributeProto& a : n.attribute()) {
      const std::string& name = a.name();
      const bool positive =
          name == "strides" || name == "dilations" || name == "kernel_shape" || name == "group";
      if (!positive && name != "pads") continue;
      std::vector<int64_t> v(a.ints().begin(), a.ints().end());
      if (a.has_i()) v.push_back(a.i());
      for (int64_t x : v) {
        if (x < (positive ? 1 : 0) || x > (int64_t(1) << 24)) {
          throw InputError(file_, "",
                           describe(n) + ": attribute " + name + " holds " + std::to_string(x) +
                               (positive ? "; expected 1 to 2^24" : "; expected 0 to 2^24"));
        }
      }
    }
  }
}

// The network input is the first graph input without an initializer; further inputs without one are
// parameters exported without values (torch.onnx.export(..., export_params=False)): constants whose shapes
// are all the importer needs. A symbolic batch dimension of the input is fixed to 1.
void OnnxGraph::find_input_and_constants() {
  onnx::GraphProto& g = *model_.mutable_graph();
  for (const onnx::TensorProto& t : g.initializer()) {
    constants_.insert(t.name());
    OnnxShape s(t.dims().begin(), t.dims().end());
    shapes_[t.name()] = s;
    if (auto v = tensor_values(t)) values_[t.name()] = *v;
    if (integer_type(t.data_type())) integers_.insert(t.name());
  }
  for (onnx::ValueInfoProto& v : *g.mutable_input()) {
    if (constants_.count(v.name())) continue;
    if (!input_.empty()) {
      constants_.insert(v.name());
      ++valueless_parameters_;
      continue;
    }
    input_ = v.name();
    auto* dims = v.mutable_type()->mutable_tensor_type()->mutable_shape()->mutable_dim();
    if (dims->size() > 0 && !(*dims)[0].has_dim_value()) (*dims)[0].set_dim_value(1);
  }
  if (input_.empty()) throw InputError(file_, "", "the ONNX graph has no input without a value");
  for (const onnx::ValueInfoProto& v : g.output()) outputs_.insert(v.name());
}

void OnnxGraph::infer_shapes() {
  try {
    onnx::ShapeInferenceOptions options{true, 1, true};  // check types, throw on errors, propagate data
    onnx::shape_inference::InferShapes(model_, onnx::OpSchemaRegistry::Instance(), options);
  } catch (const std::exception& e) {
    std::string what = e.what();
    if (const size_t nl = what.find('\n'); nl != std::string::npos) what.resize(nl);
    throw InputError(file_, "", "ONNX shape inference failed: " + what);
  }
  const onnx::GraphProto& g = model_.graph();
  for (const auto& v : g.input()) record_shape(v);
  for (const auto& v : g.value_info()) record_shape(v);
  for (const auto& v : g.output()) record_shape(v);
}

void OnnxGraph::record_shape(const onnx::ValueInfoProto& v) {
  if (!v.type().has_tensor_type()) return;
  if (integer_type(v.type().tensor_type().elem_type())) integers_.insert(v.name());
  if (!v.type().tensor_type().has_shape()) return;
  OnnxShape s;
  for (const auto& d : v.type().tensor_type().shape().dim())
    s.push_back(d.has_dim_value() ? d.dim_value() : -1);
  shapes_[v.name()] = s;
}

void OnnxGraph::propagate_constants() {
  for (const onnx::NodeProto& n : model_.graph().node()) {
    for (const std::string& in : n.input()) {
      if (!in.empty()) consumers_[in].push_back(&n);
    }
    bool all_constant = n.input_size() > 0 || n.op_type() == "Constant";
    for (const std::string& in : n.input()) all_constant = all_constant && (in.empty() || constant(in));
    const bool from_shape = n.op_type() == "Shape" || n.op_type() == "Size";
    if (!all_constant && !from_shape) continue;
    for (const std::string& out : n.output()) constants_.insert(out);
    fold_constant_node(n);
  }
}

// Values of the small constants the importer reads: Constant nodes, shapes, and the integer arithmetic
// PyTorch exports between them (Gather, Concat, Unsqueeze, Cast, Identity, Add, Sub, Mul, Div).
void OnnxGraph::fold_constant_node(const onnx::NodeProto& n) {
  const std::string& op = n.op_type();
  const std::string& out = n.output(0);
  auto in = [&](int i) { return i < n.input_size() ? values(n.input(i)) : std::nullopt; };
  if (op == "Constant") {
    if (const onnx::AttributeProto* a = attribute(n, "value")) {
      if (auto v = tensor_values(a->t())) values_[out] = *v;
    } else if (const onnx::AttributeProto* f = attribute(n, "value_float")) {
      values_[out] = {double(f->f())};
    } else if (const onnx::AttributeProto* i = attribute(n, "value_int")) {
      values_[out] = {double(i->i())};
    }
  } else if (op == "Shape") {
    auto s = shapes_.find(n.input(0));
    if (s != shapes_.end() && s->second.size() <= kMaxValues)
      values_[out].assign(s->second.begin(), s->second.end());
  } else if (op == "Identity" || op == "Cast" || op == "Unsqueeze" || op == "Squeeze" || op == "Reshape") {
    if (auto v = in(0)) values_[out] = *v;
  } else if (op == "Gather") {
    auto data = in(0), index = in(1);
    if (data && index && index->size() == 1) {
      int64_t i = int64_t((*index)[0]);
      if (i < 0) i += int64_t(data->size());
      if (i >= 0 && i < int64_t(data->size())) values_[out] = {(*data)[size_t(i)]};
    }
  } else if (op == "Concat") {
    std::vector<double> all;
    for (int i = 0; i < n.input_size(); ++i) {
      auto v = in(i);
      if (!v) return;
      all.insert(all.end(), v->begin(), v->end());
    }
    if (all.size() <= kMaxValues) values_[out] = all;
  } else if (op == "ConstantOfShape") {
    auto shape = in(0);
    double fill = 0;
    if (const onnx::AttributeProto* a = attribute(n, "value")) {
      if (auto v = tensor_values(a->t()); v && v->size() == 1) fill = (*v)[0];
    }
    double size = 1;
    for (double d : shape ? *shape : std::vector<double>{kMaxValues + 1.0}) size *= d;
    if (size >= 0 && size <= kMaxValues) values_[out].assign(size_t(size), fill);
  } else if (op == "Equal" || op == "Where") {
    std::vector<std::vector<double>> v;
    size_t size = 1;
    for (int i = 0; i < n.input_size(); ++i) {
      auto x = in(i);
      if (!x) return;
      if (x->size() != 1 && size != 1 && x->size() != size) return;
      size = std::max(size, x->size());
      v.push_back(*x);
    }
    auto at = [&](size_t k, size_t i) { return v[k][v[k].size() == 1 ? 0 : i]; };
    std::vector<double> r(size);
    for (size_t i = 0; i < size; ++i)
      r[i] = op == "Equal" ? double(at(0, i) == at(1, i)) : at(0, i) != 0 ? at(1, i) : at(2, i);
    values_[out] = r;
  } else if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div") {
    auto a = in(0), b = in(1);
    if (!a || !b || (a->size() != b->size() && a->size() != 1 && b->size() != 1)) return;
    const size_t size = std::max(a->size(), b->size());
    std::vector<double> r(size);
    for (size_t i = 0; i < size; ++i) {
      const double x = (*a)[a->size() == 1 ? 0 : i], y = (*b)[b->size() == 1 ? 0 : i];
      const bool integers = integers_.count(out) > 0;  // integer tensors (shape arithmetic) divide truncating
      r[i] = op == "Add"   ? x + y
             : op == "Sub" ? x - y
             : op == "Mul" ? x * y
             : y == 0      ? 0
             : integers    ? std::trunc(x / y)
                           : x / y;
    }
    values_[out] = r;
  }
}

const OnnxShape& OnnxGraph::shape(const std::string& tensor, const onnx::NodeProto& node) const {
  auto s = shapes_.find(tensor);
  bool known = s != shapes_.end();
  for (size_t i = 0; known && i < s->second.size(); ++i) known = s->second[i] >= 0;
  if (!known) {
    throw InputError(file_, "",
                     describe(node) + ": ONNX shape inference left the shape of \"" + tensor +
                         "\" unknown; export the model with fixed input sizes");
  }
  return s->second;
}

std::optional<std::vector<double>> OnnxGraph::values(const std::string& tensor) const {
  auto v = values_.find(tensor);
  if (v == values_.end()) return std::nullopt;
  return v->second;
}

const std::vector<const onnx::NodeProto*>& OnnxGraph::consumers(const std::string& tensor) const {
  static const std::vector<const onnx::NodeProto*> none;
  auto c = consumers_.find(tensor);
  return c == consumers_.end() ? none : c->second;
}

}  // namespace cosim
