// LightFM-style hybrid MF: feature construction (hand-computed), ranking quality on planted
// implicit data against Popularity, cold items through attribute features, persistence,
// determinism, observer / stop, parameter validation.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <numeric>
#include <random>

#include "common/errors.h"
#include "eval/ranking_evaluator.h"
#include "models/classic/lightfm.h"
#include "models/classic/popularity.h"
#include "split/splits.h"
#include "support/temp_path.h"

namespace reclab::models {
namespace {

/// Implicit log from planted rank-3 preferences plus item popularity: each user takes the
/// `perUser` items with the highest 1.5 x_u.y_i + b_i + Gumbel noise.
data::InteractionLog plantedImplicit(int users, int items, int perUser, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> n01(0, 1);
  std::uniform_real_distribution<double> u01(1e-12, 1.0);
  std::vector<std::array<double, 3>> x(users), y(items);
  std::vector<double> b(items);
  for (auto& v : x) v = {n01(rng), n01(rng), n01(rng)};
  for (auto& v : y) v = {n01(rng), n01(rng), n01(rng)};
  for (auto& v : b) v = 0.7 * n01(rng);
  data::InteractionLog log;
  for (int u = 0; u < users; ++u) log.users.internInt(u + 1);
  for (int i = 0; i < items; ++i) log.items.internInt(i + 1);
  std::int64_t t = 1000;
  for (int u = 0; u < users; ++u) {
    std::vector<std::pair<double, int>> s(items);
    for (int i = 0; i < items; ++i) {
      double d = x[u][0] * y[i][0] + x[u][1] * y[i][1] + x[u][2] * y[i][2];
      s[i] = {1.5 * d + b[i] - std::log(-std::log(u01(rng))), i};
    }
    std::partial_sort(s.begin(), s.begin() + perUser, s.end(), std::greater<>());
    for (int j = 0; j < perUser; ++j) {
      log.user.push_back(u);
      log.item.push_back(s[j].second);
      log.timestamp.push_back(t++);
    }
  }
  return log;
}

struct Fitted {
  std::unique_ptr<Recommender> model;
};

void fitModel(Model& m, const data::InteractionLog& log, const std::vector<std::uint32_t>& train,
              std::uint64_t seed, int threads = 1, Observer& obs = nullObserver(),
              const StopToken& stop = StopToken()) {
  TrainContext ctx{log, train, nullptr, seed, threads, obs, stop};
  m.fit(ctx);
}

std::map<std::string, double> evaluate(const Recommender& m, const data::InteractionLog& log,
                                       const split::Split& s) {
  eval::RankingOptions opt;
  opt.ks = {10};
  StopToken stop;
  return eval::evaluateRanking(m, log, s.train, s.test, opt, nullObserver(), stop).means;
}

LightFmConfig cfg(LightFmConfig::Loss loss) {
  LightFmConfig c;
  c.loss = loss;
  c.threads = 1;
  return c;
}

TEST(LightFmFeatures, IdentityPlusAttributesNormalisedToSumOne) {
  data::AttributeTable t;
  t.addMulti("genres", 0, "a");
  t.addMulti("genres", 0, "b");
  t.addMulti("genres", 2, "b");
  t.setCategorical("cat", 0, "x");
  t.setCategorical("cat", 2, "y");
  t.setNumeric("price", 1, 3.5);
  auto f = LightFmFeatures::build(3, t, " genres, cat ", "item_features");
  // identity 0..2, genres a=3 b=4, cat x=5 y=6
  EXPECT_EQ(f.numFeatures, 7);
  EXPECT_EQ(f.indptr, (std::vector<std::int64_t>{0, 4, 5, 8}));
  EXPECT_EQ(f.indices, (std::vector<std::int32_t>{0, 3, 4, 5, 1, 2, 4, 6}));
  for (int p = 0; p < 4; ++p) EXPECT_FLOAT_EQ(f.weights[p], 0.25f);
  EXPECT_FLOAT_EQ(f.weights[4], 1.0f);
  for (int p = 5; p < 8; ++p) EXPECT_FLOAT_EQ(f.weights[p], 1.0f / 3.0f);
  EXPECT_EQ(f.names[3], "genres=a");
  EXPECT_EQ(f.names[6], "cat=y");

  auto id = LightFmFeatures::build(2, t, "", "item_features");
  EXPECT_EQ(id.indices, (std::vector<std::int32_t>{0, 1}));
  EXPECT_EQ(id.weights, (std::vector<float>{1.0f, 1.0f}));

  try {
    LightFmFeatures::build(3, t, "genres,zzz", "item_features");
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("item_features: no attribute 'zzz'"), std::string::npos);
  }
  EXPECT_THROW(LightFmFeatures::build(3, t, "price", "item_features"), InputError);
}

TEST(LightFm, ValidatesConfig) {
  LightFmConfig c;
  c.noComponents = 0;
  try {
    LightFm m(c);
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "lightfm: no_components must be > 0, got 0");
  }
  Registry r;
  registerLightFm(r);
  auto params = r.validate("lightfm", {{"loss", "bpr"}, {"no_components", 4}});
  EXPECT_EQ(params.at("epochs"), 30);
  EXPECT_EQ(params.at("learning_schedule"), "adagrad");
  auto m = r.create("lightfm", params);
  EXPECT_EQ(m->name(), "lightfm");
  EXPECT_EQ(m->task(), Task::Ranking);
  EXPECT_THROW(r.validate("lightfm", {{"loss", "hinge"}}), InputError);
}

