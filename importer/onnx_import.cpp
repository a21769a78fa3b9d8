#include "importer/onnx_import.hpp"

#include <fnmatch.h>

#include <algorithm>
#include <functional>
#include <optional>
#include <set>

#include "importer/onnx_graph.hpp"
#include "spec/input_error.hpp"
#include "spec/json_reader.hpp"

namespace cosim {

namespace {

using nlohmann::json;
using Node = onnx::NodeProto;
using Shape = std::vector<int64_t>;

int64_t count(const Shape& s) {
  int64_t c = 1;
  for (int64_t d : s) c *= d;
  return c;
}

// The numpy broadcast of two shapes, if they broadcast.
std::optional<Shape> broadcast(const Shape& a, const Shape& b) {
  const size_t rank = std::max(a.size(), b.size());
  Shape out(rank, 1);
  for (size_t i = 0; i < rank; ++i) {
    const int64_t x = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    const int64_t y = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (x != y && x != 1 && y != 1) return std::nullopt;
    out[i] = std::max(x, y);
  }
  return out;
}

// A shape without its leading batch dimension of 1 (rank 2 and more).
Shape without_batch(const Shape& s) {
  return s.size() >= 2 && s[0] == 1 ? Shape(s.begin() + 1, s.end()) : s;
}

std::string shape_text(const Shape& s) {
  std::string t = "[";
  for (size_t i = 0; i < s.size(); ++i) t += (i ? ", " : "") + std::to_string(s[i]);
  return t + "]";
}

// A layer name from an ONNX node name. PyTorch scopes a node by the modules it is in, each named relative
// to its parent and repeating it ("/layer1/layer1.0/conv1/Conv"): a scope the next one extends is dropped,
// and so is the operator type at the end, giving "layer1_0_conv1".
std::string base_name(const Node& n, size_t index) {
  std::vector<std::string> scopes;
  std::string part;
  for (char c : n.name() + "/") {
    if (c != '/') {
      part += c;
    } else if (!part.empty()) {
      scopes.push_back(part), part.clear();
    }
  }
  if (scopes.size() > 1 && scopes.back() == n.op_type()) scopes.pop_back();
  std::string out;
  for (size_t i = 0; i < scopes.size(); ++i) {
    if (i + 1 < scopes.size() && scopes[i + 1].rfind(scopes[i] + ".", 0) == 0) continue;
    for (char c : scopes[i]) {
      if (std::isalnum(static_cast<unsigned char>(c)) || c == '-') {
        out += c;
      } else if (!out.empty() && out.back() != '_') {
        out += '_';
      }
    }
    if (!out.empty() && out.back() != '_') out += '_';
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  if (out.empty() || out == "input") out = n.op_type() + "_" + std::to_string(index);
  return out;
}

class Translator {
 public:
  Translator(const OnnxGraph& g, const ImportOptions& options) : g_(g), options_(options) {}

  json run();

 private:
  struct Held {
    std::string layer;  // the workload layer holding the tensor ("input": the network input)
    Shape shape;        // its shape there (per batch item)
  };
  using Handler = void (Translator::*)(const Node&);
  static const std::map<std::string, Handler>& handlers();

  [[noreturn]] void fail(const Node& n, const std::string& problem) const {
    throw InputError(g_.file(), "", describe(n) + ": " + problem);
  }
  Shape full(const std::string& t) const { return g_.shape(t, *node_); }
  Shape item(const std::string& t) const;  // without the batch dimension (which must be 1)
  const Held& held(const std::string& t) const;
  std::string as_shape(const std::string& t, const Shape& want);
  std::string layer_name(const Node& n, const std::string& extra = "");
  std::string op_for(const std::string& layer) const;
  void emit(const Node& n, json layer, const std::vector<std::string>& inputs, const Shape& out,
            const std::string& tensor, const std::string& extra = "");
  void alias(const std::string& to, const std::string& from) { held_[to] = held(from); }
  const Node* only_consumer(const std::string& t) const;

  void conv(const Node& n);
  void gemm(const Node& n);
  void matmul(const Node& n);
  void linear(const Node& n, const std::string& a, int64_t k, int64_t features);
  void activation(const Node& n);
  void gated(const Node& n);
  void batch_norm(const Node& n);
  void softmax(const Node& n);
  void layer_norm(const Node& n);
  void arithmetic(const Node& n);
  bool fold_bias(const Node& n, const std::string& act, const std::string& constant);
  bool gelu(const Node& n);
  bool reduce_mean(const Node& n);
  void mean(const Node& n);
  void pool(const Node& n);
  void global_pool(const Node& n);
  void same_elements(const Node& n);
  void transpose(const Node& n);
  void slice(const Node& n);
  void split(const Node& n);
  void gather(const Node& n);
  void concat(const Node& n);
  void pass(const Node& n) { alias(n.output(0), n.input(0)); }
  void slice_axes(const Node& n, const std::string& in, const Shape& out, const std::string& tensor,
                  const std::vector<int64_t>& starts, const std::string& extra);

  const OnnxGraph& g_;
  const ImportOptions& options_;
  const Node* node_ = nullptr;
  size_t index_ = 0;
  std::map<std::string, Held> held_;
  std::map<std::string, std::string> reshaped_;    // tensor + shape -> reshape layer
  std::map<std::string, std::string> transposed_;  // a transpose folded into a matmul: tensor -> source
  std::map<std::string, std::string> gates_;       // a sigmoid folded into SiLU: tensor -> its input
  std::map<std::string, std::string> linear_of_;   // tensor -> the linear layer that produced it
  std::map<std::string, std::string> conv_of_;     // tensor -> the conv2d layer that produced it
  std::set<const Node*> fused_;
  std::set<std::string> names_;
  json layers_ = json::array();
};

Shape Translator::item(const std::string& t) const {
  Shape s = full(t);
  if (s.empty() || s[0] != 1) {
    fail(*node_, "expects a batch dimension of 1 first; \"" + t + "\" has shape " + shape_text(s) +
                     " (export the model with one example input)");
  }
  s.erase(s.begin());
  return s;
}

const Translator::Held& Translator::held(const std::string& t) const {
  auto h = held_.find(t);
  if (h == held_.end()) {
    fail(*node_, "its input \"" + t + "\" is " +
                     (g_.constant(t) ? "a constant where cosim needs an activation"
                                     : "produced by no node cosim placed"));
  }
  return h->second;
}

// The layer holding tensor `t` in shape `want` (the same elements): the producer itself, or a free reshape.
std::string Translator::as_shape(const std::string& t, const Shape& want) {
  const Held& h = held(t);
  if (h.shape == want) return h.layer;
  if (count(h.shape) != count(want)) {
    fail(*node_, "cannot view \"" + t + "\" of shape " + shape_text(h.shape) + " as " + shape_text(want));
  }
  const std::string key = t + shape_text(want);
  if (auto r = reshaped_.find(key); r != reshaped_.end()) return r->second;
  std::string name = h.layer + "_as";
  for (int64_t d : want) name += "_" + std::to_string(d);
  while (names_.count(name)) name += "_";
  names_.insert(name);
  layers_.push_back({{"name", name}, {"type", "reshape"}, {"inputs", {h.layer}}, {"shape", want}});
  return reshaped_[key] = name;
}

std::string Translator::layer_name(const Node& n, const std::string& extra) {
  std::string name = base_name(n, index_) + extra;
  if (names_.count(name))
    name = base_name(n, index_) + "_" + n.op_type() + extra;  // a second node of a module
  if (names_.count(name)) {
    int k = 2;
    while (names_.count(name + "_" + std::to_string(k))) ++k;
    name += "_" + std::to_string(k);
  }
  names_.insert(name);
  return name;
}

std::string Translator::op_for(const std::string& layer) const {
  for (const auto& [pattern, op] : options_.op_rules) {
    if (fnmatch(pattern.c_str(), layer.c_str(), 0) == 0) return op;
  }
  return "mult";
}

void Translator::emit(const Node& n, json layer, const std::vector<std::string>& inputs, const Shape& out,
                      const std::string& tensor, const std::string& extra) {
  const std::string name = layer_name(n, extra);
  json l = {{"name", name}};
  l.update(layer);
  if (l.contains("op")) l["op"] = op_for(name);
  l["inputs"] = inputs;
  l["output"] = out;
  l["note"] = "onnx " + describe(n);
  layers_.push_back(l);
  held_[tensor] = {name, out};
}

const Node* Translator::only_consumer(const std::string& t) const {
  const auto& c = g_.consumers(t);
  return c.size() == 1 && !g_.graph_output(t) ? c[0] : nullptr;
}

json Translator::run() {
  const onnx::GraphProto& graph = g_.graph();
  node_ = &graph.node(0);
  const Shape in = item(g_.input());
  held_[g_.input()] = {"input", in};
  names_.insert("input");
  for (const Node& n : graph.node()) {
    node_ = &n;
    ++index_;
    if (fused_.count(&n)) continue;
    bool all_constant = true;
    for (const std::string& o : n.output()) all_constant = all_constant && (o.empty() || g_.constant(o));
    if (all_constant) continue;  // folded: shapes, constants and the arithmetic between them
    auto h = handlers().find(n.op_type());
    if (h == handlers().end()) {
      fail(n, "cosim cannot place this operator (docs/import.md lists the ones it imports)");
    }
    (this->*h->second)(n);
  }
  std::string stem = g_.file().substr(g_.file().find_last_of('/') + 1);
  if (is_onnx_path(stem)) stem.resize(stem.size() - 5);
  return {{"format", "cosim-workload/1"},
          {"name", graph.name().empty() || graph.name() == "torch_jit" ? stem : graph.name()},
          {"description", "imported from " + stem + " (ONNX opset " + std::to_string(g_.opset()) + ", " +
                              std::to_string(graph.node_size()) + " nodes) by cosim import"},
          {"input", {{"shape", in}, {"bits", 8}}},
          {"defaults",
           {{"op", "mult"},
            {"bits",
             {{"mult", {{"act", 8}, {"weight", 8}}},
              {"shift", {{"act", 16}, {"weight", 6}}},
              {"adder", {{"act", 8}, {"weight", 8}}}}}}},
          {"layers", layers_}};
}

// Conv: a 2-D convolution with symmetric padding. A bias joins the accumulator; no layer of its own.
void Translator::conv(const Node& n) {
  const Shape w = full(n.input(1));
  if (w.size() != 4) fail(n, "only 2-D convolutions are imported (weights of shape " + shape_text(w) + ")");
  if (!g_.constant(n.input(1))) fail(n, "a convolution whose weights are an activation");
  const std::vector<int64_t> pads = ints_attribute(n, "pads", {0, 0, 0, 0});
  std::string auto_pad;
  for (const auto& a : n.attribute()) {
    if (a.name() == "auto_pad") auto_pad = a.s();
  }
  if ((!auto_pad.empty() && auto_pad != "NOTSET") || pads.size() != 4 || pads[0] != pads[2] ||
      pads[1] != pads[3]) {
    fail(n, "asymmetric or automatic padding is not imported (pads must be [t, l, t, l])");
  }
  const int64_t groups = int_attribute(n, "group", 1);
  json l = {{"type", "conv2d"},
            {"out_channels", w[0]},
            {"kernel", {w[2], w[3]}},
            {"stride", ints_attribute(n, "strides", {1, 1})},
            {"padding", {pads[0], pads[1]}},
            {"op", "mult"}};
  if (groups != 1) l["groups"] = groups;
  const std::vector<int64_t> dilation = ints_attribute(n, "dilations", {1, 1});
  if (dilation != std::vector<int64_t>{1, 1}) l["dilation"] = dilation;
  emit(n, l, {as_shape(n.input(0), item(n.input(0)))}, item(n.output(0)), n.output(0));
  conv_of_[n.output(0)] = layers_.back()["name"];
}

// Gemm: out = A B (+ C) with B a weight matrix: a linear layer.
void Translator::gemm(const Node& n) {
  if (int_attribute(n, "transA", 0) != 0) fail(n, "a Gemm with transA = 1 is not imported");
  if (!g_.constant(n.input(1))) fail(n, "a Gemm whose B is an activation (write it as MatMul)");
  const Shape b = full(n.input(1));
  const bool tb = int_attribute(n, "transB", 0) != 0;
  linear(n, n.input(0), b[tb ? 1 : 0], b[tb ? 0 : 1]);
}

// MatMul: a linear layer when B is a weight matrix, else a product of two activations (attention), with a
// transpose of B folded into it when that transpose feeds nothing else.
void Translator::matmul(const Node& n) {
  if (g_.constant(n.input(1))) {
    const Shape b = full(n.input(1));
    if (b.size() != 2) fail(n, "a MatMul with constant B of shape " + shape_text(b) + " (expected [K, N])");
    linear(n, n.input(0), b[0], b[1]);
    return;
  }
  std::string b = n.input(1);
  const bool tb = transposed_.count(b) > 0;
  if (tb) b = transposed_.at(b);
  Shape sa = full(n.input(0)), sb = full(b);
  while (sa.size() < sb.size()) sa.insert(sa.begin(), 1);
  while (sb.size() < sa.size()) sb.insert(sb.begin(), 1);
  if (sa.size() < 2 || !std::equal(sa.begin(), sa.end() - 2, sb.begin())) {
    fail(n, "a MatMul that broadcasts " + shape_text(sa) + " x " + shape_text(sb) + " is not imported");
  }
  json l = {{"type", "matmul"}, {"op", "mult"}};
  if (tb) l["transpose_b"] = true;
  emit(n, l, {as_shape(n.input(0), sa), as_shape(b, sb)}, full(n.output(0)), n.output(0));
}

void Translator::linear(const Node& n, const std::string& a, int64_t k, int64_t features) {
  Shape in = held(a).shape;
  if (in.empty() || in.back() != k) in = full(a);
  if (in.empty() || in.back() != k)
    fail(n, "input features " + shape_text(in) + " do not match K = " + std::to_string(k));
  Shape out = in;
  out.back() = features;
  emit(n, {{"type", "linear"}, {"out_features", features}, {"op", "mult"}}, {as_shape(a, in)}, out,
       n.output(0));
  linear_of_[n.output(0)] = layers_.back()["name"];
}

// Relu, Clip, Sigmoid, Tanh, HardSigmoid, HardSwish, Gelu: one vector op per element. A Sigmoid or
// HardSigmoid whose only reader multiplies it by its own input is folded into that Mul (SiLU, hard-swish).
void Translator::activation(const Node& n) {
  static const std::map<std::string, std::string> types = {{"Relu", "relu"},
                                                           {"Clip", "clip"},
                                                           {"Sigmoid", "sigmoid"},
                                                           {"Tanh", "tanh"},
                                                           {"HardSigmoid", "hardsigmoid"},
                                                           {"HardSwish", "hardswish"},
                                                           {"Gelu", "gelu"},
                                                           {"LeakyRelu", "relu"}};
  const std::string& x = n.input(0);
  if (n.op_type() == "Sigmoid" || n.op_type() == "HardSigmoid") {
    const Node* c = only_consumer(n.output(0));
    if (c && c->op_type() == "Mul" && (c->input(0) == x || c->input(1) == x)) {
      gates_[n.output(0)] = x;
      return;
    }
  }
  emit(n, {{"type", types.at(n.op_type())}}, {held(x).layer}, held(x).shape, n.output(0));
}

// The Mul that closes a SiLU (x * sigmoid(x)) or hard-swish (x * hardsigmoid(x)).
void Translator::gated(const Node& n) {
  const bool first = gates_.count(n.input(0)) > 0;
  const std::string& gate = first ? n.input(0) : n.input(1);
  const std::string& x = gates_.at(gate);
  bool hard = false;
  for (const Node* p : g_.consumers(x))
    hard = hard || (p->output(0) == gate && p->op_type() == "HardSigmoid");
  emit(n, {{"type", hard ? "hardswish" : "silu"}}, {held(x).layer}, held(x).shape, n.output(0));
}

// A batch norm that follows a convolution (its only reader) is folded into the convolution's weights, as a
// deployed model does; any other is a vector layer.
void Translator::batch_norm(const Node& n) {
  const std::string& x = n.input(0);
  if (conv_of_.count(x) && only_consumer(x) == &n) {
    alias(n.output(0), x);
    conv_of_[n.output(0)] = conv_of_.at(x);
    return;
  }
  emit(n, {{"type", "batchnorm"}}, {held(x).layer}, held(x).shape, n.output(0));
}

void Translator::softmax(const Node& n) {
  const Shape s = full(n.input(0));
  int64_t axis = int_attribute(n, "axis", g_.opset() >= 13 ? -1 : 1);
  if (axis < 0) axis += int64_t(s.size());
  if (axis != int64_t(s.size()) - 1) fail(n, "a softmax over an axis other than the last is not imported");
  const std::string& x = n.input(0);
  emit(n, {{"type", "softmax"}}, {as_shape(x, s)}, s, n.output(0));
}

void Translator::layer_norm(const Node& n) {
  const Shape s = full(n.input(0));
  int64_t axis = int_attribute(n, "axis", -1);
  if (axis < 0) axis += int64_t(s.size());
  if (axis != int64_t(s.size()) - 1) fail(n, "a layer normalization over more than the last axis");
  emit(n, {{"type", "layernorm"}}, {as_shape(n.input(0), s)}, s, n.output(0));
}

// Add, Sub, Mul, Div. With a constant operand: a bias after a linear layer is folded into it; otherwise one
// vector op per element against the constant the vector unit holds. Two activations broadcast.
void Translator::arithmetic(const Node& n) {
  const std::string& op = n.op_type();
  if (op == "Mul" && (gates_.count(n.input(0)) || gates_.count(n.input(1)))) return gated(n);
  if (op == "Div" && gelu(n)) return;
  const std::string type = op == "Add" ? "add" : op == "Sub" ? "sub" : op == "Mul" ? "mul" : "div";
  const bool c0 = g_.constant(n.input(0)), c1 = g_.constant(n.input(1));
  if (c0 || c1) {
    const std::string& act = c0 ? n.input(1) : n.input(0);
    if (op == "Add" && fold_bias(n, act, c0 ? n.input(0) : n.input(1))) return;
    const Held h = held(act);
    if (count(full(n.output(0))) != count(h.shape)) {
      fail(n, "broadcasts an activation of shape " + shape_text(h.shape) + " up to " +
                  shape_text(full(n.output(0))) + " (a constant larger than the activation)");
    }
    emit(n, {{"type", type}}, {h.layer}, h.shape, n.output(0));
    return;
  }
  const Held a = held(n.input(0)), b = held(n.input(1));
  if (auto out = broadcast(a.shape, b.shape); out && count(*out) == count(full(n.output(0)))) {
    emit(n, {{"type", type}}, {a.layer, b.layer}, *out, n.output(0));
    return;
  }
  // Else both as the file has them, without a leading batch dimension when they broadcast so.
  Shape sa = full(n.input(0)), sb = full(n.input(1)), out = full(n.output(0));
  const Shape na = without_batch(sa), nb = without_batch(sb);
  if (auto o = broadcast(na, nb); o && count(*o) == count(out)) sa = na, sb = nb, out = *o;
  emit(n, {{"type", type}}, {as_shape(n.input(0), sa), as_shape(n.input(1), sb)}, out, n.output(0));
}

// A bias vector added to a linear layer's output (its only reader) joins the accumulator.
bool Translator::fold_bias(const Node& n, const std::string& act, const std::string& constant) {
  if (!linear_of_.count(act) || only_consumer(act) != &n) return false;
  const Shape c = full(constant), out = held(act).shape;
  if (count(c) != out.back()) return false;
  alias(n.output(0), act);
  return true;
}

// GELU as PyTorch exports it: Div(x, sqrt 2) -> Erf -> Add(1) -> Mul(x, .) -> Mul(0.5).
bool Translator::gelu(const Node& n) {
  const std::string& x = n.input(0);
  const Node* erf = only_consumer(n.output(0));
  if (!erf || erf->op_type() != "Erf" || !g_.constant(n.input(1))) return false;
  const Node* add = only_consumer(erf->output(0));
  if (!add || add->op_type() != "Add") return false;
  const Node* mul = only_consumer(add->output(0));
  if (!mul || mul->op_type() != "Mul" || (mul->input(0) != x && mul->input(1) != x)) return false;
  const Node* half = only_consumer(mul->output(0));
  if (!half || half->op_type() != "Mul") return false;
  fused_.insert({erf, add, mul, half});
  emit(n, {{"type", "gelu"}}, {held(x).layer}, held(x).shape, half->output(0));
  return true;
}

// ReduceMean: the start of a decomposed layer normalization (mean, x - mean, its square's mean, + eps, sqrt,
// divide, then an optional scale and shift), or a mean over the spatial axes (global average pooling).
bool Translator::reduce_mean(const Node& n) {
  const std::string& x = n.input(0);
  const Shape s = full(x);
  std::vector<int64_t> axes = ints_attribute(n, "axes");
  for (int64_t& a : axes) a = a < 0 ? a + int64_t(s.size()) : a;
  if (s.size() == 4 && axes == std::vector<int64_t>{2, 3}) {
    global_pool(n);
    return true;
  }
  const Node* sub = only_consumer(n.output(0));
  if (axes != std::vector<int64_t>{int64_t(s.size()) - 1} || !sub || sub->op_type() != "Sub") return false;
  const auto& readers = g_.consumers(sub->output(0));
  if (readers.size() != 2) return false;
  const Node* pow = readers[0]->op_type() == "Pow" ? readers[0] : readers[1];
  const Node* div = readers[0]->op_type() == "Pow" ? readers[1] : readers[0];
  if (pow->op_type() != "Pow" || div->op_type() != "Div") return false;
  std::vector<const Node*> chain = {sub, pow};
  const Node* at = pow;
  for (const char* op : {"ReduceMean", "Add", "Sqrt"}) {
    at = only_consumer(at->output(0));
    if (!at || at->op_type() != op) return false;
    chain.push_back(at);
  }
  if (only_consumer(at->output(0)) != div) return false;
  chain.push_back(div);
  at = div;
  for (const char* op : {"Mul", "Add"}) {
    const Node* next = only_consumer(at->output(0));
    if (!next || next->op_type() != op || !(g_.constant(next->input(0)) || g_.constant(next->input(1))))
      break;
    chain.push_back(at = next);
  }
  fused_.insert(chain.begin(), chain.end());
  emit(n, {{"type", "layernorm"}}, {as_shape(x, s)}, s, at->output(0));
  return true;
}

void Translator::mean(const Node& n) {
  if (!reduce_mean(n)) {
    fail(n, "a ReduceMean that is neither part of a layer normalization nor a mean over the spatial axes");
  }
}

// MaxPool, AveragePool: a window of kernel_shape by strides (ONNX's default stride is 1).
void Translator::pool(const Node& n) {
  const std::vector<int64_t> k = ints_attribute(n, "kernel_shape");
  const std::vector<int64_t> pads = ints_attribute(n, "pads", {0, 0, 0, 0});
  if (k.size() != 2 || pads.size() != 4 || pads[0] != pads[2] || pads[1] != pads[3]) {
    fail(n, "only 2-D pools with symmetric padding are imported");
  }
  if (ints_attribute(n, "dilations", {1, 1}) != std::vector<int64_t>{1, 1}) fail(n, "a dilated pool");
  const Shape in = item(n.input(0)), out = item(n.output(0));
  const std::vector<int64_t> s = ints_attribute(n, "strides", {1, 1});
  for (int d = 0; d < 2; ++d) {
    if ((in[size_t(d) + 1] + 2 * pads[size_t(d)] - k[size_t(d)]) / s[size_t(d)] + 1 != out[size_t(d) + 1]) {
      fail(n, "a pool whose output size needs ceil_mode (output " + shape_text(out) + ")");
    }
  }
  json l = {{"type", "pool"},
            {"mode", n.op_type() == "MaxPool" ? "max" : "avg"},
            {"kernel", k},
            {"stride", s},
            {"padding", {pads[0], pads[1]}}};
  emit(n, l, {as_shape(n.input(0), in)}, out, n.output(0));
}

// GlobalAveragePool, GlobalMaxPool (the same cost: one add or compare per element) and spatial means.
void Translator::global_pool(const Node& n) {
  const Shape in = item(n.input(0));
  if (in.size() != 3) fail(n, "a global pool of an input of shape " + shape_text(in));
  emit(n, {{"type", "pool"}, {"mode", "global_avg"}}, {as_shape(n.input(0), in)}, {in[0]}, n.output(0));
}

// Reshape, Flatten, Squeeze, Unsqueeze: the same elements in the same order, a free reshape.
void Translator::same_elements(const Node& n) {
  const Shape out = full(n.output(0));
  const Held& h = held(n.input(0));
  if (h.shape == out || out.empty()) {
    alias(n.output(0), n.input(0));
    return;
  }
  emit(n, {{"type", "reshape"}, {"shape", out}}, {h.layer}, out, n.output(0));
}

// Transpose: folded into the MatMul(s) it feeds as B when it swaps the last two axes; else a transpose layer
// (a copy on the vector unit, or free when only axes of size 1 move).
void Translator::transpose(const Node& n) {
  const Shape in = full(n.input(0));
  std::vector<int64_t> swap_last(in.size());
  for (size_t i = 0; i < in.size(); ++i) swap_last[i] = int64_t(i);
  if (in.size() >= 2) std::swap(swap_last[in.size() - 1], swap_last[in.size() - 2]);
  std::vector<int64_t> perm = ints_attribute(n, "perm", {});
  if (perm.empty()) perm.assign(swap_last.rbegin(), swap_last.rend());
  bool folds = perm == swap_last && !g_.consumers(n.output(0)).empty() && !g_.graph_output(n.output(0));
  for (const Node* c : g_.consumers(n.output(0))) {
    folds = folds && c->op_type() == "MatMul" && c->input(1) == n.output(0) && c->input(0) != n.output(0);
  }
  if (folds) {
    transposed_[n.output(0)] = n.input(0);
    return;
  }
  emit(n, {{"type", "transpose"}, {"perm", perm}}, {as_shape(n.input(0), in)}, full(n.output(0)),
       n.output(0));
}

// A slice layer per axis whose size changes, chained; `starts` per axis where the file gives them.
void Translator::slice_axes(const Node& n, const std::string& in, const Shape& out, const std::string& tensor,
                            const std::vector<int64_t>& starts, const std::string& extra) {
  Shape at = full(in);
  std::string layer = as_shape(in, at);
  bool any = false;
  for (size_t d = 0; d < at.size(); ++d) {
    if (at[d] == out[d]) continue;
    const int64_t start = d < starts.size() && starts[d] >= 0 && starts[d] + out[d] <= at[d] ? starts[d] : 0;
    at[d] = out[d];
    const std::string t = tensor + "#" + std::to_string(d);
    json l = {{"type", "slice"}, {"axis", int64_t(d)}, {"start", start}, {"end", start + out[d]}};
    emit(n, l, {layer}, at, t, extra + (any ? "_" + std::to_string(d) : ""));
    layer = held_.at(t).layer;
    any = true;
  }
  held_[tensor] = {layer, at};
}

// Slice (opset 10+): the sliced axes from the inferred shapes, the starts from constant inputs when present.
void Translator::slice(const Node& n) {
  const Shape in = full(n.input(0));
  std::vector<int64_t> starts(in.size(), -1);
  auto s = n.input_size() > 1 ? g_.values(n.input(1)) : std::nullopt;
  auto axes = n.input_size() > 3 ? g_.values(n.input(3)) : std::nullopt;
  if (s) {
    for (size_t i = 0; i < s->size(); ++i) {
      int64_t axis = axes && i < axes->size() ? int64_t((*axes)[i]) : int64_t(i);
      if (axis < 0) axis += int64_t(in.size());
      int64_t start = int64_t((*s)[i]);
      if (axis >= 0 && axis < int64_t(in.size()))
        starts[size_t(axis)] = start < 0 ? start + in[size_t(axis)] : start;
    }
  }
  slice_axes(n, n.input(0), full(n.output(0)), n.output(0), starts, "");
}

// Split: one slice per output, each starting where the one before ends.
void Translator::split(const Node& n) {
  const Shape in = full(n.input(0));
  int64_t axis = int_attribute(n, "axis", 0);
  if (axis < 0) axis += int64_t(in.size());
  int64_t start = 0;
  for (int i = 0; i < n.output_size(); ++i) {
    const Shape out = full(n.output(i));
    std::vector<int64_t> starts(in.size(), 0);
    starts[size_t(axis)] = start;
    slice_axes(n, n.input(0), out, n.output(i), starts, "_" + std::to_string(i));
    start += out[size_t(axis)];
  }
}

// Gather of constant indices along an axis of an activation: a slice (then a free reshape when the index is
// a scalar). A gather from a constant table by activation indices (an embedding) is not imported.
void Translator::gather(const Node& n) {
  if (g_.constant(n.input(0))) fail(n, "a lookup in a constant table (an embedding) is not imported");
  if (!g_.constant(n.input(1))) fail(n, "a Gather whose indices are an activation is not imported");
  const Shape in = full(n.input(0)), index = full(n.input(1));
  int64_t axis = int_attribute(n, "axis", 0);
  if (axis < 0) axis += int64_t(in.size());
  const auto v = g_.values(n.input(1));
  const int64_t taken = count(index);
  int64_t first = v && !v->empty() ? int64_t((*v)[0]) : 0;
  if (first < 0) first += in[size_t(axis)];
  for (int64_t i = 0; v && i < int64_t(v->size()); ++i) {
    if (int64_t((*v)[size_t(i)]) != int64_t((*v)[0]) + i)
      fail(n, "a Gather of indices that are not consecutive");
  }
  Shape sliced = in;
  sliced[size_t(axis)] = taken;
  std::vector<int64_t> starts(in.size(), 0);
  starts[size_t(axis)] = first;
  const std::string part = n.output(0) + "#slice";
  slice_axes(n, n.input(0), sliced, part, starts, "");
  const Shape out = full(n.output(0));
  held_[n.output(0)] = {as_shape(part, out), out};
}

// Concat: the activation inputs joined; constant inputs (a learned class token) are `extra` slices.
void Translator::concat(const Node& n) {
  const Shape out = full(n.output(0));
  int64_t axis = int_attribute(n, "axis", 0);
  if (axis < 0) axis += int64_t(out.size());
  std::vector<std::string> inputs;
  int64_t extra = 0;
  for (const std::string& in : n.input()) {
    if (g_.constant(in))
      extra += full(in)[size_t(axis)];
    else
      inputs.push_back(as_shape(in, full(in)));
  }
  if (inputs.size() == 1 && extra == 0) return alias(n.output(0), n.input(0));
  json l = {{"type", "concat"}, {"axis", axis}};
  if (extra > 0) l["extra"] = extra;
  emit(n, l, inputs, out, n.output(0));
}

const std::map<std::string, Translator::Handler>& Translator::handlers() {
  using T = Translator;
  static const std::map<std::string, Handler> h = {
      {"Conv", &T::conv},
      {"Gemm", &T::gemm},
      {"MatMul", &T::matmul},
      {"Relu", &T::activation},
      {"LeakyRelu", &T::activation},
      {"Clip", &T::activation},
      {"Sigmoid", &T::activation},
      {"Tanh", &T::activation},
      {"HardSigmoid", &T::activation},
      {"HardSwish", &T::activation},
      {"Gelu", &T::activation},
      {"BatchNormalization", &T::batch_norm},
      {"Softmax", &T::softmax},
      {"LayerNormalization", &T::layer_norm},
      {"Add", &T::arithmetic},
      {"Sub", &T::arithmetic},
      {"Mul", &T::arithmetic},
      {"Div", &T::arithmetic},
      {"ReduceMean", &T::mean},
      {"MaxPool", &T::pool},
      {"AveragePool", &T::pool},
      {"GlobalAveragePool", &T::global_pool},
      {"GlobalMaxPool", &T::global_pool},
      {"Flatten", &T::same_elements},
      {"Reshape", &T::same_elements},
      {"Squeeze", &T::same_elements},
      {"Unsqueeze", &T::same_elements},
      {"Transpose", &T::transpose},
      {"Slice", &T::slice},
      {"Split", &T::split},
      {"Gather", &T::gather},
      {"Concat", &T::concat},
      {"Identity", &T::pass},
      {"Dropout", &T::pass},
      {"Cast", &T::pass},
  };
  return h;
}

}  // namespace

// {"rules": [{"match": "layer3_*", "op": "shift"}, ...]}: glob patterns over the imported layer names.
ImportOptions read_import_options(const std::string& ops_file) {
  ImportOptions o;
  const JsonField root = JsonField::load(ops_file);
  root.allow_only({"rules", "note"});
  for (const JsonField& r : root["rules"].elements()) {
    r.allow_only({"match", "op", "note"});
    const std::string pattern = r["match"].string();
    if (pattern.empty()) r["match"].fail("expected a non-empty glob pattern");
    o.op_rules.emplace_back(pattern, r["op"].choice({"mult", "shift", "adder"}));
  }
  return o;
}

json import_onnx(const std::string& file, const ImportOptions& options) {
  const OnnxGraph graph(file);
  return Translator(graph, options).run();
}

json import_onnx_data(const std::string& data, const std::string& name, const ImportOptions& options) {
  const OnnxGraph graph(name, &data);
  return Translator(graph, options).run();
}

bool is_onnx_path(const std::string& path) {
  return path.size() > 5 && path.compare(path.size() - 5, 5, ".onnx") == 0;
}

}  // namespace cosim
