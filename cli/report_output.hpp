// Where a command's report goes and in what format: `--format` and `-o/--output`, shared by `cosim run` and
// `cosim map`. Without `--format` the format follows the output file's extension (.json, .csv); a format that
// contradicts the extension is refused. Files are written whole or not at all, together.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

namespace cosim {

class ReportOutput {
 public:
  // `formats`: the first is the default; "json" and "csv" are also taken from an extension.
  ReportOutput(std::vector<std::string> formats, std::string format_help);
  void add_to(CLI::App* cmd);

  // The format asked for, or read off the output file's extension; throws InputError on a contradiction.
  std::string format() const;
  const std::string& path() const { return path_; }

 private:
  std::vector<std::string> formats_;
  std::string help_;
  std::string format_;
  std::string path_;
  CLI::Option* format_option_ = nullptr;
};

// Writes every (path, text) whole, all or none; a path of "" or "-" goes to stdout, after the files.
void write_outputs(const std::vector<std::pair<std::string, std::string>>& outputs);

}  // namespace cosim
