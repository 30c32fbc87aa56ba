#pragma once
// Small planted data sets built in memory for model and runner tests.

#include <cmath>
#include <random>

#include "data/interaction_log.h"

namespace reclab::testdata {

/// Ratings r = 3 + 1.5 * (u_f . i_f) + noise(sd) with rank-2 factors; every user rates
/// `perUser` distinct items. Returns the log and the noise-free truth per row.
inline data::InteractionLog plantedRatings(int users, int items, int perUser, double sd,
                                           std::uint64_t seed, std::vector<float>* truth = nullptr) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> n01(0, 1);
  std::vector<std::array<double, 2>> uf(users), vf(items);
  for (auto& f : uf) f = {n01(rng) * 0.7, n01(rng) * 0.7};
  for (auto& f : vf) f = {n01(rng) * 0.7, n01(rng) * 0.7};
  data::InteractionLog log;
  log.valueName = "rating";
  for (int u = 0; u < users; ++u) log.users.internInt(u + 1);
  for (int i = 0; i < items; ++i) log.items.internInt(i + 1);
  std::int64_t t = 1000000;
  for (int u = 0; u < users; ++u) {
    std::vector<int> all(items);
    for (int i = 0; i < items; ++i) all[i] = i;
    std::shuffle(all.begin(), all.end(), rng);
    for (int j = 0; j < perUser; ++j) {
      int i = all[j];
      double mean = 3.0 + 1.5 * (uf[u][0] * vf[i][0] + uf[u][1] * vf[i][1]);
      log.user.push_back(u);
      log.item.push_back(i);
      log.value.push_back(static_cast<float>(mean + sd * n01(rng)));
      log.timestamp.push_back(t++);
      if (truth) truth->push_back(static_cast<float>(mean));
    }
  }
  return log;
}

}  // namespace reclab::testdata
