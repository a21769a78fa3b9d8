#include "spec/network.hpp"

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>

namespace cosim {

std::string to_string(const Shape& s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
  return out + "]";
}

int64_t saturating_product(std::initializer_list<int64_t> factors) {
  int64_t n = 1;
  for (int64_t f : factors) {
    if (f < 0) return INT64_MAX;
    if (__builtin_mul_overflow(n, f, &n)) return INT64_MAX;
  }
  return n;
}

int64_t elements(const Shape& s) {
  int64_t n = 1;
  for (int64_t d : s) n = saturating_product({n, d});
  return n;
}

uint64_t Network::total_macs() const {
  uint64_t total = 0;
  for (const Layer& l : layers) total += l.macs();
  return total;
}

std::array<uint64_t, 3> Network::macs_by_op() const {
  std::array<uint64_t, 3> macs{};
  for (const Layer& l : layers) macs[size_t(l.op)] += l.macs();
  return macs;
}

uint64_t ConvWindow::whole_rows_elements(int64_t pixels, int64_t strip) const {
  const int64_t total_rows = out_h * items, item_pixels = out_h * out_w;
  // Strips starting at multiples of `strip` start at a row's first pixel when it is a multiple of the row
  // width, and never straddle an item when they also tile the items (or start at an item's first row).
  const bool row_aligned = strip > 0 && strip % out_w == 0;
  const bool item_aligned = row_aligned && (strip % item_pixels == 0 || item_pixels % strip == 0);
  // Output rows spanned: a strip starting part way along a row may span one more than the pixels fill (an
  // upper bound that grows with the strip, so the widest strip that fits a budget is found by bisection).
  const int64_t spanned = (pixels + out_w - 1) / out_w + (row_aligned ? 0 : 1);
  const int64_t rows = pixels >= out_w * total_rows ? total_rows : std::min(total_rows, spanned);
  // Items the rows touch (a strip not starting at an item's first row may straddle one more).
  const int64_t segments = rows == total_rows ? items
                           : item_aligned     ? (rows + out_h - 1) / out_h
                                              : std::min(items, (rows - 1) / out_h + 2);
  const int64_t step = std::min(kh, sh), cstep = std::min(kw, sw);
  const uint64_t in_rows =
      uint64_t(std::min(in_h * items, saturating_product({rows, step}) + (kh - step) * segments));
  const uint64_t in_cols = uint64_t(std::min(in_w, out_w * cstep + (kw - cstep)));
  return in_rows * in_cols * uint64_t(channels);
}

int64_t ConvWindow::channels_touched(int64_t k, int64_t step) const {
  const int64_t per_channel = kh * kw;
  if (k >= channels * per_channel) return channels;
  const bool aligned = k % per_channel == 0 && step % per_channel == 0;
  return std::min(channels, aligned ? k / per_channel : (k - 1) / per_channel + 2);
}

uint64_t ConvWindow::input_elements(int64_t pixels) const {
  return std::min(whole_rows_elements(pixels, 0), uint64_t(pixels) * uint64_t(channels * kh * kw));
}

uint64_t ConvWindow::input_elements(int64_t pixels, int64_t k, int64_t step) const {
  if (k >= channels * kh * kw) return input_elements(pixels);
  const uint64_t window =
      whole_rows_elements(pixels, 0) / uint64_t(channels) * uint64_t(channels_touched(k, step));
  return std::min(window, uint64_t(pixels) * uint64_t(k));
}

uint64_t ConvWindow::fetched_elements(int64_t pixels, int64_t strip, int64_t k, int64_t step,
                                      bool follows) const {
  const uint64_t touched = uint64_t(channels_touched(k, step));
  const uint64_t rows = whole_rows_elements(pixels, strip) / uint64_t(channels) * touched;
  const uint64_t expansion = uint64_t(pixels) * uint64_t(std::min(k, channels * kh * kw));
  if (rows > expansion) return expansion;  // held expanded: no rows to keep
  const bool whole_k = k >= channels * kh * kw;
  const bool strips_whole_rows =
      whole_rows_elements(strip, strip) <= uint64_t(strip) * uint64_t(channels * kh * kw);
  if (!follows || !whole_k || kh <= sh || items > 1 || !strips_whole_rows) return rows;
  const uint64_t in_cols = uint64_t(std::min(in_w, out_w * std::min(kw, sw) + (kw - std::min(kw, sw))));
  const uint64_t halo = uint64_t(std::min(in_h, kh - sh)) * in_cols * uint64_t(channels);
  return rows - std::min(rows, halo);
}

uint64_t Network::compulsory_dram_bytes(int items) const {
  auto bytes = [](uint64_t elements, int bits) { return (elements * uint64_t(bits) + 7) / 8; };
  uint64_t weights = 0, streamed = 0;
  std::vector<bool> read(layers.size(), false);
  for (const Layer& l : layers) {
    for (int in : l.inputs) read[size_t(in)] = true;
    if (l.work == WorkKind::Gemm && l.b_is_weight) {
      weights += bytes(uint64_t(l.gemm.groups) * uint64_t(l.gemm.k) * uint64_t(l.gemm.n), l.weight_bits);
    }
  }
  if (!layers.empty()) streamed += bytes(uint64_t(elements(layers[0].out_shape)), layers[0].out_bits);
  for (size_t i = 1; i < layers.size(); ++i) {
    if (!read[i]) streamed += bytes(uint64_t(elements(layers[i].out_shape)), layers[i].out_bits);
  }
  return weights + streamed * uint64_t(std::max(items, 1));
}

namespace {

// Names visible to a layer: its own block's layers, then the enclosing blocks'; "@input" is the block's
// input.
struct Scope {
  const Scope* parent = nullptr;
  std::map<std::string, int> names;
  int block_input = 0;
};

struct Defaults {
  std::optional<OpType> op;
  std::map<OpType, std::pair<int, int>> bits;  // op -> (act, weight)
};

std::pair<int64_t, int64_t> pair_field(const JsonField& layer, const char* key, int64_t dflt, int64_t lo) {
  auto f = layer.optional(key);
  if (!f) return {dflt, dflt};
  if (f->is_array()) {
    auto e = f->elements();
    if (e.size() != 2)
      f->fail("expected an integer or a pair [height, width], found " + JsonField::describe(f->raw()));
    return {e[0].integer_in(lo, 1 << 20), e[1].integer_in(lo, 1 << 20)};
  }
  int64_t v = f->integer_in(lo, 1 << 20);
  return {v, v};
}

class Builder {
 public:
  explicit Builder(const NetworkOptions& options) : options_(options) {}
  Network net;

