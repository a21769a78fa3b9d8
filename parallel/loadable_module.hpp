// Loading a part of cosim that lives in its own shared module (pagmo2's search utilities, libtorch's
// training), so that commands which do not use it do not pay for loading its libraries.
#pragma once

#include <string>

namespace cosim {

// The address of `entry` in module `file_name`, looked for beside the running program first, then at
// `built_path` (where the build put it); loaded once per process. Throws std::runtime_error naming the
// module, `purpose` and the loader's reasons when neither loads.
void* module_entry(const std::string& file_name, const std::string& built_path, const char* entry,
                   const std::string& purpose);

}  // namespace cosim
