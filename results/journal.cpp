#include "results/journal.hpp"

#include <filesystem>
#include <fstream>

#include "spec/input_error.hpp"

namespace cosim {

std::string file_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void write_file_whole(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".partial";
  {
    std::ofstream out(tmp, std::ios::binary);
    out << text;
    if (!out.flush()) throw InputError(path, "", "cannot write this file");
  }
  std::filesystem::rename(tmp, path);
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
