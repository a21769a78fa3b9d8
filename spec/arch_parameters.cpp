#include "spec/arch_parameters.hpp"

#include <cmath>
#include <cstdlib>
#include <map>
#include <set>

#include <fmt/format.h>

#include "spec/arch_spec.hpp"
#include "spec/input_error.hpp"

namespace cosim {

namespace {

constexpr size_t kMaxValues = 10000;  // values one parameter may have

std::string keys_of(const nlohmann::json& j) {
  std::string k;
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) k += (k.empty() ? "" : ", ") + it.key();
  } else {
    for (const auto& e : j) {
      if (e.is_object() && e.contains("name") && e["name"].is_string())
        k += (k.empty() ? "" : ", ") + e["name"].get<std::string>();
    }
  }
  return k;
}

// "chunks.mac.rows" -> /chunks/<index of the chunk named mac>/rows. Objects are entered by key, arrays by an
// element's "name" or by index. The last key may be absent from the base (an optional field); the
// architecture reader then judges it.
nlohmann::json::json_pointer resolve_field(const nlohmann::json& arch, const std::string& path,
                                           const std::string& source, const std::string& pointer) {
  nlohmann::json::json_pointer ptr;
  const nlohmann::json* cur = &arch;
  const std::vector<std::string> segs = split_list(path, '.');
  std::string walked;
  for (size_t i = 0; i < segs.size(); ++i) {
    const std::string& seg = segs[i];
    const bool last = i + 1 == segs.size();
    if (seg.empty()) throw InputError(source, pointer, "\"" + path + "\" has an empty field name");
    if (cur && cur->is_object()) {
      if (cur->contains(seg)) {
        ptr /= seg, cur = &(*cur)[seg];
      } else if (last) {
        ptr /= seg, cur = nullptr;
      } else {
        throw InputError(
            source, pointer,
            fmt::format("unknown field \"{}\": the architecture has no \"{}\" in {} (it has: {})", path, seg,
                        walked.empty() ? "its top level" : walked, keys_of(*cur)));
      }
    } else if (cur && cur->is_array()) {
      size_t k = 0;
      while (k < cur->size() && !((*cur)[k].is_object() && (*cur)[k].value("name", "") == seg)) ++k;
      // An index: at most 9 digits (no array of an architecture is near that long; more would overflow).
      if (k == cur->size() && !seg.empty() && seg.size() <= 9 &&
          seg.find_first_not_of("0123456789") == std::string::npos && std::stoul(seg) < cur->size()) {
        k = std::stoul(seg);
      }
      if (k == cur->size()) {
        throw InputError(source, pointer,
                         fmt::format("unknown field \"{}\": {} has no element named \"{}\" (names: {})", path,
                                     walked, seg, keys_of(*cur)));
      }
      ptr /= k, cur = &(*cur)[k];
    } else {
      throw InputError(
          source, pointer,
          fmt::format("unknown field \"{}\": {} is a single value, not an object", path, walked));
    }
    walked += (walked.empty() ? "" : ".") + seg;
  }
  return ptr;
}

nlohmann::json number_value(double v, bool integral) {
  if (integral) return int64_t(std::llround(v));
  return v;
}

std::vector<nlohmann::json> read_set_values(const std::string& text, const std::string& name,
                                            const std::string& option) {
  std::vector<nlohmann::json> values;
  std::set<std::string> seen;
  for (const std::string& part : split_list(text, ',')) {
    if (part.empty()) throw InputError(option, name, "empty value in \"" + text + "\"");
    nlohmann::json v = nlohmann::json::parse(part, nullptr, false);
    if (v.is_discarded()) v = part;
    if (!seen.insert(v.dump()).second)
      throw InputError(option, name, "the value " + JsonField::describe(v) + " is listed twice");
    values.push_back(v);
  }
  return values;
}

}  // namespace

std::vector<std::string> split_list(const std::string& s, char sep) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (;;) {
    const size_t at = s.find(sep, start);
    parts.push_back(s.substr(start, at - start));
    if (at == std::string::npos) return parts;
    start = at + 1;
  }
}

