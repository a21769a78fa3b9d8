#include "nas/search_space.hpp"

#include <algorithm>
#include <array>
#include <filesystem>
#include <sstream>
#include <stdexcept>

#include "spec/input_error.hpp"
#include "spec/json_reader.hpp"
#include "spec/network.hpp"

namespace cosim {

std::string SearchSpace::encode(const Candidate& c) const {
  std::string s = name + ":";
  for (size_t i = 0; i < c.size(); ++i) s += (i ? "." : "") + std::to_string(c[i]);
  return s;
}

Candidate SearchSpace::decode(const std::string& text) const {
  const std::string prefix = name + ":";
  if (text.compare(0, prefix.size(), prefix) != 0)
    throw std::invalid_argument("not a candidate of space " + name);
  Candidate c;
  std::stringstream in(text.substr(prefix.size()));
  std::string part;
  while (std::getline(in, part, '.')) {
    // Option indices only: digits, at most 6 of them (stoi would also take signs, spaces and overflow).
    if (part.empty() || part.size() > 6 || part.find_first_not_of("0123456789") != std::string::npos)
      throw std::invalid_argument("bad gene \"" + part + "\" (an option index, e.g. 0.3.1...)");
    c.push_back(std::stoi(part));
  }
  if (c.size() >
      genes.size()) {  // a co-design search's encoding: the network's genes, then the accelerator's
    throw std::invalid_argument("expected " + std::to_string(genes.size()) + " genes, found " +
                                std::to_string(c.size()) +
                                " (a co-design candidate carries its accelerator's genes after these: run "
                                "its front/front_NN.json with --arch front/front_NN.arch.json)");
  }
  if (c.size() != genes.size())
    throw std::invalid_argument("expected " + std::to_string(genes.size()) + " genes");
  for (size_t i = 0; i < c.size(); ++i) {
    if (c[i] < 0 || c[i] >= int(genes[i].options.size())) throw std::invalid_argument("gene out of range");
  }
  return c;
}

std::string SearchSpace::describe(const Candidate& c) const {
  const Candidate n = normalize(c);
  std::string s;
  for (size_t i = 0; i < genes.size(); ++i) {
    if (genes[i].options.size() < 2) continue;
    Candidate other = n;
    other[i] = (n[i] + 1) % int(genes[i].options.size());
    if (normalize(other) == n) continue;  // a gene this candidate does not use
    s += (s.empty() ? "" : " ") + genes[i].name + "=" + genes[i].options[size_t(n[i])];
  }
  return s;
}

namespace {

std::string number_text(double v) {
  std::ostringstream o;
  o << v;
  return o.str();
}

void read_common(const JsonField& root, SearchSpace& s) {
  s.file = root.file();
  s.name = root["name"].string();
  if (s.name.empty() || s.name.find_first_of(":./ ") != std::string::npos) {
    root["name"].fail("a space name is one word without ':', '.', '/' or spaces");
  }
  s.kind = root["kind"].string();
  if (auto d = root.optional("description")) s.description = d->string();
  const JsonField r = root["reference_point"];
  r.allow_only({"energy_uJ", "latency_ms", "edp_uJ_ms", "accuracy_proxy", "accuracy", "note"});
  s.reference.energy_uJ = r["energy_uJ"].positive_number();
  s.reference.latency_ms = r["latency_ms"].positive_number();
  s.reference.edp_uJ_ms = r["edp_uJ_ms"].positive_number();
  s.reference.accuracy_proxy = r.has("accuracy_proxy") ? r["accuracy_proxy"].number() : 0;
  s.reference.accuracy = r.has("accuracy") ? r["accuracy"].number() : 0;
  s.proxy = nlohmann::json::object();
  if (auto proxy = root.optional("proxy")) {
    proxy->allow_only({"op_penalty", "note"});
    if (auto pen = proxy->optional("op_penalty")) {
      pen->allow_only({"mult", "shift", "adder"});
      nlohmann::json checked = nlohmann::json::object();
      for (const auto& [op, v] : pen->members()) {
        const double x = v.number();
        if (!(x >= 0 && x <= 10))
          v.fail("expected a penalty in [0, 10], found " + JsonField::describe(v.raw()));
        checked[op] = x;
      }
      s.proxy["op_penalty"] = checked;
    }
  }
}

std::vector<std::string> op_list(const JsonField& f) {
  std::vector<std::string> ops;
  for (const JsonField& o : f.elements()) ops.push_back(o.choice({"mult", "shift", "adder", "shift+add"}));
  if (ops.empty()) f.fail("expected at least one operator");
  return ops;
}

// Whether the architecture has chunks for a space's operator ("shift+add": a shift and an adder chunk).
bool runs_operator(const ArchSpec& arch, const std::string& op) {
  auto has = [&](const std::string& o) {
    return std::any_of(arch.chunks.begin(), arch.chunks.end(),
                       [&](const ChunkSpec& c) { return to_string(c.op) == o; });
  };
  return op == "shift+add" ? has("shift") && has("adder") : has(op);
}

// The operators of `ops` the architecture has chunks for. Dropping some adds a note; dropping all is an
// InputError at the space's `pointer`, since no candidate could run.
std::vector<std::string> runnable_operators(const std::vector<std::string>& ops, const ArchSpec& arch,
                                            const SearchSpace& space, const std::string& pointer,
                                            std::vector<std::string>& notes) {
  std::vector<std::string> kept, dropped;
  for (const std::string& o : ops) (runs_operator(arch, o) ? kept : dropped).push_back(o);
  std::string chunks;
  for (const ChunkSpec& c : arch.chunks)
    chunks += (chunks.empty() ? "" : ", ") + c.name + " (" + to_string(c.op) + ")";
  auto list = [](const std::vector<std::string>& v) {
    std::string t;
    for (const std::string& x : v) t += (t.empty() ? "" : ", ") + x;
    return t;
  };
  if (kept.empty())
    throw InputError(space.file, pointer,
                     "none of the operators " + list(ops) + " runs on architecture " + arch.name +
                         " (chunks: " + chunks + "), so no candidate could run");
  if (!dropped.empty())
    notes.push_back("architecture " + arch.name + " has no chunk for " + list(dropped) + " (chunks: " +
                    chunks + "): the operator options of space " + space.name + " are " + list(kept));
  return kept;
}

// ---------------------------------------------------------------------------------------------- ViT

class VitSpace : public SearchSpace {
 public:
  explicit VitSpace(const JsonField& root) {
    root.allow_only({"format", "name", "kind", "description", "input", "patch", "extra_tokens", "classes",
                     "bits", "mask", "choices", "proxy", "reference_point", "note"});
    read_common(root, *this);
    input_ = root["input"].raw();
    bits_ = root["bits"].raw();
    patch_ = root["patch"].positive();
    extra_ = root.has("extra_tokens") ? root["extra_tokens"].integer_in(0, 16) : 1;
    classes_ = root["classes"].positive();
    mask_ = {{"global_tokens", 10}, {"window", 2}, {"seed", 1}};
    if (auto m = root.optional("mask")) {  // how the candidates' masks are generated (cosim-workload/1)
      m->allow_only({"global_tokens", "window", "seed", "note"});
      for (const char* k : {"global_tokens", "window"}) {
        if (auto v = m->optional(k)) mask_[k] = v->integer_in(0, 1 << 20);
      }
      if (auto v = m->optional("seed")) mask_["seed"] = v->integer_in(0, INT64_MAX);
    }
    const JsonField c = root["choices"];
    c.allow_only({"depth", "width", "mlp_ratio", "attention_sparsity", "linear_op"});
    for (const JsonField& d : c["depth"].elements()) depths_.push_back(int(d.integer_in(1, 64)));
    for (const JsonField& w : c["width"].elements()) {
      w.allow_only({"embed", "heads"});
      const int64_t e = w["embed"].integer_in(8, 8192), h = w["heads"].integer_in(1, 128);
      if (e % h) w["heads"].fail("heads must divide embed");
      widths_.push_back({e, h});
    }
    for (const JsonField& m : c["mlp_ratio"].elements()) mlp_.push_back(m.integer_in(1, 16));
    for (const JsonField& a : c["attention_sparsity"].elements()) {
      const double v = a.number();
      if (v < 0 || v >= 1) a.fail("a sparsity in [0, 1) (0: dense attention)");
      sparsity_.push_back(v);
    }
    ops_ = op_list(c["linear_op"]);
    for (const std::string& o : ops_) {
      if (o == "shift+add")
        c["linear_op"].fail("shift+add is a CNN block type; ViT linear layers take one operator");
    }
    for (const char* k : {"depth", "width", "mlp_ratio", "attention_sparsity"}) {
      if (c[k].elements().empty()) c[k].fail("expected at least one option");
    }
    auto names = [](const auto& v, auto f) {
      std::vector<std::string> s;
      for (const auto& x : v) s.push_back(f(x));
      return s;
    };
    genes.push_back({"depth", names(depths_, [](int d) { return std::to_string(d); })});
    genes.push_back({"width", names(widths_, [](auto w) {
                       return std::to_string(w.first) + "/" + std::to_string(w.second) + "h";
                     })});
    genes.push_back({"mlp_ratio", names(mlp_, [](int64_t m) { return std::to_string(m); })});
    genes.push_back({"attention", names(sparsity_, [](double v) {
                       return v == 0 ? std::string("dense") : "sparse" + number_text(v);
                     })});
    max_depth_ = *std::max_element(depths_.begin(), depths_.end());
    for (int b = 0; b < max_depth_; ++b) {
      for (const char* l : {"qkv", "proj", "fc1", "fc2"})
        genes.push_back({"b" + std::to_string(b) + "." + l, ops_});
    }
  }

