// The module that carries pagmo2 (nas/multi_objective.hpp): the only translation unit linked with libpagmo.
#include <pagmo/utils/hypervolume.hpp>
#include <pagmo/utils/multi_objective.hpp>

#include "nas/multi_objective.hpp"

namespace {

std::vector<std::vector<size_t>> fronts(const cosim::ObjectivePoints& points) {
  return std::get<0>(pagmo::fast_non_dominated_sorting(points));
}

std::vector<double> crowding_distance(const cosim::ObjectivePoints& front) {
  return pagmo::crowding_distance(front);
}

std::vector<size_t> select_best(const cosim::ObjectivePoints& points, size_t n) {
  return pagmo::select_best_N_mo(points, n);
}

double hypervolume(const cosim::ObjectivePoints& points, const std::vector<double>& reference) {
  return pagmo::hypervolume(points).compute(reference);
}

}  // namespace

extern "C" __attribute__((visibility("default"))) const cosim::MultiObjective* cosim_multi_objective() {
  static const cosim::MultiObjective functions{fronts, crowding_distance, select_best, hypervolume};
  return &functions;
}
