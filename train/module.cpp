// The entry of libcosim_train.so (train/train_module.hpp).
#include "train/inherited.hpp"
#include "train/train_module.hpp"
#include "train/trainer.hpp"

extern "C" const cosim::TrainModule* cosim_train_module() {
  static const cosim::TrainModule functions{&cosim::train::run_training, &cosim::train::open_supernet};
  return &functions;
}