  bool read_a_mask_file() const { return !mask_files_.empty(); }
  void read(const JsonField& root) {
    root.allow_only({"format", "name", "description", "batch", "input", "defaults", "layers"});
    root["format"].choice({"cosim-workload/1"});
    net.file = root.file();
    net.name = root["name"].string();
    if (auto b = root.optional("batch")) net.batch = b->integer_in(1, 1 << 20);
    read_defaults(root);

    JsonField in = root["input"];
    in.allow_only({"shape", "bits"});
    Layer input;
    input.name = "input";
    input.type = "input";
    input.pointer = in.pointer();
    for (const JsonField& d : in["shape"].elements()) input.out_shape.push_back(d.integer_in(1, 1 << 24));
    if (input.out_shape.empty()) in["shape"].fail("expected at least one dimension");
    input.out_bits = static_cast<int>(in["bits"].integer_in(1, 32));
    push(input);

    Scope top;
    top.block_input = 0;
    top.names["input"] = 0;
    if (layers_after_repeats(root["layers"].raw()) > int64_t(kMaxLayers)) {
      root["layers"].fail("the workload expands to more than " + std::to_string(kMaxLayers) +
                          " layers (check the repeat counts)");
    }
    expand(root["layers"], "", top, 0);
    if (net.layers.size() == 1) root["layers"].fail("expected at least one layer");
    if (open_attention_) open_attention_->where.fail(unfinished_attention());
  }

 private:
  NetworkOptions options_;
  Defaults defaults_;
  // A masked matmul (attention scores) waits for its softmax and the product with V, the next two layers.
  struct OpenAttention {
    int scores = 0;  // the scores layer's index
    std::shared_ptr<AttentionInfo> info;
    JsonField where;
  };
  std::optional<OpenAttention> open_attention_;

  std::string unfinished_attention() const {
    return "a matmul with a \"mask\" (attention scores) must be followed by its softmax and then the matmul "
           "of "
           "the probabilities with V, as the next two layers";
  }

  // Marks a layer that continues an open masked attention (its softmax, then its product with V).
  void continue_attention(const JsonField& e, Layer& l) {
    if (!open_attention_) return;
    const int at = int(net.layers.size()), qk = open_attention_->scores;
    const bool softmax = at == qk + 1 && l.type == "softmax" && l.inputs[0] == qk;
    const bool values = at == qk + 2 && l.type == "matmul" && l.inputs[0] == qk + 1 && !l.b_transposed &&
                        !e.has("mask") && l.gemm.groups == at_layer(qk).gemm.groups;
    if (!softmax && !values) e.fail(unfinished_attention());
    l.part = softmax ? AttentionPart::Softmax : AttentionPart::Values;
    l.attention = open_attention_->info;
    if (values) open_attention_.reset();
  }
  const Layer& at_layer(int i) const { return net.layers[size_t(i)]; }

  void read_defaults(const JsonField& root) {
    auto d = root.optional("defaults");
    if (!d) return;
    d->allow_only({"op", "bits"});
    if (auto op = d->optional("op")) defaults_.op = op_from_string(op->choice({"mult", "shift", "adder"}));
    if (auto bits = d->optional("bits")) {
      bits->allow_only({"mult", "shift", "adder"});
      for (OpType op : {OpType::Mult, OpType::Shift, OpType::Adder}) {
        if (auto b = bits->optional(to_string(op))) defaults_.bits[op] = read_bits(*b);
      }
    }
  }

  static std::pair<int, int> read_bits(const JsonField& b) {
    b.allow_only({"act", "weight"});
    return {static_cast<int>(b["act"].integer_in(2, 16)), static_cast<int>(b["weight"].integer_in(2, 16))};
  }

  int resolve(const JsonField& where, const std::string& name, const Scope& scope) const {
    if (name == "@input") return scope.block_input;
    for (const Scope* s = &scope; s; s = s->parent) {
      auto it = s->names.find(name);
      if (it != s->names.end()) return it->second;
    }
    where.fail("unknown layer \"" + name +
               "\"; an input names an earlier layer of the same block or an enclosing one, or \"@input\"");
  }

  // How many layers a layer list expands to, counted before anything is built (saturating; what is malformed
  // counts as one layer and is reported by expand).
  static int64_t layers_after_repeats(const nlohmann::json& list) {
    if (!list.is_array()) return 1;
    int64_t total = 0;
    for (const nlohmann::json& e : list) {
      int64_t n = 1;
      if (e.is_object() && e.contains("layers")) {
        const auto r = e.find("repeat");
        const int64_t times =
            r != e.end() && r->is_number_integer() ? std::max<int64_t>(r->get<int64_t>(), 1) : 1;
        n = saturating_product({times, layers_after_repeats(e["layers"])});
      }
      total = std::min(total + n, int64_t(1) << 62);
    }
    return total;
  }

