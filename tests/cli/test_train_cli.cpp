// `cosim train` as a user runs it: a kill loses at most the running epoch and --resume then reproduces the
// uninterrupted run; bad input ends with one line and exit code 2.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/cosim_command.hpp"

namespace cosim::test {
namespace {

const std::string kStandalone =
    "train --standalone cnn_fmnist:0.0.0.0.0.0.0.0 --epochs 3 --train-images 256 --validation-images 200 "
    "--batch 64 --threads 1 --seed 4";

// The accuracy figures of the final line (without the checkpoint's name).
std::string accuracies(const std::string& out) {
  return out.substr(0, out.find("; checkpoint"));
}

TEST(TrainCli, ResumeAfterAKillLosesAtMostTheRunningEpochAndReproducesTheUninterruptedRun) {
  const std::string whole = temp_path("whole.pt"), killed = temp_path("killed.pt");
  const CommandResult a = run_cosim(kStandalone + " -o " + whole);
  ASSERT_EQ(a.code, 0) << a.err;
  EXPECT_NE(a.out.find("trained alone 3 epochs; validation accuracy"), std::string::npos) << a.out;
  EXPECT_NE(a.err.find("epoch 3/3  loss"), std::string::npos) << a.err;
  run_cosim_and_kill(kStandalone + " -o " + killed, [&] { return std::filesystem::exists(killed); });
  const CommandResult b = run_cosim(kStandalone + " -o " + killed + " --resume");
  ASSERT_EQ(b.code, 0) << b.err;
  EXPECT_NE(b.err.find("resuming after epoch 1 of 3"), std::string::npos) << b.err;
  EXPECT_EQ(b.err.find("epoch 1/3  loss"), std::string::npos) << b.err;  // the finished epoch is not redone
  EXPECT_EQ(accuracies(b.out), accuracies(a.out));
}

TEST(TrainCli, TrainsASupernetOverRandomPaths) {
  const std::string file = temp_path("supernet.pt");
  const CommandResult r = run_cosim(
      "train --epochs 1 --train-images 128 --validation-images 100 --batch 32 --threads 1 -o " + file);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("supernet of cnn_fmnist trained 1 epochs"), std::string::npos) << r.out;
  EXPECT_TRUE(std::filesystem::exists(file));
  EXPECT_FALSE(std::filesystem::exists(file + ".partial"));
}

void expect_one_line(const CommandResult& r, const std::string& what) {
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_EQ(cosim_lines(r.err), 1) << r.err;
  EXPECT_NE(r.err.find(what), std::string::npos) << r.err;
}

TEST(TrainCli, BadInputGetsOneLineAndExitCode2) {
  const std::string tiny = " --epochs 1 --train-images 64 --validation-images 50 --batch 32 --threads 1";
  const std::string file = temp_path("bad.pt");
  ASSERT_EQ(run_cosim("train --standalone cnn_fmnist:0.0.0.0.0.0.0.0" + tiny + " -o " + file).code, 0);
  expect_one_line(run_cosim("train --standalone cnn_fmnist:0.0.0.0.0.0.0.0" + tiny + " -o " + file),
                  file + ": exists: pass --resume");
  expect_one_line(
      run_cosim("train --standalone cnn_fmnist:0.0.0.0.0.0.0.0 --seed 9 --resume" + tiny + " -o " + file),
      file + ": was written by another training");
  const std::string junk = temp_path("junk.pt");
  std::ofstream(junk) << "not a checkpoint";
  expect_one_line(run_cosim("train --resume" + tiny + " -o " + junk),
                  junk + ": not a checkpoint of cosim train");
  expect_one_line(run_cosim("train --space vit" + tiny + " -o " + temp_path("vit.pt")),
                  "spaces/vit.json: /kind: a supernet needs a space whose every gene chooses a block");
  expect_one_line(run_cosim("train --data /nonexistent" + tiny + " -o " + temp_path("nodata.pt")),
                  "/nonexistent/train-images-idx3-ubyte.gz: no such file");
  expect_one_line(run_cosim("train --standalone cnn_fmnist:9.9" + tiny + " -o " + temp_path("short.pt")),
                  "--standalone");
  expect_one_line(run_cosim("train --validation-images 60000 --epochs 1 -o " + temp_path("val.pt")),
                  "--validation-images must be 1 to 59999");
  expect_one_line(run_cosim("train --warmup-epochs 2 --epochs 2 -o " + temp_path("warm.pt")),
                  "--warmup-epochs: must be fewer than --epochs (2)");
  expect_one_line(run_cosim("train --warmup-epochs 1 --epochs 2 --standalone cnn_fmnist:0.0.0.0.0.0.0.0 -o " +
                            temp_path("warm.pt")),
                  "--warmup-epochs: is for supernet training");
  expect_one_line(run_cosim("train --warmup-epochs 1 --ramp-epochs 2 --epochs 2 -o " + temp_path("warm.pt")),
                  "--ramp-epochs: the warm-up and the ramp (1 + 2) must fit in --epochs (2)");
  expect_one_line(run_cosim("train --ramp-epochs 1 --epochs 2 --standalone cnn_fmnist:0.0.0.0.0.0.0.0 -o " +
                            temp_path("warm.pt")),
                  "--ramp-epochs: is for supernet training");
  EXPECT_FALSE(std::filesystem::exists(temp_path("vit.pt")));
  EXPECT_FALSE(std::filesystem::exists(temp_path("val.pt")));
  EXPECT_FALSE(std::filesystem::exists(temp_path("warm.pt")));
}

// The lines of a text.
std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  return lines;
}

