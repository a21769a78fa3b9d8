#include "train/image_data.hpp"

#include <zlib.h>

#include <filesystem>
#include <vector>

#include "spec/input_error.hpp"

namespace cosim::train {

namespace {

// The whole (decompressed) content of `dir`/`name`, or of `dir`/`name`.gz.
std::vector<uint8_t> read_file(const std::string& dir, const std::string& name, std::string& path) {
  path = dir + "/" + name + ".gz";
  if (!std::filesystem::exists(path)) path = dir + "/" + name;
  if (!std::filesystem::exists(path))
    throw InputError(dir + "/" + name + ".gz", "",
                     "no such file (install dataset-fashion-mnist, or --data DIR)");
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) throw InputError(path, "", "cannot be opened");
  std::vector<uint8_t> bytes;
  uint8_t buffer[1 << 16];
  int n;
  while ((n = gzread(f, buffer, sizeof buffer)) > 0) {
    if (bytes.size() + size_t(n) > (size_t(1) << 31)) {
      gzclose(f);
      throw InputError(path, "", "larger than 2 GiB: not an IDX image set of this tool's size");
    }
    bytes.insert(bytes.end(), buffer, buffer + n);
  }
  const bool failed = n < 0;
  gzclose(f);
  if (failed) throw InputError(path, "", "corrupt gzip data");
  return bytes;
}

uint32_t big_endian(const std::vector<uint8_t>& b, size_t at) {
  return uint32_t(b[at]) << 24 | uint32_t(b[at + 1]) << 16 | uint32_t(b[at + 2]) << 8 | uint32_t(b[at + 3]);
}

// The dimensions of an IDX file of unsigned bytes with `dims` dimensions; checks the header and the size.
std::vector<int64_t> idx_dimensions(const std::vector<uint8_t>& b, uint32_t dims, const std::string& path) {
  if (b.size() < 4 + 4 * size_t(dims) || big_endian(b, 0) != (0x0800u | dims))
    throw InputError(path, "",
                     "not an IDX file of unsigned bytes with " + std::to_string(dims) + " dimensions");
  std::vector<int64_t> d;
  uint64_t count = 1;
  for (uint32_t i = 0; i < dims; ++i) {
    d.push_back(int64_t(big_endian(b, 4 + 4 * i)));
    count *= uint64_t(d.back());
    if (count > (uint64_t(1) << 31)) throw InputError(path, "", "dimensions too large");
  }
  if (b.size() != 4 + 4 * size_t(dims) + count)
    throw InputError(path, "",
                     "holds " + std::to_string(b.size()) + " bytes, its header promises " +
                         std::to_string(4 + 4 * dims + count));
  return d;
}

}  // namespace

ImageSet read_idx_set(const std::string& dir, const std::string& prefix) {
  std::string image_path, label_path;
  const std::vector<uint8_t> images = read_file(dir, prefix + "-images-idx3-ubyte", image_path);
  const std::vector<uint8_t> labels = read_file(dir, prefix + "-labels-idx1-ubyte", label_path);
  const std::vector<int64_t> d = idx_dimensions(images, 3, image_path);
  const std::vector<int64_t> l = idx_dimensions(labels, 1, label_path);
  if (l[0] != d[0])
    throw InputError(label_path, "",
                     std::to_string(l[0]) + " labels for " + std::to_string(d[0]) + " images");
  ImageSet set;
  set.images =
      torch::from_blob(const_cast<uint8_t*>(images.data()) + 16, {d[0], 1, d[1], d[2]}, torch::kUInt8)
          .to(torch::kFloat32)
          .div_(255.0)
          .sub_(kPixelMean)
          .div_(kPixelDeviation);
  set.labels =
      torch::from_blob(const_cast<uint8_t*>(labels.data()) + 8, {l[0]}, torch::kUInt8).to(torch::kInt64);
  return set;
}

ImageSet slice(const ImageSet& set, int64_t begin, int64_t end) {
  return {set.images.slice(0, begin, end), set.labels.slice(0, begin, end)};
}

}  // namespace cosim::train
