// The classic rankers end to end on the bundled ratings sample (943 users, 1682 items, with
// items_meta.csv): the interaction-based ones must rank far better than chance under
// full-ranking evaluation.

#include <gtest/gtest.h>

#include <cstdio>

#include "classic_test_data.h"
#include "data/load.h"
#include "eval/ranking_evaluator.h"
#include "models/classic/composite.h"
#include "models/classic/content.h"
#include "models/classic/item_knn.h"
#include "models/classic/item_meta.h"
#include "models/classic/popularity.h"
#include "split/splits.h"

using namespace reclab;
using namespace reclab::models;

TEST(RatingsSample, ClassicRankersBeatChance) {
  const std::string dir = std::string(RECLAB_SOURCE_DIR) + "/datasets/ratings-sample";
  StopToken stop;
  auto loaded = data::loadDataset(data::Format::MovieLens, {dir}, {}, nullObserver(), stop);
  auto& log = loaded.log;
  auto meta = loadItemMeta(log, dir + "/items_meta.csv");
  EXPECT_EQ(meta.matched, log.numItems());
  auto s = split::randomSplit(log, 0.2, 0.0, 1);
  TrainContext ctx{log, s.train, nullptr, 1, 2, nullObserver(), stop};
  eval::RankingOptions opt;
  opt.threads = 2;
  // A random ranking hits about 10 / 1682 of a user's test items: recall@10 ~ 0.006.
  const double chance = 10.0 / log.numItems();
  auto run = [&](Recommender& m, const char* label) {
    m.fit(ctx);
    auto r = eval::evaluateRanking(m, log, s.train, s.test, opt, nullObserver(), stop);
    std::printf("[sample] %-28s recall@10 %.4f  ndcg@10 %.4f\n", label, r.means["recall@10"],
                r.means["ndcg@10"]);
    return r.means["recall@10"];
  };
  Popularity pop(Popularity::Mode::Count);
  ItemKnn knn;
  TfIdf tfidf;
  JaccardRanker jac(JaccardConfig{"category,keywords", JaccardConfig::Aggregate::Mean});
  Composite comp;
  const double rPop = run(pop, "popularity (count)");
  const double rKnn = run(knn, "item_knn (k 50)");
  const double rTf = run(tfidf, "tfidf (all text fields)");
  const double rJac = run(jac, "jaccard (category,keywords)");
  const double rComp = run(comp, "composite (defaults)");
  EXPECT_GT(rPop, 3 * chance);
  EXPECT_GT(rKnn, 3 * chance);
  EXPECT_GT(rComp, 3 * chance);
  // The sample's keywords and categories are drawn from the items' latent factors, which set
  // rating values, while which items a user rates follows popularity; so the content models
  // sit near chance on this presence-based recall. They are run (and must not crash or
  // produce NaN) but no quality bar is asserted for them here.
  EXPECT_GE(rTf, 0.0);
  EXPECT_GE(rJac, 0.0);
}
