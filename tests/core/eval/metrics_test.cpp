#include "eval/metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace reclab::eval {
namespace {

TEST(Rmse, HandComputed) {
  // errors 1, -2, 0 -> mean square 5/3
  std::vector<float> y{3, 4, 5}, p{2, 6, 5};
  EXPECT_NEAR(rmse(y, p), std::sqrt(5.0 / 3.0), 1e-12);
  EXPECT_NEAR(mae(y, p), 1.0, 1e-12);
}

TEST(Rmse, PerfectAndEmpty) {
  std::vector<float> y{1.5f, 2.5f};
  EXPECT_EQ(rmse(y, y), 0.0);
  EXPECT_TRUE(std::isnan(rmse({}, {})));
  EXPECT_TRUE(std::isnan(mae({}, {})));
}

TEST(RankingValues, OneHitAtRankTwo) {
  // ranked [5, 7, 9], relevant {7, 11}, k = 3: hits 1.
  std::vector<std::int32_t> ranked{5, 7, 9}, relevant{7, 11};
  auto v = rankingValues(ranked, relevant, 3);
  EXPECT_NEAR(v.precision, 1.0 / 3.0, 1e-12);
  EXPECT_NEAR(v.recall, 0.5, 1e-12);
  EXPECT_EQ(v.hitRate, 1.0);
  EXPECT_NEAR(v.mrr, 0.5, 1e-12);
  // DCG = 1/log2(3); IDCG = 1 + 1/log2(3)
  EXPECT_NEAR(v.ndcg, (1 / std::log2(3.0)) / (1 + 1 / std::log2(3.0)), 1e-12);
}

TEST(RankingValues, NoHit) {
  std::vector<std::int32_t> ranked{1, 2}, relevant{3};
  auto v = rankingValues(ranked, relevant, 2);
  EXPECT_EQ(v.precision, 0.0);
  EXPECT_EQ(v.recall, 0.0);
  EXPECT_EQ(v.hitRate, 0.0);
  EXPECT_EQ(v.mrr, 0.0);
  EXPECT_EQ(v.ndcg, 0.0);
}

TEST(RankingValues, AllHitsAndCutAtK) {
  std::vector<std::int32_t> ranked{4, 2, 8, 1}, relevant{1, 2, 4};
  auto v = rankingValues(ranked, relevant, 2);  // only [4, 2] count
  EXPECT_NEAR(v.precision, 1.0, 1e-12);
  EXPECT_NEAR(v.recall, 2.0 / 3.0, 1e-12);
  EXPECT_EQ(v.mrr, 1.0);
  EXPECT_NEAR(v.ndcg, 1.0, 1e-12);  // ideal for k = 2
}

TEST(RankingValues, ShortListStillDividesByK) {
  // Precision@k divides by k even when fewer than k items could be ranked.
  std::vector<std::int32_t> ranked{3}, relevant{3};
  auto v = rankingValues(ranked, relevant, 5);
  EXPECT_NEAR(v.precision, 0.2, 1e-12);
  EXPECT_EQ(v.recall, 1.0);
}

}  // namespace
}  // namespace reclab::eval
