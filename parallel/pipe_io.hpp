// Writing a whole message to a pipe: retries short writes and interrupted calls.
#pragma once

#include <unistd.h>

#include <cerrno>
#include <string>

namespace cosim {

// False when the reader is gone (SIGPIPE must be ignored by the caller) or the write fails.
inline bool write_all(int fd, const std::string& s) {
  size_t done = 0;
  while (done < s.size()) {
    const ssize_t n = ::write(fd, s.data() + done, s.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += size_t(n);
  }
  return true;
}

}  // namespace cosim
