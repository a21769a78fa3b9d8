// Finding an input file named on the command line or in another file: a path (relative to `base_dir`, the
// directory of the file that names it, or the working directory), or the name of a preset shipped in
// DATA_DIR/SUBDIR (arch/default.json is the preset "default").
#pragma once

#include <string>

namespace cosim {

// Throws InputError naming `arg` and listing the presets when neither exists.
std::string resolve_preset(const std::string& arg, const std::string& base_dir, const std::string& data_dir,
                           const std::string& subdir);

// The folder the shipped presets live in (the source tree cosim was built from).
std::string shipped_data_dir();

}  // namespace cosim
