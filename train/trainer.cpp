#include "train/trainer.hpp"

#include <set>

#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <limits>
#include <numeric>
#include <random>
#include <thread>

#include <fmt/format.h>

#include "spec/input_error.hpp"
#include "train/image_data.hpp"
#include "train/supernet.hpp"

namespace cosim::train {

namespace {

using Clock = std::chrono::steady_clock;

constexpr double kMomentum = 0.9, kWeightDecay = 4e-5;

void check_data_fits(const TrainOptions& o, const SupernetImpl& net, const ImageSet& set) {
  const Activation in = net.input();
  if (set.images.size(1) != in.channels || set.images.size(2) != in.height || set.images.size(3) != in.width)
    throw InputError(
        o.space_file, "/input/shape",
        fmt::format("the space's input is {}x{}x{}, the data set's images are {}x{}x{}", in.channels,
                    in.height, in.width, set.images.size(1), set.images.size(2), set.images.size(3)));
}

// What a checkpoint was trained for; --resume refuses a checkpoint of another training.
std::string fingerprint(const TrainOptions& o) {
  return nlohmann::json{{"layout", o.layout},
                        {"standalone", o.standalone_encoding},
                        {"epochs", o.epochs},
                        {"warmup_epochs", o.warmup_epochs},
                        {"ramp_epochs", o.ramp_epochs},
                        {"gradient_clip", kGradientClip},
                        {"clip_leaves_out", "self-scaled adder weights"},  // clipped_parameters()
                        {"adder_init", "N(0, 1)"},
                        {"weight_sharing", "kernel and width"},  // supernet.hpp: stacks of alike options
                        {"paths", "odd batches one operator"},   // training_path
                        {"batch", o.batch},
                        {"learning_rate", o.learning_rate},
                        {"seed", o.seed},
                        {"train_images", o.train_images},
                        {"validation_images", o.validation_images}}
      .dump();
}

void save_checkpoint(const TrainOptions& o, Supernet& net, torch::optim::SGD& sgd, int epochs_done) {
  torch::serialize::OutputArchive archive, optimizer;
  net->save(archive);
  sgd.save(optimizer);
  archive.write("optimizer", optimizer);
  archive.write("cosim_fingerprint", c10::IValue(fingerprint(o)));
  archive.write("cosim_layout", c10::IValue(o.layout.dump()));
  archive.write("cosim_epochs_done", torch::tensor(int64_t(epochs_done)));
  const std::string temporary = o.checkpoint + ".partial";
  archive.save_to(temporary);
  std::filesystem::rename(temporary, o.checkpoint);  // a kill leaves the previous epoch's checkpoint whole
}

// The epochs a checkpoint finished, after loading its weights and optimizer state; 0 when there is none.
int load_checkpoint(const TrainOptions& o, Supernet& net, torch::optim::SGD& sgd) {
  if (!std::filesystem::exists(o.checkpoint)) return 0;
  torch::serialize::InputArchive archive, optimizer;
  c10::IValue written;
  torch::Tensor epochs;
  try {
    archive.load_from(o.checkpoint);
    archive.read("cosim_fingerprint", written);
  } catch (const c10::Error&) {
    throw InputError(o.checkpoint, "", "not a checkpoint of cosim train");
  }
  if (!written.isString() || written.toStringRef() != fingerprint(o))
    throw InputError(
        o.checkpoint, "",
        "was written by another training (space, candidate or options differ): resume it with the "
        "options it was started with, or train into another file");
  net->load(archive);
  archive.read("optimizer", optimizer);
  sgd.load(optimizer);
  archive.read("cosim_epochs_done", epochs);
  return int(epochs.item<int64_t>());
}

std::string duration(double seconds) {
  const int64_t s = std::llround(seconds);
  return s >= 60 ? fmt::format("{}m{:02}s", s / 60, s % 60) : fmt::format("{}s", s);
}

struct EpochStats {
  double loss = 0, accuracy = 0;
};

EpochStats train_epoch(const TrainOptions& o, Supernet& net, torch::optim::SGD& sgd, const ImageSet& data,
                       int epoch, std::ostream& progress) {
  net->train();
  std::mt19937_64 rng(o.seed * 0x9E3779B97F4A7C15ull + uint64_t(epoch));
  std::vector<int64_t> order(size_t(data.images.size(0)));
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), rng);
  const torch::Tensor index = torch::tensor(order);
  const int64_t batches = (int64_t(order.size()) + o.batch - 1) / o.batch;
  const Path fixed(o.standalone.begin(), o.standalone.end());
  double loss_sum = 0;
  int64_t correct = 0, seen = 0;
  const Clock::time_point start = Clock::now();
  for (int64_t b = 0; b < batches; ++b) {
    const double t = (double(epoch) * double(batches) + double(b)) / (double(o.epochs) * double(batches));
    for (auto& group : sgd.param_groups())
      static_cast<torch::optim::SGDOptions&>(group.options())
          .lr(o.learning_rate * 0.5 * (1 + std::cos(M_PI * t)));
    const torch::Tensor rows =
        index.slice(0, b * o.batch, std::min((b + 1) * o.batch, int64_t(order.size())));
    const torch::Tensor x = data.images.index_select(0, rows), y = data.labels.index_select(0, rows);
    const Path path =
        fixed.empty()
            ? training_path(*net, rng, other_options_weight(o, epoch, double(b + 1) / double(batches)), b)
            : fixed;
    const StepResult step = train_step(net, sgd, x, y, path);
    loss_sum += step.loss * double(rows.size(0));
    correct += step.correct;
    seen += rows.size(0);
    if ((b + 1) % std::max<int64_t>(1, batches / 5) == 0 && b + 1 < batches) {
      const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
      progress << fmt::format(
                      "  epoch {}/{} {:3}%  loss {:.3f}  train accuracy {:.1f}%  {} left in the epoch\n",
                      epoch + 1, o.epochs, 100 * (b + 1) / batches, loss_sum / double(seen),
                      100.0 * double(correct) / double(seen),
                      duration(elapsed * double(batches - b - 1) / double(b + 1)))
               << std::flush;
    }
  }
  return {loss_sum / double(seen), double(correct) / double(seen)};
}

