// `--accuracy supernet:FILE` (docs/training.md): the accuracy estimator of cosim search that measures each
// candidate in a supernet trained by cosim train, with its inherited weights. Free of torch: it loads the
// training module (train_module.hpp) on its first generation, after the search's workers have started.
#pragma once

#include <memory>
#include <string>

#include "nas/accuracy.hpp"
#include "train/train_module.hpp"

namespace cosim {

// `options.checkpoint` is the FILE; throws InputError when it cannot be read.
std::unique_ptr<AccuracyEstimator> make_supernet_estimator(const InheritedOptions& options);

// The factory cosim search is given (nas/accuracy.hpp): "supernet:FILE" with `base`'s other options.
EstimatorFactory supernet_estimators(const InheritedOptions& base);

}  // namespace cosim