std::vector<nlohmann::json> read_parameter_values(const JsonField& f) {
  std::vector<nlohmann::json> values;
  if (f.is_array()) {
    for (const JsonField& e : f.elements()) values.push_back(e.raw());
  } else if (f.is_object()) {
    f.allow_only({"from", "to", "step", "factor", "unit"});
    const double from = f["from"].number(), to = f["to"].number();
    const auto step = f.optional("step"), factor = f.optional("factor");
    if (bool(step) == bool(factor))
      f.fail("give exactly one of \"step\" (added) and \"factor\" (multiplied)");
    if (to < from)
      f["to"].fail(fmt::format("the range is empty: \"to\" ({}) is below \"from\" ({})", to, from));
    const double by = step ? step->positive_number() : factor->number();
    if (factor && !(by > 1)) factor->fail("expected a factor above 1");
    if (factor && !(from > 0)) f["from"].fail("a range with a factor must start above 0");
    const bool integral = std::floor(from) == from && std::floor(by) == by;
    const std::string unit = f.optional("unit") ? f["unit"].string() : "";
    for (size_t k = 0;; ++k) {
      // From the start each time, rounded to 12 digits: 25.6 + 2 x 25.6 is 76.8, not 76.80000000000001.
      // strtod, not stod: a value that underflows to a subnormal (1e-310) is a value, not an exception.
      const double v = std::strtod(
          fmt::format("{:.12g}", step ? from + double(k) * by : from * std::pow(by, k)).c_str(), nullptr);
      if (v > to * (1 + 1e-12) + 1e-12) break;
      if (values.size() == kMaxValues) f.fail(fmt::format("the range has more than {} values", kMaxValues));
      nlohmann::json x = number_value(v, integral);
      values.push_back(unit.empty() ? x : nlohmann::json(fmt::format("{} {}", x.dump(), unit)));
    }
  } else {
    f.fail("expected a list of values or a range {\"from\", \"to\", \"step\" or \"factor\"}");
  }
  if (values.empty()) f.fail("the list of values is empty");
  std::set<std::string> seen;
  for (const auto& v : values) {
    if (!seen.insert(v.dump()).second) f.fail("the value " + JsonField::describe(v) + " is listed twice");
  }
  return values;
}

ArchParameter read_parameter_assignment(const std::string& text, const std::string& option) {
  const size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0)
    throw InputError(option, text, "expected FIELD=VALUE[,VALUE...], e.g. chunks.mac.rows=8,16,32");
  ArchParameter p;
  p.name = text.substr(0, eq), p.source = option, p.pointer = p.name;
  p.values = read_set_values(text.substr(eq + 1), p.name, option);
  return p;
}

void set_parameter(std::vector<ArchParameter>& params, ArchParameter p) {
  for (ArchParameter& q : params) {
    if (q.name == p.name) {
      q = std::move(p);
      return;
    }
  }
  params.push_back(std::move(p));
}

void resolve_parameters(std::vector<ArchParameter>& params, const nlohmann::json& arch,
                        const std::string& arch_file) {
  std::map<std::string, std::string> owner;  // field pointer -> parameter
  for (ArchParameter& p : params) {
    p.fields.clear();
    for (const std::string& path : split_list(p.name, '+')) {
      p.fields.push_back(resolve_field(arch, path, p.source, p.pointer));
      const std::string f = p.fields.back().to_string();
      if (owner.count(f))
        throw InputError(p.source, p.pointer, "\"" + path + "\" is already swept by \"" + owner[f] + "\"");
      owner[f] = p.name;
    }
    for (const nlohmann::json& v : p.values) {
      nlohmann::json doc = arch;
      for (const auto& f : p.fields) doc[f] = v;
      try {
        read_arch(JsonField::from(doc, arch_file));
      } catch (const InputError& e) {
        throw InputError(
            p.source, p.pointer,
            "the architecture rejects " + JsonField::describe(v) + ": " + e.path() + ": " + e.problem());
      }
    }
  }
}

nlohmann::json with_parameters(const nlohmann::json& arch, const std::vector<ArchParameter>& params,
                               const std::vector<size_t>& choice, nlohmann::json* assignments) {
  nlohmann::json doc = arch;
  if (assignments) *assignments = nlohmann::json::object();
  for (size_t k = 0; k < params.size(); ++k) {
    const ArchParameter& p = params[k];
    for (const auto& f : p.fields) doc[f] = p.values.at(choice.at(k));
    if (assignments) (*assignments)[p.name] = p.values.at(choice.at(k));
  }
  return doc;
}

}  // namespace cosim
