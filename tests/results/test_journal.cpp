// The journal that makes searches and sweeps survive a kill: records come back on resume, a torn last line
// is dropped, a journal of another run is refused, and an existing one is not overwritten without --resume.
#include <gtest/gtest.h>

#include <sys/wait.h>
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

// A damaged line in the middle loses nothing else: every valid record before and after it is kept, the bad
// line is dropped (its result computed again) and the journal rewritten without it.
TEST(Journal, ACorruptLineInTheMiddleKeepsEveryOtherRecord) {
  const std::string path = temp("mid.jsonl");
  std::filesystem::remove(path);
  const nlohmann::json header = {{"run", "a"}};
  {
    Journal j(path, header, false, "search", "key");
    for (int i = 0; i < 10; ++i) j.append({{"key", "k" + std::to_string(i)}, {"value", i}});
  }
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  in.close();
  lines[4] = "{\"key\": \"k3\", garbage";  // record k3 damaged
  lines[7] = "[1, 2]";                     // a line that is JSON but no record (k6)
  std::ofstream out(path, std::ios::trunc);
  for (const std::string& l : lines) out << l << "\n";
  out.close();
  {
    Journal j(path, header, true, "search", "key");
    EXPECT_EQ(j.resumed(), 8u);
    EXPECT_EQ(j.find("k3"), nullptr);
    EXPECT_EQ(j.find("k6"), nullptr);
    ASSERT_NE(j.find("k9"), nullptr) << "records after the bad line are kept";
    EXPECT_EQ((*j.find("k9"))["value"], 9);
    j.append({{"key", "k3"}, {"value", 3}});
  }
  Journal again(path, header, true, "search", "key");
  EXPECT_EQ(again.resumed(), 9u);
}

// A bad header is the one thing that stops a resume.
TEST(Journal, ABadHeaderIsRefused) {
  const std::string path = temp("badhead.jsonl");
  std::ofstream(path) << "{not json\n{\"key\": \"a\"}\n";
  EXPECT_THROW(Journal(path, {{"run", "a"}}, true, "search", "key"), InputError);
}

// A second writer on one output folder is refused, naming the holder; the lock goes with its holder.
TEST(Journal, ASecondWriterOnAFolderIsRefused) {
  const std::string dir = temp("locked");
  make_output_folder(dir);
  {
    OutputLock first(dir, "search");
    const pid_t child = ::fork();
    if (child == 0) {
      try {
        OutputLock second(dir, "search");
        ::_exit(0);
      } catch (const InputError& e) {
        ::_exit(std::string(e.what()).find("another search is writing here (cosim pid ") != std::string::npos
                    ? 3
                    : 4);
      }
    }
    int status = 0;
    ::waitpid(child, &status, 0);
    EXPECT_EQ(WEXITSTATUS(status), 3);
  }
  EXPECT_NO_THROW(OutputLock(dir, "search"));
  const std::string file = temp("a_file");
  std::ofstream(file) << "x";
  EXPECT_THROW(make_output_folder(file), InputError);
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
