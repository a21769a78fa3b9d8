// A RunReport as a terminal table, JSON or CSV. JSON and CSV carry units in their field names.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "flow/run_report.hpp"

namespace cosim {

std::string format_table(const RunReport& r);
nlohmann::json to_json(const RunReport& r);
std::string format_csv(const RunReport& r);

}  // namespace cosim
