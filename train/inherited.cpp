#include "train/inherited.hpp"

#include <algorithm>
#include <numeric>
#include <random>
#include <thread>

#include <fmt/format.h>

#include "spec/input_error.hpp"
#include "train/image_data.hpp"
#include "train/supernet.hpp"
#include "train/trainer.hpp"

namespace cosim::train {

namespace {

// Images per forward pass in evaluation: activations of a batch stay near the caches (500 images of a
// 96-channel 28x28 layer are 150 MB, and every layer then streams them from memory).
constexpr int64_t kEvaluationBatch = 64;

// What `cosim train` wrote beside the weights: its layout and the options it ran with.
struct CheckpointHeader {
  nlohmann::json layout, options;
};

CheckpointHeader read_header(torch::serialize::InputArchive& archive, const std::string& file) {
  c10::IValue layout, options;
  try {
    archive.load_from(file);
    archive.read("cosim_layout", layout);
    archive.read("cosim_fingerprint", options);
  } catch (const c10::Error&) {
    throw InputError(file, "", "not a checkpoint of cosim train");
  }
  CheckpointHeader h;
  if (layout.isString()) h.layout = nlohmann::json::parse(layout.toStringRef(), nullptr, false);
  if (options.isString()) h.options = nlohmann::json::parse(options.toStringRef(), nullptr, false);
  if (!h.layout.is_object() || !h.options.is_object() || !h.options.contains("validation_images"))
    throw InputError(file, "", "not a checkpoint of cosim train (its layout or options are unreadable)");
  if (!h.options.value("standalone", std::string()).empty())
    throw InputError(file, "",
                     "is a standalone network's checkpoint (cosim train --standalone " +
                         h.options["standalone"].get<std::string>() +
                         "); inherited accuracy needs a supernet's (cosim train without --standalone)");
  return h;
}

class SupernetAccuracy : public InheritedAccuracy {
 public:
  explicit SupernetAccuracy(const InheritedOptions& o) : options_(o) {
    keep_freed_memory();
    torch::set_num_threads(o.threads > 0 ? o.threads
                                         : int(std::max(1u, std::thread::hardware_concurrency())));
    torch::serialize::InputArchive archive;
    const CheckpointHeader h = read_header(archive, o.checkpoint);
    layout_ = h.layout;
    net_ = Supernet(layout_, std::nullopt, kAdderEta);
    try {
      net_->load(archive);
    } catch (const c10::Error&) {
      throw InputError(o.checkpoint, "", "its weights do not fit the supernet its layout describes");
    }
    // The training's own split: validation images are those it held out, never trained on.
    const Splits data = split_training_set(o.data_dir, h.options.value("train_images", int64_t(0)),
                                           h.options["validation_images"].get<int64_t>());
    validation_ = o.validation_images > 0 && o.validation_images < data.validation.images.size(0)
                      ? slice(data.validation, 0, o.validation_images)
                      : data.validation;
    calibration_ = calibration_set(data.train);
  }

  const nlohmann::json& layout() const override { return layout_; }

  std::vector<double> validation(const std::vector<std::vector<int>>& paths) override {
    return measure(paths, validation_);
  }
  std::vector<double> test(const std::vector<std::vector<int>>& paths) override {
    if (!test_.images.defined()) test_ = read_idx_set(options_.data_dir, "t10k");
    return measure(paths, test_);
  }

 private:
  // The same training images for every path (drawn once with a fixed seed), so that a path's accuracy does
  // not depend on which paths were measured before it.
  ImageSet calibration_set(const ImageSet& train) const {
    const int64_t n = train.images.size(0);
    const int64_t want =
        std::min<int64_t>(n, int64_t(options_.calibration_batches) * options_.calibration_batch);
    std::vector<int64_t> order(static_cast<size_t>(n));
    std::iota(order.begin(), order.end(), 0);
    std::mt19937_64 rng(1);
    std::shuffle(order.begin(), order.end(), rng);
    order.resize(size_t(want));
    const torch::Tensor index = torch::tensor(order);
    return {train.images.index_select(0, index), train.labels.index_select(0, index)};
  }

  std::vector<double> measure(const std::vector<std::vector<int>>& paths, const ImageSet& data) {
    torch::NoGradGuard no_grad;
    std::vector<double> accuracy;
    for (const std::vector<int>& path : paths) {
      if (path.size() != net_->genes())
        throw std::invalid_argument(
            fmt::format("supernet: a path of {} genes for a supernet of {}", path.size(), net_->genes()));
      recalibrate(Path(path.begin(), path.end()));
      net_->eval();
      int64_t correct = 0;
      for (int64_t b = 0; b < data.images.size(0); b += kEvaluationBatch) {
        const ImageSet part = slice(data, b, std::min(b + kEvaluationBatch, data.images.size(0)));
        correct += net_->forward(part.images, path).argmax(1).eq(part.labels).sum().item<int64_t>();
      }
      accuracy.push_back(double(correct) / double(data.images.size(0)));
    }
    return accuracy;
  }

  void recalibrate(const Path& path) {
    if (options_.calibration_batches == 0) return;  // the statistics kept during training
    recalibrate_batch_norms(*net_, path, calibration_.images, options_.calibration_batch);
  }

  InheritedOptions options_;
  nlohmann::json layout_;
  Supernet net_{nullptr};
  ImageSet validation_, calibration_, test_;
};

}  // namespace

std::unique_ptr<InheritedAccuracy> open_supernet(const InheritedOptions& options) {
  if (options.calibration_batches < 0 || options.calibration_batch < 1)
    throw InputError(options.checkpoint, "", "calibration needs at least one image per batch");
  return std::make_unique<SupernetAccuracy>(options);
}

}  // namespace cosim::train
