// Golden whole-run reports: `cosim run WORKLOAD --arch ARCH --format json` for the cases in
// tests/golden/cases.txt, compared field by field with the blessed reports in tests/golden/. Any moved
// figure fails with its JSON pointer and both values; an intended change is blessed with
// scripts/bless-golden.sh and reviewed as one diff. File paths (`arch_file`, `workload_file`) are compared
// relative to the source directory; numbers to a relative 1e-9 (the same build type gives them exactly;
// another optimization level may round a sum differently in the last bits).
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/cosim_command.hpp"

namespace cosim {
namespace {

using nlohmann::json;

struct Case {
  std::string workload, arch;
  std::string golden_file() const {
    const std::string base = workload.substr(workload.rfind('/') + 1);
    return "tests/golden/" + base.substr(0, base.size() - 5) + "@" + arch + ".json";
  }
};

// Test names show the case, not its bytes.
void PrintTo(const Case& c, std::ostream* os) {
  *os << c.workload << " on " << c.arch;
}

std::vector<Case> cases() {
  std::ifstream in(std::string(COSIM_SOURCE_DIR) + "/tests/golden/cases.txt");
  std::vector<Case> v;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream s(line);
    Case c;
    s >> c.workload >> c.arch;
    v.push_back(c);
  }
  return v;
}

void compare(const json& want, const json& got, const std::string& at, std::vector<std::string>& diffs) {
  auto differ = [&](const std::string& why) {
    diffs.push_back(at + ": " + why + " (golden " + want.dump() + ", now " + got.dump() + ")");
  };
  if (want.is_number() && got.is_number()) {
    const double a = want.get<double>(), b = got.get<double>();
    if (std::fabs(a - b) > 1e-9 * std::max(std::fabs(a), std::fabs(b))) differ("number moved");
    return;
  }
  if (want.type() != got.type()) return differ("type changed");
  if (want.is_object()) {
    for (auto it = want.begin(); it != want.end(); ++it) {
      if (!got.contains(it.key())) {
        diffs.push_back(at + "/" + it.key() + ": missing now");
        continue;
      }
      compare(it.value(), got[it.key()], at + "/" + it.key(), diffs);
    }
    for (auto it = got.begin(); it != got.end(); ++it) {
      if (!want.contains(it.key())) diffs.push_back(at + "/" + it.key() + ": new field");
    }
  } else if (want.is_array()) {
    if (want.size() != got.size()) return differ("length changed");
    for (size_t i = 0; i < want.size(); ++i) compare(want[i], got[i], at + "/" + std::to_string(i), diffs);
  } else if (want != got) {
    differ("value changed");
  }
}

// Paths as the bless script writes them: relative to the source directory.
void relative_paths(json& j) {
  const std::string prefix = std::string(COSIM_SOURCE_DIR) + "/";
  for (const char* key : {"arch_file", "workload_file"}) {
    if (!j.contains(key) || !j[key].is_string()) continue;
    std::string s = j[key];
    if (s.rfind(prefix, 0) == 0) j[key] = s.substr(prefix.size());
  }
}

TEST(GoldenReports, CasesAreListed) {
  EXPECT_GE(cases().size(), 6u) << "tests/golden/cases.txt";
}

class GoldenReport : public testing::TestWithParam<Case> {};

TEST_P(GoldenReport, EveryFieldEqualsTheBlessedReport) {
  const Case& c = GetParam();
  const std::string golden_text = test::slurp(std::string(COSIM_SOURCE_DIR) + "/" + c.golden_file());
  ASSERT_FALSE(golden_text.empty()) << c.golden_file() << " is missing: run scripts/bless-golden.sh";
  const json want = json::parse(golden_text);
  const test::CommandResult r = test::run_cosim("run " + c.workload + " --arch " + c.arch + " --format json");
  ASSERT_EQ(r.code, 0) << r.err;
  json got = json::parse(r.out);
  relative_paths(got);
  std::vector<std::string> diffs;
  compare(want, got, "", diffs);
  std::string shown;
  for (size_t i = 0; i < diffs.size() && i < 25; ++i) shown += "\n  " + diffs[i];
  EXPECT_TRUE(diffs.empty()) << diffs.size() << " fields differ from " << c.golden_file()
                             << " (an intended change: scripts/bless-golden.sh, then review git diff):"
                             << shown;
}

INSTANTIATE_TEST_SUITE_P(Cases, GoldenReport, testing::ValuesIn(cases()), [](const auto& info) {
  std::string name = info.param.golden_file().substr(13);
  for (char& ch : name) ch = std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
  return name;
});

}  // namespace
}  // namespace cosim
