// The entry of libcosim_train.so (train/train_module.hpp).
#include "train/train_module.hpp"
#include "train/trainer.hpp"

extern "C" const cosim::TrainModule* cosim_train_module() {
  static const cosim::TrainModule functions{&cosim::train::run_training};
  return &functions;
}
