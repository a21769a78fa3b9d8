// A trained supernet's candidates measured with their inherited weights (cosim search --accuracy
// supernet:FILE, docs/training.md): per path, batch norms recalibrated on training batches, then accuracy on
// the images the training held out (or, once for the final front, on the test set).
#pragma once

#include <memory>

#include "train/train_module.hpp"

namespace cosim::train {

// Throws InputError naming the checkpoint when it is not a supernet checkpoint of cosim train.
std::unique_ptr<InheritedAccuracy> open_supernet(const InheritedOptions& options);

}  // namespace cosim::train
