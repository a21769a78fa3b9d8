#include "spec/technology.hpp"

#include <algorithm>
#include <cmath>

namespace cosim {

namespace {

constexpr double kPico = 1e-12;
constexpr double kMaxTableFigure = 1e6;

// Reads {"value": "<q>", "source": "<key>"} and checks the source is a known citation.
double sourced_value(const JsonField& f, Dimension d, double unit,
                     const std::map<std::string, std::string>& sources) {
  f.allow_only({"value", "source", "bits", "size", "note"});
  std::string src = f["source"].string();
  if (!sources.count(src)) f["source"].fail("source \"" + src + "\" is not listed under /sources");
  const double v = f["value"].quantity(d).value / unit;
  // Every figure of a technology table is per operation, access, cycle, PE or KiB: far below 1e6 pJ or um2.
  if (!(v >= 0 && v <= kMaxTableFigure)) {
    f["value"].fail("expected a figure in [0, 1e6] " + std::string(d == Dimension::Energy ? "pJ" : "um2") +
                    ", found " + JsonField::describe(f["value"].raw()));
  }
  return v;
}

std::vector<BitsPoint> bits_table(const JsonField& f, Dimension d, double unit,
                                  const std::map<std::string, std::string>& sources) {
  std::vector<BitsPoint> out;
  for (const JsonField& e : f.elements()) {
    out.push_back({static_cast<int>(e["bits"].integer_in(1, 64)), sourced_value(e, d, unit, sources)});
  }
  if (out.empty()) f.fail("expected at least one {\"bits\", \"value\", \"source\"} entry");
  std::sort(out.begin(), out.end(), [](const BitsPoint& a, const BitsPoint& b) { return a.bits < b.bits; });
  for (size_t i = 1; i < out.size(); ++i) {
    if (out[i].bits == out[i - 1].bits) f.fail("two entries for " + std::to_string(out[i].bits) + " bits");
  }
  return out;
}

}  // namespace

Technology Technology::read(const JsonField& root) {
  // "$schema" too when the table is inline (copied from a file that names its schema).
  root.allow_only({"$schema", "format", "node", "description", "sources", "energy", "area"});
  if (auto schema = root.optional("$schema")) schema->string();
  root["format"].choice({"cosim-technology/1"});
  Technology t;
  t.content = root.raw().dump();
  t.node = root["node"].string();
  JsonField src = root["sources"];
  for (const auto& [key, citation] : src.members()) t.sources[key] = citation.string();
  if (t.sources.empty()) src.fail("expected at least one citation");

  JsonField e = root["energy"];
  e.allow_only({"int_add", "int_mult", "shift", "actions", "sram_access_64b", "dram_access_64b",
                "pe_idle_per_cycle", "pe_leakage_per_cycle", "sram_leakage_per_KiB_per_cycle"});
  t.int_add_ = bits_table(e["int_add"], Dimension::Energy, kPico, t.sources);
  t.int_mult_ = bits_table(e["int_mult"], Dimension::Energy, kPico, t.sources);
  t.shift_ = bits_table(e["shift"], Dimension::Energy, kPico, t.sources);
  JsonField actions = e["actions"];
  for (const auto& [key, action] : actions.members()) {
    t.actions_[key] = sourced_value(action, Dimension::Energy, kPico, t.sources);
  }
  for (const JsonField& s : e["sram_access_64b"].elements()) {
    t.sram_.push_back(
        {static_cast<double>(s["size"].bytes()), sourced_value(s, Dimension::Energy, kPico, t.sources)});
  }
  if (t.sram_.empty())
    e["sram_access_64b"].fail("expected at least one {\"size\", \"value\", \"source\"} entry");
  std::sort(t.sram_.begin(), t.sram_.end(),
            [](const SizePoint& a, const SizePoint& b) { return a.bytes < b.bytes; });
  t.dram_access_64b_ = sourced_value(e["dram_access_64b"], Dimension::Energy, kPico, t.sources);
  t.pe_idle_ = sourced_value(e["pe_idle_per_cycle"], Dimension::Energy, kPico, t.sources);
  t.pe_leakage_ = sourced_value(e["pe_leakage_per_cycle"], Dimension::Energy, kPico, t.sources);
  t.sram_leakage_ = sourced_value(e["sram_leakage_per_KiB_per_cycle"], Dimension::Energy, kPico, t.sources);

  JsonField a = root["area"];
  a.allow_only({"int_add", "int_mult", "shift", "sram_per_KiB"});
  t.area_add_ = bits_table(a["int_add"], Dimension::Area, kPico, t.sources);  // m^2 -> um^2 is also 1e-12
  t.area_mult_ = bits_table(a["int_mult"], Dimension::Area, kPico, t.sources);
  t.area_shift_ = bits_table(a["shift"], Dimension::Area, kPico, t.sources);
  t.area_sram_per_KiB_ = sourced_value(a["sram_per_KiB"], Dimension::Area, kPico, t.sources);
  return t;
}

std::vector<std::string> Technology::action_names() const {
  std::vector<std::string> names;
  for (const auto& [k, v] : actions_) names.push_back(k);
  return names;
}

double Technology::by_bits(const std::vector<BitsPoint>& table, int bits, int exponent) {
  if (bits <= table.front().bits) {
    return table.front().value * std::pow(double(bits) / table.front().bits, exponent);
  }
  if (bits >= table.back().bits) {
    return table.back().value * std::pow(double(bits) / table.back().bits, exponent);
  }
  for (size_t i = 1; i < table.size(); ++i) {
    if (bits <= table[i].bits) {
      const BitsPoint& lo = table[i - 1];
      const BitsPoint& hi = table[i];
      double f = double(bits - lo.bits) / (hi.bits - lo.bits);
      return lo.value + f * (hi.value - lo.value);
    }
  }
  return table.back().value;
}

double Technology::sram_access_64b_pJ(uint64_t bytes) const {
  double b = static_cast<double>(bytes);
  if (b <= sram_.front().bytes) return sram_.front().value;
  if (b >= sram_.back().bytes) return sram_.back().value;
  for (size_t i = 1; i < sram_.size(); ++i) {
    if (b <= sram_[i].bytes) {
      const SizePoint& lo = sram_[i - 1];
      const SizePoint& hi = sram_[i];
      double f = std::log(b / lo.bytes) / std::log(hi.bytes / lo.bytes);
      return std::exp(std::log(lo.value) + f * (std::log(hi.value) - std::log(lo.value)));
    }
  }
  return sram_.back().value;
}

}  // namespace cosim
