#include "spec/arch_spec.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <set>
#include <sstream>
#include <stdexcept>

#include "spec/preset_files.hpp"

namespace cosim {

const char* to_string(VectorOp op) {
  switch (op) {
    case VectorOp::Softmax:
      return "softmax";
    case VectorOp::Layernorm:
      return "layernorm";
    case VectorOp::Gelu:
      return "gelu";
    case VectorOp::Add:
      return "add";
    case VectorOp::Pool:
      return "pool";
    case VectorOp::Concat:
      return "concat";
    case VectorOp::Relu:
      return "relu";
    case VectorOp::Clip:
      return "clip";
    case VectorOp::Sigmoid:
      return "sigmoid";
    case VectorOp::Tanh:
      return "tanh";
    case VectorOp::Silu:
      return "silu";
    case VectorOp::HardSigmoid:
      return "hardsigmoid";
    case VectorOp::HardSwish:
      return "hardswish";
    case VectorOp::Mul:
      return "mul";
    case VectorOp::Div:
      return "div";
    case VectorOp::BatchNorm:
      return "batchnorm";
    case VectorOp::Copy:
      return "copy";
  }
  return "?";
}

const ChunkSpec* ArchSpec::chunk_for(OpType op) const {
  for (const ChunkSpec& c : chunks) {
    if (c.op == op) return &c;
  }
  return nullptr;
}

UnitDesc ArchSpec::unit(int index) const {
  UnitDesc u;
  u.index = index;
  if (index >= 0 && index < int(chunks.size())) {
    const ChunkSpec& c = chunks[size_t(index)];
    u.kind = UnitKind::Chunk, u.name = c.name, u.op = c.op, u.pe = c.pe, u.pes = c.pes(), u.idles = true;
    u.sram_bytes = c.input_buffer + c.weight_buffer + c.output_buffer;
  } else if (index == vector_unit_index()) {
    u.kind = UnitKind::Vector, u.name = "vector", u.op = OpType::Mult, u.pes = vector_unit.lanes;
    u.pe.act_bits = u.pe.weight_bits = u.pe.acc_bits = 16;
    u.sram_bytes = vector_unit.buffer;
  } else if (index == sparse_engine_index() && sparse_attention) {
    const SparseAttentionSpec& s = *sparse_attention;
    u.kind = UnitKind::SparseEngine, u.name = "sparse_attn", u.op = OpType::Mult, u.idles = true;
    u.pe = s.pe;
    u.pe.weight_bits = s.pe.act_bits;
    u.pes = s.mac_lines * s.macs_per_line;
    u.sram_bytes = s.q_buffer + s.k_buffer + s.v_buffer + s.index_buffer + s.output_buffer;
  } else {
    throw std::logic_error("no unit " + std::to_string(index) + " in architecture " + name);
  }
  return u;
}

std::string ArchSpec::fingerprint() const {
  nlohmann::json j;
  j["clock_hz"] = clock_hz;
  for (const ChunkSpec& c : chunks) {
    nlohmann::json d = nlohmann::json::array();
    for (Dataflow f : c.dataflows) d.push_back(int(f));
    j["chunks"].push_back({c.name, int(c.op), c.rows, c.cols, c.pe.act_bits, c.pe.weight_bits, c.pe.acc_bits,
                           int(c.pe.overflow), c.pe.frac_bits, d, c.input_buffer, c.weight_buffer,
                           c.output_buffer, c.input_access.value_or(-1), c.weight_access.value_or(-1),
                           c.output_access.value_or(-1), int(c.operand_reads), c.fold_pipelining});
  }
  j["global_buffer"] = {global_buffer.size, global_buffer.rate.bytes, global_buffer.rate.cycles,
                        global_buffer.weights_bypass, global_buffer.access.value_or(-1)};
  j["dram"] = {dram.rate.bytes, dram.rate.cycles, dram.latency_cycles, dram.burst_bytes,
               dram.access.value_or(-1)};
  j["vector_unit"] = {vector_unit.lanes, vector_unit.buffer};
  for (const auto& [op, cost] : vector_unit.ops)
    j["vector_ops"].push_back({int(op), cost.cycles_per_element, cost.actions, cost.energy_pJ_per_element});
  if (sparse_attention) {
    const SparseAttentionSpec& s = *sparse_attention;
    j["sparse_attention"] = {
        s.mac_lines, s.macs_per_line, s.pe.act_bits,  s.pe.acc_bits,   int(s.pe.overflow), s.q_buffer,
        s.k_buffer,  s.v_buffer,      s.index_buffer, s.output_buffer, s.global_threshold, s.polarize,
        s.encoder,   s.ratio_num,     s.ratio_den,    s.use,           s.gather_lines};
  }
  j["technology"] = technology.content;
  return j.dump();
}

std::vector<UnitDesc> ArchSpec::units() const {
  std::vector<UnitDesc> v;
  for (int i = 0; i < unit_count(); ++i) v.push_back(unit(i));
  return v;
}

namespace {

// Bandwidth in bytes per cycle; a rate in B/s is divided by the clock.
// Bandwidths and delays are kept to ranges where cycle counts of whole networks stay exact 64-bit integers.
ByteRate bytes_per_cycle(const JsonField& f, double clock_hz) {
  Quantity q = f.quantity(Dimension::Bandwidth);
  const double b = q.per_cycle ? q.value : q.value / clock_hz;
  if (b < 1e-3 || b > 1e9) {
    std::ostringstream t;
    t << "bandwidth of " << b << " bytes per cycle is outside [0.001, 1e9]";
    f.fail(t.str());
  }
  return byte_rate(b);
}

// Time in whole cycles, rounded up (a delay is never shorter than written).
uint64_t cycles(const JsonField& f, double clock_hz) {
  Quantity q = f.quantity(Dimension::Time);
  double c = q.per_cycle ? q.value : q.value * clock_hz;
  if (c > 1e9) {
    std::ostringstream t;
    t << "a delay of " << c << " cycles is more than the 1e9 this simulator accepts";
    f.fail(t.str());
  }
  return static_cast<uint64_t>(std::ceil(c - 1e-9));
}

// `access_energy` of a memory: {"bits": B, NAME: "<energy>", ...}, the energy of one access of B bits (64
// unless given) of each memory NAME, as pJ per byte. Memories not named keep the technology table's curve.
std::vector<AccessEnergy> read_access_energy(const JsonField& f, const std::vector<std::string>& names) {
  std::vector<std::string> allowed = names;
  allowed.push_back("bits"), allowed.push_back("note");
  f.allow_only(allowed);
  const int64_t bits = f.has("bits") ? f["bits"].integer_in(1, 4096) : 64;
  std::vector<AccessEnergy> out;
  for (const std::string& name : names) {
    std::optional<JsonField> e = f.optional(name);
    if (!e) {
      out.emplace_back();
      continue;
    }
    const double pJ = e->quantity(Dimension::Energy).value / 1e-12;
    // One access of a buffer costs far below a microjoule; a figure beyond is a typo.
    if (!(pJ >= 0 && pJ <= 1e6))
      e->fail("expected an energy in [0, 1e6] pJ, found " + JsonField::describe(e->raw()));
    out.emplace_back(pJ / (double(bits) / 8.0));
  }
  return out;
}

// `access_energy` of the global buffer or DRAM: {"bits": B, "value": "<energy>"}.
AccessEnergy read_memory_access_energy(const JsonField& f) {
  f["value"];  // required
  return read_access_energy(f, {"value"})[0];
}

ChunkSpec read_chunk(const JsonField& c) {
  // Fields of a chunk. Defaults: overflow "wrap", frac_bits 0, operand_reads "array_edge", no access_energy,
  // fold_pipelining false.
  c.allow_only({"name", "op", "rows", "cols", "bits", "overflow", "frac_bits", "dataflows", "buffers",
                "operand_reads", "fold_pipelining", "access_energy", "note"});
  ChunkSpec s;
  s.pointer = c.pointer();
  s.name = c["name"].string();
  // Chunk names become SystemC module names and the middle of sweep field paths (chunks.NAME.rows).
  const bool plain =
      !s.name.empty() && s.name.size() <= 64 && std::all_of(s.name.begin(), s.name.end(), [](char ch) {
        return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '-';
      });
  if (!plain) {
    c["name"].fail("a chunk name is 1 to 64 letters, digits, '_' or '-', found " +
                   JsonField::describe(c["name"].raw()));
  }
  s.op = op_from_string(c["op"].choice({"mult", "shift", "adder"}));
  s.rows = static_cast<int>(c["rows"].integer_in(1, 4096));
  s.cols = static_cast<int>(c["cols"].integer_in(1, 4096));
  JsonField bits = c["bits"];
  bits.allow_only({"act", "weight", "acc"});
  s.pe.act_bits = static_cast<int>(bits["act"].integer_in(2, 16));
  s.pe.weight_bits = static_cast<int>(bits["weight"].integer_in(2, 16));
  s.pe.acc_bits = static_cast<int>(bits["acc"].integer_in(4, 48));
  if (s.pe.acc_bits < s.pe.act_bits) {
    bits["acc"].fail("accumulator (" + std::to_string(s.pe.acc_bits) +
                     " bits) narrower than the activation (" + std::to_string(s.pe.act_bits) + " bits)");
  }
  if (s.op == OpType::Shift && s.pe.weight_bits > 7) {
    bits["weight"].fail(
        "a shift weight is 1 sign bit + exponent bits; exponents beyond 63 (weight > 7 bits) make no sense, "
        "found " +
        std::to_string(s.pe.weight_bits));
  }
  if (auto o = c.optional("overflow")) {
    s.pe.overflow = o->choice({"wrap", "saturate"}) == "wrap" ? Overflow::Wrap : Overflow::Saturate;
  }
  if (auto f = c.optional("frac_bits")) {
    if (s.op != OpType::Shift) f->fail("frac_bits applies to shift chunks only");
    s.pe.frac_bits = static_cast<int>(f->integer_in(0, 16));
  }
  if (s.pe.act_bits + s.pe.frac_bits > s.pe.acc_bits) {
    c["bits"]["acc"].fail("accumulator narrower than activation + frac_bits");
  }
  std::set<Dataflow> seen;
  for (const JsonField& d : c["dataflows"].elements()) {
    Dataflow df = dataflow_from_string(d.choice(dataflow_names()));
    if (!seen.insert(df).second) d.fail("dataflow listed twice");
    if (df == Dataflow::OutputStationaryTransposed &&
        (s.op == OpType::Shift || s.pe.act_bits != s.pe.weight_bits))
      d.fail(
          "output_stationary_transposed feeds the weights through the activation port and back: it needs a "
          "PE whose operation commutes (mult or adder, not shift) and act and weight of one width");
    s.dataflows.push_back(df);
  }
  if (s.dataflows.empty()) c["dataflows"].fail("expected at least one dataflow");
  JsonField b = c["buffers"];
  b.allow_only({"input", "weight", "output"});
  s.input_buffer = b["input"].bytes();
  s.weight_buffer = b["weight"].bytes();
  s.output_buffer = b["output"].bytes();
  if (auto r = c.optional("operand_reads")) {
    if (r->choice({"array_edge", "every_operation"}) == "every_operation")
      s.operand_reads = OperandReads::EveryOperation;
  }
  if (auto p = c.optional("fold_pipelining")) s.fold_pipelining = p->boolean();
  if (auto e = c.optional("access_energy")) {
    const std::vector<AccessEnergy> v = read_access_energy(*e, {"input", "weight", "output"});
    s.input_access = v[0], s.weight_access = v[1], s.output_access = v[2];
  }
  return s;
}

// The cost of a vector operation the architecture does not describe: fp16 arithmetic per element, one lane
// step per arithmetic stage (documented in docs/architecture-format.md). Softmax: max, exp (polynomial), sum
// and scale by the reciprocal; layernorm: mean, variance, normalize and scale; GELU: its tanh approximation;
// pool: one compare or add per window element; concat and copy: moves whose energy is the data movement
// alone. Activations: relu one compare, clip two; sigmoid and tanh an exp polynomial and a reciprocal; silu
// and hardswish their gate times the input; hardsigmoid a scale, an offset and a clamp; batchnorm one scale
// and one shift (statistics folded); div a reciprocal (Newton step) and a multiply.
struct DefaultVectorOp {
  int cycles_per_element;
  std::map<std::string, double> actions;
};
const std::map<VectorOp, DefaultVectorOp>& default_vector_ops() {
  static const std::map<VectorOp, DefaultVectorOp> ops = {
      {VectorOp::Softmax, {4, {{"fp16_add", 4}, {"fp16_mult", 4}}}},
      {VectorOp::Layernorm, {3, {{"fp16_add", 3}, {"fp16_mult", 3}}}},
      {VectorOp::Gelu, {2, {{"fp16_add", 2}, {"fp16_mult", 4}}}},
      {VectorOp::Add, {1, {{"fp16_add", 1}}}},
      {VectorOp::Pool, {1, {{"fp16_add", 1}}}},
      {VectorOp::Concat, {1, {}}},
      {VectorOp::Relu, {1, {{"fp16_add", 1}}}},
      {VectorOp::Clip, {1, {{"fp16_add", 2}}}},
      {VectorOp::Sigmoid, {3, {{"fp16_add", 3}, {"fp16_mult", 4}}}},
      {VectorOp::Tanh, {3, {{"fp16_add", 4}, {"fp16_mult", 4}}}},
      {VectorOp::Silu, {3, {{"fp16_add", 3}, {"fp16_mult", 5}}}},
      {VectorOp::HardSigmoid, {2, {{"fp16_add", 3}, {"fp16_mult", 1}}}},
      {VectorOp::HardSwish, {2, {{"fp16_add", 3}, {"fp16_mult", 2}}}},
      {VectorOp::Mul, {1, {{"fp16_mult", 1}}}},
      {VectorOp::Div, {2, {{"fp16_add", 1}, {"fp16_mult", 3}}}},
      {VectorOp::BatchNorm, {1, {{"fp16_add", 1}, {"fp16_mult", 1}}}},
      {VectorOp::Copy, {1, {}}}};
  return ops;
}

std::string action_names(const Technology& tech) {
  std::string known;
  for (const auto& n : tech.action_names()) known += (known.empty() ? "" : ", ") + n;
  return known;
}

VectorOpCost default_vector_op_cost(VectorOp op, const JsonField& at, const Technology& tech) {
  const DefaultVectorOp& d = default_vector_ops().at(op);
  VectorOpCost cost;
  cost.cycles_per_element = d.cycles_per_element;
  for (const auto& [action, count] : d.actions) {
    if (!tech.has_action(action)) {
      at.fail(std::string("the default cost of ") + to_string(op) + " needs the action \"" + action +
              "\", which the technology table lacks (it has: " + action_names(tech) + "); describe ops." +
              to_string(op) + " here");
    }
    cost.actions[action] = count;
    cost.energy_pJ_per_element += count * tech.action_pJ(action);
  }
  return cost;
}

VectorOpCost read_vector_op_cost(const JsonField& o, const Technology& tech) {
  o.allow_only({"cycles_per_element", "actions", "note"});
  VectorOpCost cost;
  cost.cycles_per_element = static_cast<int>(o["cycles_per_element"].integer_in(1, 1000));
  JsonField actions = o["actions"];
  if (!actions.is_object())
    actions.fail("expected an object of action counts, found " + JsonField::describe(actions.raw()));
  for (const auto& [name, a] : actions.members()) {
    if (!tech.has_action(name))
      a.fail("unknown action \"" + name + "\"; the technology table has: " + action_names(tech));
    double count = a.number();
    if (count < 0 || count > 1e6)
      a.fail("expected a count in [0, 1e6], found " + JsonField::describe(a.raw()));
    cost.actions[name] = count;
    cost.energy_pJ_per_element += count * tech.action_pJ(name);
  }
  return cost;
}

VectorUnitSpec read_vector_unit(const JsonField& v, const Technology& tech) {
  v.allow_only({"lanes", "buffer", "ops", "note"});
  VectorUnitSpec s;
  s.lanes = static_cast<int>(v["lanes"].integer_in(1, 65536));
  s.buffer = v["buffer"].bytes();
  const std::optional<JsonField> ops = v.optional("ops");
  if (ops) {
    std::vector<std::string> names;
    for (VectorOp op : kVectorOps) names.push_back(to_string(op));
    ops->allow_only(names);
  }
  for (VectorOp op : kVectorOps) {
    if (ops && ops->has(to_string(op)))
      s.ops[op] = read_vector_op_cost((*ops)[to_string(op)], tech);
    else
      s.ops[op] = default_vector_op_cost(op, ops ? *ops : v, tech);
  }
  return s;
}

// Line-beats per cycle a gather port of `gather_bandwidth` serves: a beat streams macs_per_line operands of
// the gathered row into a line. At most every line; at least one beat wide.
int gather_lines(const JsonField& g, double clock_hz, const SparseAttentionSpec& s) {
  const ByteRate rate = bytes_per_cycle(g, clock_hz);
  const uint64_t beat_bytes = (uint64_t(s.macs_per_line) * uint64_t(s.pe.act_bits) + 7) / 8;
  const uint64_t lines = rate.bytes / (rate.cycles * beat_bytes);
  if (lines == 0) {
    g.fail("a gather port narrower than one beat of a MAC line (" + std::to_string(beat_bytes) +
           " B: macs_per_line operands of bits.act bits)");
  }
  return int(std::min<uint64_t>(lines, uint64_t(s.mac_lines)));
}

// Fields of the sparse-attention engine. Defaults: ViTCoD's 64 lines x 8 MACs, threshold 50, polarization and
// the encoder on with ratio 2/3, overflow "wrap".
SparseAttentionSpec read_sparse_attention(const JsonField& f, double clock_hz) {
  f.allow_only({"mac_lines", "macs_per_line", "bits", "overflow", "buffers", "gather_bandwidth",
                "global_threshold", "polarize", "encoder", "note"});
  SparseAttentionSpec s;
  if (auto v = f.optional("mac_lines")) s.mac_lines = int(v->integer_in(2, 65536));  // a line per engine
  if (auto v = f.optional("macs_per_line")) s.macs_per_line = int(v->integer_in(1, 1024));
  JsonField bits = f["bits"];
  bits.allow_only({"act", "acc"});
  s.pe.act_bits = int(bits["act"].integer_in(2, 16));
  s.pe.weight_bits = s.pe.act_bits;
  s.pe.acc_bits = int(bits["acc"].integer_in(4, 48));
  if (s.pe.acc_bits < 2 * s.pe.act_bits) {
    bits["acc"].fail("accumulator (" + std::to_string(s.pe.acc_bits) + " bits) narrower than one product (" +
                     std::to_string(2 * s.pe.act_bits) + " bits)");
  }
  if (auto o = f.optional("overflow")) {
    s.pe.overflow = o->choice({"wrap", "saturate"}) == "wrap" ? Overflow::Wrap : Overflow::Saturate;
  }
  if (auto g = f.optional("gather_bandwidth")) s.gather_lines = gather_lines(*g, clock_hz, s);
  JsonField b = f["buffers"];
  b.allow_only({"q", "k", "v", "index", "output"});
  s.q_buffer = b["q"].bytes();
  s.k_buffer = b["k"].bytes();
  s.v_buffer = b["v"].bytes();
  s.index_buffer = b["index"].bytes();
  s.output_buffer = b["output"].bytes();
  if (auto v = f.optional("global_threshold")) s.global_threshold = int(v->integer_in(0, 1 << 20));
  if (auto v = f.optional("polarize")) s.polarize = v->boolean();
  if (auto e = f.optional("encoder")) {
    e->allow_only({"enabled", "ratio", "note"});
    if (auto v = e->optional("enabled")) s.encoder = v->boolean();
    if (auto r = e->optional("ratio")) {
      // "2/3" exactly, or a number in (0, 1].
      if (r->is_string()) {
        const std::string t = r->string();
        const auto slash = t.find('/');
        const auto whole = [](const std::string& x) {
          return !x.empty() && x.size() <= 9 && std::all_of(x.begin(), x.end(), ::isdigit);
        };
        try {
          if (slash == std::string::npos || !whole(t.substr(0, slash)) || !whole(t.substr(slash + 1)))
            throw std::invalid_argument(t);
          s.ratio_num = std::stoll(t.substr(0, slash));
          s.ratio_den = std::stoll(t.substr(slash + 1));
        } catch (const std::exception&) {
          r->fail("expected a fraction such as \"2/3\" or a number in (0, 1], found \"" + t + "\"");
        }
      } else {
        const double x = r->number();
        s.ratio_num = std::llround(x * 1000000);
        s.ratio_den = 1000000;
      }
      if (s.ratio_num <= 0 || s.ratio_den <= 0 || s.ratio_num > s.ratio_den) {
        r->fail("the compression ratio must be in (0, 1], found " + JsonField::describe(r->raw()));
      }
    }
  }
  return s;
}

// A technology table named by a string: a file relative to the architecture file that names it, or the name
// of a table shipped in arch/tech/ ("45nm").
std::string technology_path(const JsonField& t) {
  const std::string base = std::filesystem::path(t.file()).parent_path().string();
  try {
    return resolve_preset(t.string(), base.empty() ? "." : base, shipped_data_dir(), "arch/tech");
  } catch (const InputError& e) {
    t.fail("technology \"" + t.string() + "\": " + e.problem() +
           "; a relative path is read from the folder of " + t.file());
  }
}

}  // namespace

nlohmann::json with_portable_technology(nlohmann::json doc, const std::string& arch_file) {
  namespace fs = std::filesystem;
  // The editor's schema reference, relative to the file it came from, follows the document too.
  if (doc.contains("$schema") && doc["$schema"].is_string()) {
    const fs::path schema = fs::path(arch_file).parent_path() / doc["$schema"].get<std::string>();
    std::error_code ec;
    if (fs::path(doc["$schema"].get<std::string>()).is_relative() && fs::is_regular_file(schema, ec))
      doc["$schema"] = fs::absolute(schema).lexically_normal().string();
  }
  if (!doc.contains("technology") || !doc["technology"].is_string()) return doc;
  const JsonField t = JsonField::from(doc, arch_file)["technology"];
  const fs::path named = t.string();
  const fs::path beside = named.is_absolute() ? named : fs::path(arch_file).parent_path() / named;
  if (!fs::is_regular_file(beside)) {
    technology_path(t);  // a preset name (kept as it is), or an InputError
    return doc;
  }
  doc["technology"] = fs::absolute(beside).lexically_normal().string();
  return doc;
}

ArchSpec read_arch(const std::string& file) {
  return read_arch(JsonField::load(file));
}

ArchSpec read_arch(const JsonField& root) {
  root.allow_only({"format", "name", "description", "clock", "chunks", "global_buffer", "dram", "vector_unit",
                   "sparse_attention", "technology"});
  root["format"].choice({"cosim-arch/1"});
  ArchSpec a;
  a.file = root.file();
  a.name = root["name"].string();
  if (auto d = root.optional("description")) a.description = d->string();
  a.clock_hz = root["clock"].quantity(Dimension::Frequency).value;
  if (a.clock_hz < 1e3 || a.clock_hz > 1e11) root["clock"].fail("expected a clock between 1 kHz and 100 GHz");

  // The technology table: a preset name, a path relative to this file, or an inline object.
  JsonField t = root["technology"];
  if (t.is_string()) {
    a.technology_file = technology_path(t);
    a.technology = Technology::read(JsonField::load(a.technology_file));
  } else {
    a.technology_file = root.file();
    a.technology = Technology::read(t);
  }

  std::set<std::string> names;
  for (const JsonField& c : root["chunks"].elements()) {
    ChunkSpec chunk = read_chunk(c);
    if (!names.insert(chunk.name).second) c["name"].fail("chunk name \"" + chunk.name + "\" used twice");
    a.chunks.push_back(chunk);
  }
  if (a.chunks.empty()) root["chunks"].fail("expected at least one chunk");

  JsonField g = root["global_buffer"];
  g.allow_only({"size", "bandwidth", "bypass", "access_energy", "note"});
  a.global_buffer.size = g["size"].bytes();
  a.global_buffer.rate = bytes_per_cycle(g["bandwidth"], a.clock_hz);
  if (g.has("bypass")) {
    // Only weights may bypass: activations flow between layers through the global buffer.
    for (const JsonField& t : g["bypass"].elements())
      a.global_buffer.weights_bypass |= t.choice({"weights"}) == "weights";
  }
  if (auto e = g.optional("access_energy")) a.global_buffer.access = read_memory_access_energy(*e);

  JsonField d = root["dram"];
  d.allow_only({"bandwidth", "latency", "burst", "access_energy", "note"});
  a.dram.rate = bytes_per_cycle(d["bandwidth"], a.clock_hz);
  a.dram.latency_cycles = cycles(d["latency"], a.clock_hz);
  a.dram.burst_bytes = d["burst"].bytes();
  if (auto e = d.optional("access_energy")) a.dram.access = read_memory_access_energy(*e);

  a.vector_unit = read_vector_unit(root["vector_unit"], a.technology);
  if (auto sa = root.optional("sparse_attention"))
    a.sparse_attention = read_sparse_attention(*sa, a.clock_hz);
  return a;
}

}  // namespace cosim
