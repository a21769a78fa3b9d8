// Accuracy estimators behind one interface (docs/search.md). Whatever answers is named in every output: a
// training-free proxy is called a proxy, never accuracy.
//   proxy          built in: capacity (parameter and operation counts) minus a penalty per operator type
//   table:FILE     known results: a CSV with columns `encoding` and `accuracy`
//   command:CMD    an external program (e.g. a PyTorch supernet): one JSON line per candidate on its stdin,
//                  one JSON line {"accuracy": x} back on its stdout, within a timeout
#pragma once

#include <memory>
#include <stdexcept>
#include <string>

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
  virtual std::string kind() const = 0;  // "proxy", "table" or "command"
  virtual double estimate(const SearchSpace& space, const Candidate& c, const nlohmann::json& workload,
                          const Network& net) = 0;
};

// The built-in proxy's value for a network (documented in docs/search.md).
double accuracy_proxy(const Network& net, const nlohmann::json& op_penalty);

// "proxy", "table:FILE" or "command:CMD". Throws InputError for a bad spec or table file.
std::unique_ptr<AccuracyEstimator> make_estimator(const std::string& spec, double timeout_s);

}  // namespace cosim
