#include "train/supernet.hpp"

#include <algorithm>
#include <stdexcept>

namespace cosim::train {

namespace {

int64_t field(const nlohmann::json& layer, const char* name, int64_t fallback) {
  return layer.contains(name) ? layer.at(name).get<int64_t>() : fallback;
}

OperatorBits bits_of(const nlohmann::json& bits, const std::string& op) {
  OperatorBits b;
  if (bits.contains(op)) {
    b.act = bits[op].value("act", b.act);
    b.weight = bits[op].value("weight", b.weight);
  }
  return b;
}

// An option's operators: those of its convolutions, sorted and joined by "+" ("mult", "adder+shift"); empty
// for a skipped block.
std::string operators_of(const nlohmann::json& option) {
  std::vector<std::string> ops;
  if (!option.is_null())
    for (const nlohmann::json& layer : option)
      if (layer.value("type", "") == "conv2d") ops.push_back(layer.value("op", "mult"));
  std::sort(ops.begin(), ops.end());
  ops.erase(std::unique(ops.begin(), ops.end()), ops.end());
  std::string joined;
  for (const std::string& op : ops) joined += (joined.empty() ? "" : "+") + op;
  return joined;
}

ConvShape conv_shape(const nlohmann::json& layer, const Activation& in, bool classifier) {
  ConvShape c;
  c.in_channels = in.channels;
  c.out_channels = classifier ? field(layer, "out_features", 0) : field(layer, "out_channels", 0);
  c.kernel = field(layer, "kernel", 1);
  c.stride = field(layer, "stride", 1);
  c.padding = field(layer, "padding", 0);
  c.groups = field(layer, "groups", 1);
  return c;
}

Activation after(const ConvShape& c, Activation a) {
  a.channels = c.out_channels;
  a.height = (a.height + 2 * c.padding - c.kernel) / c.stride + 1;
  a.width = (a.width + 2 * c.padding - c.kernel) / c.stride + 1;
  return a;
}

// What an option is apart from its kernel and channel counts: its layers' types, operators, strides and
// whether each convolution is depthwise. Options alike share one stack of weights.
std::string structure(const nlohmann::json& layers) {
  std::string s;
  for (const nlohmann::json& layer : layers) {
    s += layer.value("type", "") + ":" + layer.value("op", "") + ":" +
         std::to_string(field(layer, "stride", 1));
    s += field(layer, "groups", 1) > 1 ? ":depthwise;" : ";";
  }
  return s;
}

// The layers of the largest of `options` (alike in structure): per layer, the largest count of each field.
nlohmann::json largest(const std::vector<nlohmann::json>& options) {
  nlohmann::json layers = options.front();
  for (const nlohmann::json& option : options)
    for (size_t i = 0; i < layers.size(); ++i)
      for (const char* name : {"out_channels", "out_features", "kernel", "padding", "groups"})
        if (option[i].contains(name) && option[i][name].get<int64_t>() > layers[i].value(name, int64_t(0)))
          layers[i][name] = option[i][name];
  return layers;
}

}  // namespace

std::vector<ConvShape> conv_shapes(const nlohmann::json& layers, Activation in) {
  std::vector<ConvShape> shapes;
  for (const nlohmann::json& layer : layers) {
    const std::string type = layer.value("type", "");
    if (type == "conv2d" || type == "linear") {
      shapes.push_back(conv_shape(layer, in, type == "linear"));
      in = after(shapes.back(), in);
    } else if (type == "pool") {
      in.height = in.width = 1;
    }
  }
  return shapes;
}

LayerStackImpl::LayerStackImpl(const nlohmann::json& layers, const nlohmann::json& bits, bool block,
                               Activation& shape, double adder_eta) {
  const Activation at_input = shape;
  size_t last_conv = layers.size();
  for (size_t i = 0; i < layers.size(); ++i)
    if (layers[i].value("type", "") == "conv2d") last_conv = i;
  for (size_t i = 0; i < layers.size(); ++i) {
    const nlohmann::json& layer = layers[i];
    const std::string type = layer.value("type", "");
    if (type == "conv2d") {
      add_conv(layer, bits, shape, adder_eta, false);
      steps_.back().relu = !(block && i == last_conv);
    } else if (type == "linear") {
      if (shape.height != 1 || shape.width != 1)
        throw std::invalid_argument("supernet: a linear layer must follow a global pool");
      add_conv(layer, bits, shape, adder_eta, true);
    } else if (type == "pool" && layer.value("mode", "") == "global_avg") {
      steps_.push_back({Kind::global_pool});
      shape.height = shape.width = 1;
    } else if (type == "add" && layer.value("inputs", nlohmann::json()).size() == 2 &&
               layer["inputs"][0] == "@input") {
      if (shape.channels != at_input.channels || shape.height != at_input.height ||
          shape.width != at_input.width)
        throw std::invalid_argument("supernet: a residual add joins tensors of different shapes");
      steps_.push_back({Kind::residual});
    } else {
      throw std::invalid_argument("supernet: no training form for layer " + layer.dump());
    }
  }
}

void LayerStackImpl::add_conv(const nlohmann::json& layer, const nlohmann::json& bits, Activation& shape,
                              double adder_eta, bool classifier) {
  const ConvShape c = conv_shape(layer, shape, classifier);
  const std::string op = layer.value("op", "mult");
  const std::string name = std::to_string(steps_.size());
  Step s{classifier ? Kind::classifier : Kind::conv};
  s.conv = register_module("conv" + name, OpConv2d(op, c, bits_of(bits, op), adder_eta));
  // The classifier starts near zero (as torchvision's MobileNetV2 initializes its linear layer): Kaiming's
  // fan-out initialization of 10 outputs makes the first logits large and the first steps chase them.
  if (classifier) {
    torch::NoGradGuard no_grad;
    s.conv->parameters()[0].normal_(0, 0.01);
  }
  if (!classifier) s.norm = register_module("norm" + name, torch::nn::BatchNorm2d(c.out_channels));
  steps_.push_back(s);
  shape = after(c, shape);
}

namespace {

// A batch norm over the first channels of its features (those of a smaller option sharing it), updating its
// statistics as BatchNorm2d does: with its momentum, or as a cumulative average when it has none.
torch::Tensor sliced_batch_norm(torch::nn::BatchNorm2dImpl& bn, const torch::Tensor& x) {
  const int64_t c = x.size(1);
  if (c == bn.options.num_features()) return bn.forward(x);
  double momentum = 0;
  if (bn.is_training()) {
    bn.num_batches_tracked += 1;
    momentum = bn.options.momentum() ? *bn.options.momentum() : 1.0 / bn.num_batches_tracked.item<double>();
  }
  return torch::batch_norm(x, bn.weight.narrow(0, 0, c), bn.bias.narrow(0, 0, c),
                           bn.running_mean.narrow(0, 0, c), bn.running_var.narrow(0, 0, c), bn.is_training(),
                           momentum, bn.options.eps(), false);
}

}  // namespace

torch::Tensor LayerStackImpl::forward(const torch::Tensor& input, const std::vector<ConvShape>* shapes) {
  torch::Tensor x = input;
  size_t conv = 0;
  for (Step& s : steps_) {
    switch (s.kind) {
      case Kind::conv:
        x = shapes ? sliced_batch_norm(*s.norm, s.conv->forward(x, shapes->at(conv++)))
                   : s.norm->forward(s.conv->forward(x));
        if (s.relu) x = torch::relu(x);
        break;
      case Kind::residual:
        x = x + input;
        break;
      case Kind::global_pool:
        x = x.mean({2, 3}, true);
        break;
      case Kind::classifier:
        x = (shapes ? s.conv->forward(x, shapes->at(conv++)) : s.conv->forward(x)).flatten(1);
        break;
    }
  }
  return x;
}

SupernetImpl::SupernetImpl(const nlohmann::json& layout, std::optional<Path> only, double adder_eta)
    : only_(std::move(only)) {
  const nlohmann::json& shape = layout.at("input").at("shape");
  input_ = {shape.at(0).get<int64_t>(), shape.at(1).get<int64_t>(), shape.at(2).get<int64_t>()};
  Activation at = input_;
  const nlohmann::json& bits = layout.at("bits");
  for (const nlohmann::json& slot : layout.at("slots")) {
    const size_t index = slots_.size();
    Slot s;
    if (slot.contains("layer")) {
      s.fixed =
          register_module("slot" + std::to_string(index),
                          LayerStack(nlohmann::json::array({slot["layer"]}), bits, false, at, adder_eta));
      slots_.push_back(s);
      continue;
    }
    add_choice_slot(slot, bits, at, adder_eta);
  }
}

int SupernetImpl::operator_index(const nlohmann::json& option) {
  const std::string ops = operators_of(option);
  if (ops.empty()) return -1;
  auto known = std::find(operators_.begin(), operators_.end(), ops);
  if (known == operators_.end()) known = operators_.insert(operators_.end(), ops);
  return int(known - operators_.begin());
}

void SupernetImpl::add_choice_slot(const nlohmann::json& slot, const nlohmann::json& bits, Activation& at,
                                   double adder_eta) {
  const std::string name = "slot" + std::to_string(slots_.size());
  Slot s;
  s.gene = slot.at("index").get<int>();
  if (size_t(s.gene) >= gene_options_.size()) gene_options_.resize(size_t(s.gene) + 1, 0);
  const nlohmann::json& options = slot.at("options");
  gene_options_[size_t(s.gene)] = int(options.size());
  operator_of_.resize(gene_options_.size());
  operator_of_[size_t(s.gene)].clear();
  for (const nlohmann::json& option : options) operator_of_[size_t(s.gene)].push_back(operator_index(option));
  // The options built, grouped by structure (in the order of their first option).
  std::vector<std::string> structures;
  std::vector<std::vector<size_t>> groups;
  s.stack_of.assign(options.size(), -1);
  s.shapes.resize(options.size());
  for (size_t o = 0; o < options.size(); ++o) {
    if (options[o].is_null() || (only_ && (*only_).at(size_t(s.gene)) != int(o))) continue;
    const std::string kind = structure(options[o]);
    const auto found = std::find(structures.begin(), structures.end(), kind);
    s.stack_of[o] = int(found - structures.begin());
    if (found == structures.end()) structures.push_back(kind), groups.emplace_back();
    groups[size_t(s.stack_of[o])].push_back(o);
    s.shapes[o] = conv_shapes(options[o], at);
  }
  std::optional<Activation> out;
  for (const std::vector<size_t>& group : groups) {
    std::vector<nlohmann::json> alike;
    for (size_t o : group) alike.push_back(options[o]);
    Activation end = at;
    s.stacks.push_back(register_module(name + "_option" + std::to_string(group.front()),
                                       LayerStack(largest(alike), bits, true, end, adder_eta)));
    if (out && (out->channels != end.channels || out->height != end.height))
      throw std::invalid_argument("supernet: the options of gene " + slot.value("gene", "") +
                                  " give different shapes");
    out = end;
  }
  if (out) at = *out;
  slots_.push_back(s);
}

torch::Tensor SupernetImpl::forward(const torch::Tensor& input, const Path& path) {
  if (only_ && path != *only_)
    throw std::invalid_argument("supernet: a standalone network runs its own path only");
  torch::Tensor x = input;
  for (Slot& s : slots_) {
    if (s.fixed) {
      x = s.fixed->forward(x);
      continue;
    }
    const size_t option = size_t(path.at(size_t(s.gene)));
    const int stack = s.stack_of.at(option);
    if (stack >= 0) x = s.stacks[size_t(stack)]->forward(x, &s.shapes[option]);
  }
  return x;
}

void recalibrate_batch_norms(SupernetImpl& net, const Path& path, const torch::Tensor& images,
                             int64_t batch) {
  torch::NoGradGuard no_grad;
  net.eval();
  std::vector<torch::nn::BatchNorm2dImpl*> norms;
  for (const std::shared_ptr<torch::nn::Module>& m : net.modules(false)) {
    if (auto* bn = dynamic_cast<torch::nn::BatchNorm2dImpl*>(m.get())) {
      bn->reset_running_stats();
      bn->options.momentum(c10::nullopt);  // cumulative average
      bn->train();
      norms.push_back(bn);
    }
  }
  const int64_t n = images.size(0);
  for (int64_t b = 0; b < n; b += batch) net.forward(images.slice(0, b, std::min(b + batch, n)), path);
  for (torch::nn::BatchNorm2dImpl* bn : norms)
    bn->options.momentum(torch::nn::BatchNormOptions(1).momentum());
  net.eval();
}

}  // namespace cosim::train
