// Errors in a user's file: which file, where in it (a JSON pointer), and what is wrong.
// Thrown while reading and validating; caught once at the CLI edge and printed as one line, exit code 2.
#pragma once

#include <stdexcept>
#include <string>

namespace cosim {

class InputError : public std::runtime_error {
 public:
  InputError(std::string file, std::string path, std::string problem)
      : std::runtime_error(format(file, path, problem)),
        file_(std::move(file)),
        path_(std::move(path)),
        problem_(std::move(problem)) {}

  const std::string& file() const { return file_; }
  const std::string& path() const { return path_; }
  const std::string& problem() const { return problem_; }

 private:
  static std::string format(const std::string& file, const std::string& path, const std::string& problem) {
    std::string s = file;
    if (!path.empty()) s += ": " + path;
    return s + ": " + problem;
  }
  std::string file_, path_, problem_;
};

}  // namespace cosim