  int expand(const JsonField& list, const std::string& prefix, Scope& scope, int prev) {
    for (const JsonField& e : list.elements()) {
      if (!e.is_object()) e.fail("expected a layer object, found " + JsonField::describe(e.raw()));
      std::string local = e["name"].string();
      if (local.empty() || local.find_first_of(".@/") != std::string::npos) {
        e["name"].fail("a layer name is non-empty and has no '.', '@' or '/', found \"" + local + "\"");
      }
      if (scope.names.count(local))
        e["name"].fail("layer name \"" + local + "\" used twice in the same block");
      if (e.has("repeat") || e.has("layers")) {
        // A block: its layers get the block's name as prefix ("block3.fc1" when repeated, "s1b1.conv1" when
        // not).
        e.allow_only({"name", "repeat", "layers", "note"});
        const bool repeated = e.has("repeat");
        const int64_t n = repeated ? e["repeat"].integer_in(1, 100000) : 1;
        for (int64_t i = 0; i < n; ++i) {
          Scope child;
          child.parent = &scope;
          child.block_input = prev;
          const std::string block = prefix + local + (repeated ? std::to_string(i) : "") + ".";
          prev = expand(e["layers"], block, child, prev);
        }
      } else {
        prev = layer(e, prefix + local, scope, prev);
      }
      scope.names[local] = prev;
    }
    if (list.elements().empty()) list.fail("expected at least one layer");
    return prev;
  }

  // Mask files read so far, and how many attention layers have taken a layer of each (the next one's
  // default).
  std::map<std::string, std::shared_ptr<const MaskSet>> mask_files_;
  std::map<std::string, int> mask_next_layer_;
  int generated_masks_ = 0;
  int64_t generated_entries_ = 0;

  // "mask": {"npy": "path relative to the workload", "layer": k} or {"generate": {"sparsity": 0.9, ...}}.
  void read_mask(const JsonField& m, AttentionInfo& info) {
    m.allow_only({"npy", "layer", "generate", "note"});
    info.mask_pointer = m.pointer();
    if (m.has("npy") == m.has("generate"))
      m.fail("a mask has exactly one of \"npy\" (a file) or \"generate\"");
    const int64_t entries = saturating_product({info.heads, info.tokens, info.tokens});
    if (entries > kMaxMaskEntries) {
      m.fail("a mask of " + std::to_string(info.heads) + " heads x " + std::to_string(info.tokens) + " x " +
             std::to_string(info.tokens) + " tokens is more than the 2^30 entries per layer cosim holds");
    }
    if (m.has("npy"))
      read_npy_mask(m, info);
    else
      generate_layer_mask(m, info, entries);
  }

  void read_npy_mask(const JsonField& m, AttentionInfo& info) {
    std::filesystem::path p = m["npy"].string();
    if (!options_.mask_file.empty()) {
      p = options_.mask_file;
    } else if (p.is_relative()) {
      p = std::filesystem::path(net.file).parent_path() / p;
    }
    const std::string file = p.lexically_normal().string();
    if (!mask_files_.count(file)) {
      try {
        mask_files_[file] = load_npy_mask(file);
      } catch (const InputError& err) {
        throw InputError(err.file(), err.path(),
                         err.problem() + " (mask of attention \"" + info.name + "\" in " + net.file + " " +
                             m.pointer() + ")");
      }
    }
    info.mask = mask_files_[file];
    info.mask_layer = m.has("layer") ? int(m["layer"].integer_in(0, 1 << 20)) : mask_next_layer_[file];
    mask_next_layer_[file] = info.mask_layer + 1;
    if (info.mask_layer >= info.mask->layers) {
      m.fail("attention \"" + info.name + "\" takes layer " + std::to_string(info.mask_layer) + " of " +
             file + ", which has " + std::to_string(info.mask->layers) + " layers");
    }
    if (info.mask->heads != info.heads || info.mask->n != info.tokens) {
      m.fail("the mask in " + file + " is " + std::to_string(info.mask->heads) + " heads x " +
             std::to_string(info.mask->n) + " x " + std::to_string(info.mask->n) + "; attention \"" +
             info.name + "\" has " + std::to_string(info.heads) + " heads x " + std::to_string(info.tokens) +
             " tokens");
    }
  }

  void generate_layer_mask(const JsonField& m, AttentionInfo& info, int64_t entries) {
    JsonField g = m["generate"];
    g.allow_only({"sparsity", "global_tokens", "window", "seed", "note"});
    generated_entries_ += entries;
    if (generated_entries_ > kMaxGeneratedMaskEntries) {
      g.fail("the generated masks of this workload reach " + std::to_string(generated_entries_) +
             " entries, more than the 2^32 cosim holds; use fewer tokens or attention layers");
    }
    MaskGenerator gen;
    gen.sparsity = g["sparsity"].number();
    if (gen.sparsity < 0 || gen.sparsity >= 1)
      g["sparsity"].fail("expected a fraction in [0, 1), found " + JsonField::describe(g["sparsity"].raw()));
    if (auto v = g.optional("global_tokens")) gen.global_tokens = int(v->integer_in(0, info.tokens));
    if (auto v = g.optional("window")) gen.window = int(v->integer_in(0, info.tokens));
    if (auto v = g.optional("seed")) gen.seed = uint64_t(v->integer_in(0, INT64_MAX));
    try {
      info.mask = generate_mask(gen, generated_masks_++, int(info.heads), int(info.tokens));
    } catch (const std::invalid_argument& err) {
      g["sparsity"].fail(err.what());
    }
    info.mask_layer = 0;
  }

