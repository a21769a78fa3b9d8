// Parsing a user's JSON text strictly: a key twice in one object (JSON would silently keep one value), a
// number beyond double range (1e400) and a syntax error are each one InputError naming the file and, for
// duplicates, the JSON pointer of the key; for syntax errors, the line and column.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace cosim {

nlohmann::json parse_strict_json(const std::string& text, const std::string& file);

// Line and column (from 1) of a byte offset in `text`.
std::pair<size_t, size_t> line_column(const std::string& text, size_t byte);

}  // namespace cosim
