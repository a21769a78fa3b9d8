// The journal that makes searches and sweeps survive a kill: records come back on resume, a torn last line
// is dropped, a journal of another run is refused, and an existing one is not overwritten without --resume.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "results/journal.hpp"
#include "spec/input_error.hpp"

namespace cosim {
namespace {

std::string temp(const std::string& name) {
  return testing::TempDir() + "journal_" + std::to_string(::getpid()) + "_" + name;
}

TEST(Journal, ResumeKeepsRecordsDropsATornLineAndRefusesAnotherRun) {
  const std::string path = temp("j.jsonl");
  std::filesystem::remove(path);
  const nlohmann::json header = {{"run", "a"}};
  {
    Journal j(path, header, false, "sweep", "key");
    j.append({{"key", "x"}, {"value", 1}});
    j.append({{"key", "y"}, {"value", 2}});
  }
  std::ofstream(path, std::ios::app) << R"({"key": "z", "val)";  // killed mid-line
  EXPECT_THROW(Journal(path, header, false, "sweep", "key"), InputError)
      << "not overwritten without --resume";
  {
    Journal j(path, header, true, "sweep", "key");
    EXPECT_EQ(j.resumed(), 2u);
    ASSERT_NE(j.find("y"), nullptr);
    EXPECT_EQ((*j.find("y"))["value"], 2);
    EXPECT_EQ(j.find("z"), nullptr) << "the torn record is computed again";
    j.append({{"key", "z"}, {"value", 3}});
  }
  Journal again(path, header, true, "sweep", "key");
  EXPECT_EQ(again.resumed(), 3u) << "the torn bytes were cut before the new record";
  try {
    Journal other(path, {{"run", "b"}}, true, "sweep", "key");
    ADD_FAILURE() << "a journal of another run was resumed";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("different sweep"), std::string::npos) << e.what();
  }
}

TEST(Journal, WholeFilesAppearWholeOrNotAtAll) {
  const std::string path = temp("whole.csv");
  write_file_whole(path, "a,b\n1,2\n");
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(text, "a,b\n1,2\n");
  EXPECT_FALSE(std::filesystem::exists(path + ".partial"));
  EXPECT_THROW(write_file_whole("/nonexistent-dir/x.csv", "x"), InputError);
}

}  // namespace
}  // namespace cosim