  // Tensors are kept below 2^40 elements (batch included) and layers below 2^50 MACs or vector element
  // operations, so every count in the model fits 64 bits; sizes are computed saturating, so an overflowing
  // product lands here too.
  int push(Layer l) {
    const int64_t out = saturating_product({elements(l.out_shape), net.batch});
    if (out > kMaxTensorElements) {
      throw InputError(net.file, l.pointer,
                       "layer \"" + l.name + "\" produces " + to_string(l.out_shape) + " x batch " +
                           std::to_string(net.batch) +
                           " elements, more than the 2^40 this simulator accepts");
    }
    const GemmShape& g = l.gemm;
    const int64_t work = l.work == WorkKind::Gemm ? saturating_product({g.groups, g.m, g.k, g.n})
                         : l.work == WorkKind::Vector
                             ? int64_t(std::min<uint64_t>(l.vector_elements, INT64_MAX))
                             : 0;
    const bool operands_fit =
        l.work != WorkKind::Gemm || (saturating_product({g.groups, g.m, g.k}) <= kMaxTensorElements &&
                                     saturating_product({g.groups, g.k, g.n}) <= kMaxTensorElements);
    if (work > kMaxLayerWork || !operands_fit) {
      throw InputError(
          net.file, l.pointer,
          "layer \"" + l.name + "\" is too large: " +
              (l.work == WorkKind::Gemm ? to_string(Shape{g.groups, g.m, g.k, g.n}) +
                                              " (groups, m, k, n) needs more than 2^50 MACs or an "
                                              "operand of more than 2^40 elements"
                                        : "more than 2^50 vector element operations"));
    }
    if (net.layers.size() >= kMaxLayers) {
      throw InputError(net.file, l.pointer,
                       "the workload expands to more than " + std::to_string(kMaxLayers) +
                           " layers (check the repeat counts)");
    }
    net.layers.push_back(std::move(l));
    return static_cast<int>(net.layers.size()) - 1;
  }

  const Layer& at(int i) const { return net.layers[static_cast<size_t>(i)]; }

  // Operator and bit widths: the layer's own, else the workload's defaults.
  void read_op(const JsonField& e, Layer& l) const {
    if (auto op = e.optional("op")) {
      l.op = op_from_string(op->choice({"mult", "shift", "adder"}));
    } else if (defaults_.op) {
      l.op = *defaults_.op;
    } else {
      e.fail("missing field \"op\" (mult, shift or adder) and no defaults.op in the workload");
    }
    std::pair<int, int> bits;
    if (auto b = e.optional("bits")) {
      bits = read_bits(*b);
    } else if (defaults_.bits.count(l.op)) {
      bits = defaults_.bits.at(l.op);
    } else {
      e.fail(std::string("missing field \"bits\" and no defaults.bits.") + to_string(l.op) +
             " in the workload");
    }
    l.act_bits = bits.first;
    l.weight_bits = bits.second;
    l.out_bits = l.act_bits;
  }

  [[noreturn]] void bad_input(const JsonField& e, const Layer& l, const std::string& need) const {
    const Layer& p = at(l.inputs[0]);
    e.fail(l.type + " needs an input of shape " + need + "; its input \"" + p.name + "\" has shape " +
           to_string(p.out_shape));
  }

  // One reader per layer type (kTypeReaders below): the fields the type takes besides the common ones, how
  // many inputs it takes, and the function that reads the rest into the layer and pushes it (an attention
  // pushes its three parts); that function returns the index of the layer that stands for it.
  using ReadType = int (Builder::*)(const JsonField& e, Layer& l, const Shape& in);
  enum class Inputs { One, Two, OneOrTwo, OneOrMore };
  struct TypeReader {
    const char* type;
    Inputs inputs;
    std::vector<std::string> fields;
    ReadType read;
  };
  static const std::vector<TypeReader>& type_readers();

  int layer(const JsonField& e, const std::string& name, const Scope& scope, int prev) {
    static const std::vector<std::string> common = {"name", "type", "inputs", "output", "note"};
    std::vector<std::string> types;
    for (const TypeReader& r : type_readers()) types.push_back(r.type);
    Layer l;
    l.name = name;
    l.pointer = e.pointer();
    l.type = e["type"].choice(types);
    const TypeReader& r = *std::find_if(type_readers().begin(), type_readers().end(),
                                        [&](const TypeReader& t) { return l.type == t.type; });
    std::vector<std::string> allowed = r.fields;
    allowed.insert(allowed.end(), common.begin(), common.end());
    e.allow_only(allowed);
    if (open_attention_ && l.type != "softmax" && l.type != "matmul") e.fail(unfinished_attention());
    read_inputs(e, r.inputs, scope, prev, l);
    const Shape in = at(l.inputs[0]).out_shape;
    l.out_bits = at(l.inputs[0]).out_bits;
    const int result = (this->*r.read)(e, l, in);
    if (auto out = e.optional("output")) {
      Shape written;
      for (const JsonField& d : out->elements()) written.push_back(d.integer());
      const Shape& computed = at(result).out_shape;
      if (written != computed) {
        out->fail("the layer's output shape is " + to_string(computed) + " (from its input " + to_string(in) +
                  "), not " + to_string(written));
      }
    }
    return result;
  }

