#include "results/gnuplot.hpp"

#include <cstdlib>
#include <fstream>
#include <iostream>

namespace cosim {

bool draw_with_gnuplot(const std::string& dir, const std::string& name, const std::string& script) {
  const std::string gp = dir + "/" + name + ".gp", log = dir + "/gnuplot.log";
  std::ofstream(gp) << script;
  if (std::system(("gnuplot '" + gp + "' 2>'" + log + "'").c_str()) == 0) return true;
  std::cerr << "cosim: warning: gnuplot failed (see " << log << "); the data files are complete\n";
  return false;
}

}  // namespace cosim
