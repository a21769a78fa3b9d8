#include "spec/attention_mask.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <regex>
#include <sstream>
#include <stdexcept>

#include "spec/input_error.hpp"

namespace cosim {

namespace {

// The .npy header is a Python dict literal, e.g.
//   {'descr': '|b1', 'fortran_order': False, 'shape': (12, 3, 197, 197), }
std::string dict_value(const std::string& header, const std::string& key) {
  const std::regex re("['\"]" + key + "['\"]\\s*:\\s*('[^']*'|\"[^\"]*\"|True|False|\\([^)]*\\))");
  std::smatch m;
  if (!std::regex_search(header, m, re)) return "";
  return m[1].str();
}

// The sizes of a shape tuple such as "(12, 3, 197, 197)" or "(5,)"; -1 for an item that is not a whole
// number of at most 12 digits (a negative, a float, a size beyond any array this reader takes).
std::vector<int64_t> npy_shape(const std::string& text) {
  std::vector<int64_t> shape;
  if (text.size() < 2 || text.front() != '(' || text.back() != ')') return shape;
  std::stringstream items(text.substr(1, text.size() - 2));
  std::string item;
  while (std::getline(items, item, ',')) {
    const size_t b = item.find_first_not_of(" \t"), e = item.find_last_not_of(" \t");
    if (b == std::string::npos) continue;  // the empty item after a trailing comma
    item = item.substr(b, e - b + 1);
    const bool digits = item.size() <= 12 && std::all_of(item.begin(), item.end(), ::isdigit);
    shape.push_back(digits ? std::stoll(item) : -1);
  }
  return shape;
}

}  // namespace

std::shared_ptr<const MaskSet> load_npy_mask(const std::string& file) {
  std::error_code ec;
  const uintmax_t size = std::filesystem::file_size(file, ec);
  if (!ec && size > kMaxNpyBytes) {
    throw InputError(file, "",
                     "the mask file has " + std::to_string(size) + " bytes; cosim reads masks of up to " +
                         std::to_string(kMaxNpyBytes >> 30) + " GiB");
  }
  if (std::filesystem::is_directory(file, ec)) throw InputError(file, "", "is a directory, not an .npy file");
  std::ifstream in(file, std::ios::binary);
  if (!in) throw InputError(file, "", "cannot open mask file (missing or unreadable)");
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string bytes = buffer.str();
  auto fail = [&](const std::string& problem) { throw InputError(file, "", problem); };

  static const std::string magic = "\x93NUMPY";
  if (bytes.size() < 10 || bytes.compare(0, magic.size(), magic) != 0) {
    fail("not an .npy file (it does not start with the \\x93NUMPY magic)");
  }
  const int major = static_cast<unsigned char>(bytes[6]);
  size_t header_len = 0, header_start = 0;
  if (major == 1) {
    header_len = size_t(static_cast<unsigned char>(bytes[8])) | size_t(static_cast<unsigned char>(bytes[9]))
                                                                    << 8;
    header_start = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) fail("truncated .npy header");
    header_len = 0;
    for (int i = 0; i < 4; ++i)
      header_len |= size_t(static_cast<unsigned char>(bytes[8 + size_t(i)])) << (8 * i);
    header_start = 12;
  } else {
    fail("unsupported .npy format version " + std::to_string(major) + " (1, 2 and 3 are read)");
  }
  if (bytes.size() < header_start + header_len) fail("truncated .npy header");
  const std::string header = bytes.substr(header_start, header_len);