  void read_inputs(const JsonField& e, Inputs kind, const Scope& scope, int prev, Layer& l) {
    const auto in = e.optional("inputs");
    if (!in) {
      if (kind == Inputs::Two) e.fail("missing field \"inputs\": " + l.type + " takes two inputs");
      l.inputs = {prev};
      return;
    }
    for (const JsonField& n : in->elements()) l.inputs.push_back(resolve(n, n.string(), scope));
    const size_t count = l.inputs.size();
    const bool ok = kind == Inputs::One        ? count == 1
                    : kind == Inputs::Two      ? count == 2
                    : kind == Inputs::OneOrTwo ? count == 1 || count == 2
                                               : count >= 1;
    if (!ok) {
      const char* want = kind == Inputs::One        ? "1 input"
                         : kind == Inputs::Two      ? "2 inputs"
                         : kind == Inputs::OneOrTwo ? "1 or 2 inputs"
                                                    : "1 or more inputs";
      in->fail(l.type + " takes " + want + ", found " + std::to_string(count));
    }
  }

  int read_conv2d(const JsonField& e, Layer& l, const Shape& in) {
    read_op(e, l);
    if (in.size() != 3) bad_input(e, l, "[channels, height, width]");
    const int64_t c = in[0], h = in[1], w = in[2];
    if (auto ic = e.optional("in_channels"); ic && ic->positive() != c) {
      ic->fail("in_channels " + std::to_string(ic->integer()) + " differs from the input's " +
               std::to_string(c) + " channels");
    }
    const int64_t oc = e["out_channels"].integer_in(1, 1 << 24);
    auto [kh, kw] = pair_field(e, "kernel", 0, 1);
    if (!e.has("kernel")) e.fail("missing required field \"kernel\"");
    auto [sh, sw] = pair_field(e, "stride", 1, 1);
    auto [ph, pw] = pair_field(e, "padding", 0, 0);
    auto [dh, dw] = pair_field(e, "dilation", 1, 1);
    int64_t g = e.has("groups") ? e["groups"].integer_in(1, 1 << 24) : 1;
    if (c % g || oc % g) {
      e["groups"].fail("groups " + std::to_string(g) + " must divide both input channels (" +
                       std::to_string(c) + ") and out_channels (" + std::to_string(oc) + ")");
    }
    const int64_t ekh = saturating_product({kh - 1, dh}) + 1, ekw = saturating_product({kw - 1, dw}) + 1;
    const int64_t ho = (h + 2 * ph - ekh) / sh + 1, wo = (w + 2 * pw - ekw) / sw + 1;
    if (h + 2 * ph < ekh || w + 2 * pw < ekw || ho < 1 || wo < 1) {
      e["kernel"].fail("kernel " + std::to_string(kh) + "x" + std::to_string(kw) +
                       (dh * dw > 1 ? " (dilated to " + std::to_string(ekh) + "x" + std::to_string(ekw) + ")"
                                    : std::string()) +
                       " does not fit the padded input " + std::to_string(h + 2 * ph) + "x" +
                       std::to_string(w + 2 * pw));
    }
    l.work = WorkKind::Gemm;
    l.gemm = {g, saturating_product({ho, wo, net.batch}), saturating_product({c / g, kh, kw}), oc / g};
    // A dilated convolution's operand a is staged as its expansion (an upper bound on the input it needs).
    if (dh * dw == 1) l.conv = {h, w, c / g, kh, kw, sh, sw, ho, wo, net.batch};
    l.out_shape = {oc, ho, wo};
    return push(l);
  }

  int read_linear(const JsonField& e, Layer& l, const Shape& in) {
    read_op(e, l);
    if (in.empty()) bad_input(e, l, "[..., features]");
    const int64_t fin = in.back();
    if (auto inf = e.optional("in_features"); inf && inf->positive() != fin) {
      inf->fail("in_features " + std::to_string(inf->integer()) + " differs from the input's " +
                std::to_string(fin) + " features");
    }
    const int64_t fout = e["out_features"].integer_in(1, 1 << 24);
    l.work = WorkKind::Gemm;
    l.gemm = {1, saturating_product({elements(in) / fin, net.batch}), fin, fout};
    l.out_shape = in;
    l.out_shape.back() = fout;
    return push(l);
  }

  int read_matmul(const JsonField& e, Layer& l, const Shape& in) {
    read_op(e, l);
    l.weight_bits = l.act_bits;  // both operands are activations
    const Shape b = at(l.inputs[1]).out_shape;
    l.b_transposed = e.has("transpose_b") && e["transpose_b"].boolean();
    if (in.size() < 2 || b.size() != in.size()) {
      e["inputs"].fail("matmul needs two inputs of equal rank >= 2, found " + to_string(in) + " and " +
                       to_string(b));
    }
    const size_t r = in.size();
    const int64_t m = in[r - 2], k = in[r - 1];
    const int64_t bk = l.b_transposed ? b[r - 1] : b[r - 2], n = l.b_transposed ? b[r - 2] : b[r - 1];
    if (bk != k || !std::equal(in.begin(), in.end() - 2, b.begin())) {
      e["inputs"].fail("matmul shapes do not agree: " + to_string(in) + " x " + to_string(b) +
                       (l.b_transposed ? " (b transposed)" : ""));
    }
    l.work = WorkKind::Gemm;
    l.b_is_weight = false;
    l.gemm = {saturating_product({elements(in) / saturating_product({m, k}), net.batch}), m, k, n};
    l.out_shape = in;
    l.out_shape.back() = n;
    if (auto mask = e.optional("mask")) return push_masked_scores(e, *mask, l, in);
    continue_attention(e, l);
    return push(l);
  }

