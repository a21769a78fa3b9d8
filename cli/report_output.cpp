#include "cli/report_output.hpp"

#include <algorithm>
#include <filesystem>
#include <iostream>

#include "results/journal.hpp"
#include "spec/input_error.hpp"

namespace cosim {

ReportOutput::ReportOutput(std::vector<std::string> formats, std::string format_help)
    : formats_(std::move(formats)), help_(std::move(format_help)), format_(formats_.front()) {}

void ReportOutput::add_to(CLI::App* cmd) {
  format_option_ =
      cmd->add_option("--format", format_,
                      help_ + " (default: from the -o file's extension, else " + formats_.front() + ")")
          ->check(CLI::IsMember(formats_));
  cmd->add_option("-o,--output", path_,
                  "Write the report to this file (whole or not at all) instead of stdout; a .json or .csv "
                  "name picks that format");
}

std::string ReportOutput::format() const {
  const std::string ext = std::filesystem::path(path_).extension().string();
  const std::string from_ext = ext.size() > 1 ? ext.substr(1) : "";
  const bool ext_is_format =
      (from_ext == "json" || from_ext == "csv") && std::count(formats_.begin(), formats_.end(), from_ext) > 0;
  const bool asked = format_option_ && format_option_->count() > 0;
  if (!path_.empty() && path_ != "-") check_writable_path(path_);
  if (!asked) return ext_is_format ? from_ext : formats_.front();
  if ((from_ext == "json" || from_ext == "csv") && from_ext != format_) {
    throw InputError(path_, "",
                     "--format " + format_ + " contradicts the file's extension ." + from_ext +
                         "; drop --format or name the file ." + (format_ == "table" ? "txt" : format_));
  }
  return format_;
}

void write_outputs(const std::vector<std::pair<std::string, std::string>>& outputs) {
  std::vector<std::pair<std::string, std::string>> files;
  std::string to_stdout;
  for (const auto& [path, text] : outputs) {
    if (path.empty() || path == "-")
      to_stdout += text;
    else
      files.emplace_back(path, text);
  }
  write_files_whole(files);
  std::cout << to_stdout << std::flush;
}

}  // namespace cosim
