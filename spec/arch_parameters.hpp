// Accelerator parameters: a name that sets one or more fields of an architecture document
// ("chunks.mac.rows+chunks.mac.cols") and the values it takes. `cosim sweep` runs their combinations
// (docs/sweep.md); `cosim search --arch-set` searches them together with the network (docs/search.md).
// One reader, so a field path or a value means the same in both.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "spec/json_reader.hpp"

namespace cosim {

struct ArchParameter {
  std::string name;                                  // as written: "chunks.mac.rows+chunks.mac.cols"
  std::vector<nlohmann::json::json_pointer> fields;  // the architecture fields it sets
  std::vector<nlohmann::json> values;
  std::string source, pointer;  // where it was given (file or "--set"), for messages
};

// "a,b,,c" -> {"a", "b", "", "c"}: the parts between separators, empty ones kept (the callers reject them).
std::vector<std::string> split_list(const std::string& s, char sep);

// A list of values, or a range {"from", "to", "step" | "factor", "unit"}. Throws InputError.
std::vector<nlohmann::json> read_parameter_values(const JsonField& f);

// "FIELD[+FIELD...]=V1,V2,..." as given on a command line by option `option` ("--set"): "8,16,32" ->
// [8, 16, 32]; a value that is not JSON (32 KiB, wrap) is a string. Fields are not resolved yet.
ArchParameter read_parameter_assignment(const std::string& text, const std::string& option);

// Adds `p` after the others, or puts it in place of the one of the same name (a command line's parameter
// replacing a file's).
void set_parameter(std::vector<ArchParameter>& params, ArchParameter p);

// Resolves each parameter's fields in the architecture document `arch` (read from `arch_file`) and checks
// every value alone against it: a field swept twice, an unknown field or a value the architecture rejects is
// one InputError naming the parameter's source and pointer.
void resolve_parameters(std::vector<ArchParameter>& params, const nlohmann::json& arch,
                        const std::string& arch_file);

// The architecture document with value choice[k] of every parameter k set, and the assignments made
// (parameter name -> value).
nlohmann::json with_parameters(const nlohmann::json& arch, const std::vector<ArchParameter>& params,
                               const std::vector<size_t>& choice, nlohmann::json* assignments = nullptr);

}  // namespace cosim
