#include "parallel/loadable_module.hpp"

#include <dlfcn.h>
#include <unistd.h>

#include <stdexcept>
#include <vector>

namespace cosim {

namespace {

// The directory of the running program, with its trailing '/', or "" when it cannot be read.
std::string program_directory() {
  std::string path(4096, '\0');
  const ssize_t n = readlink("/proc/self/exe", path.data(), path.size() - 1);
  if (n <= 0) return "";
  path.resize(size_t(n));
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? "" : path.substr(0, slash + 1);
}

}  // namespace

void* module_entry(const std::string& file_name, const std::string& built_path, const char* entry,
                   const std::string& purpose) {
  std::string reasons;
  std::vector<std::string> paths{program_directory() + file_name};
  if (paths[0] != built_path) paths.push_back(built_path);
  for (const std::string& path : paths) {
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
      const char* why = dlerror();
      reasons += std::string(reasons.empty() ? "" : "; ") + (why ? why : path);
      continue;
    }
    if (void* address = dlsym(handle, entry)) return address;
    reasons += (reasons.empty() ? "" : "; ") + path + ": no " + entry;
  }
  throw std::runtime_error("cannot load " + file_name + " (" + purpose + "): " + reasons);
}

}  // namespace cosim
