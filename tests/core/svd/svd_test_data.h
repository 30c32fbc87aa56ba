#pragma once
// Shared helpers for the SVD / SVD++ tests: small logs, the planted MovieLens-style set from
// the synthetic generator, a seeded 80/20 split and RMSE.

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <numeric>
#include <random>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/observer.h"
#include "data/interaction_log.h"
#include "data/load.h"
#include "data/synth/ratings.h"
#include "models/model.h"

namespace reclab::svdtest {

struct Triple {
  int u, i;
  float r;
};

/// A log with the given (user, item, rating) rows in this order; ids are 0..n-1 in order.
inline data::InteractionLog makeLog(int users, int items, const std::vector<Triple>& rows) {
  data::InteractionLog log;
  log.valueName = "rating";
  for (int u = 0; u < users; ++u) log.users.internInt(u + 1);
  for (int i = 0; i < items; ++i) log.items.internInt(i + 1);
  for (const auto& t : rows) {
    log.user.push_back(t.u);
    log.item.push_back(t.i);
    log.value.push_back(t.r);
  }
  return log;
}

inline std::vector<std::uint32_t> allRows(const data::InteractionLog& log) {
  std::vector<std::uint32_t> rows(log.numRows());
  std::iota(rows.begin(), rows.end(), 0u);
  return rows;
}

/// A planted set from synth::generateRatings, loaded back with loadDataset.
struct Planted {
  data::InteractionLog log;
  double noiseFloorRmse = 0;
  std::vector<std::uint32_t> train, test;
};

inline Planted planted(const synth::RatingsConfig& cfg, const std::string& name) {
  namespace fs = std::filesystem;
  const auto dir = (fs::temp_directory_path() / ("reclab_svd_test_" + name)).string();
  fs::remove_all(dir);
  StopToken stop;
  synth::generateRatings(cfg, dir, nullObserver(), stop);
  Planted p;
  p.log = data::loadDataset(data::Format::MovieLens, {dir}, {}, nullObserver(), stop).log;
  std::ifstream in(dir + "/ground_truth.json");
  p.noiseFloorRmse = nlohmann::json::parse(in).at("noise_floor_rmse").get<double>();
  fs::remove_all(dir);
  std::vector<std::uint32_t> rows = allRows(p.log);
  std::mt19937_64 rng(7);
  std::shuffle(rows.begin(), rows.end(), rng);
  const auto cut = rows.size() * 4 / 5;
  p.train.assign(rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(cut));
  p.test.assign(rows.begin() + static_cast<std::ptrdiff_t>(cut), rows.end());
  return p;
}

inline double rmse(const models::RatingPredictor& m, const data::InteractionLog& log,
                   const std::vector<std::uint32_t>& rows) {
  std::vector<std::int32_t> us, is;
  for (auto r : rows) {
    us.push_back(log.user[r]);
    is.push_back(log.item[r]);
  }
  std::vector<float> pred;
  m.predict(us, is, pred);
  double sse = 0;
  for (std::size_t j = 0; j < rows.size(); ++j) {
    const double e = pred[j] - log.value[rows[j]];
    sse += e * e;
  }
  return std::sqrt(sse / static_cast<double>(rows.size()));
}

inline double globalMeanRmse(const data::InteractionLog& log,
                             const std::vector<std::uint32_t>& train,
                             const std::vector<std::uint32_t>& test) {
  double mean = 0;
  for (auto r : train) mean += log.value[r];
  mean /= static_cast<double>(train.size());
  double sse = 0;
  for (auto r : test) sse += (log.value[r] - mean) * (log.value[r] - mean);
  return std::sqrt(sse / static_cast<double>(test.size()));
}

/// Collects epoch reports; optionally requests a stop after `stopAfter` epochs.
class RecordingObserver : public Observer {
 public:
  explicit RecordingObserver(const StopToken* stop = nullptr, int stopAfter = -1)
      : m_stop(stop), m_stopAfter(stopAfter) {}
  void onEpoch(const TrainingReport& r) override {
    epochs.push_back(r);
    if (m_stop && static_cast<int>(epochs.size()) == m_stopAfter) m_stop->requestStop();
  }
  std::vector<TrainingReport> epochs;

 private:
  const StopToken* m_stop;
  int m_stopAfter;
};

/// Surprise's trainset.all_ratings() order: users by first appearance, rows in order.
inline std::vector<Triple> surpriseOrder(const std::vector<Triple>& rows) {
  std::vector<int> users;
  std::map<int, std::vector<Triple>> ur;
  for (const auto& t : rows) {
    if (!ur.count(t.u)) users.push_back(t.u);
    ur[t.u].push_back(t);
  }
  std::vector<Triple> out;
  for (int u : users) out.insert(out.end(), ur[u].begin(), ur[u].end());
  return out;
}

/// Normal draws in the order the models initialise (row-major P, then Q, then Y), each
/// matrix with a fresh std::normal_distribution on one mt19937_64(seed).
inline std::vector<std::vector<double>> initDraws(std::uint64_t seed, double mean, double sd,
                                                  const std::vector<std::size_t>& sizes) {
  std::mt19937_64 rng(seed);
  std::vector<std::vector<double>> out;
  for (auto n : sizes) {
    std::normal_distribution<double> dist(mean, sd);
    std::vector<double> v(n);
    for (auto& x : v) x = static_cast<float>(dist(rng));
    out.push_back(v);
  }
  return out;
}

}  // namespace reclab::svdtest
