// CSV as RFC 4180 quotes it: a field holding a comma, a double quote or a line break is enclosed in double
// quotes, with its quotes doubled; every other field is written as it is. Lines end in "\n". The one CSV
// writer of cosim's outputs (run reports, search and sweep tables).
#pragma once

#include <string>
#include <vector>

namespace cosim {

std::string csv_field(const std::string& text);

// The fields quoted as needed, joined by commas, ending in a newline.
std::string csv_line(const std::vector<std::string>& fields);

}  // namespace cosim
