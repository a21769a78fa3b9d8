// Reading a user's JSON file field by field. Every accessor knows the file and the JSON pointer of the value
// it reads, so any problem becomes one InputError naming file, field and what was found versus expected.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "spec/input_error.hpp"
#include "spec/quantity.hpp"

namespace cosim {

class JsonField {
 public:
  // The largest JSON file read (every shipped file is under 1 MiB; masks come as .npy files).
  static constexpr uintmax_t kMaxJsonBytes = uintmax_t(256) << 20;

  // Loads and parses a file; a missing file or invalid JSON is an InputError naming the line and column.
  static JsonField load(const std::string& file);
  // Wraps an in-memory document (tests, and documents built by other parts).
  static JsonField from(nlohmann::json document, const std::string& name);

  const std::string& file() const { return doc_->file; }
  const std::string& pointer() const { return pointer_; }
  const nlohmann::json& raw() const { return *value_; }

  [[noreturn]] void fail(const std::string& problem) const;

  bool is_object() const { return value_->is_object(); }
  bool is_array() const { return value_->is_array(); }
  bool is_string() const { return value_->is_string(); }
  bool is_number() const { return value_->is_number(); }
  bool has(const std::string& key) const;
  // Required member of an object.
  JsonField operator[](const std::string& key) const;
  std::optional<JsonField> optional(const std::string& key) const;
  // Elements of an array (fails if this is not an array).
  std::vector<JsonField> elements() const;
  // Members of an object, in key order (fails if this is not an object).
  std::vector<std::pair<std::string, JsonField>> members() const;
  // Refuses members not in `allowed` (catches typos such as "colums"). A document's top level may also name
  // its JSON Schema in "$schema" (schemas/, for editors).
  void allow_only(std::initializer_list<const char*> allowed) const;
  void allow_only(const std::vector<std::string>& allowed) const;

  int64_t integer() const;
  int64_t integer_in(int64_t lo, int64_t hi) const;
  int64_t positive() const { return integer_in(1, INT64_MAX); }
  double number() const;
  double positive_number() const;
  bool boolean() const;
  std::string string() const;
  std::string choice(std::initializer_list<const char*> options) const;
  std::string choice(const std::vector<std::string>& options) const;
  Quantity quantity(Dimension d) const;
  // A size in bytes, rounded to a whole byte and at least 1.
  uint64_t bytes() const;

  // A short description of a value for error messages: 12, "abc", an object, an array of 3.
  static std::string describe(const nlohmann::json& v);

 private:
  struct Document {
    std::string file;
    nlohmann::json root;
  };
  JsonField(std::shared_ptr<const Document> doc, const nlohmann::json* value, std::string pointer)
      : doc_(std::move(doc)), value_(value), pointer_(std::move(pointer)) {}

  std::shared_ptr<const Document> doc_;
  const nlohmann::json* value_;
  std::string pointer_;
};

}  // namespace cosim