  // Q.K^T of attention written as matmul + softmax + matmul, with a mask: the three layers become the parts
  // of an attention (as an `attention` layer's), so a sparse-attention engine runs them.
  int push_masked_scores(const JsonField& e, const JsonField& mask, Layer& l, const Shape& q) {
    if (open_attention_) e.fail(unfinished_attention());
    if (q.size() != 3 || !l.b_transposed || l.gemm.m != l.gemm.n) {
      mask.fail(
          "a mask belongs to the matmul of attention scores: Q [heads, tokens, head_dim] times K "
          "[heads, tokens, head_dim] with transpose_b");
    }
    auto info = std::make_shared<AttentionInfo>();
    info->name = l.name;
    info->heads = q[0];
    info->head_dim = q[2];
    info->tokens = q[1];
    read_mask(mask, *info);
    l.part = AttentionPart::Scores;
    l.attention = info;
    const int index = push(l);
    open_attention_ = OpenAttention{index, info, e};
    return index;
  }

  // An attention layer becomes three: NAME.qk (Q.K^T per head), NAME.softmax (vector unit), NAME.sv (S.V).
  int read_attention(const JsonField& e, Layer& l, const Shape& in) {
    read_op(e, l);
    if (in.size() != 2) bad_input(e, l, "[tokens, 3 * heads * head_dim] (packed q, k, v)");
    const int64_t t = in[0], f = in[1];
    const int64_t heads = e["heads"].integer_in(1, 4096);
    const int64_t d = e.has("head_dim") ? e["head_dim"].integer_in(1, 1 << 16) : f / (3 * heads);
    if (3 * heads * d != f) {
      e["heads"].fail("packed q, k, v of " + std::to_string(f) + " features do not split into 3 x " +
                      std::to_string(heads) + " heads x " + std::to_string(d) + " dims");
    }
    l.weight_bits = l.act_bits;
    auto info = std::make_shared<AttentionInfo>();
    info->name = l.name;
    info->heads = heads;
    info->head_dim = d;
    info->tokens = t;
    if (saturating_product({heads, t, t, net.batch}) > kMaxTensorElements) {
      e.fail("attention \"" + l.name + "\" of " + std::to_string(heads) + " heads x " + std::to_string(t) +
             " tokens has score matrices of more than the 2^40 elements this simulator accepts");
    }
    if (auto m = e.optional("mask")) read_mask(*m, *info);
    l.attention = info;
    const int64_t batch = net.batch;
    Layer qk =
        attention_part(l, AttentionPart::Scores, {l.inputs[0]}, {heads * batch, t, d, t}, {heads, t, t});
    qk.b_transposed = true;
    const int qk_i = push(qk);
    Layer sm = attention_part(l, AttentionPart::Softmax, {qk_i}, {}, qk.out_shape);
    sm.work = WorkKind::Vector;
    sm.vector_op = VectorOp::Softmax;
    sm.vector_elements = static_cast<uint64_t>(saturating_product({heads, t, t, batch}));
    sm.vector_row = static_cast<uint64_t>(t);
    const int sm_i = push(sm);
    return push(attention_part(l, AttentionPart::Values, {sm_i, l.inputs[0]}, {heads * batch, t, t, d},
                               {t, heads * d}));
  }

  // One of an attention's three layers; `gemm` empty for the softmax.
  static Layer attention_part(const Layer& l, AttentionPart kind, std::vector<int> inputs,
                              std::vector<int64_t> gemm, Shape out) {
    const std::string part = kind == AttentionPart::Scores    ? "qk"
                             : kind == AttentionPart::Softmax ? "softmax"
                                                              : "sv";
    Layer x = l;
    x.part = kind;
    x.name = l.name + "." + part;
    x.type = "attention." + part;
    x.inputs = std::move(inputs);
    x.out_shape = std::move(out);
    x.out_bits = l.act_bits;
    if (!gemm.empty()) {
      x.work = WorkKind::Gemm;
      x.b_is_weight = false;
      x.gemm = {gemm[0], gemm[1], gemm[2], gemm[3]};
    }
    return x;
  }

  // One vector op per element of the input; softmax and layernorm keep their rows (the last dimension) whole.
  int read_elementwise(const JsonField& e, Layer& l, const Shape& in) {
    l.work = WorkKind::Vector;
    l.vector_op = elementwise_op(l.type);
    l.vector_elements = static_cast<uint64_t>(saturating_product({elements(in), net.batch}));
    l.vector_row = l.vector_op == VectorOp::Softmax || l.vector_op == VectorOp::Layernorm
                       ? static_cast<uint64_t>(in.back())
                       : 1;
    l.out_shape = in;
    continue_attention(e, l);
    return push(l);
  }

  static VectorOp elementwise_op(const std::string& type) {
    for (VectorOp op : kVectorOps) {
      if (type == to_string(op)) return op;
    }
    return type == "sub" ? VectorOp::Add : VectorOp::Copy;
  }

  // add, sub, mul, div: two operands broadcast against each other (numpy rules: aligned at the last
  // dimension, each dimension equal or 1), or one operand and a constant the vector unit holds (a scalar or
  // a per-channel vector, as an imported bias or scale is); one vector op per output element.
  int read_binary(const JsonField& e, Layer& l, const Shape& in) {
    l.out_shape = in;
    if (l.inputs.size() == 2) {
      const Shape b = at(l.inputs[1]).out_shape;
      const size_t rank = std::max(in.size(), b.size());
      l.out_shape.assign(rank, 1);
      for (size_t i = 0; i < rank; ++i) {
        const int64_t x = i < rank - in.size() ? 1 : in[i - (rank - in.size())];
        const int64_t y = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
        if (x != y && x != 1 && y != 1) {
          e["inputs"].fail(l.type + " needs inputs of equal or broadcastable shapes, found " + to_string(in) +
                           " and " + to_string(b));
        }
        l.out_shape[i] = std::max(x, y);
      }
    }
    l.work = WorkKind::Vector;
    l.vector_op = elementwise_op(l.type);
    l.vector_elements = static_cast<uint64_t>(saturating_product({elements(l.out_shape), net.batch}));
    return push(l);
  }

