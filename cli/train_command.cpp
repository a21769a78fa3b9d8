// `cosim train`: trains a search space's weight-sharing supernet (single-path one-shot), or one candidate
// alone, on Fashion-MNIST with the training operators of each layer's arithmetic (docs/training.md).
#include <iostream>
#include <stdexcept>

#include <fmt/format.h>

#include "cli/commands.hpp"
#include "cli/option_checks.hpp"
#include "nas/search_space.hpp"
#include "nas/supernet_layout.hpp"
#include "spec/input_error.hpp"
#include "train/train_module.hpp"

#ifndef COSIM_DATA_DIR
#define COSIM_DATA_DIR "."
#endif

namespace cosim {

namespace {

struct TrainCommand {
  TrainOptions options;
  std::string space = "cnn_fmnist", standalone;
};

void add_train_options(CLI::App* cmd, TrainCommand& c) {
  TrainOptions& o = c.options;
  cmd->add_option("--space", c.space, "Search space (kind cnn): cnn_fmnist or a cosim-space/1 file")
      ->capture_default_str();
  cmd->add_option("-o,--checkpoint", o.checkpoint, "Checkpoint file, written after every epoch")->required();
  cmd->add_option("--epochs", o.epochs, "Epochs")->check(whole_number_in(1, 10000))->capture_default_str();
  cmd->add_option("--warmup-epochs", o.warmup_epochs,
                  "Supernet: train paths of multiplier options alone for the first N epochs, then every "
                  "option (NASA's progressive pretraining); fewer than --epochs")
      ->check(whole_number_in(0, 9999))
      ->capture_default_str();
  cmd->add_option(
         "--ramp-epochs", o.ramp_epochs,
         "Supernet: over N epochs after the warm-up, the shift and adder options join gradually (drawn "
         "with a weight rising linearly to a multiplier option's), then every option uniformly")
      ->check(whole_number_in(0, 9999))
      ->capture_default_str();
  cmd->add_option("--batch", o.batch, "Images per batch")
      ->check(whole_number_in(1, 65536))
      ->capture_default_str();
  cmd->add_option("--lr", o.learning_rate, "Initial learning rate (SGD, Nesterov momentum 0.9, cosine decay)")
      ->check(positive_finite())
      ->capture_default_str();
  cmd->add_option("--seed", o.seed, "Seed: same seed, same training")
      ->check(whole_number_in(0, UINT64_MAX))
      ->capture_default_str();
  cmd->add_option("--threads", o.threads, "Threads (default: every core)")->check(whole_number_in(1, 1024));
  cmd->add_option("--train-images", o.train_images, "Train on the first N training images (default: all)")
      ->check(whole_number_in(1, 100000000));
  cmd->add_option("--validation-images", o.validation_images,
                  "Images held out from the end of the training file for validation (never the test set)")
      ->check(whole_number_in(1, 100000000))
      ->capture_default_str();
  cmd->add_option("--data", o.data_dir, "Directory of the IDX files (train-*, t10k-*)")
      ->capture_default_str();
  cmd->add_option(
      "--standalone", c.standalone,
      "Train this candidate alone, from scratch (its encoding, e.g. cnn_fmnist:0.3.5...); reports its "
      "validation and test accuracy");
  cmd->add_flag("--resume", o.resume, "Continue the training in --checkpoint after its last finished epoch");
}

}  // namespace

CommandAction add_train_command(CLI::App& app) {
  auto c = std::make_shared<TrainCommand>();
  c->options.data_dir = "/usr/share/datasets/fashion-mnist";
  CLI::App* cmd = app.add_subcommand(
      "train",
      "Train a search space's weight-sharing supernet (single-path one-shot) or one candidate alone on "
      "Fashion-MNIST, with multiplier, shift (DeepShift) and adder (AdderNet) operators fake-quantized to "
      "the "
      "workload's bits (docs/training.md). Writes a checkpoint after every epoch; --resume continues it.");
  add_train_options(cmd, *c);
  return [c]() {
    TrainOptions& o = c->options;
    const std::unique_ptr<SearchSpace> space = read_space(c->space, COSIM_DATA_DIR);
    o.space_file = space->file;
    o.layout = supernet_layout(*space);
    if (!c->standalone.empty()) {
      try {
        o.standalone = space->decode(c->standalone);
      } catch (const std::invalid_argument& e) {
        throw InputError("--standalone", "", e.what());
      }
      o.standalone_encoding = space->encode(o.standalone);
    }
    if (o.warmup_epochs > 0 && !o.standalone.empty())
      throw InputError("--warmup-epochs", "", "is for supernet training, not --standalone");
    if (o.ramp_epochs > 0 && !o.standalone.empty())
      throw InputError("--ramp-epochs", "", "is for supernet training, not --standalone");
    if (o.ramp_epochs > 0 && o.warmup_epochs + o.ramp_epochs > o.epochs)
      throw InputError("--ramp-epochs", "",
                       fmt::format("the warm-up and the ramp ({} + {}) must fit in --epochs ({})",
                                   o.warmup_epochs, o.ramp_epochs, o.epochs));
    if (o.warmup_epochs >= o.epochs)
      throw InputError(
          "--warmup-epochs", "",
          fmt::format("must be fewer than --epochs ({}): the other options would never train", o.epochs));
    const TrainResult r = train_module().train(o, std::cerr);
    if (o.standalone.empty())
      std::cout << fmt::format(
          "cosim train: supernet of {} trained {} epochs ({:.0f} s/epoch); validation accuracy "
          "over random paths {:.2f}%; checkpoint {}\n",
          space->name, r.epochs, r.seconds_per_epoch, 100 * r.validation_accuracy, o.checkpoint);
    else
      std::cout << fmt::format(
          "cosim train: {} trained alone {} epochs; validation accuracy {:.2f}%, test accuracy "
          "{:.2f}%; checkpoint {}\n",
          o.standalone_encoding, r.epochs, 100 * r.validation_accuracy, 100 * r.test_accuracy, o.checkpoint);
    return 0;
  };
}

}  // namespace cosim