TEST(LightFm, WarpAndBprBeatPopularityOnPlantedData) {
  auto log = plantedImplicit(300, 400, 40, 11);
  auto s = split::randomSplit(log, 0.2, 0.0, 5);
  Popularity pop;
  fitModel(pop, log, s.train, 1);
  auto popM = evaluate(pop, log, s);

  LightFm warp(cfg(LightFmConfig::Loss::Warp));
  fitModel(warp, log, s.train, 3);
  auto warpM = evaluate(warp, log, s);
  LightFm bpr(cfg(LightFmConfig::Loss::Bpr));
  fitModel(bpr, log, s.train, 3);
  auto bprM = evaluate(bpr, log, s);
  auto kosCfg = cfg(LightFmConfig::Loss::WarpKos);
  LightFm kos(kosCfg);
  fitModel(kos, log, s.train, 3);
  auto kosM = evaluate(kos, log, s);
  auto hogCfg = cfg(LightFmConfig::Loss::Warp);
  hogCfg.threads = 2;
  LightFm hog(hogCfg);
  fitModel(hog, log, s.train, 3);
  auto hogM = evaluate(hog, log, s);

  for (const char* k : {"precision@10", "recall@10"}) {
    std::printf("%s: pop %.4f warp %.4f bpr %.4f warp-kos %.4f warp(2 threads) %.4f\n", k,
                popM[k], warpM[k], bprM[k], kosM[k], hogM[k]);
    EXPECT_GT(warpM[k], 2.0 * popM[k]) << k;
    EXPECT_GT(bprM[k], 1.5 * popM[k]) << k;
    EXPECT_GT(kosM[k], 1.1 * popM[k]) << k;
    EXPECT_GT(hogM[k], 1.3 * popM[k]) << k;
  }
  EXPECT_EQ(warp.userEmbeddings().rows(), 300);
  EXPECT_EQ(warp.itemEmbeddings().rows(), 400);
  EXPECT_EQ(warp.itemEmbeddings().cols(), 10);
}

TEST(LightFm, DeterministicWithOneThreadAndSeed) {
  auto log = plantedImplicit(60, 80, 10, 2);
  std::vector<std::uint32_t> all(log.numRows());
  std::iota(all.begin(), all.end(), 0u);
  std::vector<std::int32_t> users = {0, 5, 59};
  ScoreMatrix a, b, c;
  LightFm m1(cfg(LightFmConfig::Loss::Warp)), m2(cfg(LightFmConfig::Loss::Warp)),
      m3(cfg(LightFmConfig::Loss::Warp));
  fitModel(m1, log, all, 42);
  fitModel(m2, log, all, 42);
  fitModel(m3, log, all, 43);
  m1.scoreUsers(users, a);
  m2.scoreUsers(users, b);
  m3.scoreUsers(users, c);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
}

TEST(LightFm, SaveLoadGivesIdenticalScores) {
  auto log = plantedImplicit(50, 70, 10, 4);
  std::vector<std::uint32_t> all(log.numRows());
  std::iota(all.begin(), all.end(), 0u);
  auto c = cfg(LightFmConfig::Loss::Bpr);
  c.epochs = 3;
  LightFm m(c);
  fitModel(m, log, all, 9);
  auto path = (reclab::testing::uniqueTempPath("reclab_lightfm_test.bin")).string();
  m.save(path);
  LightFm loaded;
  loaded.load(path);
  std::vector<std::int32_t> users(50);
  std::iota(users.begin(), users.end(), 0);
  ScoreMatrix a, b;
  m.scoreUsers(users, a);
  loaded.scoreUsers(users, b);
  EXPECT_EQ(a, b);
  EXPECT_EQ(loaded.numItems(), 70);
  EXPECT_EQ(m.itemEmbeddings(), loaded.itemEmbeddings());
  // score = q_u . q_i + b_u + b_i
  const float expect = m.userEmbeddings().row(3).dot(m.itemEmbeddings().row(7)) +
                       m.userBiases()(3) + m.itemBiases()(7);
  EXPECT_NEAR(a(3, 7), expect, 1e-5f);
  std::filesystem::remove(path);
  EXPECT_THROW(loaded.load(path), InputError);
}

