// `cosim search` as a NAS researcher runs it: reproducible, resumable after SIGKILL without losing or
// repeating an evaluation, front members that `cosim run` reproduces, and an external accuracy command that
// misbehaves.
#include <gtest/gtest.h>

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "support/cosim_command.hpp"

namespace cosim {
namespace {

using test::cosim_lines;
using test::lines_of;
using test::slurp;

std::string temp(const std::string& name) {
  return test::temp_path("search_" + name);
}

test::CommandResult cosim(const std::string& args) {
  return test::run_cosim(args);
}

const char* kSmall = "search --energy --space vit --budget 40 --population 8 --quiet";

TEST(CosimSearch, SameSeedSameFrontAndMembersReproduceWithRun) {
  const std::string a = temp("a"), b = temp("b");
  const test::CommandResult ra = cosim(std::string(kSmall) + " --seed 3 --jobs 2 --out " + a);
  ASSERT_EQ(ra.code, 0) << ra.err;
  EXPECT_NE(ra.out.find("results in " + a), std::string::npos);
  const test::CommandResult rb = cosim(std::string(kSmall) + " --seed 3 --jobs 1 --out " + b);
  ASSERT_EQ(rb.code, 0) << rb.err;
  EXPECT_EQ(slurp(a + "/front.csv"), slurp(b + "/front.csv"));
  EXPECT_EQ(slurp(a + "/hypervolume.csv"), slurp(b + "/hypervolume.csv"));
  for (const char* f : {"front.json", "evaluations.csv", "front.png", "hypervolume.png"}) {
    EXPECT_TRUE(std::filesystem::exists(a + "/" + f)) << f;
  }
  const nlohmann::json front = nlohmann::json::parse(slurp(a + "/front.json"));
  ASSERT_GE(front["members"].size(), 2u);
  EXPECT_NE(front["accuracy_estimator"].get<std::string>().find("proxy"), std::string::npos);
  // An energy search maps every candidate's layers for energy; `cosim run --objective energy` agrees.
  EXPECT_EQ(front["mapping_objective"], "energy");
  EXPECT_EQ(front["format"], "cosim-search-front/1");
  for (const auto& m : front["members"]) {
    const test::CommandResult r =
        cosim("run " + a + "/" + m["workload"].get<std::string>() + " --objective energy --format json");
    ASSERT_EQ(r.code, 0) << r.err;
    const nlohmann::json j = nlohmann::json::parse(r.out);
    EXPECT_DOUBLE_EQ(j["total"]["energy_pJ"]["total"].get<double>() / 1e6,
                     m["metrics"]["energy_uJ"].get<double>());
    EXPECT_EQ(j["total"]["cycles"], m["metrics"]["cycles"]);
    // The member named by its encoding is the same network.
    const test::CommandResult by_name =
        cosim("run " + m["encoding"].get<std::string>() + " --objective energy --format json");
    ASSERT_EQ(by_name.code, 0) << by_name.err;
    EXPECT_EQ(nlohmann::json::parse(by_name.out)["total"], j["total"]);
    // Each operator's share of the member's PE operations, as the simulated layers count them.
    std::map<std::string, double> macs;
    double total = 0;
    for (const auto& l : j["layers"]) {
      if (l["unit"] == "vector") continue;
      macs[l["op"].get<std::string>()] += l["macs"].get<double>();
      total += l["macs"].get<double>();
    }
    for (const char* op : {"mult", "shift", "adder"})
      EXPECT_NEAR(m["mac_share"][op].get<double>(), macs[op] / total, 1e-12) << op;
  }
  EXPECT_NE(slurp(a + "/front.csv").find(",mult_mac_share,shift_mac_share,adder_mac_share\n"),
            std::string::npos);
  const test::CommandResult other = cosim(std::string(kSmall) + " --seed 4 --jobs 2 --out " + temp("c"));
  ASSERT_EQ(other.code, 0);
  EXPECT_NE(slurp(temp("c") + "/evaluations.csv"), slurp(a + "/evaluations.csv")) << "the seed matters";
}

TEST(CosimSearch, KilledAndResumedEndsWithTheSameFrontNothingLostOrRepeated) {
  const std::string full = temp("full"), killed = temp("killed");
  const std::string args =
      "search --energy --space cnn_cifar --budget 60 --population 12 --jobs 2 --quiet --seed 5";
  ASSERT_EQ(cosim(args + " --out " + full).code, 0);
  // Start the same search, kill it with SIGKILL once some results are journalled.
  test::run_cosim_and_kill(args + " --out " + killed,
                           [&] { return lines_of(killed + "/journal.jsonl") >= 15; });
  const size_t before = lines_of(killed + "/journal.jsonl");
  ASSERT_GE(before, 15u);
  ASSERT_FALSE(std::filesystem::exists(killed + "/front.csv")) << "killed before the end";
  // Without --resume the directory is refused; with it the search finishes.
  EXPECT_EQ(cosim(args + " --out " + killed).code, 2);
  const test::CommandResult r = cosim(args + " --out " + killed + " --resume");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(slurp(full + "/front.csv"), slurp(killed + "/front.csv"));
  EXPECT_EQ(slurp(full + "/evaluations.csv"), slurp(killed + "/evaluations.csv"));
  // Every candidate evaluated exactly once across both runs.
  std::set<std::string> seen;
  std::ifstream in(killed + "/journal.jsonl");
  std::string line;
  std::getline(in, line);  // header
  size_t n = 0;
  while (std::getline(in, line)) {
    const auto j = nlohmann::json::parse(line);
    EXPECT_TRUE(seen.insert(j["encoding"].get<std::string>()).second) << "evaluated twice: " << j["encoding"];
    ++n;
  }
  EXPECT_EQ(n + 1, lines_of(full + "/journal.jsonl"));
}

TEST(CosimSearch, AccuracyCommandThatHangsOrAnswersWrongGivesOneLineAndKeepsResults) {
  const std::string good = temp("good.sh"), hang = temp("hang.sh"), chatty = temp("chatty.sh"),
                    wrong = temp("wrong.sh");
  // Answers for the first 20 candidates, then misbehaves.
  auto script = [](const std::string& bad) {
    return "#!/bin/sh\nn=0\nwhile read line; do\n  n=$((n+1))\n  if [ $n -gt 20 ]; then " + bad +
           "; fi\n  echo '{\"accuracy\": 0.5}'\ndone\n";
  };
  std::ofstream(good) << script("true");
  std::ofstream(hang) << script("sleep 30");
  std::ofstream(chatty) << script("echo 'epoch 3: not json at all'");  // then answers
  std::ofstream(wrong) << script("echo '{\"acc\": 1}'; continue");
  const std::string base = "search --energy --space vit --budget 40 --population 8 --jobs 2 --quiet --seed 2";
  const test::CommandResult ok = cosim(base + " --accuracy 'command:sh " + good + "' --out " + temp("good"));
  ASSERT_EQ(ok.code, 0) << ok.err;
  EXPECT_NE(slurp(temp("good") + "/front.json").find("accuracy from the command"), std::string::npos);
  const test::CommandResult h =
      cosim(base + " --accuracy 'command:sh " + hang + "' --accuracy-timeout 1 --out " + temp("hang"));
  EXPECT_EQ(h.code, 2);
  EXPECT_NE(h.err.find("gave no answer within 1 s"), std::string::npos) << h.err;
  EXPECT_EQ(cosim_lines(h.err), 1) << h.err;
  EXPECT_GE(lines_of(temp("hang") + "/journal.jsonl"), 17u) << "finished evaluations kept";
  // Lines that are not JSON are the command's own (progress, warnings): passed to stderr, the run goes on.
  const test::CommandResult c =
      cosim(base + " --accuracy 'command:sh " + chatty + "' --out " + temp("chatty"));
  EXPECT_EQ(c.code, 0) << c.err;
  EXPECT_NE(c.err.find("epoch 3: not json at all"), std::string::npos) << c.err;
  EXPECT_EQ(lines_of(temp("chatty") + "/journal.jsonl"), lines_of(temp("good") + "/journal.jsonl"));
  // A JSON answer without the number ends the run with one line.
  const test::CommandResult w = cosim(base + " --accuracy 'command:sh " + wrong + "' --out " + temp("wrong"));
  EXPECT_EQ(w.code, 2);
  EXPECT_NE(w.err.find("without a number \"accuracy\""), std::string::npos) << w.err;
  EXPECT_EQ(cosim_lines(w.err), 1) << w.err;
  EXPECT_GE(lines_of(temp("wrong") + "/journal.jsonl"), 17u);
}

// batch:CMD: one request per generation with the genes as named fields, answered while the workers simulate;
// the accuracies land on the right candidates; a wrong answer ends the run with one line and keeps the
// generations before it.
TEST(CosimSearch, BatchedAccuracyCommandAnswersAGenerationPerRequest) {
  const std::string py = temp("batch.py"), log = temp("batch_requests.txt");
  // Accuracy = the sum of the option indices in the candidate's encoding (so that each answer belongs to
  // one candidate); the genes must come as named fields. From request 3 on, with BAD, one number too few.
  std::ofstream(py) << "import json, sys\n"
                       "n = 0\n"
                       "for line in sys.stdin:\n"
                       "    req = json.loads(line); n += 1\n"
                       "    open(sys.argv[1], 'a').write(str(len(req['candidates'])) + '\\n')\n"
                       "    print('request', n, 'of', req['space'], flush=True)\n"
                       "    assert all(isinstance(c['genes'], dict) and 'depth' in c['genes'] for c in "
                       "req['candidates'])\n"
                       "    acc = [sum(int(x) for x in c['encoding'].split(':')[1].split('.')) for c in "
                       "req['candidates']]\n"
                       "    if len(sys.argv) > 2 and n >= 3: acc = acc[1:]\n"
                       "    print(json.dumps({'accuracies': acc}), flush=True)\n";
  const std::string base = "search --energy --space vit --budget 24 --population 8 --jobs 2 --seed 5";
  const test::CommandResult ok =
      cosim(base + " --accuracy 'batch:/usr/bin/python3 " + py + " " + log + "' --out " + temp("batch"));
  ASSERT_EQ(ok.code, 0) << ok.err;
  EXPECT_NE(ok.err.find("request 1 of vit"), std::string::npos) << "the command's own lines go to stderr";
  EXPECT_NE(slurp(temp("batch") + "/front.json").find("a generation per request"), std::string::npos);
  // Three generations of 8 (fewer when a generation repeats a candidate): one request each.
  std::stringstream requests(slurp(log));
  int count = 0, total = 0;
  for (int k; requests >> k;) ++count, total += k;
  EXPECT_EQ(count, 3);
  EXPECT_EQ(size_t(total) + 1, lines_of(temp("batch") + "/journal.jsonl")) << "a header and the candidates";
  // Each journalled accuracy is its own candidate's.
  std::stringstream journal(slurp(temp("batch") + "/journal.jsonl"));
  int checked = 0;
  std::string header;
  std::getline(journal, header);
  for (std::string line; std::getline(journal, line);) {
    const nlohmann::json d = nlohmann::json::parse(line);
    const std::string enc = d["encoding"].get<std::string>();
    std::stringstream digits(enc.substr(enc.find(':') + 1));
    int sum = 0;
    for (std::string x; std::getline(digits, x, '.');) sum += std::stoi(x);
    EXPECT_EQ(d["accuracy"].get<double>(), sum) << enc;
    ++checked;
  }
  EXPECT_EQ(size_t(checked), size_t(total));
  const test::CommandResult bad = cosim(base + " --quiet --accuracy 'batch:/usr/bin/python3 " + py + " " +
                                        temp("bad_requests.txt") + " BAD' --out " + temp("batch_bad"));
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("one number per candidate"), std::string::npos) << bad.err;
  EXPECT_EQ(cosim_lines(bad.err), 1) << bad.err;
  EXPECT_EQ(lines_of(temp("batch_bad") + "/journal.jsonl"), 17u)
      << "a header and the two answered generations";
}

// A table estimator's contents are part of what a journal belongs to: after the table is edited, --resume
// refuses the old journal instead of mixing accuracies of two tables; the unedited table resumes.
TEST(CosimSearch, EditedAccuracyTableIsAnotherRun) {
  const std::string proxy = temp("proxy_for_table"), table = temp("table.csv"), out = temp("with_table");
  // Random search: the candidates do not depend on the accuracies, so the table covers the second run.
  const std::string args =
      "search --energy --space vit --strategy random --budget 8 --population 4 --quiet --seed 3";
  ASSERT_EQ(cosim(args + " --out " + proxy).code, 0);
  {
    std::ifstream in(proxy + "/evaluations.csv");
    std::ofstream t(table);
    std::string line;
    std::getline(in, line);
    t << "encoding,accuracy\n";
    while (std::getline(in, line)) t << line.substr(0, line.find(',')) << ",0.5\n";
  }
  const std::string with_table = args + " --accuracy table:" + table + " --out " + out;
  const test::CommandResult first = cosim(with_table);
  ASSERT_EQ(first.code, 0) << first.err;
  EXPECT_EQ(cosim(with_table + " --resume").code, 0) << "the same table resumes";
  std::ofstream(table, std::ios::app) << "vit:not-a-candidate,0.9\n";
  const test::CommandResult edited = cosim(with_table + " --resume");
  EXPECT_EQ(edited.code, 2);
  EXPECT_EQ(cosim_lines(edited.err), 1) << edited.err;
}

// The values gene `g` takes in the encodings (vit:a.b.c...) of an output folder's evaluations.csv.
std::set<std::string> gene_values(const std::string& out, size_t g) {
  std::stringstream csv(slurp(out + "/evaluations.csv"));
  std::string line;
  std::getline(csv, line);  // header
  std::set<std::string> values;
  while (std::getline(csv, line)) {
    std::stringstream genes(line.substr(line.find(':') + 1, line.find(',') - line.find(':') - 1));
    std::string v;
    for (size_t i = 0; i <= g && std::getline(genes, v, '.'); ++i) {
    }
    values.insert(v);
  }
  return values;
}

// On systolic32 (one multiplier chunk, no sparse-attention engine) the ViT space's sparsity gene cannot
// matter and its shift and adder options cannot run: the genes keep dense and mult, said once each on stderr
// and in front.json, and no candidate has a sparse attention or a shift or adder layer.
TEST(CosimSearch, GenesTheHardwareCannotUseAreCollapsed) {
  const std::string out = temp("no_sparse_engine");
  const test::CommandResult r = cosim(std::string(kSmall) + " --arch systolic32 --seed 1 --out " + out);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(test::count_of(r.err, "attention_sparsity gene of space vit is fixed at dense"), 1u) << r.err;
  EXPECT_EQ(test::count_of(r.err,
                           "no chunk for shift, adder (chunks: mac (mult)): the operator options of "
                           "space vit are mult"),
            1u)
      << r.err;
  EXPECT_EQ(r.err.find("could not run"), std::string::npos) << "every candidate runs: " << r.err;
  const nlohmann::json front = nlohmann::json::parse(slurp(out + "/front.json"));
  ASSERT_EQ(front["notes"].size(), 2u);
  EXPECT_NE(front["notes"].dump().find("no sparse-attention engine"), std::string::npos);
  // Gene 3 of a ViT encoding is the attention option, genes 4... the operators: all 0 (dense, mult) here.
  const std::set<std::string> collapsed = gene_values(out, 3), ops = gene_values(out, 4);
  EXPECT_EQ(collapsed, std::set<std::string>{"0"});
  EXPECT_EQ(ops, std::set<std::string>{"0"});
  for (const auto& m : front["members"]) {
    const std::string w = slurp(out + "/" + m["workload"].get<std::string>());
    EXPECT_EQ(w.find("\"mask\""), std::string::npos);
    EXPECT_EQ(w.find("\"op\": \"shift\""), std::string::npos);
    EXPECT_EQ(w.find("\"op\": \"adder\""), std::string::npos);
    EXPECT_NE(w.find("\"op\": \"mult\""), std::string::npos);
  }
  // The same space on the default accelerator keeps its sparse options.
  const test::CommandResult d = cosim(std::string(kSmall) + " --seed 1 --out " + temp("sparse_engine"));
  ASSERT_EQ(d.code, 0) << d.err;
  EXPECT_EQ(d.err.find("fixed at dense"), std::string::npos);
  EXPECT_GT(gene_values(temp("sparse_engine"), 3).size(), 1u) << "sparse options are searched";
  EXPECT_GT(gene_values(temp("sparse_engine"), 4).size(), 1u) << "shift and adder options are searched";
}

// Co-design: the MAC and adder chunk sizes are genes beside the network's. The area of each candidate's
// accelerator follows from its PE counts (45 nm table, BRIEF.md: a MAC PE is an 8-bit multiplier and a 32-bit
// adder, 282 + 137 um2; an adder PE two 8-bit adds and a 32-bit add, 36 + 36 + 137 um2), those over the
// budget are journalled and not simulated, and every front member runs again with `cosim run` on its own
// accelerator file, to the cycle and the picojoule.
TEST(CosimSearch, CoDesignSearchesChunkSizesWithTheNetworkWithinTheAreaBudget) {
  const std::string out = temp("codesign");
  const std::string args =
      "search --energy --space cnn_fmnist --budget 36 --population 12 --jobs 2 --quiet --seed 2 "
      "--arch-set chunks.mac.rows+chunks.mac.cols=8,16,32 --arch-set "
      "chunks.adder.rows+chunks.adder.cols=8,16 "
      "--area-budget 5.6 --out " +
      out;
  const test::CommandResult r = cosim(args);
  ASSERT_EQ(r.code, 0) << r.err;
  // Every evaluation's area against the smallest accelerator (8x8 MAC, 8x8 adder) by its PEs alone.
  std::ifstream in(out + "/journal.jsonl");
  std::string line;
  std::getline(in, line);
  const nlohmann::json header = nlohmann::json::parse(line);
  EXPECT_EQ(header["area_budget_mm2"], 5.6);
  EXPECT_EQ(header["arch_parameters"]["chunks.mac.rows+chunks.mac.cols"], nlohmann::json({8, 16, 32}));
  std::vector<nlohmann::json> records;
  while (std::getline(in, line)) records.push_back(nlohmann::json::parse(line));
  auto extra_pe_area_mm2 = [](const nlohmann::json& rec) {
    const double mac = rec["arch"]["chunks.mac.rows+chunks.mac.cols"].get<double>();
    const double adder = rec["arch"]["chunks.adder.rows+chunks.adder.cols"].get<double>();
    return ((mac * mac - 64) * (282 + 137) + (adder * adder - 64) * (36 + 36 + 137)) * 1e-6;
  };
  const auto smallest =
      std::min_element(records.begin(), records.end(), [](const nlohmann::json& a, const nlohmann::json& b) {
        return a["area_mm2"].get<double>() < b["area_mm2"].get<double>();
      });
  const double base_mm2 = (*smallest)["area_mm2"].get<double>() - extra_pe_area_mm2(*smallest);
  size_t over = 0;
  std::set<std::string> accelerators;
  for (const nlohmann::json& rec : records) {
    const double area = rec["area_mm2"].get<double>();
    EXPECT_NEAR(area, base_mm2 + extra_pe_area_mm2(rec), 1e-9) << rec["arch"];
    accelerators.insert(rec["arch"].dump());
    if (rec.contains("over_area_budget")) {
      ++over;
      EXPECT_GT(area, 5.6);
      EXPECT_FALSE(rec.contains("metrics")) << "an accelerator over the budget is not simulated";
    } else {
      EXPECT_LE(area, 5.6);
      EXPECT_TRUE(rec.contains("metrics"));
    }
  }
  EXPECT_GT(over, 0u) << "a 32x32 MAC chunk is over 5.6 mm2: the budget must have left some out";
  EXPECT_GE(accelerators.size(), 4u) << "the search tried accelerators, not one";
  const nlohmann::json front = nlohmann::json::parse(slurp(out + "/front.json"));
  ASSERT_GE(front["members"].size(), 2u);
  EXPECT_EQ(front["area_budget_mm2"], 5.6);
  for (const auto& m : front["members"]) {
    EXPECT_LE(m["area_mm2"].get<double>(), 5.6);
    const test::CommandResult run =
        cosim("run " + out + "/" + m["workload"].get<std::string>() + " --arch " + out + "/" +
              m["arch"].get<std::string>() + " --objective energy --format json");
    ASSERT_EQ(run.code, 0) << run.err;
    const nlohmann::json j = nlohmann::json::parse(run.out);
    EXPECT_EQ(j["total"]["cycles"], m["metrics"]["cycles"]) << m["encoding"];
    EXPECT_DOUBLE_EQ(j["total"]["energy_pJ"]["total"].get<double>() / 1e6,
                     m["metrics"]["energy_uJ"].get<double>());
  }
  EXPECT_NE(slurp(out + "/front.csv").find(",area_mm2,arch\n"), std::string::npos);
  // Resumed, every evaluation comes from the journal (those over the budget too) and the front is the same.
  const std::string front_csv = slurp(out + "/front.csv"), evaluations = slurp(out + "/evaluations.csv");
  const test::CommandResult again = cosim(args + " --resume");
  ASSERT_EQ(again.code, 0) << again.err;
  EXPECT_EQ(lines_of(out + "/journal.jsonl"), records.size() + 1) << "nothing evaluated twice";
  EXPECT_EQ(slurp(out + "/front.csv"), front_csv);
  EXPECT_EQ(slurp(out + "/evaluations.csv"), evaluations);
  // Another accelerator space is another search: its journal is not resumed.
  const test::CommandResult other = cosim(
      "search --energy --space cnn_fmnist --budget 36 --population 12 --jobs 2 --quiet --seed 2 "
      "--arch-set chunks.mac.rows+chunks.mac.cols=8,16 --area-budget 5.6 --resume --out " +
      out);
  EXPECT_EQ(other.code, 2) << other.err;
}

// A sweep file's parameters are a co-design space too (commands run from the source folder): its four, with
// --arch-set replacing the DRAM bandwidth's values, and its base architecture.
// Co-design with a batched estimator: it sees networks alone (8 genes, no accelerator genes) and each network
// once, though NSGA-II brings networks back on other accelerators.
TEST(CosimSearch, CoDesignAsksTheEstimatorOncePerNetwork) {
  const std::string py = temp("codesign_batch.py"), log = temp("codesign_asked.txt"),
                    out = temp("codesign_b");
  std::ofstream(py)
      << "import json, sys\n"
         "for line in sys.stdin:\n"
         "    req = json.loads(line)\n"
         "    open(sys.argv[1], 'a').write(''.join(c['encoding'] + '\\n' for c in req['candidates']))\n"
         "    acc = [sum(int(x) for x in c['encoding'].split(':')[1].split('.')) for c in "
         "req['candidates']]\n"
         "    print(json.dumps({'accuracies': acc}), flush=True)\n";
  const test::CommandResult r = cosim(
      "search --energy --space cnn_fmnist --budget 48 --population 12 --jobs 2 --quiet --seed 3 "
      "--arch-set chunks.mac.rows+chunks.mac.cols=8,16,32 --arch-set "
      "chunks.adder.rows+chunks.adder.cols=8,16 "
      "--accuracy 'batch:/usr/bin/python3 " +
      py + " " + log + "' --out " + out);
  ASSERT_EQ(r.code, 0) << r.err;
  std::stringstream asked_text(slurp(log));
  std::set<std::string> asked;
  for (std::string enc; std::getline(asked_text, enc);) {
    EXPECT_TRUE(asked.insert(enc).second) << "asked twice: " << enc;
    EXPECT_EQ(std::count(enc.begin(), enc.end(), '.'), 7) << "a network's 8 genes: " << enc;
  }
  std::stringstream journal(slurp(out + "/journal.jsonl"));
  std::string line;
  std::getline(journal, line);
  std::set<std::string> networks;
  size_t records = 0;
  while (std::getline(journal, line)) {
    const nlohmann::json d = nlohmann::json::parse(line);
    const std::string enc = d["encoding"].get<std::string>();
    std::stringstream genes(enc.substr(enc.find(':') + 1));
    std::string network = "cnn_fmnist:";
    int sum = 0;
    for (int g = 0; g < 8; ++g) {
      std::string x;
      std::getline(genes, x, '.');
      network += (g ? "." : "") + x;
      sum += std::stoi(x);
    }
    EXPECT_EQ(d["accuracy"].get<double>(), sum) << enc << ": its network's estimate";
    networks.insert(network);
    ++records;
  }
  EXPECT_EQ(asked, networks);
  EXPECT_LT(networks.size(), records) << "seed 3 brings networks back on other accelerators";
}

TEST(CosimSearch, CoDesignTakesTheParametersOfASweepFile) {
  const std::string out = temp("arch_space");
  const test::CommandResult r = cosim(
      "search --space cnn_fmnist --budget 12 --population 12 --quiet --arch-space sweeps/chunk_shapes.json "
      "--arch-set \"dram.bandwidth=25.6 GB/s\" --out " +
      out);
  ASSERT_EQ(r.code, 0) << r.err;
  const nlohmann::json front = nlohmann::json::parse(slurp(out + "/front.json"));
  EXPECT_EQ(front["arch_parameters"],
            nlohmann::json({"chunks.mac.rows+chunks.mac.cols", "chunks.shift.rows+chunks.shift.cols",
                            "chunks.adder.rows+chunks.adder.cols", "dram.bandwidth"}));
  EXPECT_FALSE(front.contains("area_budget_mm2")) << "the sweep file has none";
  ASSERT_GE(front["members"].size(), 1u);
  for (const auto& m : front["members"]) {
    EXPECT_EQ(m["arch_parameters"]["dram.bandwidth"], "25.6 GB/s");
    const nlohmann::json arch = nlohmann::json::parse(slurp(out + "/" + m["arch"].get<std::string>()));
    EXPECT_EQ(arch["dram"]["bandwidth"], "25.6 GB/s");
    const int mac = m["arch_parameters"]["chunks.mac.rows+chunks.mac.cols"].get<int>();
    EXPECT_EQ(arch["chunks"][0]["rows"], mac);
    EXPECT_EQ(arch["chunks"][0]["cols"], mac);
  }
}

TEST(CosimSearch, BadCoDesignOptionsGetOneLine) {
  const test::CommandResult field =
      cosim("search --space cnn_fmnist --arch-set chunks.mac.depth=1,2 --out " + temp("bad_field"));
  EXPECT_EQ(field.code, 2);
  EXPECT_NE(field.err.find("--arch-set: chunks.mac.depth"), std::string::npos) << field.err;
  const test::CommandResult value =
      cosim("search --space cnn_fmnist --arch-set chunks.mac.rows=8,-1 --out " + temp("bad_value"));
  EXPECT_EQ(value.code, 2);
  EXPECT_NE(value.err.find("the architecture rejects -1"), std::string::npos) << value.err;
  const std::string sweep = temp("bad_sweep.json");
  std::ofstream(sweep) << R"({"format": "cosim-sweep/1", "parameters": {"chunks.mac.depth": [1, 2]}})";
  const test::CommandResult from_file =
      cosim("search --space cnn_fmnist --arch-space " + sweep + " --out " + temp("bad_sweep"));
  EXPECT_EQ(from_file.code, 2);
  EXPECT_NE(from_file.err.find(sweep + ": /parameters/chunks.mac.depth"), std::string::npos) << from_file.err;
  const test::CommandResult fixed = cosim("search --space cnn_fmnist --area-budget 5 --out " + temp("fixed"));
  EXPECT_EQ(fixed.code, 2);
  EXPECT_NE(fixed.err.find("--arch-set"), std::string::npos) << fixed.err;
  const test::CommandResult tight = cosim(
      "search --space cnn_fmnist --budget 12 --population 12 --quiet --arch-set "
      "chunks.mac.rows+chunks.mac.cols=8,16 --area-budget 1 --out " +
      temp("tight"));
  EXPECT_EQ(tight.code, 2);
  EXPECT_NE(tight.err.find("over the area budget of 1 mm2"), std::string::npos) << tight.err;
  EXPECT_EQ(std::count(tight.err.begin(), tight.err.end(), '\n'), 1) << tight.err;
}

TEST(CosimSearch, BadSpaceAndOptionsGetOneLine) {
  const std::string bad = temp("space.json");
  std::ofstream(bad) << R"({"format": "cosim-space/1", "name": "x", "kind": "vit"})";
  const test::CommandResult r = cosim("search --space " + bad + " --out " + temp("bad"));
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find(bad), std::string::npos) << r.err;
  EXPECT_EQ(cosim("search --energy --latency").code, 2);
  EXPECT_EQ(cosim("search --accuracy magic --out " + temp("m")).code, 2);
  EXPECT_EQ(cosim("search --accuracy table:/nonexistent.csv --out " + temp("t")).code, 2);
}

}  // namespace
}  // namespace cosim
