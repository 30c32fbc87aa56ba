// LightFM-style WARP / BPR training speed and quality on planted implicit data.
//
//   bench_lightfm [--large-only|--small-only]
//
// Set A: 943 users x 1682 items (MovieLens-100k shape), ~55k interactions, 80/20 random split
// (~44.3k training positives, the size LightFM's published 3.8 s / 30 epochs figure uses).
// Set B: 20,000 users x 10,000 items, 1,000,000 interactions, 80/20 split.
// For each: WARP and BPR with 128 components, 30 epochs, at 1 and 2 threads; prints seconds
// per epoch, mean per-user AUC (test positives vs items in neither train nor test, ties 1/2,
// as LightFM's auc_score) and precision@10 / recall@10 from the full-ranking evaluator.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>

#include "eval/ranking_evaluator.h"
#include "models/classic/lightfm.h"
#include "models/classic/popularity.h"
#include "split/splits.h"

using namespace reclab;

namespace {

data::InteractionLog planted(int users, int items, int meanPerUser, std::uint64_t seed) {
  const int rank = 5;
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> n01(0, 1);
  std::uniform_real_distribution<float> u01(1e-7f, 1.0f);
  std::vector<float> x(static_cast<std::size_t>(users) * rank), y(static_cast<std::size_t>(items) * rank), b(items);
  for (auto& v : x) v = n01(rng);
  for (auto& v : y) v = n01(rng);
  for (auto& v : b) v = 0.8f * n01(rng);
  data::InteractionLog log;
  for (int u = 0; u < users; ++u) log.users.internInt(u + 1);
  for (int i = 0; i < items; ++i) log.items.internInt(i + 1);
  std::vector<std::pair<float, int>> s(items);
  for (int u = 0; u < users; ++u) {
    const int count = std::max(5, meanPerUser / 3 + static_cast<int>((u * 7919L) % (4 * meanPerUser / 3 + 1)));
    for (int i = 0; i < items; ++i) {
      float d = 0;
      for (int r = 0; r < rank; ++r) d += x[u * rank + r] * y[i * rank + r];
      s[i] = {0.8f * d + b[i] - std::log(-std::log(u01(rng))), i};
    }
    const int c = std::min(count, items);
    std::partial_sort(s.begin(), s.begin() + c, s.end(), std::greater<>());
    for (int j = 0; j < c; ++j) {
      log.user.push_back(u);
      log.item.push_back(s[j].second);
    }
  }
  return log;
}

double meanAuc(const models::Recommender& m, const data::InteractionLog& log,
               const split::Split& s, int maxUsers) {
  const int nu = log.numUsers(), ni = log.numItems();
  std::vector<std::vector<std::int32_t>> train(nu), test(nu);
  for (auto r : s.train) train[log.user[r]].push_back(log.item[r]);
  for (auto r : s.test) test[log.user[r]].push_back(log.item[r]);
  std::vector<std::int32_t> users;
  for (int u = 0; u < nu && static_cast<int>(users.size()) < maxUsers; ++u)
    if (!test[u].empty()) users.push_back(u);
  double total = 0;
  std::vector<char> mark(ni);
  models::ScoreMatrix sc;
  for (std::size_t start = 0; start < users.size(); start += 256) {
    std::vector<std::int32_t> batch(users.begin() + start,
                                    users.begin() + std::min(users.size(), start + 256));
    m.scoreUsers(batch, sc);
    for (std::size_t k = 0; k < batch.size(); ++k) {
      const int u = batch[k];
      std::fill(mark.begin(), mark.end(), 0);
      for (auto i : train[u]) mark[i] = 1;
      for (auto i : test[u]) mark[i] = mark[i] ? mark[i] : 2;
      std::vector<float> neg, pos;
      for (int i = 0; i < ni; ++i) {
        if (mark[i] == 0) neg.push_back(sc(k, i));
        else if (mark[i] == 2) pos.push_back(sc(k, i));
      }
      std::sort(neg.begin(), neg.end());
      double a = 0;
      for (float p : pos) {
        auto lo = std::lower_bound(neg.begin(), neg.end(), p) - neg.begin();
        auto hi = std::upper_bound(neg.begin(), neg.end(), p) - neg.begin();
        a += static_cast<double>(lo) + 0.5 * static_cast<double>(hi - lo);
      }
      total += pos.empty() || neg.empty() ? 0.5 : a / (static_cast<double>(pos.size()) * neg.size());
    }
  }
  return total / static_cast<double>(users.size());
}

void run(const char* name, const data::InteractionLog& log, int aucUsers) {
  auto s = split::randomSplit(log, 0.2, 0.0, 1);
  std::printf("\n== %s: %d users x %d items, %zu rows, %zu training rows ==\n", name,
              log.numUsers(), log.numItems(), log.numRows(), s.train.size());
  StopToken stop;
  eval::RankingOptions opt;
  opt.ks = {10};
  opt.threads = 2;
  {
    models::Popularity pop;
    models::TrainContext ctx{log, s.train, nullptr, 1, 1, nullObserver(), stop};
    pop.fit(ctx);
    auto r = eval::evaluateRanking(pop, log, s.train, s.test, opt, nullObserver(), stop).means;
    std::printf("popularity            AUC %.4f  precision@10 %.4f  recall@10 %.4f\n",
                meanAuc(pop, log, s, aucUsers), r["precision@10"], r["recall@10"]);
  }
  for (auto loss : {models::LightFmConfig::Loss::Warp, models::LightFmConfig::Loss::Bpr}) {
    for (int threads : {1, 2}) {
      models::LightFmConfig c;
      c.loss = loss;
      c.noComponents = 128;
      c.epochs = 30;
      c.threads = threads;
      models::LightFm m(c);
      models::TrainContext ctx{log, s.train, nullptr, 7, threads, nullObserver(), stop};
      auto t0 = std::chrono::steady_clock::now();
      m.fit(ctx);
      const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      auto r = eval::evaluateRanking(m, log, s.train, s.test, opt, nullObserver(), stop).means;
      std::printf("%-4s 128c %d thread%s  %.4f s/epoch (%.2f s / 30 epochs)  AUC %.4f  "
                  "precision@10 %.4f  recall@10 %.4f\n",
                  loss == models::LightFmConfig::Loss::Warp ? "warp" : "bpr", threads,
                  threads == 1 ? " " : "s", sec / 30, sec, meanAuc(m, log, s, aucUsers),
                  r["precision@10"], r["recall@10"]);
      std::fflush(stdout);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  const bool largeOnly = argc > 1 && std::strcmp(argv[1], "--large-only") == 0;
  const bool smallOnly = argc > 1 && std::strcmp(argv[1], "--small-only") == 0;
  if (!largeOnly) run("A (ML-100k shape)", planted(943, 1682, 59, 100), 1 << 30);
  if (!smallOnly) run("B (1M interactions)", planted(20000, 10000, 50, 200), 3000);
  return 0;
}
