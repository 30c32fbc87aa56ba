// The session baselines end to end on planted-Markov sessions from the Yoochoose generator:
// every model that looks at the prefix must beat POP on next-item Recall@20, and the best is
// compared with the chain's optimal hit rate (ground_truth.json).

#include <gtest/gtest.h>

#include <cstdio>

#include "data/synth/yoochoose.h"
#include "eval/session_evaluator.h"
#include "models/classic/s_pop.h"
#include "models/classic/session_item_knn.h"
#include "models/classic/session_pop.h"
#include "models/classic/sknn.h"
#include "split/session_split.h"
#include "support/planted_yoochoose.h"

using namespace reclab;
using namespace reclab::models;

TEST(SessionBaselinesPlanted, EveryModelBeatsPopOnRecall20) {
  auto sc = synth::YoochooseConfig::defaults();
  sc.sessions = 6000;
  sc.items = 400;
  sc.clusters = 16;
  sc.days = 12;
  sc.seed = 3;
  const auto planted = reclab::testing::plantedYoochoose(sc);
  const auto& log = planted.log;
  const double optimal = planted.optimalRecall20;
  StopToken stop;
  split::SessionSplitConfig split;
  split.testDays = 2.0;
  const auto s = split::sessionTimeSplit(log, split);
  ASSERT_FALSE(s.test.empty());
  TrainContext ctx{log, s.train, nullptr, 1, 2, nullObserver(), stop};
  auto opt = eval::SessionEvalOptions::defaults();
  opt.threads = 2;

  auto recall20 = [&](SessionRecommender& m) {
    m.fit(ctx);
    const auto r = eval::evaluateSessions(m, log, s.train, s.test, opt, nullObserver(), stop);
    std::printf("[planted] %-18s recall@20 %.4f  mrr@20 %.4f  recall@1 %.4f  (%zu prefixes)\n",
                m.name().c_str(), r.means.at("recall@20"), r.means.at("mrr@20"),
                r.means.at("recall@1"), r.units.size());
    return r.means.at("recall@20");
  };
  SessionPop pop;
  SPop spop;
  SessionItemKnn iknn;
  Sknn sknn;
  const double rPop = recall20(pop);
  const double rSpop = recall20(spop);
  const double rIknn = recall20(iknn);
  const double rSknn = recall20(sknn);
  EXPECT_GT(rSpop, rPop);
  EXPECT_GT(rIknn, rPop);
  EXPECT_GT(rSknn, rPop);
  const double best = std::max({rSpop, rIknn, rSknn});
  // The chain's optimum is an upper bound up to sampling noise; the neighbourhood models
  // learn the successors of 400 items from ~5,000 sessions and come close to it.
  EXPECT_GT(best, 0.75 * optimal) << "best Recall@20 " << best
                                  << " vs the chain's optimal hit rate " << optimal;
  EXPECT_LT(best, optimal + 0.05) << "better than the planted chain allows: leakage?";
  std::printf("[planted] best recall@20 %.4f = %.1f%% of the chain's optimal hit rate %.4f\n", best,
              100.0 * best / optimal, optimal);
}