// The lines of a file.
std::vector<std::string> lines_of(const std::string& file) {
  std::ifstream in(file);
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  return lines;
}

// A number of the CSV row `line`, in column `column` (no quoted cells before it).
double csv_number(const std::string& line, size_t column) {
  size_t at = 0;
  for (size_t c = 0; c < column; ++c) at = line.find(',', at) + 1;
  return std::stod(line.substr(at, line.find(',', at) - at));
}

TEST(TrainCli, SearchMeasuresCandidatesInTheSupernetAndTheFrontOnceOnTheTestSet) {
  const std::string file = temp_path("search_supernet.pt"), out = temp_path("search_supernet_out");
  ASSERT_EQ(
      run_cosim("train --epochs 1 --train-images 256 --validation-images 200 --batch 64 --threads 1 -o " +
                file)
          .code,
      0);
  const std::string search =
      "search --space cnn_fmnist --budget 8 --population 4 --jobs 1 --quiet "
      "--calibration-batches 1 --accuracy supernet:" +
      file + " --out " + out;
  const CommandResult r = run_cosim(search);
  ASSERT_EQ(r.code, 0) << r.err;
  const std::vector<std::string> front = lines_of(out + "/front.csv");
  ASSERT_GE(front.size(), 2u);
  EXPECT_EQ(front[0].rfind("rank,encoding,workload,accuracy,test_accuracy,energy_uJ", 0), 0u) << front[0];
  // front.png draws the front at its energy (column 6, after the test accuracy), not at its test accuracy.
  EXPECT_NE(test::slurp(out + "/plots.gp").find("'front.csv' every ::1 using 6:4 "), std::string::npos);
  for (size_t i = 1; i < front.size(); ++i) {
    // Validation: of the 200 images the training held out; test: of the 10,000 test images.
    const double validation = csv_number(front[i], 3), test = csv_number(front[i], 4);
    EXPECT_NEAR(validation * 200, std::round(validation * 200), 1e-3) << front[i];
    EXPECT_NEAR(test * 10000, std::round(test * 10000), 1e-2) << front[i];
  }
  const std::vector<std::string> journal = lines_of(out + "/journal.jsonl");
  EXPECT_NE(journal.at(0).find("\"estimator_identity\""), std::string::npos);
  // Each member's test accuracy journalled once, after the evaluations: a resumed search measures none again.
  const auto measured = std::count_if(journal.begin(), journal.end(), [](const std::string& line) {
    return line.find("\"test_accuracy\"") != std::string::npos;
  });
  EXPECT_EQ(measured, std::ptrdiff_t(front.size() - 1));
  // Resumed: every evaluation and test figure from the journal, the same front.
  const CommandResult again = run_cosim(search + " --resume");
  ASSERT_EQ(again.code, 0) << again.err;
  EXPECT_EQ(lines_of(out + "/front.csv"), front);
  EXPECT_EQ(lines_of(out + "/journal.jsonl"), journal);
  // `cosim inherited` measures a front member as the search did (same images, same recalibration), and the
  // same candidate twice alike.
  const size_t from = front[1].find(',') + 1;
  const std::string member = front[1].substr(from, front[1].find(',', from) - from);
  const CommandResult inherited = run_cosim("inherited " + file + " " + member + " " + member +
                                            " --calibration-batches 1 --test --format csv");
  ASSERT_EQ(inherited.code, 0) << inherited.err;
  const std::vector<std::string> rows = split_lines(inherited.out);
  ASSERT_EQ(rows.size(), 3u) << inherited.out;
  EXPECT_EQ(rows[0], "encoding,validation_accuracy,test_accuracy");
  EXPECT_EQ(rows[1].substr(0, member.size() + 1), member + ",");
  EXPECT_NEAR(csv_number(rows[1], 1), csv_number(front[1], 3), 1e-6) << rows[1] << " vs " << front[1];
  EXPECT_NEAR(csv_number(rows[1], 2), csv_number(front[1], 4), 1e-6) << rows[1] << " vs " << front[1];
  EXPECT_EQ(rows[2], rows[1]);
  expect_one_line(run_cosim("inherited " + file + " cnn_fmnist:1.2"), "CANDIDATE: cnn_fmnist:1.2:");
  expect_one_line(run_cosim("inherited " + file), "CANDIDATE: name at least one candidate");
  expect_one_line(run_cosim("inherited " + temp_path("none.pt") + " " + member),
                  "none.pt: no such supernet checkpoint");
  expect_one_line(run_cosim("inherited " + file + " --candidates " + temp_path("none.txt")),
                  "none.txt: cannot read the candidates file");
  const std::string empty = temp_path("empty.txt");
  std::ofstream(empty) << "# no candidate\n\n";
  expect_one_line(run_cosim("inherited " + file + " --candidates " + empty), "empty.txt: holds no candidate");
  expect_one_line(run_cosim("inherited " + file + " --candidates " + testing::TempDir()),
                  "is a directory, not a candidates file");
  // Another network's supernet, a standalone network's checkpoint, no file: one line each.
  expect_one_line(run_cosim("search --space cnn_cifar --budget 4 --population 4 --jobs 1 --quiet --accuracy "
                            "supernet:" +
                            file + " --out " + temp_path("cifar_out")),
                  file + ": /cosim_layout: the supernet was trained for another network");
  const std::string alone = temp_path("search_alone.pt");
  ASSERT_EQ(run_cosim("train --standalone cnn_fmnist:0.0.0.0.0.0.0.0 --epochs 1 --train-images 64 "
                      "--validation-images 50 --batch 32 --threads 1 -o " +
                      alone)
                .code,
            0);
  expect_one_line(run_cosim("search --space cnn_fmnist --budget 4 --population 4 --jobs 1 --quiet --accuracy "
                            "supernet:" +
                            alone + " --out " + temp_path("alone_out")),
                  alone + ": is a standalone network's checkpoint");
  expect_one_line(run_cosim("inherited " + alone + " " + member),
                  alone + ": is a standalone network's checkpoint");
  expect_one_line(run_cosim("search --space cnn_fmnist --budget 4 --jobs 1 --quiet --accuracy supernet:" +
                            temp_path("none.pt")),
                  "none.pt: cannot read the supernet checkpoint");
}

}  // namespace
}  // namespace cosim::test
