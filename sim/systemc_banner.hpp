// Debian's SystemC 2.3.4 prints its copyright banner on stderr from sc_elab_and_sim(), before sc_main() runs,
// and ignores SYSTEMC_DISABLE_COPYRIGHT_MESSAGE. A tool's stderr is for its own messages: a program's main
// file defines one SystemCBannerMute at namespace scope (constructed before main) and calls release() first
// thing in sc_main().
#pragma once

#include <iostream>
#include <sstream>

namespace cosim {

class SystemCBannerMute {
 public:
  SystemCBannerMute() : saved_(std::cerr.rdbuf(sink_.rdbuf())) {}
  void release() {
    if (saved_) std::cerr.rdbuf(saved_);
    saved_ = nullptr;
  }
  ~SystemCBannerMute() { release(); }

 private:
  std::ostringstream sink_;
  std::streambuf* saved_;
};

}  // namespace cosim
