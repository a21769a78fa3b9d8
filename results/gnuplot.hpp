// Plots are drawn by gnuplot (Debian's gnuplot-nox, pngcairo terminal) from a script written next to the
// data, so a user can edit and re-run it: the script names its data and images relative to its own folder,
// so `cd FOLDER && gnuplot plots.gp` works wherever the folder has been moved.
#pragma once

#include <string>

namespace cosim {

// Writes `script` to DIR/NAME.gp and runs gnuplot on it in DIR (no shell in between, so any character in DIR
// is safe). A failure is a warning on stderr naming the log (the data files are complete without the plots);
// returns whether it worked.
bool draw_with_gnuplot(const std::string& dir, const std::string& name, const std::string& script);

// `text` as a double-quoted gnuplot string (quotes and backslashes escaped, a newline as \n), for titles and
// labels drawn with noenhanced.
std::string gnuplot_quoted(const std::string& text);

}  // namespace cosim
