#include "spec/preset_files.hpp"

#include <filesystem>

#include "spec/input_error.hpp"

#ifndef COSIM_DATA_DIR
#define COSIM_DATA_DIR "."
#endif

namespace cosim {

std::string resolve_preset(const std::string& arg, const std::string& base_dir, const std::string& data_dir,
                           const std::string& subdir) {
  namespace fs = std::filesystem;
  fs::path p = arg;
  if (p.is_relative() && !base_dir.empty()) p = fs::path(base_dir) / p;
  if (fs::is_regular_file(p)) return p.lexically_normal().string();
  const bool looks_like_name = arg.find('/') == std::string::npos && arg.find(".json") == std::string::npos;
  const fs::path dir = fs::path(data_dir) / subdir;
  if (looks_like_name && fs::is_regular_file(dir / (arg + ".json"))) return (dir / (arg + ".json")).string();
  std::string presets;
  if (fs::is_directory(dir)) {
    for (const auto& e : fs::directory_iterator(dir)) {
      if (e.path().extension() == ".json")
        presets += (presets.empty() ? "" : ", ") + e.path().stem().string();
    }
  }
  throw InputError(arg, "", "no such file or " + subdir + " preset (presets: " + presets + ")");
}

std::string shipped_data_dir() {
  return COSIM_DATA_DIR;
}

}  // namespace cosim
