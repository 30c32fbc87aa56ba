#pragma once
// Planted-Markov sessions for the session neural models' tests (support/planted_yoochoose.h:
// the SKNN tests' data, smaller), split by time as SR-GNN does, and the check every such
// model passes on them.

#include <gtest/gtest.h>

#include <cstdio>

#include "eval/session_evaluator.h"
#include "models/model.h"
#include "split/session_split.h"
#include "support/planted_yoochoose.h"

namespace reclab::neuraltest {

struct PlantedSessions {
  data::InteractionLog log;
  split::Split split;          ///< train / valid / test by time (last 2 days test, 1 day valid)
  double optimalRecall20 = 0;  ///< the chain's optimal hit rate at 20
};

inline PlantedSessions plantedSessions(std::int64_t sessions, std::int64_t items, int clusters) {
  auto sc = synth::YoochooseConfig::defaults();
  sc.sessions = sessions;
  sc.items = items;
  sc.clusters = clusters;
  sc.days = 12;
  sc.seed = 3;
  sc.maxSessionLength = 40;  // the net pads a batch to its longest prefix: keep tests quick
  auto planted = testing::plantedYoochoose(sc);
  PlantedSessions out;
  out.optimalRecall20 = planted.optimalRecall20;
  out.log = std::move(planted.log);
  split::SessionSplitConfig cfg;
  cfg.testDays = 2.0;
  cfg.validDays = 1.0;
  out.split = split::sessionTimeSplit(out.log, cfg);
  return out;
}

/// Evaluates `net` and the session-POP baseline `pop` (both fitted on data.split.train) on
/// the test sessions, prints both and the share of the chain's optimum reached, and checks
/// that the net beats POP by 0.2 Recall@20, reaches 75% of the optimum and not more than it
/// allows (which would mean leakage).
template <typename Net>
void expectNearThePlantedOptimum(const PlantedSessions& data, const models::SessionRecommender& pop,
                                 const Net& net) {
  StopToken stop;
  auto opt = eval::SessionEvalOptions::defaults();
  opt.threads = 2;
  const auto rPop = eval::evaluateSessions(pop, data.log, data.split.train, data.split.test, opt,
                                           nullObserver(), stop);
  const auto rNet = eval::evaluateSessions(net, data.log, data.split.train, data.split.test, opt,
                                           nullObserver(), stop);
  const double pop20 = rPop.means.at("recall@20"), net20 = rNet.means.at("recall@20");
  std::printf(
      "[planted] session_pop recall@20 %.4f | %s recall@20 %.4f mrr@20 %.4f (best epoch %d of "
      "%d) = %.1f%% of the chain's optimal hit rate %.4f\n",
      pop20, net.name().c_str(), net20, rNet.means.at("mrr@20"), net.bestEpoch(), net.epochsRun(),
      100.0 * net20 / data.optimalRecall20, data.optimalRecall20);
  EXPECT_GT(net20, pop20 + 0.2);
  EXPECT_GT(net20, 0.75 * data.optimalRecall20);
  EXPECT_LT(net20, data.optimalRecall20 + 0.05) << "better than the planted chain allows";
}

}  // namespace reclab::neuraltest
