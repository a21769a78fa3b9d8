// The version of the models behind a result: the project version and a hash of the sources of spec/, plan/,
// model/, mapper/, sim/ and flow/ (generated at build time by cmake/model_version.cmake), so that journals
// written by another model are never resumed as if their figures still held.
#pragma once

namespace cosim {

const char* model_version();

}  // namespace cosim
