#include "nas/multi_objective.hpp"

#include <dlfcn.h>
#include <unistd.h>

#include <mutex>
#include <stdexcept>
#include <string>

namespace cosim {

namespace {

constexpr const char* kModule = "libcosim_pagmo.so";

// The directory of the running program, with its trailing '/', or "" when it cannot be read.
std::string program_directory() {
  std::string path(4096, '\0');
  const ssize_t n = readlink("/proc/self/exe", path.data(), path.size() - 1);
  if (n <= 0) return "";
  path.resize(size_t(n));
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? "" : path.substr(0, slash + 1);
}

const MultiObjective* load() {
  std::string reasons;
  std::vector<std::string> paths{program_directory() + kModule};
  if (paths[0] != COSIM_PAGMO_MODULE) paths.push_back(COSIM_PAGMO_MODULE);
  for (const std::string& path : paths) {
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
      const char* why = dlerror();
      reasons += std::string(reasons.empty() ? "" : "; ") + (why ? why : path);
      continue;
    }
    using Entry = const MultiObjective* (*)();
    if (auto entry = reinterpret_cast<Entry>(dlsym(handle, "cosim_multi_objective"))) return entry();
    reasons += (reasons.empty() ? "" : "; ") + path + ": no cosim_multi_objective";
  }
  throw std::runtime_error(std::string("cannot load ") + kModule + " (pagmo2, for the search): " + reasons);
}

}  // namespace

const MultiObjective& multi_objective() {
  static std::once_flag once;
  static const MultiObjective* functions = nullptr;
  std::call_once(once, [] { functions = load(); });
  return *functions;
}

}  // namespace cosim
