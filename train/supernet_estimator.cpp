#include "train/supernet_estimator.hpp"

#include <exception>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

#include "nas/supernet_layout.hpp"
#include "spec/input_error.hpp"

namespace cosim {

namespace {

class SupernetEstimator : public AccuracyEstimator {
 public:
  explicit SupernetEstimator(const InheritedOptions& o) : o_(o) {
    std::ifstream in(o.checkpoint, std::ios::binary);
    std::ostringstream text;
    if (!in || !(text << in.rdbuf()))
      throw InputError(o.checkpoint, "", "cannot read the supernet checkpoint");
    const std::string bytes = text.str();
    identity_ = nlohmann::json{{"checkpoint_bytes", bytes.size()},
                               {"checkpoint_hash", std::hash<std::string>()(bytes)},
                               {"calibration_batches", o.calibration_batches},
                               {"calibration_batch", o.calibration_batch},
                               {"validation_images", o.validation_images}}
                    .dump();
  }

  std::string label() const override {
    return "inherited accuracy in the supernet " + o_.checkpoint +
           " (validation images held out of its training, batch norms recalibrated per candidate on " +
           std::to_string(o_.calibration_batches) +
           " training batches; a ranking estimate, not the "
           "accuracy of the candidate trained alone)";
  }
  std::string kind() const override { return "supernet"; }
  std::string identity() const override { return identity_; }
  bool batched() const override { return true; }

  double estimate(const SearchSpace& space, const Candidate& c, const nlohmann::json&,
                  const Network&) override {
    return open(space).validation({supernet_path(map_, c)}).at(0);
  }

  // The accuracies are measured in this process (libtorch's threads) while the workers simulate.
  std::vector<double> estimate_batch(const SearchSpace& space, const std::vector<Candidate>& candidates,
                                     const std::vector<nlohmann::json>&,
                                     const std::function<void()>& meanwhile) override {
    InheritedAccuracy& net = open(space);
    const std::vector<std::vector<int>> paths = paths_of(candidates);
    std::vector<double> accuracy;
    std::exception_ptr failed;
    std::thread measuring([&] {
      try {
        accuracy = net.validation(paths);
      } catch (...) {
        failed = std::current_exception();
      }
    });
    try {
      meanwhile();
    } catch (...) {
      measuring.join();
      throw;
    }
    measuring.join();
    if (failed) std::rethrow_exception(failed);
    return accuracy;
  }

  std::vector<double> test_accuracy(const SearchSpace& space,
                                    const std::vector<Candidate>& candidates) override {
    if (candidates.empty()) return {};
    InheritedAccuracy& net = open(space);
    return net.test(paths_of(candidates));
  }

 private:
  InheritedAccuracy& open(const SearchSpace& space) {
    if (!net_) {
      net_ = train_module().open_supernet(o_);
      map_ = map_to_supernet(net_->layout(), space, o_.checkpoint);
    }
    return *net_;
  }
  std::vector<std::vector<int>> paths_of(const std::vector<Candidate>& candidates) const {
    std::vector<std::vector<int>> paths;
    for (const Candidate& c : candidates) paths.push_back(supernet_path(map_, c));
    return paths;
  }

  InheritedOptions o_;
  std::string identity_;
  std::unique_ptr<InheritedAccuracy> net_;
  SupernetMap map_;
};

}  // namespace

std::unique_ptr<AccuracyEstimator> make_supernet_estimator(const InheritedOptions& options) {
  return std::make_unique<SupernetEstimator>(options);
}

EstimatorFactory supernet_estimators(const InheritedOptions& base) {
  return [base](const std::string& spec) -> std::unique_ptr<AccuracyEstimator> {
    if (spec.rfind("supernet:", 0) != 0 || spec.size() <= 9) return nullptr;
    InheritedOptions o = base;
    o.checkpoint = spec.substr(9);
    return make_supernet_estimator(o);
  };
}

}  // namespace cosim
