#include "spec/json_reader.hpp"

#include <filesystem>

#include <cmath>
#include <fstream>
#include <sstream>

#include "spec/strict_json.hpp"

namespace cosim {

namespace {

std::string escape_pointer_token(const std::string& key) {
  std::string out;
  for (char c : key) {
    if (c == '~')
      out += "~0";
    else if (c == '/')
      out += "~1";
    else
      out += c;
  }
  return out;
}

}  // namespace

JsonField JsonField::load(const std::string& file) {
  std::error_code ec;
  if (std::filesystem::is_directory(file, ec)) throw InputError(file, "", "is a directory, not a JSON file");
  const uintmax_t size = std::filesystem::file_size(file, ec);
  if (!ec && size > kMaxJsonBytes) {
    throw InputError(file, "",
                     "the file has " + std::to_string(size) + " bytes; cosim reads JSON files of up to " +
                         std::to_string(kMaxJsonBytes >> 20) + " MiB");
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) throw InputError(file, "", "cannot open file (missing or unreadable)");
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  auto doc = std::make_shared<Document>();
  doc->file = file;
  doc->root = parse_strict_json(text, file);
  const nlohmann::json* root = &doc->root;
  return JsonField(std::move(doc), root, "");
}

JsonField JsonField::from(nlohmann::json document, const std::string& name) {
  auto doc = std::make_shared<Document>();
  doc->file = name;
  doc->root = std::move(document);
  const nlohmann::json* root = &doc->root;
  return JsonField(std::move(doc), root, "");
}

void JsonField::fail(const std::string& problem) const {
  throw InputError(doc_->file, pointer_.empty() ? "/" : pointer_, problem);
}

std::string JsonField::describe(const nlohmann::json& v) {
  if (v.is_object()) return "an object";
  if (v.is_array()) return "an array of " + std::to_string(v.size());
  if (v.is_null()) return "null";
  std::string s = v.dump();
  if (s.size() > 40) s = s.substr(0, 37) + "...";
  return s;
}

bool JsonField::has(const std::string& key) const {
  return value_->is_object() && value_->contains(key);
}

JsonField JsonField::operator[](const std::string& key) const {
  if (!value_->is_object()) fail("expected an object with field \"" + key + "\", found " + describe(*value_));
  auto it = value_->find(key);
  if (it == value_->end()) fail("missing required field \"" + key + "\"");
  return JsonField(doc_, &*it, pointer_ + "/" + escape_pointer_token(key));
}

std::optional<JsonField> JsonField::optional(const std::string& key) const {
  if (!value_->is_object()) fail("expected an object, found " + describe(*value_));
  auto it = value_->find(key);
  if (it == value_->end()) return std::nullopt;
  return JsonField(doc_, &*it, pointer_ + "/" + escape_pointer_token(key));
}

std::vector<std::pair<std::string, JsonField>> JsonField::members() const {
  if (!value_->is_object()) fail("expected an object, found " + describe(*value_));
  std::vector<std::pair<std::string, JsonField>> out;
  for (auto it = value_->begin(); it != value_->end(); ++it)
    out.emplace_back(it.key(), JsonField(doc_, &it.value(), pointer_ + "/" + escape_pointer_token(it.key())));
  return out;
}

std::vector<JsonField> JsonField::elements() const {
  if (!value_->is_array()) fail("expected an array, found " + describe(*value_));
  std::vector<JsonField> out;
  out.reserve(value_->size());
  for (size_t i = 0; i < value_->size(); ++i) {
    out.push_back(JsonField(doc_, &(*value_)[i], pointer_ + "/" + std::to_string(i)));
  }
  return out;
}

void JsonField::allow_only(std::initializer_list<const char*> allowed) const {
  allow_only(std::vector<std::string>(allowed.begin(), allowed.end()));
}

void JsonField::allow_only(const std::vector<std::string>& allowed) const {
  if (!value_->is_object()) fail("expected an object, found " + describe(*value_));
  for (auto it = value_->begin(); it != value_->end(); ++it) {
    bool ok = false;
    for (const std::string& a : allowed) ok = ok || it.key() == a;
    if (ok) continue;
    if (pointer_.empty() && it.key() == "$schema") {  // the JSON Schema an editor checks the file with
      if (!it.value().is_string())
        JsonField(doc_, &it.value(), "/$schema")
            .fail("expected the path or URL of a JSON Schema, found " + describe(it.value()));
      continue;
    }
    std::string list;
    for (const std::string& a : allowed) list += (list.empty() ? "" : ", ") + a;
    JsonField(doc_, &it.value(), pointer_ + "/" + escape_pointer_token(it.key()))
        .fail("unknown field \"" + it.key() + "\"; expected one of: " + list);
  }
}

int64_t JsonField::integer() const {
  if (value_->is_number_integer()) return value_->get<int64_t>();
  if (value_->is_number_float()) {
    double d = value_->get<double>();
    if (std::floor(d) == d && std::fabs(d) < 9e15) return static_cast<int64_t>(d);
  }
  fail("expected an integer, found " + describe(*value_));
}

int64_t JsonField::integer_in(int64_t lo, int64_t hi) const {
  int64_t v = integer();
  if (v < lo || v > hi) {
    if (hi == INT64_MAX)
      fail("expected an integer >= " + std::to_string(lo) + ", found " + std::to_string(v));
    fail("expected an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], found " +
         std::to_string(v));
  }
  return v;
}

double JsonField::number() const {
  if (!value_->is_number()) fail("expected a number, found " + describe(*value_));
  return value_->get<double>();
}

double JsonField::positive_number() const {
  double v = number();
  if (!(v > 0)) fail("expected a number > 0, found " + describe(*value_));
  return v;
}

bool JsonField::boolean() const {
  if (!value_->is_boolean()) fail("expected true or false, found " + describe(*value_));
  return value_->get<bool>();
}

std::string JsonField::string() const {
  if (!value_->is_string()) fail("expected a string, found " + describe(*value_));
  return value_->get<std::string>();
}

std::string JsonField::choice(std::initializer_list<const char*> options) const {
  return choice(std::vector<std::string>(options.begin(), options.end()));
}

std::string JsonField::choice(const std::vector<std::string>& options) const {
  std::string s = string();
  std::string list;
  for (const std::string& o : options) {
    if (s == o) return s;
    list += (list.empty() ? "" : ", ") + o;
  }
  fail("unknown value \"" + s + "\"; expected one of: " + list);
}

Quantity JsonField::quantity(Dimension d) const {
  if (!value_->is_string()) {
    fail("expected " + a_dimension(d) + " with its unit, e.g. " + dimension_example(d) + ", found " +
         describe(*value_));
  }
  std::string why;
  auto q = parse_quantity(value_->get<std::string>(), d, why);
  if (!q) fail(why);
  // An energy may be zero (an action a table counts as free); nothing else may.
  const bool ok = d == Dimension::Energy ? q->value >= 0 : q->value > 0;
  if (!ok) {
    fail("expected " + a_dimension(d) + (d == Dimension::Energy ? " >= 0" : " > 0") + ", found " +
         describe(*value_));
  }
  return *q;
}

uint64_t JsonField::bytes() const {
  Quantity q = quantity(Dimension::Size);
  double b = std::round(q.value);
  if (b < 1 || b > 1e15) fail("size out of range: " + describe(*value_));
  return static_cast<uint64_t>(b);
}

}  // namespace cosim
