// Inherited-accuracy speed (issue 17 target: <= 2 s per candidate): seconds per path to recalibrate the batch
// norms and to count the held-out images, for a checkpoint of `cosim train`. Not a test; prints figures.
//   build/bench/cosim_inherited_bench CHECKPOINT [PATHS=8] [THREADS=0]
// Random paths (seed 7), or with COSIM_BENCH_OPTION=K one path taking option K in every block (cnn_fmnist:
// 5 mult/k5/e6, 11 shift/k5/e6, 17 adder/k5/e6, 23 shift+add/k5/e6). Validation images: all the training held
// out, unless COSIM_BENCH_IMAGES says how many.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>

#include "train/inherited.hpp"

namespace {

double seconds_per_path(cosim::InheritedOptions o, const std::vector<std::vector<int>>& paths) {
  auto net = cosim::train::open_supernet(o);
  const auto start = std::chrono::steady_clock::now();
  const std::vector<double> accuracy = net->validation(paths);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("calibration batches %d, accuracy:", o.calibration_batches);
  for (double a : accuracy) std::printf(" %.1f%%", 100 * a);
  std::printf("\n");
  return seconds / double(paths.size());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s CHECKPOINT [PATHS] [THREADS]\n", argv[0]);
    return 2;
  }
  cosim::InheritedOptions o;
  o.checkpoint = argv[1];
  o.data_dir = "/usr/share/datasets/fashion-mnist";
  if (const char* images = std::getenv("COSIM_BENCH_IMAGES"))
    o.validation_images = std::atoll(images);
  else
    o.validation_images = 0;
  o.threads = argc > 3 ? std::atoi(argv[3]) : 0;
  const int count = argc > 2 ? std::atoi(argv[2]) : 8;
  auto probe = cosim::train::open_supernet(o);
  std::mt19937_64 rng(7);
  std::vector<std::vector<int>> paths;
  const nlohmann::json& slots = probe->layout()["slots"];
  for (int i = 0; i < count; ++i) {
    std::vector<int> p;
    for (const auto& s : slots)
      if (s.contains("options")) p.push_back(int(rng() % s["options"].size()));
    paths.push_back(p);
  }
  probe.reset();
  if (const char* each = std::getenv("COSIM_BENCH_OPTION")) {  // one path with this option everywhere
    for (auto& p : paths) std::fill(p.begin(), p.end(), std::atoi(each));
    paths.resize(1);
  }
  o.calibration_batches = 0;
  const double eval = seconds_per_path(o, paths);
  o.calibration_batches = 4;
  const double both = seconds_per_path(o, paths);
  std::printf("threads %d, %d paths: evaluation %.3f s/path, recalibration %.3f s/path, total %.3f s/path\n",
              o.threads, count, eval, both - eval, both);
}
