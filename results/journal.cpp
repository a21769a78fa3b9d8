#include "results/journal.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

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
  std::ifstream in(path);
  std::string line;
  size_t good = 0;
  bool first = true;
  while (std::getline(in, line)) {
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(line);
    } catch (const std::exception&) {
      break;  // a line torn by a kill
    }
    if (first) {
      if (j != header) {
        throw InputError(path, "line 1",
                         "this journal is of a different " + what +
                             " (its inputs, options or the model version differ); use another --out");
      }
      first = false;
    } else {
      entries_[j.at(key_).dump()] = j;
    }
    good += line.size() + 1;
  }
  in.close();
  fs::resize_file(path, good);
  resumed_ = entries_.size();
  if (first) write(header);
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
