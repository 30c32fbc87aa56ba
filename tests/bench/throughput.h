#pragma once
// The training throughput a benchmark reports: the engine's samples_per_second of each epoch,
// and their median over the epochs after the first (the first pays for warm-up).

#include <algorithm>
#include <vector>

#include "common/observer.h"

namespace reclab::bench {

struct Throughput : Observer {
  std::vector<double> perEpoch;
  void onEpoch(const TrainingReport& r) override {
    perEpoch.push_back(r.values.at("samples_per_second"));
  }
  double median() const {
    std::vector<double> v(perEpoch.begin() + (perEpoch.size() > 1 ? 1 : 0), perEpoch.end());
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  }
};

}  // namespace reclab::bench
