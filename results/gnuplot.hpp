// Plots are drawn by gnuplot (Debian's gnuplot-nox, pngcairo terminal) from a script written next to the
// data, so a user can edit and re-run it.
#pragma once

#include <string>

namespace cosim {

// Writes `script` to DIR/NAME.gp and runs gnuplot on it. A failure is a warning on stderr naming the log
// (the data files are complete without the plots); returns whether it worked.
bool draw_with_gnuplot(const std::string& dir, const std::string& name, const std::string& script);

}  // namespace cosim