  // The same elements in a new shape: no data moved.
  int read_reshape(const JsonField& e, Layer& l, const Shape& in) {
    for (const JsonField& d : e["shape"].elements())
      l.out_shape.push_back(d.integer_in(1, kMaxTensorElements));
    if (l.out_shape.empty()) e["shape"].fail("expected at least one dimension");
    if (elements(l.out_shape) != elements(in)) {
      e["shape"].fail("a reshape keeps the element count: " + to_string(l.out_shape) + " has " +
                      std::to_string(elements(l.out_shape)) + " elements, its input " + to_string(in) + " " +
                      std::to_string(elements(in)));
    }
    return push(l);
  }

  // Dimensions reordered by `perm`: a copy on the vector unit, unless only dimensions of size 1 move (then
  // the elements keep their order: a reshape).
  int read_transpose(const JsonField& e, Layer& l, const Shape& in) {
    std::vector<int64_t> perm;
    for (const JsonField& d : e["perm"].elements()) perm.push_back(d.integer_in(0, int64_t(in.size()) - 1));
    std::vector<int64_t> sorted = perm;
    std::sort(sorted.begin(), sorted.end());
    for (size_t i = 0; i < sorted.size(); ++i) {
      if (sorted.size() != in.size() || sorted[i] != int64_t(i)) {
        e["perm"].fail("expected a permutation of the input's " + std::to_string(in.size()) + " dimensions " +
                       to_string(in));
      }
    }
    std::vector<int64_t> moved;  // the non-unit dimensions in their new order
    for (int64_t p : perm) {
      l.out_shape.push_back(in[size_t(p)]);
      if (in[size_t(p)] != 1) moved.push_back(p);
    }
    if (!std::is_sorted(moved.begin(), moved.end())) {
      l.work = WorkKind::Vector;
      l.vector_op = VectorOp::Copy;
      l.vector_elements = static_cast<uint64_t>(saturating_product({elements(in), net.batch}));
    }
    return push(l);
  }

  // Elements start <= i < end (by `step`) along `axis`. When every dimension before `axis` has size 1 and
  // the step is 1 the slice is one contiguous range of its input: an address offset, no data moved;
  // otherwise the vector unit copies it out.
  int read_slice(const JsonField& e, Layer& l, const Shape& in) {
    const int64_t axis = e["axis"].integer_in(0, int64_t(in.size()) - 1);
    const int64_t dim = in[size_t(axis)];
    const int64_t start = e["start"].integer_in(0, dim - 1);
    const int64_t end = e.has("end") ? e["end"].integer_in(start + 1, dim) : dim;
    const int64_t step = e.has("step") ? e["step"].integer_in(1, dim) : 1;
    l.out_shape = in;
    l.out_shape[size_t(axis)] = (end - start + step - 1) / step;
    bool contiguous = step == 1;
    for (int64_t d = 0; d < axis; ++d) contiguous = contiguous && in[size_t(d)] == 1;
    if (!contiguous) {
      l.work = WorkKind::Vector;
      l.vector_op = VectorOp::Copy;
      l.vector_elements = static_cast<uint64_t>(saturating_product({elements(l.out_shape), net.batch}));
    }
    return push(l);
  }

  // Joins its inputs along `axis`, then `extra` constant slices (learned tokens); the vector unit copies them
  // into one tensor.
  int read_concat(const JsonField& e, Layer& l, const Shape& in) {
    const int64_t axis = e.has("axis") ? e["axis"].integer_in(0, int64_t(in.size()) - 1) : 0;
    const int64_t extra = e.has("extra") ? e["extra"].integer_in(0, kMaxTensorElements) : 0;
    if (l.inputs.size() + (extra > 0 ? 1 : 0) < 2) {
      e.fail("concat joins two or more inputs, or one input and \"extra\" constant slices");
    }
    Shape out = in;
    out[size_t(axis)] += extra;
    for (size_t i = 1; i < l.inputs.size(); ++i) {
      const Shape& b = at(l.inputs[i]).out_shape;
      bool match = b.size() == in.size();
      for (size_t d = 0; match && d < in.size(); ++d) match = int64_t(d) == axis || b[d] == in[d];
      if (!match) {
        e["inputs"].fail("concat along axis " + std::to_string(axis) +
                         " needs shapes equal elsewhere, found " + to_string(in) + " and " + to_string(b));
      }
      out[size_t(axis)] += b[size_t(axis)];
    }
    l.work = WorkKind::Vector;
    l.vector_op = VectorOp::Concat;
    l.out_shape = out;
    l.vector_elements = static_cast<uint64_t>(saturating_product({elements(out), net.batch}));
    return push(l);
  }

