// SVD training throughput: a 1M-rating planted set shaped like MovieLens-1M (6040 users x
// 3700 items, rank-8 truth + noise, rounded to 1..5) generated in memory; Surprise-style SVD
// with 100 factors trained for a few epochs on 1 and 2 threads. Prints million rating updates
// per second (training loop only) and the last epoch's training RMSE; then SVD++ (Surprise's
// defaults, 20 factors, sequential).
//
//   bench_svd [epochs=5] [ratings=1000000]

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <numeric>
#include <random>

#include "models/classic/svd.h"
#include "models/classic/svdpp.h"

using namespace reclab;

namespace {

data::InteractionLog makeSet(int users, int items, std::size_t ratings, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> n01(0, 1);
  const int rank = 8;
  std::vector<double> pu(static_cast<std::size_t>(users * rank)),
      qi(static_cast<std::size_t>(items * rank)), bu(static_cast<std::size_t>(users)),
      bi(static_cast<std::size_t>(items));
  for (auto& x : pu) x = n01(rng) * 0.5;
  for (auto& x : qi) x = n01(rng) * 0.5;
  for (auto& x : bu) x = n01(rng) * 0.4;
  for (auto& x : bi) x = n01(rng) * 0.5;
  // Zipf-like item popularity via a power transform of a uniform draw.
  std::uniform_real_distribution<double> unif(0, 1);
  data::InteractionLog log;
  log.valueName = "rating";
  for (int u = 0; u < users; ++u) log.users.internInt(u + 1);
  for (int i = 0; i < items; ++i) log.items.internInt(i + 1);
  const std::size_t perUser = ratings / static_cast<std::size_t>(users);
  std::vector<char> seen(static_cast<std::size_t>(items));
  for (int u = 0; u < users; ++u) {
    std::fill(seen.begin(), seen.end(), 0);
    std::size_t want = perUser + (static_cast<std::size_t>(u) < ratings % users ? 1 : 0);
    while (want > 0) {
      const int i = std::min(items - 1, static_cast<int>(items * std::pow(unif(rng), 2.0)));
      if (seen[static_cast<std::size_t>(i)]) continue;
      seen[static_cast<std::size_t>(i)] = 1;
      double r = 3.6 + bu[static_cast<std::size_t>(u)] + bi[static_cast<std::size_t>(i)];
      for (int f = 0; f < rank; ++f)
        r += pu[static_cast<std::size_t>(u * rank + f)] * qi[static_cast<std::size_t>(i * rank + f)];
      r = std::clamp(std::round(r + 0.9 * n01(rng)), 1.0, 5.0);
      log.user.push_back(u);
      log.item.push_back(i);
      log.value.push_back(static_cast<float>(r));
      --want;
    }
  }
  return log;
}

class LastEpoch : public Observer {
 public:
  void onEpoch(const TrainingReport& r) override { last = r; }
  TrainingReport last;
};

}  // namespace

int main(int argc, char** argv) {
  const int epochs = argc > 1 ? std::atoi(argv[1]) : 5;
  const std::size_t ratings = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 1000000;
  auto t0 = std::chrono::steady_clock::now();
  auto log = makeSet(6040, 3700, ratings, 42);
  std::vector<std::uint32_t> rows(log.numRows());
  std::iota(rows.begin(), rows.end(), 0u);
  std::printf("generated %zu ratings (6040 users x 3700 items) in %.2f s\n", log.numRows(),
              std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  for (int threads : {1, 2}) {
    models::SvdConfig c;  // Surprise's defaults: 100 factors, lr 0.005, reg 0.02
    c.nEpochs = epochs;
    c.threads = threads;
    models::Svd svd(c);
    LastEpoch obs;
    StopToken stop;
    models::TrainContext ctx{log, rows, nullptr, 1, threads, obs, stop};
    auto start = std::chrono::steady_clock::now();
    svd.fit(ctx);
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("svd 100 factors, %d epochs, threads %d: %.2f M updates/s (training loop), "
                "fit wall %.2f s (%.2f M updates/s incl. setup), train RMSE %.4f\n",
                epochs, svd.threadsUsed(), svd.updatesPerSecond() / 1e6, wall,
                static_cast<double>(ratings) * epochs / wall / 1e6,
                obs.last.values.count("train_rmse") ? obs.last.values.at("train_rmse") : NAN);
  }
  {
    models::SvdppConfig c;  // Surprise's SVDpp defaults: 20 factors, lr 0.007, reg 0.02
    c.nEpochs = epochs;
    models::Svdpp pp(c);
    LastEpoch obs;
    StopToken stop;
    models::TrainContext ctx{log, rows, nullptr, 1, 1, obs, stop};
    auto start = std::chrono::steady_clock::now();
    pp.fit(ctx);
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("svd++ 20 factors, %d epochs, 1 thread: %.2f M updates/s (training loop), fit wall "
                "%.2f s, train RMSE %.4f\n",
                epochs, pp.updatesPerSecond() / 1e6, wall,
                obs.last.values.count("train_rmse") ? obs.last.values.at("train_rmse") : NAN);
  }
  return 0;
}
