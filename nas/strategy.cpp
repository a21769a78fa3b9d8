#include "nas/strategy.hpp"

#include <algorithm>
#include <deque>
#include <limits>
#include <stdexcept>

#include "nas/multi_objective.hpp"
#include "results/pareto.hpp"

namespace cosim {

namespace {

// Each gene changes with probability 1/genes to another option; at least one gene that matters changes.
Candidate mutate(const SearchSpace& s, Candidate c, std::mt19937_64& rng) {
  const Candidate before = s.normalize(c);
  for (int attempt = 0; attempt < 32; ++attempt) {
    std::uniform_real_distribution<double> u(0, 1);
    for (size_t i = 0; i < c.size(); ++i) {
      const size_t n = s.genes[i].options.size();
      if (n < 2 || u(rng) >= 1.0 / double(c.size())) continue;
      c[i] = int((size_t(c[i]) + 1 + std::uniform_int_distribution<size_t>(0, n - 2)(rng)) % n);
    }
    if (s.normalize(c) != before) break;
    const size_t i = std::uniform_int_distribution<size_t>(0, c.size() - 1)(rng);
    const size_t n = s.genes[i].options.size();
    if (n >= 2) c[i] = int((size_t(c[i]) + 1 + std::uniform_int_distribution<size_t>(0, n - 2)(rng)) % n);
    if (s.normalize(c) != before) break;
  }
  return s.normalize(c);
}

Candidate crossover(const SearchSpace& s, const Candidate& a, const Candidate& b, std::mt19937_64& rng) {
  Candidate c = a;
  for (size_t i = 0; i < c.size(); ++i) {
    if (std::uniform_int_distribution<int>(0, 1)(rng)) c[i] = b[i];
  }
  return s.normalize(c);
}

std::vector<std::vector<double>> points_of(const std::vector<Scored>& v) {
  std::vector<std::vector<double>> p;
  for (const Scored& s : v) p.push_back({s.objectives[0], s.objectives[1]});
  return p;
}

// Rank (0 = first front) and crowding distance of every point (pagmo2).
void rank_and_crowd(const std::vector<Scored>& v, std::vector<size_t>& rank, std::vector<double>& crowd) {
  rank.assign(v.size(), 0);
  crowd.assign(v.size(), std::numeric_limits<double>::infinity());
  if (v.size() < 2) return;
  const auto fronts = multi_objective().fronts(points_of(v));
  for (size_t f = 0; f < fronts.size(); ++f) {
    std::vector<std::vector<double>> pts;
    for (auto i : fronts[f]) rank[i] = f, pts.push_back({v[i].objectives[0], v[i].objectives[1]});
    if (pts.size() < 3) continue;  // pagmo needs at least two points; the ends are infinite anyway
    const auto d = multi_objective().crowding_distance(pts);
    for (size_t k = 0; k < fronts[f].size(); ++k) crowd[fronts[f][k]] = d[k];
  }
}

class RandomSearch : public Strategy {
 public:
  RandomSearch(const SearchSpace& s, uint64_t seed) : s_(s), rng_(seed) {}
  std::string name() const override { return "random"; }
  std::vector<Candidate> propose(size_t room) override {
    std::vector<Candidate> v;
    for (size_t i = 0; i < room; ++i) v.push_back(random_candidate(s_, rng_));
    return v;
  }
  void observe(const std::vector<Scored>&) override {}

 private:
  const SearchSpace& s_;
  std::mt19937_64 rng_;
};

// NSGA-II (Deb et al., 2002) with constraint domination.
class Nsga2 : public Strategy {
 public:
  Nsga2(const SearchSpace& s, uint64_t seed, int population)
      : s_(s), rng_(seed), n_(size_t(std::max(4, population))) {}
  std::string name() const override { return "nsga2"; }

  std::vector<Candidate> propose(size_t room) override {
    std::vector<Candidate> v;
    if (pop_.empty()) {
      for (size_t i = 0; i < std::min(room, n_); ++i) v.push_back(random_candidate(s_, rng_));
      return v;
    }
    std::vector<size_t> rank;
    std::vector<double> crowd;
    rank_and_crowd(pop_, rank, crowd);
    auto better = [&](size_t a, size_t b) {
      if (pop_[a].violation != pop_[b].violation) return pop_[a].violation < pop_[b].violation;
      if (rank[a] != rank[b]) return rank[a] < rank[b];
      return crowd[a] > crowd[b];
    };
    auto tournament = [&] {
      const size_t a = std::uniform_int_distribution<size_t>(0, pop_.size() - 1)(rng_);
      const size_t b = std::uniform_int_distribution<size_t>(0, pop_.size() - 1)(rng_);
      return better(b, a) ? b : a;
    };
    while (v.size() < std::min(room, n_)) {
      const Candidate& p1 = pop_[tournament()].candidate;
      const Candidate& p2 = pop_[tournament()].candidate;
      Candidate child =
          std::uniform_real_distribution<double>(0, 1)(rng_) < 0.9 ? crossover(s_, p1, p2, rng_) : p1;
      v.push_back(mutate(s_, child, rng_));
    }
    return v;
  }

