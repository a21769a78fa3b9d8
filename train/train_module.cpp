#include "train/train_module.hpp"

#include <mutex>

#include "parallel/loadable_module.hpp"

namespace cosim {

const TrainModule& train_module() {
  static std::once_flag once;
  static const TrainModule* functions = nullptr;
  std::call_once(once, [] {
    using Entry = const TrainModule* (*)();
    functions = reinterpret_cast<Entry>(module_entry("libcosim_train.so", COSIM_TRAIN_MODULE,
                                                     "cosim_train_module", "libtorch, for cosim train"))();
  });
  return *functions;
}

}  // namespace cosim