  const std::string descr = dict_value(header, "descr");
  if (descr.empty()) fail("the .npy header has no 'descr' (dtype)");
  const std::string dtype = descr.substr(1, descr.size() - 2);
  if (dtype != "|b1" && dtype != "|u1" && dtype != "b1" && dtype != "u1" && dtype != "<u1" &&
      dtype != ">u1") {
    fail("dtype '" + dtype + "' is not bool ('|b1') or uint8 ('|u1'); save the mask with .astype(bool)");
  }
  const std::string order = dict_value(header, "fortran_order");
  if (order != "False") {
    fail(order == "True" ? "the array is in Fortran order; save it in C order (np.ascontiguousarray)"
                         : "the .npy header has no 'fortran_order'");
  }
  const std::string shape_text = dict_value(header, "shape");
  const std::vector<int64_t> shape = npy_shape(shape_text);
  if (shape.size() != 4 || shape[2] != shape[3] || shape[0] < 1 || shape[1] < 1 || shape[2] < 1) {
    fail("shape " + (shape_text.empty() ? std::string("(none)") : shape_text) +
         " is not (layers, heads, N, N) of positive sizes, with N queries and N keys");
  }
  if (shape[2] > 65535)
    fail("N = " + std::to_string(shape[2]) + " tokens is more than this reader supports (65535)");
  if (shape[0] > 65535 || shape[1] > 4096)
    fail("shape " + shape_text + ": more than 65535 layers or 4096 heads is more than this reader supports");
  long double product = 1;
  for (int64_t d : shape) product *= static_cast<long double>(d);
  if (product > static_cast<long double>(bytes.size()))
    fail("truncated: the shape " + shape_text + " needs more bytes of data than the file's " +
         std::to_string(bytes.size()));
  const size_t expected = size_t(shape[0]) * size_t(shape[1]) * size_t(shape[2]) * size_t(shape[3]);
  const size_t data_start = header_start + header_len;
  const size_t found = bytes.size() - data_start;
  if (found < expected) {
    fail("truncated: the shape " + shape_text + " needs " + std::to_string(expected) +
         " bytes of data, the file has " + std::to_string(found));
  }
  if (found > expected) {
    fail("the file has " + std::to_string(found - expected) + " bytes after the data the shape " +
         shape_text + " describes");
  }
  auto set = std::make_shared<MaskSet>();
  set->source = file;
  set->layers = int(shape[0]);
  set->heads = int(shape[1]);
  set->n = int(shape[2]);
  set->pruned.resize(expected);
  for (size_t i = 0; i < expected; ++i) set->pruned[i] = bytes[data_start + i] != 0;
  return set;
}

std::shared_ptr<const MaskSet> generate_mask(const MaskGenerator& g, int layer, int heads, int n) {
  auto set = std::make_shared<MaskSet>();
  std::ostringstream src;
  src << "generated(sparsity=" << g.sparsity << ", global_tokens=" << g.global_tokens
      << ", window=" << g.window << ", seed=" << g.seed << ")";
  set->source = src.str();
  set->layers = 1;
  set->heads = heads;
  set->n = n;
  const size_t nn = size_t(n) * size_t(n);
  set->pruned.assign(size_t(heads) * nn, 1);
  const size_t target = size_t(std::llround((1.0 - g.sparsity) * double(nn)));
  // mt19937_64's output sequence is fixed by the C++ standard; reducing it by modulo keeps the generated
  // masks identical on every platform (std::uniform_int_distribution is not specified bit for bit).
  std::mt19937_64 rng(g.seed * 0x9E3779B97F4A7C15ull + uint64_t(layer) * 0xBF58476D1CE4E5B9ull + 1);
  for (int h = 0; h < heads; ++h) {
    uint8_t* m = set->pruned.data() + size_t(h) * nn;
    size_t kept = 0;
    auto keep = [&](int q, int k) {
      uint8_t& e = m[size_t(q) * size_t(n) + size_t(k)];
      if (e) {
        e = 0;
        ++kept;
      }
    };
    std::vector<int> columns(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) columns[size_t(i)] = i;
    const int globals = std::min(g.global_tokens, n);
    for (int i = 1; i < globals; ++i)
      std::swap(columns[size_t(i)], columns[size_t(i) + rng() % size_t(n - i)]);
    for (int c = 0; c < globals; ++c) {
      for (int q = 0; q < n; ++q) keep(q, columns[size_t(c)]);
    }
    for (int q = 0; q < n; ++q) {
      for (int k = std::max(0, q - g.window); k <= std::min(n - 1, q + g.window); ++k) keep(q, k);
    }
    if (kept > target) {
      std::ostringstream msg;
      msg << "sparsity " << g.sparsity << " is out of reach: " << globals
          << " global columns and a window of " << g.window << " already keep " << kept << " of " << nn
          << " entries";
      throw std::invalid_argument(msg.str());
    }
    while (kept < target) keep(int(rng() % uint64_t(n)), int(rng() % uint64_t(n)));
  }
  return set;
}

}  // namespace cosim
