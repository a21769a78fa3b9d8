#include "mapper/network_schedule.hpp"

#include <algorithm>
#include <iterator>
#include <stdexcept>

#include <boost/graph/topological_sort.hpp>

namespace cosim {

PlanGraph plan_graph(const std::vector<LayerPlan>& plans) {
  PlanGraph g(plans.size());
  for (size_t i = 0; i < plans.size(); ++i) {
    for (int d : plans[i].deps) boost::add_edge(size_t(d), i, g);
  }
  std::vector<size_t> order;
  try {
    boost::topological_sort(g, std::back_inserter(order));
  } catch (const boost::not_a_dag&) {
    throw std::logic_error("the mapped network has a dependency cycle");
  }
  return g;
}

namespace {

int max_overlap(std::vector<ScheduledPlan> v) {
  std::vector<std::pair<uint64_t, int>> ev;
  for (const ScheduledPlan& s : v) ev.push_back({s.start, 1}), ev.push_back({s.end, -1});
  std::sort(ev.begin(), ev.end(), [](auto& a, auto& b) {
    return a.first < b.first || (a.first == b.first && a.second < b.second);
  });
  int cur = 0, best = 0;
  for (auto& e : ev) best = std::max(best, cur += e.second);
  return std::max(best, 1);
}

// List scheduling of `items` copies of the graph. in_order: a unit takes its plans strictly in program order
// (item-major); otherwise it takes the ready plan that can start first.
Schedule list_schedule(const std::vector<LayerPlan>& plans, const std::vector<LayerCost>& costs,
                       int unit_count, int items, bool in_order) {
  const PlanGraph g = plan_graph(plans);
  const size_t n = plans.size(), total = n * size_t(items);
  std::vector<uint64_t> end(total, 0);
  std::vector<char> done(total, 0);
  std::vector<uint64_t> unit_free(size_t(unit_count), 0);
  std::vector<size_t> next_in_order(size_t(unit_count), 0);  // in_order: position in the unit's queue
  std::vector<std::vector<size_t>> queue(static_cast<size_t>(unit_count));
  for (int it = 0; it < items; ++it) {
    for (size_t i = 0; i < n; ++i) queue[size_t(plans[i].unit)].push_back(size_t(it) * n + i);
  }
  Schedule s;
  s.unit_busy.assign(size_t(unit_count), 0);
  auto ready_at = [&](size_t x, uint64_t& at) {
    const size_t i = x % n, base = x - i;
    at = unit_free[size_t(plans[i].unit)];
    for (auto [e, e_end] = boost::in_edges(i, g); e != e_end; ++e) {
      const size_t d = base + boost::source(*e, g);
      if (!done[d]) return false;
      at = std::max(at, end[d]);
    }
    return true;
  };
  for (size_t scheduled = 0; scheduled < total; ++scheduled) {
    size_t pick = total;
    uint64_t pick_at = UINT64_MAX;
    for (size_t u = 0; u < queue.size(); ++u) {
      if (in_order) {
        if (next_in_order[u] >= queue[u].size()) continue;
        const size_t x = queue[u][next_in_order[u]];
        uint64_t at = 0;
        if (ready_at(x, at) && (at < pick_at || (at == pick_at && x < pick))) pick = x, pick_at = at;
      } else {
        for (size_t x : queue[u]) {
          uint64_t at = 0;
          if (done[x] || !ready_at(x, at)) continue;
          if (at < pick_at || (at == pick_at && x < pick)) pick = x, pick_at = at;
        }
      }
    }
    if (pick == total) throw std::logic_error("list schedule stuck");
    const size_t i = pick % n;
    const int unit = plans[i].unit;
    done[pick] = 1;
    end[pick] = pick_at + costs[i].cycles;
    unit_free[size_t(unit)] = end[pick];
    s.unit_busy[size_t(unit)] += costs[i].cycles;
    if (in_order) ++next_in_order[size_t(unit)];
    s.order.push_back({int(i), int(pick / n), pick_at, end[pick]});
    s.makespan = std::max(s.makespan, end[pick]);
  }
  std::stable_sort(s.order.begin(), s.order.end(),
                   [](const ScheduledPlan& a, const ScheduledPlan& b) { return a.start < b.start; });
  s.max_parallel = max_overlap(s.order);
  return s;
}

}  // namespace

Schedule schedule_layer_by_layer(const std::vector<LayerPlan>& plans, const std::vector<LayerCost>& costs,
                                 int unit_count) {
  return list_schedule(plans, costs, unit_count, 1, true);
}

Schedule schedule_pipelined(const std::vector<LayerPlan>& plans, const std::vector<LayerCost>& costs,
                            int unit_count, int items) {
  return list_schedule(plans, costs, unit_count, items, false);
}

std::vector<LayerPlan> pipelined_plans(const std::vector<LayerPlan>& plans, const Schedule& s) {
  const size_t n = plans.size();
  int items = 0;
  for (const ScheduledPlan& x : s.order) items = std::max(items, x.item + 1);
  std::vector<int> position(n * size_t(items), -1);
  std::vector<LayerPlan> out;
  for (const ScheduledPlan& x : s.order) {
    LayerPlan p = plans[size_t(x.plan)];
    p.item = x.item;
    p.prefetch_fetches = 0, p.prefetch_after = -1;  // room was checked for the layer-by-layer order only
    for (int& d : p.deps) {
      d = position[size_t(x.item) * n + size_t(d)];
      if (d < 0) throw std::logic_error("pipelined order puts a plan before its dependency");
    }
    position[size_t(x.item) * n + size_t(x.plan)] = int(out.size());
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace cosim
