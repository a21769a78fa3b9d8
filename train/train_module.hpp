// cosim train's entry (docs/training.md): supernet and standalone training with libtorch, which lives in a
// module (libcosim_train.so, train/module.cpp) loaded on first use, so that no other command pays for loading
// libtorch. This header is free of torch: the CLI includes it.
#pragma once

#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace cosim {

struct TrainOptions {
  nlohmann::json layout;            // nas/supernet_layout.hpp
  std::string space_file;           // for messages
  std::string data_dir;             // the IDX files (train-*, t10k-*)
  std::string checkpoint;           // written after every epoch (and read by --resume)
  std::vector<int> standalone;      // a candidate to train alone; empty: the supernet
  std::string standalone_encoding;  // its text, for reports
  int epochs = 20;
  // Supernet only: the first epochs train paths of multiplier options alone, then every option joins (NASA's
  // progressive pretraining, Shi et al., ICCAD 2022). Fewer than `epochs`.
  int warmup_epochs = 0;
  // Supernet only: over this many epochs after the warm-up, the other operators' options join gradually --
  // each drawn with a weight rising linearly from 0 to a multiplier option's (sample_path) -- then uniformly.
  // Every other batch trains a path of one operator (training_path in trainer.hpp).
  // At most epochs - warmup_epochs.
  int ramp_epochs = 0;
  int64_t batch = 128;
  double learning_rate = 0.05;  // SGD with Nesterov momentum 0.9, cosine decay to 0 over the epochs
  uint64_t seed = 1;
  int threads = 0;                   // 0: every core
  int64_t train_images = 0;          // 0: every training image not held out for validation
  int64_t validation_images = 5000;  // held out from the end of the training file (never the test set)
  bool resume = false;
};

struct TrainResult {
  int epochs = 0;
  double validation_accuracy = 0;  // the supernet's: over paths drawn at random; standalone: the network's
  double test_accuracy = -1;       // standalone only: on the test set, once, at the end
  double seconds_per_epoch = 0;    // of the epochs this run trained
};

// How a trained supernet's candidates are measured (cosim search --accuracy supernet:FILE).
struct InheritedOptions {
  std::string checkpoint;  // a supernet's (not a standalone network's)
  std::string data_dir;
  int calibration_batches = 4;  // training batches that re-estimate the batch-norm statistics per path
  int64_t calibration_batch = 128;
  // Of the images the training held out (the first ones); 0: all of them. Candidates are compared on the
  // same images, so their differences are far less noisy than each figure's +-1% at 1,000 images.
  int64_t validation_images = 1000;
  int threads = 0;  // 0: every core
};

// A trained supernet, loaded once. Paths are option indices per supernet gene (nas/supernet_layout.hpp).
class InheritedAccuracy {
 public:
  virtual ~InheritedAccuracy() = default;
  virtual const nlohmann::json& layout() const = 0;  // the layout it was trained from
  // Each path's accuracy with the inherited weights, its batch norms recalibrated on the same training
  // batches: on the validation images the training held out, or on the test set.
  virtual std::vector<double> validation(const std::vector<std::vector<int>>& paths) = 0;
  virtual std::vector<double> test(const std::vector<std::vector<int>>& paths) = 0;
};

struct TrainModule {
  // Progress lines go to `progress`. Throws InputError for bad input (data, checkpoint, options).
  TrainResult (*train)(const TrainOptions& options, std::ostream& progress);
  // Throws InputError for a file that is not a supernet checkpoint of cosim train, or missing data.
  std::unique_ptr<InheritedAccuracy> (*open_supernet)(const InheritedOptions& options);
};

// The module's functions, loading it on the first call (beside the running program, else where the build put
// it). Throws std::runtime_error naming the module and the loader's reason when it cannot be loaded.
const TrainModule& train_module();

}  // namespace cosim