  // Without a sparse-attention engine a generated mask is ignored and attention runs dense, so every
  // sparsity would cost the same as dense: the gene keeps only "dense".
  void fit_to(const ArchSpec& arch) override {
    ops_ = runnable_operators(ops_, arch, *this, "/choices/linear_op", notes);
    for (size_t g = 4; g < genes.size(); ++g) genes[g].options = ops_;
    if (arch.sparse_attention || (sparsity_.size() == 1 && sparsity_[0] == 0)) return;
    sparsity_ = {0};
    genes[3].options = {"dense"};
    notes.push_back("architecture " + arch.name +
                    " has no sparse-attention engine, so sparse attention would cost the " +
                    "same as dense: the attention_sparsity gene of space " + name + " is fixed at dense (0)");
  }

  Candidate normalize(const Candidate& c) const override {
    Candidate n = c;
    const int depth = depths_[size_t(c[0])];
    for (size_t g = 4 + size_t(depth) * 4; g < n.size(); ++g) n[g] = 0;
    return n;
  }

  nlohmann::json workload(const Candidate& c, const std::string& name) const override {
    const int depth = depths_[size_t(c[0])];
    const auto [embed, heads] = widths_[size_t(c[1])];
    const int64_t hidden = embed * mlp_[size_t(c[2])];
    const double sparsity = sparsity_[size_t(c[3])];
    nlohmann::json layers = nlohmann::json::array();
    layers.push_back({{"name", "patch_embed"},
                      {"type", "conv2d"},
                      {"out_channels", embed},
                      {"kernel", patch_},
                      {"stride", patch_},
                      {"op", "mult"}});
    layers.push_back({{"name", "tokens"}, {"type", "tokens"}, {"extra", extra_}});
    for (int b = 0; b < depth; ++b) {
      auto op = [&](int i) { return ops_[size_t(c[4 + size_t(b) * 4 + size_t(i)])]; };
      nlohmann::json attn = {{"name", "attn"}, {"type", "attention"}, {"heads", heads}};
      if (sparsity > 0) {
        nlohmann::json g = mask_;
        g["sparsity"] = sparsity;
        attn["mask"] = {{"generate", g}};
      }
      layers.push_back({{"name", "block" + std::to_string(b)},
                        {"layers",
                         {{{"name", "ln1"}, {"type", "layernorm"}},
                          {{"name", "qkv"}, {"type", "linear"}, {"out_features", 3 * embed}, {"op", op(0)}},
                          attn,
                          {{"name", "proj"}, {"type", "linear"}, {"out_features", embed}, {"op", op(1)}},
                          {{"name", "res1"}, {"type", "add"}, {"inputs", {"@input", "proj"}}},
                          {{"name", "ln2"}, {"type", "layernorm"}},
                          {{"name", "fc1"}, {"type", "linear"}, {"out_features", hidden}, {"op", op(2)}},
                          {{"name", "gelu"}, {"type", "gelu"}},
                          {{"name", "fc2"}, {"type", "linear"}, {"out_features", embed}, {"op", op(3)}},
                          {{"name", "res2"}, {"type", "add"}, {"inputs", {"res1", "fc2"}}}}}});
    }
    layers.push_back({{"name", "norm"}, {"type", "layernorm"}});
    layers.push_back({{"name", "cls"}, {"type", "pool"}, {"mode", "token"}});
    layers.push_back({{"name", "head"}, {"type", "linear"}, {"out_features", classes_}, {"op", "mult"}});
    return {{"format", "cosim-workload/1"},
            {"name", name},
            {"description", "Candidate " + encode(normalize(c)) + " of search space " + this->name + " (" +
                                file + "): " + describe(c)},
            {"input", input_},
            {"defaults", {{"op", "mult"}, {"bits", bits_}}},
            {"layers", layers}};
  }

