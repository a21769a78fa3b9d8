// Accuracy estimators behind one interface (docs/search.md). Whatever answers is named in every output: a
// training-free proxy is called a proxy, never accuracy.
//   proxy          built in: capacity (parameter and operation counts) minus a penalty per operator type
//   table:FILE     known results: a CSV with columns `encoding` and `accuracy`
//   command:CMD    an external program (e.g. a PyTorch supernet): one JSON line per candidate on its stdin,
//                  one JSON line {"accuracy": x} back on its stdout, within a timeout
//   batch:CMD      the same program protocol a generation at a time: one request line with every candidate
//                  (genes as named fields), one line {"accuracies": [...]} back; it computes while the
//                  workers simulate the hardware
//   supernet:FILE  inherited accuracy from a supernet trained by `cosim train` (docs/training.md); made by
//                  train/supernet_estimator, which the CLI hands to the search as an EstimatorFactory
// Lines on a command's stdout that are not JSON are passed to cosim's stderr and otherwise ignored.
#pragma once

#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "nas/search_space.hpp"
#include "spec/network.hpp"

namespace cosim {

// An estimator that misbehaved (no answer in time, garbage, exited, unknown candidate): one line saying so.
struct EstimatorError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class AccuracyEstimator {
 public:
  virtual ~AccuracyEstimator() = default;
  // What the figure is, for every output: e.g. "proxy (training-free; not accuracy)".
  virtual std::string label() const = 0;
  virtual std::string kind() const = 0;  // "proxy", "table", "command" or "supernet"
  virtual double estimate(const SearchSpace& space, const Candidate& c, const nlohmann::json& workload,
                          const Network& net) = 0;

  // An estimator that answers a generation at once (batch:CMD) says so; the search then calls estimate_batch
  // instead of estimate, with `meanwhile` (the hardware simulation of the same candidates) to run while it
  // waits for the answers.
  virtual bool batched() const { return false; }
  virtual std::vector<double> estimate_batch(const SearchSpace& space,
                                             const std::vector<Candidate>& candidates,
                                             const std::vector<nlohmann::json>& workloads,
                                             const std::function<void()>& meanwhile);

  // What besides the spec makes its answers what they are (a table's or a checkpoint's contents), for the
  // journal header: an edited file is another run. Empty when the spec says it all.
  virtual std::string identity() const { return ""; }

  // Accuracy on the test set, measured once for the final front by estimators that have one (supernet);
  // empty otherwise.
  virtual std::vector<double> test_accuracy(const SearchSpace&, const std::vector<Candidate>&) { return {}; }
};

// Makes the estimators that live above nas (supernet:FILE, in train/): null when `spec` is not one of its.
using EstimatorFactory = std::function<std::unique_ptr<AccuracyEstimator>(const std::string& spec)>;

// The built-in proxy's value for a network (documented in docs/search.md).
double accuracy_proxy(const Network& net, const nlohmann::json& op_penalty);

// "proxy", "table:FILE", "command:CMD", "batch:CMD", or what `more` makes. Throws InputError for a bad spec
// or table file.
std::unique_ptr<AccuracyEstimator> make_estimator(const std::string& spec, double timeout_s,
                                                  const EstimatorFactory& more = nullptr);

}  // namespace cosim