  void observe(const std::vector<Scored>& scored) override {
    std::vector<Scored> all = pop_;
    all.insert(all.end(), scored.begin(), scored.end());
    if (all.size() <= n_) {
      pop_ = all;
      return;
    }
    std::vector<Scored> feasible, infeasible;
    for (const Scored& s : all) (s.violation == 0 ? feasible : infeasible).push_back(s);
    std::vector<Scored> next;
    if (feasible.size() >= n_) {
      for (auto i : multi_objective().select_best(points_of(feasible), n_)) next.push_back(feasible[i]);
    } else {
      next = feasible;
      std::stable_sort(infeasible.begin(), infeasible.end(),
                       [](const Scored& a, const Scored& b) { return a.violation < b.violation; });
      for (size_t i = 0; next.size() < n_; ++i) next.push_back(infeasible[i]);
    }
    pop_ = next;
  }

 private:
  const SearchSpace& s_;
  std::mt19937_64 rng_;
  size_t n_;
  std::vector<Scored> pop_;
};

// Regularized evolution (Real et al., AAAI 2019): the oldest member dies. Multi-objective tournament: less
// violation, then lower Pareto rank within the sample, then the lower hardware figure.
class AgingEvolution : public Strategy {
 public:
  AgingEvolution(const SearchSpace& s, uint64_t seed, int population)
      : s_(s), rng_(seed), n_(size_t(std::max(4, population))), sample_(std::max<size_t>(2, n_ / 4)) {}
  std::string name() const override { return "evolution"; }

  std::vector<Candidate> propose(size_t room) override {
    std::vector<Candidate> v;
    if (pop_.size() < n_) {
      for (size_t i = 0; i < std::min(room, n_ - pop_.size()); ++i) v.push_back(random_candidate(s_, rng_));
      return v;
    }
    const size_t batch = std::min(room, std::max<size_t>(1, n_ / 2));
    for (size_t k = 0; k < batch; ++k) {
      std::vector<Scored> sample;
      for (size_t i = 0; i < sample_; ++i) {
        sample.push_back(pop_[std::uniform_int_distribution<size_t>(0, pop_.size() - 1)(rng_)]);
      }
      std::vector<size_t> rank;
      std::vector<double> crowd;
      rank_and_crowd(sample, rank, crowd);
      size_t best = 0;
      for (size_t i = 1; i < sample.size(); ++i) {
        const Scored &a = sample[i], &b = sample[best];
        if (a.violation != b.violation ? a.violation < b.violation
            : rank[i] != rank[best]    ? rank[i] < rank[best]
                                       : a.objectives[0] < b.objectives[0]) {
          best = i;
        }
      }
      v.push_back(mutate(s_, sample[best].candidate, rng_));
    }
    return v;
  }

  void observe(const std::vector<Scored>& scored) override {
    for (const Scored& s : scored) pop_.push_back(s);
    while (pop_.size() > n_) pop_.pop_front();
  }

 private:
  const SearchSpace& s_;
  std::mt19937_64 rng_;
  size_t n_, sample_;
  std::deque<Scored> pop_;
};

}  // namespace

std::unique_ptr<Strategy> make_strategy(const std::string& name, const SearchSpace& space, uint64_t seed,
                                        int population) {
  if (name == "random") return std::make_unique<RandomSearch>(space, seed);
  if (name == "nsga2") return std::make_unique<Nsga2>(space, seed, population);
  if (name == "evolution") return std::make_unique<AgingEvolution>(space, seed, population);
  throw std::invalid_argument("unknown strategy \"" + name + "\" (random, evolution, nsga2)");
}

std::vector<size_t> pareto_front(const std::vector<Scored>& points) {
  std::vector<size_t> feasible;
  std::vector<std::vector<double>> objectives;
  for (size_t i = 0; i < points.size(); ++i) {
    if (points[i].violation > 0) continue;
    feasible.push_back(i);
    objectives.push_back({points[i].objectives[0], points[i].objectives[1]});
  }
  std::vector<size_t> front;
  for (size_t k : non_dominated(objectives)) front.push_back(feasible[k]);
  return front;
}

double hypervolume(const std::vector<Scored>& points, const std::array<double, 2>& ref) {
  std::vector<std::vector<double>> p;
  for (size_t i : pareto_front(points)) {
    const auto& o = points[i].objectives;
    if (o[0] < ref[0] && o[1] < ref[1]) p.push_back({o[0], o[1]});
  }
  if (p.empty()) return 0;
  return multi_objective().hypervolume(p, {ref[0], ref[1]});
}

}  // namespace cosim