// Accuracy on a set, each batch of kValidationBatch images run on its path of `paths` (validation_paths); a
// supernet's path has its batch norms recalibrated on `calibration` as the search measures it (the
// statistics kept while training mix every path's: with them a supernet's figure is noise). The supernet's
// buffers are put back afterwards.
double evaluate(const TrainOptions& o, Supernet& net, const ImageSet& data, const torch::Tensor& calibration,
                const std::vector<Path>& paths) {
  net->eval();
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> kept;
  for (const torch::Tensor& b : net->buffers()) kept.push_back(b.clone());
  int64_t correct = 0;
  for (int64_t b = 0; b < data.images.size(0); b += kValidationBatch) {
    const ImageSet part = slice(data, b, std::min(b + kValidationBatch, data.images.size(0)));
    const Path& path = paths.at(size_t(b / kValidationBatch));
    if (o.standalone.empty()) recalibrate_batch_norms(*net, path, calibration, 128);
    correct += net->forward(part.images, path).argmax(1).eq(part.labels).sum().item<int64_t>();
  }
  std::vector<torch::Tensor> buffers = net->buffers();
  for (size_t i = 0; i < buffers.size(); ++i) buffers[i].copy_(kept[i]);
  return double(correct) / double(data.images.size(0));
}

}  // namespace

double other_options_weight(const TrainOptions& o, int epoch, double fraction) {
  if (epoch < o.warmup_epochs) return 0;
  if (o.ramp_epochs == 0) return 1;
  return std::min(1.0, (double(epoch - o.warmup_epochs) + fraction) / double(o.ramp_epochs));
}

std::vector<Path> validation_paths(const TrainOptions& o, const SupernetImpl& net, int epoch,
                                   int64_t images) {
  const size_t count = size_t((images + kValidationBatch - 1) / kValidationBatch);
  if (!o.standalone.empty()) return std::vector<Path>(count, Path(o.standalone.begin(), o.standalone.end()));
  std::mt19937_64 rng(o.seed);
  std::vector<Path> paths;
  const double others = other_options_weight(o, epoch, 1);
  for (size_t i = 0; i < count; ++i) paths.push_back(sample_path(net, rng, others));
  return paths;
}

std::vector<torch::Tensor> clipped_parameters(SupernetImpl& net) {
  std::set<const void*> self_scaled;
  for (const std::shared_ptr<torch::nn::Module>& m : net.modules(false))
    if (const OpConv2dImpl* conv = m->as<OpConv2dImpl>(); conv && conv->scales_own_gradient())
      for (const torch::Tensor& p : conv->parameters(false)) self_scaled.insert(p.unsafeGetTensorImpl());
  std::vector<torch::Tensor> clipped;
  for (const torch::Tensor& p : net.parameters())
    if (p.grad().defined() && !self_scaled.count(p.unsafeGetTensorImpl())) clipped.push_back(p);
  return clipped;
}

