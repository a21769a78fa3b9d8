#include "nas/multi_objective.hpp"

#include <mutex>

#include "parallel/loadable_module.hpp"

namespace cosim {

const MultiObjective& multi_objective() {
  static std::once_flag once;
  static const MultiObjective* functions = nullptr;
  std::call_once(once, [] {
    using Entry = const MultiObjective* (*)();
    functions = reinterpret_cast<Entry>(module_entry("libcosim_pagmo.so", COSIM_PAGMO_MODULE,
                                                     "cosim_multi_objective", "pagmo2, for the search"))();
  });
  return *functions;
}

}  // namespace cosim
