// Single-path one-shot supernet training and standalone training of one candidate (cosim train,
// docs/training.md), with a checkpoint after every epoch that --resume continues from.
#pragma once

#include <ostream>

#include "train/train_module.hpp"

namespace cosim::train {

TrainResult run_training(const TrainOptions& options, std::ostream& progress);

}  // namespace cosim::train