 private:
  nlohmann::json input_, bits_, mask_;
  int64_t patch_ = 16, extra_ = 1, classes_ = 1000;
  std::vector<int> depths_;
  std::vector<std::pair<int64_t, int64_t>> widths_;
  std::vector<int64_t> mlp_;
  std::vector<double> sparsity_;
  std::vector<std::string> ops_;
  int max_depth_ = 0;
};

// ---------------------------------------------------------------------------------------------- CNN

class CnnSpace : public SearchSpace {
 public:
  explicit CnnSpace(const JsonField& root) {
    root.allow_only({"format", "name", "kind", "description", "input", "classes", "bits", "stem", "stages",
                     "head", "choices", "proxy", "reference_point", "note"});
    read_common(root, *this);
    input_ = root["input"].raw();
    bits_ = root["bits"].raw();
    classes_ = root["classes"].positive();
    const JsonField stem = root["stem"];
    stem.allow_only({"out_channels", "kernel", "stride", "op"});
    stem_ = {stem["out_channels"].positive(), stem["kernel"].positive(), stem["stride"].positive()};
    stem_op_ = stem["op"].choice({"mult", "shift", "adder"});
    for (const JsonField& st : root["stages"].elements()) {
      st.allow_only({"width", "blocks", "stride"});
      stages_.push_back({st["width"].integer_in(1, 1 << 16), st["blocks"].integer_in(1, 16),
                         st["stride"].integer_in(1, 4)});
    }
    if (stages_.empty()) root["stages"].fail("expected at least one stage");
    const JsonField head = root["head"];
    head.allow_only({"out_channels", "op"});
    head_channels_ = head["out_channels"].integer_in(0, 1 << 16);
    head_op_ = head["op"].choice({"mult", "shift", "adder"});
    const JsonField c = root["choices"];
    c.allow_only({"op", "kernel", "expansion", "skip"});
    ops_ = op_list(c["op"]);
    for (const JsonField& k : c["kernel"].elements()) {
      const int64_t v = k.integer_in(1, 11);
      if (v % 2 == 0) k.fail("an odd kernel (padding keeps the size)");
      kernels_.push_back(v);
    }
    for (const JsonField& e : c["expansion"].elements()) expansions_.push_back(e.integer_in(1, 16));
    if (kernels_.empty()) c["kernel"].fail("expected at least one option");
    if (expansions_.empty()) c["expansion"].fail("expected at least one option");
    skip_ = c.has("skip") ? c["skip"].boolean() : true;
    make_genes();
  }

