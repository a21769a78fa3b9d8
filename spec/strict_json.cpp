#include "spec/strict_json.hpp"

#include <set>
#include <vector>

#include "spec/input_error.hpp"

namespace cosim {

namespace {

std::string escape_token(const std::string& key) {
  std::string out;
  for (char c : key) out += c == '~' ? "~0" : c == '/' ? "~1" : std::string(1, c);
  return out;
}

// nlohmann's DOM builder, with the JSON pointer of the value being read kept alongside so that a duplicate
// key can be named where it is.
class StrictSax {
 public:
  using json = nlohmann::json;
  StrictSax(json& root, const std::string& text, const std::string& file)
      : dom_(root, true), text_(text), file_(file) {}

  bool null() { return element() && dom_.null(); }
  bool boolean(bool v) { return element() && dom_.boolean(v); }
  bool number_integer(json::number_integer_t v) { return element() && dom_.number_integer(v); }
  bool number_unsigned(json::number_unsigned_t v) { return element() && dom_.number_unsigned(v); }
  bool number_float(json::number_float_t v, const json::string_t& s) {
    return element() && dom_.number_float(v, s);
  }
  bool string(json::string_t& v) { return element() && dom_.string(v); }
  bool binary(json::binary_t& v) { return element() && dom_.binary(v); }
  bool start_object(std::size_t n) {
    element();
    frames_.push_back({true, {}, 0, {}});
    return dom_.start_object(n);
  }
  bool key(json::string_t& k) {
    Frame& f = frames_.back();
    if (!f.keys.insert(k).second) {
      throw InputError(file_, pointer(frames_.size() - 1) + "/" + escape_token(k),
                       "the key \"" + k + "\" appears twice in this object (JSON would keep only one value)");
    }
    f.key = k;
    return dom_.key(k);
  }
  bool end_object() {
    frames_.pop_back();
    return dom_.end_object();
  }
  bool start_array(std::size_t n) {
    element();
    frames_.push_back({false, {}, 0, {}});
    return dom_.start_array(n);
  }
  bool end_array() {
    frames_.pop_back();
    return dom_.end_array();
  }
  template <class Exception>
  bool parse_error(std::size_t position, const std::string&, const Exception& e) {
    const auto [line, col] = line_column(text_, position == 0 ? 0 : position - 1);
    // nlohmann's messages start with "[json.exception.parse_error.101] parse error at line 1, column 2: ".
    std::string detail = e.what();
    if (detail.rfind("[json.exception.", 0) == 0) detail = detail.substr(detail.find("] ") + 2);
    if (detail.rfind("parse error at line", 0) == 0 && detail.find(": ") != std::string::npos)
      detail = detail.substr(detail.find(": ") + 2);
    if (e.id == 406) detail = "a number beyond the range of a double (" + detail + ")";
    throw InputError(
        file_, "",
        "invalid JSON at line " + std::to_string(line) + ", column " + std::to_string(col) + ": " + detail);
  }
  bool is_errored() const { return dom_.is_errored(); }

 private:
  struct Frame {
    bool object;
    std::string key;
    size_t elements;
    std::set<std::string> keys;
  };
  // Counts an array element as it starts (its index is the count before it).
  bool element() {
    if (!frames_.empty() && !frames_.back().object) ++frames_.back().elements;
    return true;
  }
  // The pointer of the value the first `depth` frames lead to.
  std::string pointer(size_t depth) const {
    std::string p;
    for (size_t i = 0; i < depth; ++i) {
      const Frame& f = frames_[i];
      p += "/" + (f.object ? escape_token(f.key) : std::to_string(f.elements - 1));
    }
    return p;
  }

  nlohmann::detail::json_sax_dom_parser<json> dom_;
  const std::string& text_;
  const std::string& file_;
  std::vector<Frame> frames_;
};

}  // namespace

std::pair<size_t, size_t> line_column(const std::string& text, size_t byte) {
  size_t line = 1, col = 1;
  for (size_t i = 0; i < byte && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return {line, col};
}

nlohmann::json parse_strict_json(const std::string& text, const std::string& file) {
  nlohmann::json root;
  StrictSax sax(root, text, file);
  nlohmann::json::sax_parse(text, &sax);
  return root;
}

}  // namespace cosim
