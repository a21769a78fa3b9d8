// An append-only journal of finished evaluations (JSON lines): a header line saying what run it belongs to,
// then one record per result, flushed as it is written, so a killed run keeps everything it finished and a
// resumed run (same header) takes the recorded results instead of computing them again.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace cosim {

// A file's whole text ("" if it cannot be read): journal headers hold the inputs a result depends on.
std::string file_text(const std::string& path);

// Writes a whole file or nothing (a temporary file renamed into place), so a kill never leaves a partial
// result that looks complete. Throws InputError naming the path when it cannot write (a directory, a
// missing or read-only folder, a full disk); no temporary file is left behind then.
void write_file_whole(const std::string& path, const std::string& text);

// Refuses, before any work is done, a path that cannot be a file written later: a directory, or a file in a
// folder that does not exist.
void check_writable_path(const std::string& path);

// Several files, all or none: every one is written to its temporary file first, and only when all of them
// are written are they renamed into place.
void write_files_whole(const std::vector<std::pair<std::string, std::string>>& files);

// Creates an output folder (and its parents); a path that is a file, or a folder that cannot be created or
// written (a read-only file system), is one InputError.
void make_output_folder(const std::string& dir);

// --resume continues the journal in DIR: without one there is nothing to continue (a mistyped --out, say),
// which is one InputError before anything is created. `what` is "search" or "sweep".
void check_resumable(const std::string& dir, const std::string& what);

// An exclusive lock on an output folder for as long as it lives: a second search or sweep on the same --out
// is refused with one line naming the holder. Released when the process ends, however it ends.
class OutputLock {
 public:
  OutputLock(const std::string& dir, const std::string& what);
  ~OutputLock();
  OutputLock(const OutputLock&) = delete;
  OutputLock& operator=(const OutputLock&) = delete;

 private:
  int fd_ = -1;
};

class Journal {
 public:
  // `what`: the kind of run, for messages ("search", "sweep"); `key`: the record member naming the result.
  // Without `resume` an existing journal is an error; with it, its header must equal `header`. A last line
  // torn by a kill is dropped (that result is computed again); any other line that is not a record is
  // named in a warning on stderr and dropped, every valid record kept.
  Journal(const std::string& path, const nlohmann::json& header, bool resume, const std::string& what,
          const std::string& key);

  const nlohmann::json* find(const std::string& key) const;
  void append(const nlohmann::json& record);
  size_t resumed() const { return resumed_; }

 private:
  void write(const nlohmann::json& j);
  std::vector<std::string> read_records(const nlohmann::json& header, const std::string& what);
  std::string path_, key_;
  size_t lines_read_ = 0;
  std::map<std::string, nlohmann::json> entries_;
  size_t resumed_ = 0;
};

}  // namespace cosim