StepResult train_step(Supernet& net, torch::optim::SGD& sgd, const torch::Tensor& images,
                      const torch::Tensor& labels, const Path& path) {
  for (torch::Tensor& p : net->parameters()) p.mutable_grad() = torch::Tensor();
  const torch::Tensor logits = net->forward(images, path);
  const torch::Tensor loss = torch::nn::functional::cross_entropy(logits, labels);
  loss.backward();
  torch::nn::utils::clip_grad_norm_(clipped_parameters(*net), kGradientClip);
  sgd.step();
  return {loss.item<double>(), logits.argmax(1).eq(labels).sum().item<int64_t>()};
}

Splits split_training_set(const std::string& data_dir, int64_t train_images, int64_t validation_images) {
  const ImageSet all = read_idx_set(data_dir, "train");
  const int64_t n = all.images.size(0);
  if (validation_images < 1 || validation_images >= n)
    throw InputError(data_dir, "",
                     fmt::format("--validation-images must be 1 to {} (the file holds {} images)", n - 1, n));
  const int64_t available = n - validation_images;
  const int64_t used = train_images > 0 ? std::min(train_images, available) : available;
  return {slice(all, 0, used), slice(all, available, n)};
}

// glibc hands large freed blocks back to the kernel, and every batch then pays page faults to get them again
// (on this machine kind, a fresh 38 MB tensor costs 0.1 s to touch, a reused one 4 ms): training keeps its
// heap.
void keep_freed_memory() {
  mallopt(M_MMAP_MAX, 0);  // every block from the heap, which is never trimmed
  mallopt(M_TRIM_THRESHOLD, std::numeric_limits<int>::max());
  mallopt(M_TOP_PAD, 256 << 20);
}

TrainResult run_training(const TrainOptions& o, std::ostream& progress) {
  keep_freed_memory();
  torch::set_num_threads(o.threads > 0 ? o.threads : int(std::max(1u, std::thread::hardware_concurrency())));
  if (!o.resume && std::filesystem::exists(o.checkpoint))
    throw InputError(o.checkpoint, "", "exists: pass --resume to continue its training, or remove it");
  const Splits data = split_training_set(o.data_dir, o.train_images, o.validation_images);
  torch::manual_seed(o.seed);
  std::optional<Path> only;
  if (!o.standalone.empty()) only = Path(o.standalone.begin(), o.standalone.end());
  Supernet net(o.layout, only, kAdderEta);
  check_data_fits(o, *net, data.train);
  torch::optim::SGD sgd(net->parameters(), torch::optim::SGDOptions(o.learning_rate)
                                               .momentum(kMomentum)
                                               .nesterov(true)
                                               .weight_decay(kWeightDecay));
  TrainResult result;
  // The first 512 training images recalibrate each evaluated path's batch norms (supernet only).
  const torch::Tensor calibration =
      data.train.images.slice(0, 0, std::min<int64_t>(512, data.train.images.size(0)));
  const int start = o.resume ? load_checkpoint(o, net, sgd) : 0;
  if (start > 0) progress << fmt::format("resuming after epoch {} of {}\n", start, o.epochs);
  const Clock::time_point begin = Clock::now();
  for (int epoch = start; epoch < o.epochs; ++epoch) {
    const EpochStats stats = train_epoch(o, net, sgd, data.train, epoch, progress);
    result.validation_accuracy = evaluate(o, net, data.validation, calibration,
                                          validation_paths(o, *net, epoch, data.validation.images.size(0)));
    save_checkpoint(o, net, sgd, epoch + 1);
    result.seconds_per_epoch =
        std::chrono::duration<double>(Clock::now() - begin).count() / double(epoch + 1 - start);
    progress << fmt::format(
                    "epoch {}/{}  loss {:.3f}  train accuracy {:.1f}%  validation accuracy {:.1f}%  "
                    "{}/epoch, {} left\n",
                    epoch + 1, o.epochs, stats.loss, 100 * stats.accuracy, 100 * result.validation_accuracy,
                    duration(result.seconds_per_epoch),
                    duration(result.seconds_per_epoch * double(o.epochs - epoch - 1)))
             << std::flush;
  }
  if (start >= o.epochs)
    result.validation_accuracy =
        evaluate(o, net, data.validation, calibration,
                 validation_paths(o, *net, o.epochs, data.validation.images.size(0)));
  result.epochs = o.epochs;
  if (!o.standalone.empty()) {
    const ImageSet test = read_idx_set(o.data_dir, "t10k");
    result.test_accuracy =
        evaluate(o, net, test, calibration, validation_paths(o, *net, o.epochs, test.images.size(0)));
  }
  return result;
}

}  // namespace cosim::train