/// Users like one of 4 genres; items belong to one genre. Items 0..19 never occur in training.
TEST(LightFm, ItemFeaturesScoreColdItemsByGenre) {
  const int users = 200, items = 240, genres = 4, cold = 20;
  std::mt19937_64 rng(8);
  data::InteractionLog log;
  for (int u = 0; u < users; ++u) log.users.internInt(u + 1);
  for (int i = 0; i < items; ++i) {
    log.items.internInt(i + 1);
    log.itemAttributes.setCategorical("genre", i, std::string(1, static_cast<char>('a' + i % genres)));
  }
  std::vector<int> fav(users);
  for (int u = 0; u < users; ++u) {
    fav[u] = u % genres;
    std::vector<int> liked;
    for (int i = cold; i < items; ++i)
      if (i % genres == fav[u]) liked.push_back(i);
    std::shuffle(liked.begin(), liked.end(), rng);
    for (int j = 0; j < 15; ++j) {
      log.user.push_back(u);
      log.item.push_back(liked[j]);
    }
  }
  std::vector<std::uint32_t> all(log.numRows());
  std::iota(all.begin(), all.end(), 0u);
  // AUC of favourite-genre cold items against other cold items, averaged over users.
  auto coldAuc = [&](const LightFm& m) {
    std::vector<std::int32_t> us(users);
    std::iota(us.begin(), us.end(), 0);
    ScoreMatrix sc;
    m.scoreUsers(us, sc);
    double total = 0;
    for (int u = 0; u < users; ++u) {
      double good = 0, pairs = 0;
      for (int i = 0; i < cold; ++i)
        for (int j = 0; j < cold; ++j)
          if (i % genres == fav[u] && j % genres != fav[u]) {
            pairs += 1;
            good += sc(u, i) > sc(u, j) ? 1.0 : sc(u, i) == sc(u, j) ? 0.5 : 0.0;
          }
      total += good / pairs;
    }
    return total / users;
  };
  auto c = cfg(LightFmConfig::Loss::Warp);
  c.itemFeatures = "genre";
  LightFm withFeatures(c);
  fitModel(withFeatures, log, all, 1);
  LightFm identityOnly(cfg(LightFmConfig::Loss::Warp));
  fitModel(identityOnly, log, all, 1);
  const double aucF = coldAuc(withFeatures), aucI = coldAuc(identityOnly);
  std::printf("cold-item genre AUC: with genre features %.3f, identity only %.3f\n", aucF, aucI);
  EXPECT_GT(aucF, 0.9);
  EXPECT_LT(aucI, 0.75);
  EXPECT_EQ(withFeatures.itemFeatureMatrix().numFeatures, items + genres);
}

class Recorder : public Observer {
 public:
  std::vector<TrainingReport> epochs;
  StopToken stopAfter;
  int stopAt = 1 << 30;
  void onEpoch(const TrainingReport& r) override {
    epochs.push_back(r);
    if (r.epoch >= stopAt) stopAfter.requestStop();
  }
};

TEST(LightFm, ReportsEpochsAndStops) {
  auto log = plantedImplicit(100, 120, 15, 6);
  std::vector<std::uint32_t> all(log.numRows());
  std::iota(all.begin(), all.end(), 0u);
  Recorder rec;
  auto c = cfg(LightFmConfig::Loss::Warp);
  c.epochs = 12;
  LightFm m(c);
  fitModel(m, log, all, 1, 1, rec);
  ASSERT_EQ(rec.epochs.size(), 12u);
  EXPECT_EQ(rec.epochs.front().epoch, 1);
  EXPECT_LT(rec.epochs.back().values.at("violation_rate"),
            rec.epochs.front().values.at("violation_rate"));
  EXPECT_GT(rec.epochs.front().values.at("train_loss"), 0.0);

  Recorder stopper;
  stopper.stopAt = 2;
  LightFm s(c);
  fitModel(s, log, all, 1, 1, stopper, stopper.stopAfter);
  EXPECT_EQ(stopper.epochs.size(), 2u);
  EXPECT_EQ(s.numItems(), 120);  // keeps what it learned
}

TEST(LightFm, PositiveEventsAndLogisticLabels) {
  data::InteractionLog log;
  log.users.internInt(1);
  log.users.internInt(2);
  for (int i = 0; i < 4; ++i) log.items.internInt(i + 1);
  const auto view = log.internEvent("view"), buy = log.internEvent("transaction");
  auto add = [&](int u, int i, std::uint8_t e) {
    log.user.push_back(u);
    log.item.push_back(i);
    log.event.push_back(e);
  };
  add(0, 0, buy);
  add(0, 1, view);
  add(1, 2, buy);
  add(1, 3, view);
  std::vector<std::uint32_t> all = {0, 1, 2, 3};
  auto c = cfg(LightFmConfig::Loss::Logistic);
  c.positiveEvents = "transaction";
  c.epochs = 200;
  c.learningRate = 0.2;
  LightFm m(c);
  fitModel(m, log, all, 1);
  ScoreMatrix s;
  m.scoreUsers({0, 1}, s);
  // Bought items are positives, viewed-only items negatives for the logistic loss.
  EXPECT_GT(s(0, 0), s(0, 1));
  EXPECT_GT(s(1, 2), s(1, 3));
  c.positiveEvents = "purchase";
  LightFm bad(c);
  try {
    fitModel(bad, log, all, 1);
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("unknown event 'purchase'"), std::string::npos);
  }
}

}  // namespace
}  // namespace reclab::models
