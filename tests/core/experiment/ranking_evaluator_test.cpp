#include "eval/ranking_evaluator.h"

#include <gtest/gtest.h>

#include "common/errors.h"
#include "support/fixed_scores.h"

#include <algorithm>
#include <atomic>
#include <random>
#include <stdexcept>

namespace reclab::eval {
namespace {

using reclab::testing::FixedScores;

TEST(TopK, TiesGoToTheLowerItemIndex) {
  std::vector<float> s{1, 3, 3, 2, 3};
  EXPECT_EQ(topK(s.data(), 5, 3, {}), (std::vector<std::int32_t>{1, 2, 4}));
  EXPECT_EQ(topK(s.data(), 5, 3, {2}), (std::vector<std::int32_t>{1, 4, 3}));
}

TEST(TopK, MatchesAFullSortOnRandomScoresWithTies) {
  std::mt19937 rng(5);
  std::uniform_int_distribution<int> coarse(0, 20);  // many ties
  for (int trial = 0; trial < 50; ++trial) {
    const int n = 1 + trial * 7;
    std::vector<float> s(static_cast<std::size_t>(n));
    for (auto& v : s) v = static_cast<float>(coarse(rng));
    std::vector<std::int32_t> exclude;
    for (int i = 0; i < n; i += 3) exclude.push_back(i);
    std::vector<std::int32_t> all;
    for (int i = 0; i < n; ++i)
      if (i % 3 != 0) all.push_back(i);
    std::stable_sort(all.begin(), all.end(), [&](int a, int b) { return s[a] > s[b]; });
    for (int k : {1, 5, 10, 1000}) {
      std::vector<std::int32_t> expected(all.begin(),
                                         all.begin() + std::min<std::size_t>(k, all.size()));
      EXPECT_EQ(topK(s.data(), n, k, exclude), expected) << "n " << n << " k " << k;
    }
  }
}

struct Progress : Observer {
  std::vector<double> fractions;
  void onProgress(double f, std::string_view) override { fractions.push_back(f); }
};

TEST(ForEachBatchInParallel, CoversEveryUnitOnceReportsRoundsAndRethrows) {
  // 23 units in sub-batches of 4, 2 at a time: rounds of 8, 8 and 7 units.
  std::vector<std::atomic<int>> hits(23);
  Progress progress;
  StopToken stop;
  forEachBatchInParallel(23, 4, 2, progress, stop, [&](std::size_t lo, std::size_t hi) {
    EXPECT_LE(hi - lo, 4u);
    for (auto u = lo; u < hi; ++u) ++hits[u];
  });
  for (const auto& h : hits) EXPECT_EQ(h.load(), 1);
  ASSERT_EQ(progress.fractions.size(), 3u);
  EXPECT_DOUBLE_EQ(progress.fractions[0], 8.0 / 23.0);
  EXPECT_DOUBLE_EQ(progress.fractions[2], 1.0);
  // A sub-batch's exception reaches the caller (after its round), never a worker's terminate.
  EXPECT_THROW(forEachBatchInParallel(23, 4, 2, progress, stop,
                                      [](std::size_t lo, std::size_t) {
                                        if (lo == 12) throw std::runtime_error("unit 12");
                                      }),
               std::runtime_error);
  stop.requestStop();
  EXPECT_THROW(forEachBatchInParallel(23, 4, 2, progress, stop, [](std::size_t, std::size_t) {}),
               Cancelled);
  EXPECT_EQ(meansOf({{"a", {1.0, 2.0}}, {"b", {}}}),
            (std::map<std::string, double>{{"a", 1.5}, {"b", 0.0}}));
}

TEST(EvaluateRanking, SampledNegativesRankAmongCandidatesAndWarn) {
  data::InteractionLog log;
  for (int i = 0; i < 100; ++i) log.items.internInt(i);
  log.users.internInt(0);
  log.user = {0};
  log.item = {50};  // the only test item, scored in the middle
  std::vector<float> s(100);
  for (int i = 0; i < 100; ++i) s[static_cast<std::size_t>(i)] = static_cast<float>(i);
  FixedScores model(s);
  RankingOptions opt;
  opt.ks = {1};
  StopToken stop;
  // Full ranking: 49 items score higher -> no hit at 1.
  auto full = evaluateRanking(model, log, {}, {0}, opt, nullObserver(), stop);
  EXPECT_DOUBLE_EQ(full.means.at("hit_rate@1"), 0.0);
  // Ranked among 0 negatives the item is first; among 99 (all others) it is 50th again.
  struct Warnings : Observer {
    int count = 0;
    void onLog(LogLevel l, std::string_view) override { count += l == LogLevel::Warning; }
  } warnings;
  opt.sampledNegatives = 99;
  auto all = evaluateRanking(model, log, {}, {0}, opt, warnings, stop);
  EXPECT_DOUBLE_EQ(all.means.at("hit_rate@1"), 0.0);
  EXPECT_EQ(warnings.count, 1);
  opt.ks = {51};
  EXPECT_DOUBLE_EQ(evaluateRanking(model, log, {}, {0}, opt, warnings, stop).means.at("mrr@51"),
                   1.0 / 50.0);
}

TEST(EvaluateRanking, MasksTrainingItemsAndAverages) {
  data::InteractionLog log;
  for (int i = 0; i < 5; ++i) log.items.internInt(i);
  log.users.internInt(0);
  log.users.internInt(1);
  // rows: user 0 trained on item 4 (best-scored) and tests item 3; user 1 tests item 0.
  for (auto [u, i] : std::vector<std::pair<int, int>>{{0, 4}, {0, 3}, {1, 0}}) {
    log.user.push_back(u);
    log.item.push_back(i);
  }
  FixedScores model({0.1f, 0.2f, 0.3f, 0.4f, 0.5f});  // order 4, 3, 2, 1, 0
  RankingOptions opt;
  opt.ks = {1, 2};
  StopToken stop;
  auto r = evaluateRanking(model, log, {0}, {1, 2}, opt, nullObserver(), stop);
  ASSERT_EQ(r.users, (std::vector<std::int32_t>{0, 1}));
  // user 0: item 4 masked -> top1 = 3: hit. user 1: top2 = 4, 3: no hit.
  EXPECT_DOUBLE_EQ(r.means.at("hit_rate@1"), 0.5);
  EXPECT_DOUBLE_EQ(r.means.at("recall@2"), 0.5);
  EXPECT_DOUBLE_EQ(r.perUser.at("mrr@2")[0], 1.0);
  EXPECT_DOUBLE_EQ(r.perUser.at("mrr@2")[1], 0.0);
  // Without masking user 0's top-1 is the training item 4: no hit.
  opt.maskTrainItems = false;
  auto unmasked = evaluateRanking(model, log, {0}, {1, 2}, opt, nullObserver(), stop);
  EXPECT_DOUBLE_EQ(unmasked.means.at("hit_rate@1"), 0.0);
  EXPECT_DOUBLE_EQ(unmasked.perUser.at("mrr@2")[0], 0.5);
}

}  // namespace
}  // namespace reclab::eval