  int read_pool(const JsonField& e, Layer& l, const Shape& in) {
    const std::string mode = e["mode"].choice({"max", "avg", "global_avg", "token"});
    if (mode == "token") {
      // Keeps the first token (the class token of DeiT): an address offset, no work.
      if (in.size() != 2) bad_input(e, l, "[tokens, features]");
      l.out_shape = {in[1]};
      return push(l);
    }
    if (in.size() != 3) bad_input(e, l, "[channels, height, width]");
    l.work = WorkKind::Vector;
    l.vector_op = VectorOp::Pool;
    if (mode == "global_avg") {
      l.out_shape = {in[0]};
      l.vector_elements = static_cast<uint64_t>(saturating_product({elements(in), net.batch}));
      return push(l);
    }
    if (!e.has("kernel")) e.fail("missing required field \"kernel\"");
    auto [kh, kw] = pair_field(e, "kernel", 0, 1);
    auto [sh, sw] = e.has("stride") ? pair_field(e, "stride", 1, 1) : std::pair<int64_t, int64_t>{kh, kw};
    auto [ph, pw] = pair_field(e, "padding", 0, 0);
    if (in[1] + 2 * ph < kh || in[2] + 2 * pw < kw) e["kernel"].fail("kernel larger than the padded input");
    l.out_shape = {in[0], (in[1] + 2 * ph - kh) / sh + 1, (in[2] + 2 * pw - kw) / sw + 1};
    l.vector_elements = static_cast<uint64_t>(saturating_product({elements(l.out_shape), kh, kw, net.batch}));
    return push(l);
  }

  // [C, H, W] -> [H*W + extra, C]: patches become tokens, plus `extra` learned tokens (class, distillation).
  int read_tokens(const JsonField& e, Layer& l, const Shape& in) {
    if (in.size() != 3) bad_input(e, l, "[channels, height, width]");
    const int64_t extra = e.has("extra") ? e["extra"].integer_in(0, 1024) : 0;
    l.out_shape = {in[1] * in[2] + extra, in[0]};
    return push(l);
  }

  int read_flatten(const JsonField&, Layer& l, const Shape& in) {
    l.out_shape = {elements(in)};
    return push(l);
  }
};

const std::vector<Builder::TypeReader>& Builder::type_readers() {
  using R = Builder;
  static const std::vector<TypeReader> readers = {
      {"conv2d",
       Inputs::One,
       {"out_channels", "in_channels", "kernel", "stride", "padding", "dilation", "groups", "op", "bits"},
       &R::read_conv2d},
      {"linear", Inputs::One, {"out_features", "in_features", "op", "bits"}, &R::read_linear},
      {"matmul", Inputs::Two, {"transpose_b", "op", "bits", "mask"}, &R::read_matmul},
      {"attention", Inputs::One, {"heads", "head_dim", "op", "bits", "mask"}, &R::read_attention},
      {"softmax", Inputs::One, {}, &R::read_elementwise},
      {"layernorm", Inputs::One, {}, &R::read_elementwise},
      {"gelu", Inputs::One, {}, &R::read_elementwise},
      {"relu", Inputs::One, {}, &R::read_elementwise},
      {"clip", Inputs::One, {}, &R::read_elementwise},
      {"sigmoid", Inputs::One, {}, &R::read_elementwise},
      {"tanh", Inputs::One, {}, &R::read_elementwise},
      {"silu", Inputs::One, {}, &R::read_elementwise},
      {"hardsigmoid", Inputs::One, {}, &R::read_elementwise},
      {"hardswish", Inputs::One, {}, &R::read_elementwise},
      {"batchnorm", Inputs::One, {}, &R::read_elementwise},
      {"add", Inputs::OneOrTwo, {}, &R::read_binary},
      {"sub", Inputs::OneOrTwo, {}, &R::read_binary},
      {"mul", Inputs::OneOrTwo, {}, &R::read_binary},
      {"div", Inputs::OneOrTwo, {}, &R::read_binary},
      {"pool", Inputs::One, {"mode", "kernel", "stride", "padding"}, &R::read_pool},
      {"concat", Inputs::OneOrMore, {"axis", "extra"}, &R::read_concat},
      {"tokens", Inputs::One, {"extra"}, &R::read_tokens},
      {"reshape", Inputs::One, {"shape"}, &R::read_reshape},
      {"transpose", Inputs::One, {"perm"}, &R::read_transpose},
      {"slice", Inputs::One, {"axis", "start", "end", "step"}, &R::read_slice},
      {"flatten", Inputs::One, {}, &R::read_flatten},
  };
  return readers;
}

}  // namespace

Network read_network(const std::string& file, const NetworkOptions& options) {
  return read_network(JsonField::load(file), options);
}

Network read_network(const JsonField& root, const NetworkOptions& options) {
  Builder b(options);
  b.read(root);
  if (!options.mask_file.empty() && !b.read_a_mask_file()) {
    throw InputError(options.mask_file, "",
                     "--mask replaces the .npy attention masks of the workload, and " + root.file() +
                         " has none (no attention layer with a \"mask\": {\"npy\": ...})");
  }
  return std::move(b.net);
}

void check_supported(const Network& net, const ArchSpec& arch) {
  for (const Layer& l : net.layers) {
    if (l.work != WorkKind::Gemm) continue;
    const ChunkSpec* c = arch.chunk_for(l.op);
    if (!c) {
      std::string have;
      for (const ChunkSpec& ch : arch.chunks)
        have += (have.empty() ? "" : ", ") + ch.name + " (" + to_string(ch.op) + ")";
      throw InputError(net.file, l.pointer + "/op",
                       std::string("layer \"") + l.name + "\" uses operator \"" + to_string(l.op) +
                           "\" but the architecture " + arch.file + " has no chunk for it (chunks: " + have +
                           ")");
    }
    if (l.act_bits > c->pe.act_bits || l.weight_bits > c->pe.weight_bits) {
      throw InputError(net.file, l.pointer + "/bits",
                       "layer \"" + l.name + "\" needs " + std::to_string(l.act_bits) +
                           "-bit activations and " + std::to_string(l.weight_bits) +
                           "-bit weights; chunk \"" + c->name + "\" of " + arch.file + " has " +
                           std::to_string(c->pe.act_bits) + "/" + std::to_string(c->pe.weight_bits) +
                           "-bit PEs");
    }
  }
}

}  // namespace cosim
