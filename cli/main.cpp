// cosim: the command-line edge. Errors in the user's input arrive here as InputError and leave as one line on
// stderr with exit code 2; anything else is an internal error (exit code 1).
#include <cstdlib>
#include <iostream>

#include <systemc>

#include <CLI/CLI.hpp>

#include "cli/commands.hpp"
#include "parallel/mpi_world.hpp"
#include "sim/systemc_banner.hpp"
#include "spec/input_error.hpp"

namespace {
cosim::SystemCBannerMute banner_mute;
}

int sc_main(int argc, char* argv[]) {
  banner_mute.release();

  CLI::App app{
      "cosim: cycle-accurate co-design of DNN accelerators with multiplier, shift and adder PE chunks.\n"
      "Reports what a network costs (latency, energy, utilization) on an accelerator described by a JSON "
      "file."};
  app.require_subcommand(1);
  app.set_version_flag("--version", "cosim 0.1.0");
  cosim::CommandAction run = cosim::add_run_command(app);
  cosim::CommandAction map = cosim::add_map_command(app);
  cosim::CommandAction search = cosim::add_search_command(app);
  cosim::CommandAction sweep = cosim::add_sweep_command(app);
  cosim::CommandAction verify = cosim::add_verify_command(app);
  cosim::CommandAction import = cosim::add_import_command(app);
  cosim::CommandAction train = cosim::add_train_command(app);
  cosim::CommandAction lut = cosim::add_lut_command(app);
  cosim::CommandAction inherited = cosim::add_inherited_command(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "cosim: error: " << e.what() << " (see cosim --help)\n";
    return 2;
  }

  try {
    for (CLI::App* sub : app.get_subcommands()) {
      if (sub->get_name() == "run") return run();
      if (sub->get_name() == "map") return map();
      if (sub->get_name() == "search") return search();
      if (sub->get_name() == "sweep") return sweep();
      if (sub->get_name() == "verify") return verify();
      if (sub->get_name() == "import") return import();
      if (sub->get_name() == "train") return train();
      if (sub->get_name() == "lut") return lut();
      if (sub->get_name() == "inherited") return inherited();
    }
    return 2;
  } catch (const cosim::InputError& e) {
    // Under mpirun every rank reads the same inputs and fails alike: rank 0 alone says so.
    if (cosim::rank_from_environment() == 0) std::cerr << "cosim: error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "cosim: internal error: " << e.what() << "\n";
    return 1;
  }
}
