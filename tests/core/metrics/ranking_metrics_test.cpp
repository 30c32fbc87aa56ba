#include <gtest/gtest.h>

#include "support/fixed_scores.h"

#include <vector>

#include "eval/metrics.h"
#include "eval/ranking_evaluator.h"

namespace reclab::eval {
namespace {

using Ids = std::vector<std::int32_t>;
constexpr double kTol = 1e-12;

TEST(MapAtK, PrecisionAtEachHitOverMinRelevantK) {
  // ranked {1, 9, 2}, relevant {1, 2, 3}, k 3: hits at rank 1 (P@1 = 1) and rank 3
  // (P@3 = 2/3) -> (1 + 2/3) / min(3, 3) = 5/9.
  EXPECT_NEAR(rankingValues(Ids{1, 9, 2}, Ids{1, 2, 3}, 3).map, 5.0 / 9.0, kTol);
}

TEST(MapAtK, CutAtK) {
  // Same list at k 2: only the hit at rank 1 counts -> 1 / min(3, 2) = 0.5.
  EXPECT_NEAR(rankingValues(Ids{1, 9, 2}, Ids{1, 2, 3}, 2).map, 0.5, kTol);
}

TEST(MapAtK, SingleRelevantIsReciprocalRank) {
  // relevant {5} found at rank 2 -> (1/2) / min(1, 3) = 0.5 (equals MRR for one relevant).
  auto v = rankingValues(Ids{1, 5, 7}, Ids{5}, 3);
  EXPECT_NEAR(v.map, 0.5, kTol);
  EXPECT_NEAR(v.mrr, 0.5, kTol);
}

TEST(MapAtK, MoreRelevantThanK) {
  // ranked {9, 1, 3}, relevant {1, 3, 4, 5, 6}, k 3: hits at rank 2 (1/2) and 3 (2/3);
  // divide by min(5, 3) = 3 -> (1/2 + 2/3) / 3 = 7/18.
  EXPECT_NEAR(rankingValues(Ids{9, 1, 3}, Ids{1, 3, 4, 5, 6}, 3).map, 7.0 / 18.0, kTol);
}

TEST(MapAtK, NoHitIsZeroAllRelevantFirstIsOne) {
  EXPECT_DOUBLE_EQ(rankingValues(Ids{7, 8}, Ids{1, 2}, 2).map, 0.0);
  // ranked {4, 2} with relevant {2, 4} and k 5: (1 + 1) / min(2, 5) = 1.
  EXPECT_DOUBLE_EQ(rankingValues(Ids{4, 2}, Ids{2, 4}, 5).map, 1.0);
}

using reclab::testing::FixedScores;

TEST(EvaluateRanking, ReportsMapPerUserAndMean) {
  data::InteractionLog log;
  for (int i = 0; i < 5; ++i) log.items.internInt(i);
  log.users.internInt(0);
  log.users.internInt(1);
  // Test rows: user 0 -> items 4, 2; user 1 -> item 0. Nothing trained (no masking effect).
  for (auto [u, i] : std::vector<std::pair<int, int>>{{0, 4}, {0, 2}, {1, 0}}) {
    log.user.push_back(u);
    log.item.push_back(i);
  }
  FixedScores model({0.1f, 0.2f, 0.3f, 0.4f, 0.5f});  // ranking 4, 3, 2, 1, 0
  RankingOptions opt;
  opt.ks = {3};
  StopToken stop;
  auto r = evaluateRanking(model, log, {}, {0, 1, 2}, opt, nullObserver(), stop);
  // user 0: hits at ranks 1 and 3 -> (1 + 2/3) / 2 = 5/6. user 1: item 0 at rank 5 -> 0.
  ASSERT_EQ(r.perUser.at("map@3").size(), 2u);
  EXPECT_NEAR(r.perUser.at("map@3")[0], 5.0 / 6.0, kTol);
  EXPECT_NEAR(r.perUser.at("map@3")[1], 0.0, kTol);
  EXPECT_NEAR(r.means.at("map@3"), 5.0 / 12.0, kTol);
}

}  // namespace
}  // namespace reclab::eval
