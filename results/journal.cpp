#include "results/journal.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "spec/input_error.hpp"

namespace cosim {

std::string file_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void check_writable_path(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::is_directory(path, ec)) throw InputError(path, "", "is a directory; name a file to write");
  const fs::path dir = fs::path(path).parent_path();
  if (!dir.empty() && !fs::is_directory(dir, ec))
    throw InputError(path, "", "cannot write this file: its folder " + dir.string() + " does not exist");
}

namespace {

std::string partial_path(const std::string& path) {
  return path + ".partial";
}

void write_partial(const std::string& path, const std::string& text) {
  namespace fs = std::filesystem;
  check_writable_path(path);
  std::error_code ec;
  const std::string tmp = partial_path(path);
  std::ofstream out(tmp, std::ios::binary);
  if (out) out << text;
  if (!out || !out.flush()) {
    out.close();
    fs::remove(tmp, ec);
    throw InputError(path, "", std::string("cannot write this file (") + std::strerror(errno) + ")");
  }
}

}  // namespace

void write_files_whole(const std::vector<std::pair<std::string, std::string>>& files) {
  namespace fs = std::filesystem;
  size_t written = 0;
  try {
    for (; written < files.size(); ++written) write_partial(files[written].first, files[written].second);
  } catch (...) {
    std::error_code ec;
    for (size_t i = 0; i < written; ++i) fs::remove(partial_path(files[i].first), ec);
    throw;
  }
  for (const auto& [path, text] : files) {
    std::error_code ec;
    fs::rename(partial_path(path), path, ec);
    if (ec) throw InputError(path, "", "cannot write this file (" + ec.message() + ")");
  }
}

void write_file_whole(const std::string& path, const std::string& text) {
  write_files_whole({{path, text}});
}

void make_output_folder(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::exists(dir, ec) && !fs::is_directory(dir, ec))
    throw InputError(dir, "", "is a file; --out names a folder for the results");
  fs::create_directories(dir, ec);
  if (ec) throw InputError(dir, "", "cannot create this folder (" + ec.message() + ")");
  if (::access(dir.c_str(), W_OK) != 0)
    throw InputError(dir, "", std::string("cannot write in this folder (") + std::strerror(errno) + ")");
}

void check_resumable(const std::string& dir, const std::string& what) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(dir + "/journal.jsonl", ec))
    throw InputError(dir, "",
                     "--resume: no journal.jsonl here to continue; run without --resume to start a " + what);
}

OutputLock::OutputLock(const std::string& dir, const std::string& what) {
  const std::string path = dir + "/.lock";
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    throw InputError(dir, "", std::string("cannot write in this folder (") + std::strerror(errno) + ")");
  }
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const std::string holder = file_text(path);
    ::close(fd_);
    fd_ = -1;
    throw InputError(dir, "",
                     "another " + what + " is writing here (" + (holder.empty() ? "holder unknown" : holder) +
                         "); wait for it to end or choose another --out");
  }
  const std::string me = "cosim pid " + std::to_string(::getpid());
  if (::ftruncate(fd_, 0) == 0 && ::write(fd_, me.data(), me.size()) < 0) {
    // The holder's description is only a courtesy for the message above.
  }
}

OutputLock::~OutputLock() {
  if (fd_ >= 0) ::close(fd_);
}

Journal::Journal(const std::string& path, const nlohmann::json& header, bool resume, const std::string& what,
                 const std::string& key)
    : path_(path), key_(key) {
  namespace fs = std::filesystem;
  if (fs::exists(path) && !resume) {
    throw InputError(
        path, "", "a " + what + " already wrote here; pass --resume to continue it or choose another --out");
  }
  if (!resume || !fs::exists(path)) {
    write(header);
    return;
  }
  const std::vector<std::string> kept = read_records(header, what);
  resumed_ = entries_.size();
  if (kept.empty()) {
    std::error_code ec;
    fs::remove(path, ec);
    write(header);
  } else if (kept.size() != lines_read_) {
    // Lines were dropped: the journal is rewritten with the header and the valid records only.
    std::string text;
    for (const std::string& line : kept) text += line + "\n";
    write_file_whole(path, text);
  }
}

// Reads the journal being resumed: the header must be `header`; every valid record is kept. A last line
// torn by a kill is dropped silently; any other line that is not a record is named in a warning (its result
// is computed again). Returns the lines kept, header first (none if the header line itself is torn).
std::vector<std::string> Journal::read_records(const nlohmann::json& header, const std::string& what) {
  std::ifstream in(path_);
  std::vector<std::string> lines, kept;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  lines_read_ = lines.size();
  std::vector<size_t> bad;
  for (size_t i = 0; i < lines.size(); ++i) {
    const bool last = i + 1 == lines.size();
    nlohmann::json j = nlohmann::json::parse(lines[i], nullptr, false);
    if (i == 0) {
      if (j.is_discarded() && last) return {};  // killed while writing the header
      if (j.is_discarded() || j != header) {    // a discarded value compares unequal to nothing
        throw InputError(path_, "line 1",
                         j.is_discarded()
                             ? "the journal's header is not valid JSON; use another --out"
                             : "this journal is of a different " + what +
                                   " (its inputs, options or the model version differ); use another "
                                   "--out");
      }
    } else if (!j.is_object() || !j.contains(key_)) {
      if (!last) bad.push_back(i + 1);
      continue;
    } else {
      entries_[j.at(key_).dump()] = j;
    }
    kept.push_back(lines[i]);
  }
  if (!bad.empty()) {
    std::string list;
    for (size_t k = 0; k < bad.size() && k < 5; ++k) list += (k ? ", " : "") + std::to_string(bad[k]);
    std::cerr << "cosim: warning: " << path_ << ": " << bad.size() << " line(s) are not valid records (line "
              << list << (bad.size() > 5 ? ", ..." : "") << "); kept the other " << kept.size() - 1
              << " records, the dropped ones are computed again\n";
  }
  return kept;
}

const nlohmann::json* Journal::find(const std::string& key) const {
  auto it = entries_.find(nlohmann::json(key).dump());
  return it == entries_.end() ? nullptr : &it->second;
}

void Journal::append(const nlohmann::json& record) {
  write(record);
  entries_[record.at(key_).dump()] = record;
}

void Journal::write(const nlohmann::json& j) {
  std::ofstream out(path_, std::ios::app | std::ios::binary);
  out << j.dump() << "\n";
  out.flush();
  if (!out) throw InputError(path_, "", "cannot write the journal");
}

}  // namespace cosim
