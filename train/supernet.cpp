#include "train/supernet.hpp"

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

std::vector<bool> multiplier_only_options(const nlohmann::json& options) {
  std::vector<bool> only;
  for (const nlohmann::json& option : options) {
    bool mult = true;
    if (!option.is_null())
      for (const nlohmann::json& layer : option)
        if (layer.value("type", "") == "conv2d" && layer.value("op", "mult") != "mult") mult = false;
    only.push_back(mult);
  }
  return only;
}

}  // namespace

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
  ConvShape c;
  c.in_channels = shape.channels;
  c.out_channels = classifier ? field(layer, "out_features", 0) : field(layer, "out_channels", 0);
  c.kernel = field(layer, "kernel", 1);
  c.stride = field(layer, "stride", 1);
  c.padding = field(layer, "padding", 0);
  c.groups = field(layer, "groups", 1);
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
  shape.channels = c.out_channels;
  shape.height = (shape.height + 2 * c.padding - c.kernel) / c.stride + 1;
  shape.width = (shape.width + 2 * c.padding - c.kernel) / c.stride + 1;
}

torch::Tensor LayerStackImpl::forward(const torch::Tensor& input) {
  torch::Tensor x = input;
  for (Step& s : steps_) {
    switch (s.kind) {
      case Kind::conv:
        x = s.norm->forward(s.conv->forward(x));
        if (s.relu) x = torch::relu(x);
        break;
      case Kind::residual:
        x = x + input;
        break;
      case Kind::global_pool:
        x = x.mean({2, 3}, true);
        break;
      case Kind::classifier:
        x = s.conv->forward(x).flatten(1);
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
    s.gene = slot.at("index").get<int>();
    if (size_t(s.gene) >= gene_options_.size()) gene_options_.resize(size_t(s.gene) + 1, 0);
    const nlohmann::json& options = slot.at("options");
    gene_options_[size_t(s.gene)] = int(options.size());
    multiplier_only_.resize(gene_options_.size());
    multiplier_only_[size_t(s.gene)] = multiplier_only_options(options);
    std::optional<Activation> after;
    for (size_t o = 0; o < options.size(); ++o) {
      s.options.push_back(nullptr);
      if (options[o].is_null() || (only_ && (*only_).at(size_t(s.gene)) != int(o))) continue;
      Activation out = at;
      s.options.back() = register_module("slot" + std::to_string(index) + "_option" + std::to_string(o),
                                         LayerStack(options[o], bits, true, out, adder_eta));
      if (after && (after->channels != out.channels || after->height != out.height))
        throw std::invalid_argument("supernet: the options of gene " + slot.value("gene", "") +
                                    " give different shapes");
      after = out;
    }
    if (after) at = *after;
    slots_.push_back(s);
  }
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
    LayerStack& option = s.options.at(size_t(path.at(size_t(s.gene))));
    if (option) x = option->forward(x);
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
