// Single-path one-shot supernet training and standalone training of one candidate (cosim train,
// docs/training.md), with a checkpoint after every epoch that --resume continues from.
#pragma once

#include <ostream>

#include "train/image_data.hpp"
#include "train/supernet.hpp"
#include "train/train_module.hpp"

namespace cosim::train {

constexpr double kAdderEta = 0.2;  // AdderNet's adaptive learning-rate factor (the authors' public code)
// The largest gradient norm a step takes over the parameters on its path, except the weights of adder layers
// with AdderNet's adaptive scaling: larger ones are scaled down to it. NASA's public training configuration
// clips at 5 (config_search.py, grad_clip). Without a clip, 150 batches over every option after a multiplier
// warm-up took the multiplier paths from 24.8% to 14.6%; with it, from 29.4% to 26.0% (docs/training.md).
// An adder layer's weight gradient already has norm eta * sqrt(numel) by AdderNet's scaling, 6-15 per layer
// in cnn_fmnist: inside the clip, a path of adder blocks had every gradient cut about tenfold, and a network
// of adder/k3/e3 blocks stayed at chance (9.9% after an epoch of 5,000 images; 22.8% with them outside it, an
// all-multiplier one 23.7%; docs/training.md).
constexpr double kGradientClip = 5;

struct Splits {
  ImageSet train, validation;
};

// The training file's first `train_images` (0: all that are not held out) and its last `validation_images`,
// held out for validation. Throws InputError for a count the file cannot give.
Splits split_training_set(const std::string& data_dir, int64_t train_images, int64_t validation_images);

// Keeps freed memory in the process's heap (training and evaluation reuse the same large blocks).
void keep_freed_memory();

struct StepResult {
  double loss = 0;      // mean over the batch
  int64_t correct = 0;  // images of the batch classified right
};

// The parameters a step's clip bounds: those with a gradient (on the path), but the weights of adder layers
// that scale their own gradient (OpConv2dImpl::scales_own_gradient).
std::vector<torch::Tensor> clipped_parameters(SupernetImpl& net);

// One SGD step of the network of `path` on a batch, its gradient clipped to kGradientClip (adder weights
// aside, as above). Only the
// parameters on the path move: the gradients of the rest are dropped (not zeroed), so that SGD skips them --
// with zeroed gradients, momentum and weight decay kept moving the options a batch did not train.
StepResult train_step(Supernet& net, torch::optim::SGD& sgd, const torch::Tensor& images,
                      const torch::Tensor& labels, const Path& path);

// The weight a path draw gives the options that are not multiplier-only (sample_path) once `fraction` of
// epoch `epoch` (0-based) is done: 0 during the warm-up; after it, rising linearly to 1 over the ramp's
// epochs (1 at once without a ramp).
double other_options_weight(const TrainOptions& o, int epoch, double fraction);

// The path a supernet trains batch `batch` of an epoch on: odd batches a one-operator path
// (sample_one_operator_path), even ones a uniform path (sample_path), both with the other operators' weight
// `others`.
template <typename Rng>
Path training_path(const SupernetImpl& net, Rng& rng, double others, int64_t batch) {
  return batch % 2 ? sample_one_operator_path(net, rng, others) : sample_path(net, rng, others);
}

// Images per path in a supernet's validation after each epoch.
constexpr int64_t kValidationBatch = 250;

// The paths the validation of `images` images after epoch `epoch` (0-based) runs, one per kValidationBatch
// images: a standalone network's own; a supernet's drawn uniformly, the same sequence every epoch (a fixed
// seed, so that epochs compare), weighted as the epoch's last batch drew them (other_options_weight): during
// a warm-up among the paths it trains, multiplier options and skip, since options not yet trained would make
// the figure chance.
std::vector<Path> validation_paths(const TrainOptions& o, const SupernetImpl& net, int epoch, int64_t images);

TrainResult run_training(const TrainOptions& options, std::ostream& progress);

}  // namespace cosim::train