  void fit_to(const ArchSpec& arch) override {
    ops_ = runnable_operators(ops_, arch, *this, "/choices/op", notes);
    make_genes();
  }

  Candidate normalize(const Candidate& c) const override { return c; }

  nlohmann::json workload(const Candidate& c, const std::string& name) const override {
    nlohmann::json layers = nlohmann::json::array();
    layers.push_back({{"name", "stem"},
                      {"type", "conv2d"},
                      {"out_channels", stem_[0]},
                      {"kernel", stem_[1]},
                      {"stride", stem_[2]},
                      {"padding", stem_[1] / 2},
                      {"op", stem_op_}});
    int64_t channels = stem_[0];
    size_t g = 0;
    const size_t per_op = kernels_.size() * expansions_.size();
    for (size_t s = 0; s < stages_.size(); ++s) {
      for (int64_t b = 0; b < stages_[s].blocks; ++b, ++g) {
        const size_t opt = size_t(c[g]);
        if (opt >= block_options_.size()) continue;  // skipped
        const std::string op = ops_[opt / per_op];
        const int64_t k = kernels_[opt % per_op / expansions_.size()],
                      e = expansions_[opt % expansions_.size()];
        const int64_t stride = b == 0 ? stages_[s].stride : 1, width = stages_[s].width, mid = channels * e;
        const std::string pw = op == "shift+add" ? "shift" : op, dw = op == "shift+add" ? "adder" : op;
        nlohmann::json block = nlohmann::json::array();
        if (e > 1)
          block.push_back(
              {{"name", "expand"}, {"type", "conv2d"}, {"out_channels", mid}, {"kernel", 1}, {"op", pw}});
        block.push_back({{"name", "dw"},
                         {"type", "conv2d"},
                         {"out_channels", mid},
                         {"kernel", k},
                         {"stride", stride},
                         {"padding", k / 2},
                         {"groups", mid},
                         {"op", dw}});
        block.push_back(
            {{"name", "project"}, {"type", "conv2d"}, {"out_channels", width}, {"kernel", 1}, {"op", pw}});
        if (stride == 1 && width == channels)
          block.push_back({{"name", "res"}, {"type", "add"}, {"inputs", {"@input", "project"}}});
        layers.push_back({{"name", genes[g].name}, {"layers", block}});
        channels = width;
      }
    }
    if (head_channels_ > 0) {
      layers.push_back({{"name", "head_conv"},
                        {"type", "conv2d"},
                        {"out_channels", head_channels_},
                        {"kernel", 1},
                        {"op", head_op_}});
    }
    layers.push_back({{"name", "pool"}, {"type", "pool"}, {"mode", "global_avg"}});
    layers.push_back({{"name", "fc"}, {"type", "linear"}, {"out_features", classes_}, {"op", "mult"}});
    return {{"format", "cosim-workload/1"},
            {"name", name},
            {"description",
             "Candidate " + encode(c) + " of search space " + this->name + " (" + file + "): " + describe(c)},
            {"input", input_},
            {"defaults", {{"bits", bits_}}},
            {"layers", layers}};
  }

