// Image classification data in the IDX format (LeCun's MNIST files; Fashion-MNIST uses the same),
// gzip-compressed or not, as Debian's dataset-fashion-mnist installs it (/usr/share/datasets/fashion-mnist).
#pragma once

#include <cstdint>
#include <string>

#include <torch/torch.h>

namespace cosim::train {

struct ImageSet {
  torch::Tensor images;  // [N, 1, H, W] float, normalized with the training images' mean and deviation
  torch::Tensor labels;  // [N] int64
};

// Reads PREFIX-images-idx3-ubyte[.gz] and PREFIX-labels-idx1-ubyte[.gz] from `dir` (PREFIX "train" or
// "t10k"). Throws InputError naming the file for a missing, truncated or malformed file, or disagreeing
// counts.
ImageSet read_idx_set(const std::string& dir, const std::string& prefix);

// Rows [begin, end) of a set.
ImageSet slice(const ImageSet& set, int64_t begin, int64_t end);

// Fashion-MNIST's pixel mean and deviation over its training images (used for every split, so that the
// validation and test images are normalized as the training images are).
constexpr double kPixelMean = 0.2860, kPixelDeviation = 0.3530;

}  // namespace cosim::train
