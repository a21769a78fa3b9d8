// `cosim inherited`: the inherited accuracy of given candidates in a supernet trained by cosim train -- the
// figure `cosim search --accuracy supernet:FILE` ranks by -- with batch norms recalibrated per candidate, on
// the validation images the training held out and, with --test, on the test set (docs/training.md). For
// comparing the supernet's ranking with candidates trained alone (scripts/rank-correlation.py).
#include <filesystem>
#include <fstream>
#include <iostream>
#include <stdexcept>

#include <fmt/format.h>

#include "cli/commands.hpp"
#include "cli/option_checks.hpp"
#include "cli/report_output.hpp"
#include "nas/search_space.hpp"
#include "nas/supernet_layout.hpp"
#include "spec/input_error.hpp"
#include "train/train_module.hpp"

#ifndef COSIM_DATA_DIR
#define COSIM_DATA_DIR "."
#endif

namespace cosim {

namespace {

struct InheritedCommand {
  InheritedOptions options;
  std::string space = "cnn_fmnist", candidates_file;
  std::vector<std::string> candidates;
  bool test = false;
  ReportOutput out{{"table", "json", "csv"},
                   "table: for people; csv: encoding,validation_accuracy[,test_accuracy]; json: the same "
                   "with the measurement's settings"};
};

struct Measured {
  std::vector<std::string> encodings;
  std::vector<double> validation, test;
};

// The candidates named on the command line, then those of --candidates (one encoding per line; blank lines
// and lines starting with # are skipped).
std::vector<std::string> candidate_texts(const InheritedCommand& c) {
  std::vector<std::string> texts = c.candidates;
  if (c.candidates_file.empty()) return texts;
  std::error_code ec;
  if (std::filesystem::is_directory(c.candidates_file, ec))
    throw InputError(c.candidates_file, "", "is a directory, not a candidates file");
  std::ifstream in(c.candidates_file);
  if (!in) throw InputError(c.candidates_file, "", "cannot read the candidates file");
  std::string line;
  while (std::getline(in, line)) {
    const size_t first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos || line[first] == '#') continue;
    texts.push_back(line.substr(first, line.find_last_not_of(" \t\r") + 1 - first));
  }
  return texts;
}

Measured measure(const InheritedCommand& c) {
  const std::unique_ptr<SearchSpace> space = read_space(c.space, COSIM_DATA_DIR);
  std::vector<Candidate> candidates;
  Measured m;
  for (const std::string& text : candidate_texts(c)) {
    try {
      candidates.push_back(space->decode(text));
    } catch (const std::invalid_argument& e) {
      throw InputError(c.candidates_file.empty() ? "CANDIDATE" : c.candidates_file, "",
                       fmt::format("{}: {}", text, e.what()));
    }
    m.encodings.push_back(space->encode(candidates.back()));
  }
  if (candidates.empty() && !c.candidates_file.empty())
    throw InputError(c.candidates_file, "", "holds no candidate (one encoding per line)");
  if (candidates.empty())
    throw InputError("CANDIDATE", "", "name at least one candidate (or --candidates FILE)");
  if (!std::filesystem::is_regular_file(c.options.checkpoint))
    throw InputError(c.options.checkpoint, "", "no such supernet checkpoint");
  std::unique_ptr<InheritedAccuracy> net = train_module().open_supernet(c.options);
  const SupernetMap map = map_to_supernet(net->layout(), *space, c.options.checkpoint);
  std::vector<std::vector<int>> paths;
  for (const Candidate& candidate : candidates) paths.push_back(supernet_path(map, candidate));
  m.validation = net->validation(paths);
  if (c.test) m.test = net->test(paths);
  return m;
}

std::string format_measured(const InheritedCommand& c, const Measured& m, const std::string& format) {
  const bool test = !m.test.empty();
  std::string text;
  if (format == "csv") {
    text = test ? "encoding,validation_accuracy,test_accuracy\n" : "encoding,validation_accuracy\n";
    for (size_t i = 0; i < m.encodings.size(); ++i)
      text += test ? fmt::format("{},{:.6f},{:.6f}\n", m.encodings[i], m.validation[i], m.test[i])
                   : fmt::format("{},{:.6f}\n", m.encodings[i], m.validation[i]);
  } else if (format == "json") {
    nlohmann::json j{
        {"supernet", c.options.checkpoint},
        {"validation_images", c.options.validation_images > 0 ? nlohmann::json(c.options.validation_images)
                                                              : nlohmann::json("all held out")},
        {"calibration_batches", c.options.calibration_batches},
        {"candidates", nlohmann::json::array()}};
    for (size_t i = 0; i < m.encodings.size(); ++i) {
      j["candidates"].push_back({{"encoding", m.encodings[i]}, {"validation_accuracy", m.validation[i]}});
      if (test) j["candidates"].back()["test_accuracy"] = m.test[i];
    }
    text = j.dump(2) + "\n";
  } else {
    text = fmt::format("{:<40} {:>12}{}\n", "candidate", "validation",
                       test ? fmt::format(" {:>8}", "test") : "");
    for (size_t i = 0; i < m.encodings.size(); ++i)
      text += fmt::format("{:<40} {:>11.2f}%{}\n", m.encodings[i], 100 * m.validation[i],
                          test ? fmt::format(" {:>7.2f}%", 100 * m.test[i]) : "");
  }
  return text;
}

}  // namespace

CommandAction add_inherited_command(CLI::App& app) {
  auto c = std::make_shared<InheritedCommand>();
  c->options.data_dir = "/usr/share/datasets/fashion-mnist";
  c->options.validation_images = 0;
  CLI::App* cmd = app.add_subcommand(
      "inherited",
      "Inherited accuracy of candidates in a supernet trained by cosim train (what cosim search "
      "--accuracy supernet:FILE ranks by): batch norms recalibrated per candidate, then accuracy on the "
      "validation images the training held out, and with --test on the test set (docs/training.md). A "
      "ranking estimate, not the accuracy of a candidate trained alone.");
  cmd->add_option("supernet", c->options.checkpoint, "Supernet checkpoint of cosim train")->required();
  cmd->add_option("candidates", c->candidates, "Candidates (encodings, e.g. cnn_fmnist:0.3.5...)");
  cmd->add_option("--candidates", c->candidates_file, "File of candidate encodings, one per line");
  cmd->add_option("--space", c->space, "Search space the candidates belong to")->capture_default_str();
  cmd->add_flag("--test", c->test, "Also measure each candidate on the 10,000 test images");
  cmd->add_option("--calibration-batches", c->options.calibration_batches,
                  "Training batches (of 128) that recalibrate each candidate's batch norms; 0: keep the "
                  "statistics of training")
      ->check(whole_number_in(0, 1000))
      ->capture_default_str();
  cmd->add_option("--validation-images", c->options.validation_images,
                  "Validation images per candidate, of those the training held out (0: all)")
      ->check(whole_number_in(0, 1000000))
      ->capture_default_str();
  cmd->add_option("--data", c->options.data_dir, "Directory of the IDX image files")->capture_default_str();
  cmd->add_option("--threads", c->options.threads, "Threads (default: every core)")
      ->check(whole_number_in(1, 1024));
  c->out.add_to(cmd);
  return [c]() {
    const std::string format = c->out.format();
    const Measured m = measure(*c);
    write_outputs({{c->out.path(), format_measured(*c, m, format)}});
    return 0;
  };
}

}  // namespace cosim
