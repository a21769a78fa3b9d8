// Synthesizes the arithmetic of each PE type (rtl/pe_term.sv) with yosys's generic cell library at the widths
// of the default accelerator's chunks, and checks the relative areas against the technology table's
// (model/area_model.hpp): same order of the three PE types, and each area relative to the multiplier PE
// within a factor of 1.5 of the table's. Prints both. Exit 0: agree; 1: disagree; 2: could not run.
//   pe_area_check YOSYS RTL_DIR ARCH_FILE [OUT_DIR]
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "model/area_model.hpp"
#include "spec/arch_spec.hpp"

int main(int argc, char** argv) {
  if (argc < 4) {
    std::cerr << "usage: pe_area_check YOSYS RTL_DIR ARCH_FILE [OUT_DIR]\n";
    return 2;
  }
  const std::string yosys = argv[1], rtl = argv[2], out_dir = argc > 4 ? argv[4] : ".";
  cosim::ArchSpec arch;
  try {
    arch = cosim::read_arch(argv[3]);
  } catch (const std::exception& e) {
    std::cerr << "pe_area_check: " << e.what() << "\n";
    return 2;
  }
  struct Row {
    std::string name;
    long cells = 0;
    double table_um2 = 0;
  };
  std::vector<Row> rows;
  for (const cosim::ChunkSpec& c : arch.chunks) {
    const int op = int(c.op);
    const std::string json = out_dir + "/pe_term_" + c.name + ".json";
    const std::string cmd = fmt::format(
        "'{}' -q -p 'read_verilog -sv {}/pe_term.sv; chparam -set OP {} -set ACT_W {} -set WGT_W {} -set "
        "ACC_W {} "
        "-set FRAC {} -set SATURATE {} pe_term; synth -flatten -top pe_term; tee -q -o {} stat -json' > "
        "/dev/null",
        yosys, rtl, op, c.pe.act_bits, c.pe.weight_bits, c.pe.acc_bits, c.pe.frac_bits,
        c.pe.overflow == cosim::Overflow::Saturate ? 1 : 0, json);
    if (std::system(cmd.c_str()) != 0) {
      std::cerr << "pe_area_check: yosys failed for chunk " << c.name << ": " << cmd << "\n";
      return 2;
    }
    std::ifstream in(json);
    const nlohmann::json stat = nlohmann::json::parse(in);
    Row r;
    r.name = c.name + " (" + cosim::to_string(c.op) + ")";
    r.cells = stat["modules"]["\\pe_term"]["num_cells"].get<long>();
    r.table_um2 = cosim::pe_area_um2(arch.technology, c.op, c.pe);
    rows.push_back(r);
  }
  if (rows.empty()) return 2;
  const Row& ref = rows.front();
  bool ok = true;
  std::cout << fmt::format("{:<16} {:>12} {:>10} {:>14} {:>10}\n", "PE", "yosys cells", "relative",
                           "table um2", "relative");
  for (const Row& r : rows) {
    const double rel_cells = double(r.cells) / double(ref.cells), rel_table = r.table_um2 / ref.table_um2;
    const bool agree = rel_cells / rel_table < 1.5 && rel_table / rel_cells < 1.5;
    ok = ok && agree;
    std::cout << fmt::format("{:<16} {:>12} {:>10.2f} {:>14.1f} {:>10.2f}{}\n", r.name, r.cells, rel_cells,
                             r.table_um2, rel_table, agree ? "" : "   <- more than 1.5x apart");
  }
  for (size_t i = 0; i < rows.size(); ++i) {
    for (size_t j = 0; j < rows.size(); ++j) {
      if ((rows[i].cells < rows[j].cells) != (rows[i].table_um2 < rows[j].table_um2)) {
        std::cout << rows[i].name << " and " << rows[j].name << " are in a different order\n";
        ok = false;
      }
    }
  }
  std::cout << (ok ? "relative PE areas agree with " : "relative PE areas DISAGREE with ")
            << arch.technology_file << "\n";
  return ok ? 0 : 1;
}