 private:
  struct Stage {
    int64_t width, blocks, stride;
  };
  nlohmann::json input_, bits_;
  int64_t classes_ = 10, head_channels_ = 0;
  std::array<int64_t, 3> stem_{};
  std::string stem_op_, head_op_;
  std::vector<Stage> stages_;
  // One gene per block: every operator x kernel x expansion, and skip where the block keeps its shape.
  void make_genes() {
    block_options_.clear();
    genes.clear();
    for (const std::string& o : ops_) {
      for (int64_t k : kernels_) {
        for (int64_t e : expansions_)
          block_options_.push_back(o + "/k" + std::to_string(k) + "/e" + std::to_string(e));
      }
    }
    for (size_t s = 0; s < stages_.size(); ++s) {
      for (int64_t b = 0; b < stages_[s].blocks; ++b) {
        std::vector<std::string> opts = block_options_;
        if (skip_ && b > 0) opts.push_back("skip");  // the first block of a stage changes width or stride
        genes.push_back({"s" + std::to_string(s) + "b" + std::to_string(b), opts});
      }
    }
  }

  std::vector<std::string> ops_, block_options_;
  std::vector<int64_t> kernels_, expansions_;
  bool skip_ = true;
};

// A workload pointer the space file's fields produce, as the pointer of that field ("" if none does).
std::string space_pointer(const SearchSpace& s, const std::string& p) {
  const auto under = [&](const std::string& prefix) {
    return p.compare(0, prefix.size(), prefix) == 0 && (p.size() == prefix.size() || p[prefix.size()] == '/');
  };
  if (under("/input")) return p;
  if (under("/defaults/bits")) return "/bits" + p.substr(14);
  if (s.kind == "cnn" && under("/layers/0")) return "/stem" + p.substr(9);
  return "";
}

// Reads the networks of the space's extreme candidates (every gene at its first option, every gene at its
// last), so that a space whose fields make no valid network is refused before a search starts.
void check_candidates_read(const SearchSpace& s) {
  Candidate first(s.genes.size(), 0), last;
  for (const Gene& g : s.genes) last.push_back(int(g.options.size()) - 1);
  for (const Candidate& c : {s.normalize(first), s.normalize(last)}) {
    try {
      read_network(JsonField::from(s.workload(c, s.name + "_check"), s.file));
    } catch (const InputError& e) {
      const std::string at = space_pointer(s, e.path());
      throw InputError(
          s.file, at.empty() ? "/choices" : at,
          e.problem() + (at.empty() ? " (at " + e.path() + " of the network of candidate " + s.encode(c) + ")"
                                    : " (in the network of candidate " + s.encode(c) + ")"));
    }
  }
}

}  // namespace

Candidate random_candidate(const SearchSpace& s, std::mt19937_64& rng) {
  Candidate c;
  for (const Gene& g : s.genes)
    c.push_back(int(std::uniform_int_distribution<size_t>(0, g.options.size() - 1)(rng)));
  return s.normalize(c);
}

std::unique_ptr<SearchSpace> read_space(const std::string& file_or_name, const std::string& data_dir) {
  namespace fs = std::filesystem;
  std::string file = file_or_name;
  if (!fs::exists(file) && file.find('/') == std::string::npos && file.find(".json") == std::string::npos) {
    const fs::path builtin = fs::path(data_dir) / "spaces" / (file + ".json");
    if (fs::exists(builtin)) file = builtin.string();
  }
  const JsonField root = JsonField::load(file);
  if (root["format"].string() != "cosim-space/1") root["format"].fail("expected \"cosim-space/1\"");
  const std::string kind = root["kind"].choice({"cnn", "vit"});
  std::unique_ptr<SearchSpace> s;
  if (kind == "vit")
    s = std::make_unique<VitSpace>(root);
  else
    s = std::make_unique<CnnSpace>(root);
  check_candidates_read(*s);
  return s;
}

}  // namespace cosim
