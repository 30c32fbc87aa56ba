// Surprise-style biased MF ("svd"): hand-computed updates, Surprise's order and rules against a
// transcription of Surprise's SVD.sgd, planted-data quality, clipping, unknowns, persistence,
// parallel determinism, stop, registry schema.

#include <gtest/gtest.h>

#include <filesystem>

#include "common/errors.h"
#include "models/classic/svd.h"
#include "models/registry.h"
#include "svd_test_data.h"
#include "support/temp_path.h"

namespace reclab::models {
namespace {

using svdtest::Triple;

void fitOn(Model& m, const data::InteractionLog& log, const std::vector<std::uint32_t>& rows,
           std::uint64_t seed = 1, int threads = 1, Observer* obs = nullptr,
           const StopToken* stop = nullptr, const std::vector<std::uint32_t>* valid = nullptr) {
  StopToken local;
  TrainContext ctx{log, rows, valid, seed, threads, obs ? *obs : nullObserver(),
                   stop ? *stop : local};
  m.fit(ctx);
}

TEST(Svd, OneEpochMatchesHandComputedUpdates) {
  // One user, r(u0,i0) = 4 then r(u0,i1) = 2; mu = 3; factors start at 0.5 (std 0).
  auto log = svdtest::makeLog(1, 2, {{0, 0, 4.0f}, {0, 1, 2.0f}});
  SvdConfig c;
  c.nFactors = 2;
  c.nEpochs = 1;
  c.initMean = 0.5;
  c.initStdDev = 0.0;
  c.lrBu = 0.1;
  c.lrBi = 0.2;
  c.lrPu = 0.1;
  c.lrQi = 0.3;
  c.regAll = 0.1;
  c.regQi = 0.2;
  c.threads = 1;
  Svd m(c);
  svdtest::RecordingObserver obs;
  fitOn(m, log, svdtest::allRows(log), 1, 1, &obs);
  // Rating 1: err = 4 - (3 + 0.5) = 0.5; bu = 0.1*0.5 = 0.05; bi0 = 0.2*0.5 = 0.1;
  //   p = 0.5 + 0.1*(0.5*0.5 - 0.1*0.5) = 0.52; q0 = 0.5 + 0.3*(0.5*0.5 - 0.2*0.5) = 0.545.
  // Rating 2: err = 2 - (3 + 0.05 + 0 + 2*0.52*0.5) = -1.57;
  //   bu = 0.05 + 0.1*(-1.57 - 0.1*0.05) = -0.1075; bi1 = 0.2*(-1.57) = -0.314;
  //   p = 0.52 + 0.1*(-1.57*0.5 - 0.1*0.52) = 0.4363;
  //   q1 = 0.5 + 0.3*(-1.57*0.52 - 0.2*0.5) = 0.22508 (old p = 0.52).
  EXPECT_NEAR(m.globalMean(), 3.0f, 1e-6);
  EXPECT_NEAR(m.userBias()(0), -0.1075f, 1e-6);
  EXPECT_NEAR(m.itemBias()(0), 0.1f, 1e-6);
  EXPECT_NEAR(m.itemBias()(1), -0.314f, 1e-6);
  for (int f = 0; f < 2; ++f) {
    EXPECT_NEAR(m.userFactors()(0, f), 0.4363f, 1e-6);
    EXPECT_NEAR(m.itemFactors()(0, f), 0.545f, 1e-6);
    EXPECT_NEAR(m.itemFactors()(1, f), 0.22508f, 1e-6);
  }
  // r(u0,i0) = 3 - 0.1075 + 0.1 + 2*0.4363*0.545 = 3.468067
  EXPECT_NEAR(m.predictOne(0, 0), 3.468067f, 1e-5);
  ASSERT_EQ(obs.epochs.size(), 1u);
  // Errors before the updates: 0.5 and -1.57.
  EXPECT_NEAR(obs.epochs[0].values.at("train_rmse"), 1.1650966, 1e-5);
}

/// Surprise's SVD.sgd transcribed (double precision), with the models' initial draws.
struct RefSvd {
  std::vector<double> bu, bi, p, q;
  double mu = 0;
};
RefSvd referenceSvd(const std::vector<Triple>& rows, int nU, int nI, int k, int epochs,
                    double lr, double reg, std::uint64_t seed, bool grouped = true) {
  RefSvd s;
  auto draws = svdtest::initDraws(seed, 0.0, 0.1, {static_cast<std::size_t>(nU * k),
                                                   static_cast<std::size_t>(nI * k)});
  s.p = draws[0];
  s.q = draws[1];
  s.bu.assign(static_cast<std::size_t>(nU), 0.0);
  s.bi.assign(static_cast<std::size_t>(nI), 0.0);
  for (const auto& t : rows) s.mu += t.r;
  s.mu /= static_cast<double>(rows.size());
  const auto order = grouped ? svdtest::surpriseOrder(rows) : rows;
  for (int e = 0; e < epochs; ++e) {
    for (const auto& t : order) {
      double dot = 0;
      for (int f = 0; f < k; ++f) dot += s.q[t.i * k + f] * s.p[t.u * k + f];
      const double err = t.r - (s.mu + s.bu[t.u] + s.bi[t.i] + dot);
      s.bu[t.u] += lr * (err - reg * s.bu[t.u]);
      s.bi[t.i] += lr * (err - reg * s.bi[t.i]);
      for (int f = 0; f < k; ++f) {
        const double puf = s.p[t.u * k + f], qif = s.q[t.i * k + f];
        s.p[t.u * k + f] += lr * (err * qif - reg * puf);
        s.q[t.i * k + f] += lr * (err * puf - reg * qif);
      }
    }
  }
  return s;
}

std::vector<Triple> randomTriples(int nU, int nI, int n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<Triple> rows;
  std::vector<std::vector<bool>> used(static_cast<std::size_t>(nU),
                                      std::vector<bool>(static_cast<std::size_t>(nI), false));
  while (static_cast<int>(rows.size()) < n) {
    const int u = static_cast<int>(rng() % static_cast<unsigned>(nU));
    const int i = static_cast<int>(rng() % static_cast<unsigned>(nI));
    if (used[static_cast<std::size_t>(u)][static_cast<std::size_t>(i)]) continue;
    used[static_cast<std::size_t>(u)][static_cast<std::size_t>(i)] = true;
    rows.push_back({u, i, static_cast<float>(1 + rng() % 5)});
  }
  return rows;
}

TEST(Svd, SequentialModeFollowsSurprisesOrderAndRules) {
  // Interleaved users: the model must visit them grouped by first appearance, like Surprise.
  const int nU = 6, nI = 8, k = 4;
  auto rows = randomTriples(nU, nI, 30, 11);
  auto log = svdtest::makeLog(nU, nI, rows);
  SvdConfig c;
  c.nFactors = k;
  c.nEpochs = 3;
  c.lrAll = 0.05;
  c.threads = 1;
  Svd m(c);
  fitOn(m, log, svdtest::allRows(log), 99);
  auto ref = referenceSvd(rows, nU, nI, k, 3, 0.05, 0.02, 99);
  for (int u = 0; u < nU; ++u) {
    EXPECT_NEAR(m.userBias()(u), ref.bu[u], 1e-5);
    for (int f = 0; f < k; ++f) EXPECT_NEAR(m.userFactors()(u, f), ref.p[u * k + f], 1e-5);
  }
  for (int i = 0; i < nI; ++i) {
    EXPECT_NEAR(m.itemBias()(i), ref.bi[i], 1e-5);
    for (int f = 0; f < k; ++f) EXPECT_NEAR(m.itemFactors()(i, f), ref.q[i * k + f], 1e-5);
  }
  // The same ratings in plain row order (not grouped by user) give different factors, so
  // the comparison above does check the order.
  auto rowOrder = referenceSvd(rows, nU, nI, k, 3, 0.05, 0.02, 99, false);
  double maxDiff = 0;
  for (std::size_t j = 0; j < ref.p.size(); ++j)
    maxDiff = std::max(maxDiff, std::abs(rowOrder.p[j] - ref.p[j]));
  EXPECT_GT(maxDiff, 1e-3);
}

TEST(Svd, UnknownUsersAndItemsFollowSurprise) {
  // User 2 and item 2 have no training rating.
  auto log = svdtest::makeLog(3, 3, {{0, 0, 5}, {0, 1, 3}, {1, 0, 4}, {1, 1, 1}});
  SvdConfig c;
  c.nFactors = 3;
  c.threads = 1;
  c.clip = false;
  Svd m(c);
  fitOn(m, log, svdtest::allRows(log));
  const float mu = 13.0f / 4.0f;
  EXPECT_FLOAT_EQ(m.globalMean(), mu);
  EXPECT_FLOAT_EQ(m.predictOne(2, 2), mu);
  EXPECT_FLOAT_EQ(m.predictOne(2, 0), mu + m.itemBias()(0));
  EXPECT_FLOAT_EQ(m.predictOne(0, 2), mu + m.userBias()(0));
  EXPECT_FLOAT_EQ(m.predictOne(-1, 99), mu);
  EXPECT_TRUE(m.userFactors().row(2).isZero());
  EXPECT_TRUE(m.itemFactors().row(2).isZero());
  // Full ranking scores equal the (unclipped) predictions, unknown rows included.
  ScoreMatrix s;
  m.scoreUsers({0, 2, 1}, s);
  ASSERT_EQ(s.rows(), 3);
  ASSERT_EQ(s.cols(), 3);
  const int us[] = {0, 2, 1};
  for (int j = 0; j < 3; ++j)
    for (int i = 0; i < 3; ++i) EXPECT_NEAR(s(j, i), m.predictOne(us[j], i), 1e-5);

  // Unbiased: unknown user or item -> the global mean (Surprise's default prediction).
  c.biased = false;
  Svd nb(c);
  fitOn(nb, log, svdtest::allRows(log));
  EXPECT_FLOAT_EQ(nb.predictOne(2, 0), mu);
  EXPECT_FLOAT_EQ(nb.predictOne(0, 2), mu);
  EXPECT_NEAR(nb.predictOne(0, 0), nb.userFactors().row(0).dot(nb.itemFactors().row(0)), 1e-6);
  nb.scoreUsers({0, 2}, s);
  EXPECT_FLOAT_EQ(s(1, 0), mu);
  EXPECT_FLOAT_EQ(s(0, 2), mu);
  EXPECT_NEAR(s(0, 1), nb.predictOne(0, 1), 1e-6);
}

TEST(Svd, ClipsToTheTrainingRatingRange) {
  // Users 1-3 rate item 0 with 5, items 1-2 with 3, item 3 with 1. Generous user 0 rates
  // items 1-2 with 5, harsh user 4 with 1. Unclipped, mu + b_u + b_i overshoots for (0, 0)
  // (about 3 + 2 + 2) and undershoots for (4, 3).
  std::vector<Triple> rows;
  for (int u = 1; u <= 3; ++u) {
    rows.push_back({u, 0, 5});
    rows.push_back({u, 1, 3});
    rows.push_back({u, 2, 3});
    rows.push_back({u, 3, 1});
  }
  rows.push_back({0, 1, 5});
  rows.push_back({0, 2, 5});
  rows.push_back({4, 1, 1});
  rows.push_back({4, 2, 1});
  auto log = svdtest::makeLog(5, 4, rows);
  SvdConfig c;
  c.nFactors = 1;
  c.nEpochs = 200;
  c.lrAll = 0.05;
  c.threads = 1;
  c.clip = false;
  Svd raw(c);
  fitOn(raw, log, svdtest::allRows(log), 5);
  c.clip = true;
  Svd clipped(c);
  fitOn(clipped, log, svdtest::allRows(log), 5);
  bool above = false, below = false;
  EXPECT_GT(raw.predictOne(0, 0), 5.0f);
  EXPECT_LT(raw.predictOne(4, 3), 1.0f);
  EXPECT_FLOAT_EQ(clipped.predictOne(0, 0), 5.0f);
  EXPECT_FLOAT_EQ(clipped.predictOne(4, 3), 1.0f);
  for (int u = 0; u < 5; ++u) {
    for (int i = 0; i < 4; ++i) {
      const float r = raw.predictOne(u, i);
      above = above || r > 5.0f;
      below = below || r < 1.0f;
      EXPECT_FLOAT_EQ(clipped.predictOne(u, i), std::clamp(r, 1.0f, 5.0f));
    }
  }
  EXPECT_TRUE(above);
  EXPECT_TRUE(below);
}

// Dense enough for Surprise's defaults (100 factors, 20 epochs) to get within 5% of the noise
// floor: 3000 users x 300 items, about 227 ratings per user (~680k ratings). With the
// generator's default MovieLens-100k shape (943 x 1682, ~100 per user) SVD stays at ~1.13x
// the floor, and 600 x 400 x 150 at ~1.13x.
synth::RatingsConfig plantedConfig() {
  synth::RatingsConfig cfg;
  cfg.users = 3000;
  cfg.items = 300;
  cfg.ratingsPerUser = 250;
  cfg.minRatingsPerUser = 150;
  cfg.popularityExponent = 0.3;
  cfg.seed = 3;
  return cfg;
}

TEST(Svd, PlantedRatingsReachTheNoiseFloorWithSurpriseDefaults) {
  auto p = svdtest::planted(plantedConfig(), "svd_planted");
  Svd svd;  // Surprise's defaults
  svdtest::RecordingObserver obs;
  fitOn(svd, p.log, p.train, 1, 1, &obs, nullptr, &p.test);
  const double rmse = svdtest::rmse(svd, p.log, p.test);
  const double meanRmse = svdtest::globalMeanRmse(p.log, p.train, p.test);
  SvdConfig biasCfg;  // factors fixed at zero: biases only (BaselineOnly by SGD)
  biasCfg.initStdDev = 0;
  Svd biases(biasCfg);
  fitOn(biases, p.log, p.train);
  const double biasRmse = svdtest::rmse(biases, p.log, p.test);
  RecordProperty("test_rmse", std::to_string(rmse));
  RecordProperty("noise_floor_rmse", std::to_string(p.noiseFloorRmse));
  std::printf("planted: %zu train ratings; svd test RMSE %.4f, noise floor %.4f (ratio %.3f), "
              "biases only %.4f, global mean %.4f\n",
              p.train.size(), rmse, p.noiseFloorRmse, rmse / p.noiseFloorRmse, biasRmse,
              meanRmse);
  EXPECT_LE(rmse, 1.05 * p.noiseFloorRmse);
  EXPECT_LT(rmse, biasRmse - 0.02);
  EXPECT_LT(biasRmse, meanRmse - 0.02);
  ASSERT_EQ(obs.epochs.size(), 20u);
  EXPECT_LT(obs.epochs.back().values.at("train_rmse"), obs.epochs.front().values.at("train_rmse"));
  EXPECT_NEAR(obs.epochs.back().values.at("val_rmse"), rmse, 1e-4);

  // Two threads (block-parallel SGD): as good as the sequential order.
  SvdConfig par;
  par.threads = 2;
  Svd a(par);
  fitOn(a, p.log, p.train, 4);
  EXPECT_EQ(a.threadsUsed(), 2);
  const double parRmse = svdtest::rmse(a, p.log, p.test);
  std::printf("planted: 2-thread block SGD test RMSE %.4f\n", parRmse);
  EXPECT_LE(parRmse, 1.01 * rmse);
}

TEST(Svd, ParallelModeIsDeterministic) {
  auto rows = randomTriples(200, 100, 4000, 8);
  auto log = svdtest::makeLog(200, 100, rows);
  SvdConfig par;
  par.threads = 2;
  par.nFactors = 16;
  Svd a(par), b(par);
  fitOn(a, log, svdtest::allRows(log), 4);
  fitOn(b, log, svdtest::allRows(log), 4);
  EXPECT_EQ(a.threadsUsed(), 2);
  EXPECT_TRUE(a.userFactors() == b.userFactors());
  EXPECT_TRUE(a.itemFactors() == b.itemFactors());
  EXPECT_TRUE(a.itemBias() == b.itemBias());
  // And differs from the sequential order (so the blocks are really used).
  par.threads = 1;
  Svd seq(par);
  fitOn(seq, log, svdtest::allRows(log), 4);
  EXPECT_FALSE(seq.userFactors() == a.userFactors());
}

TEST(Svd, ShuffleIsSeededAndThreadsDefaultToTheRunBudget) {
  auto rows = randomTriples(60, 40, 900, 9);
  auto log = svdtest::makeLog(60, 40, rows);
  SvdConfig c;
  c.nFactors = 8;
  c.threads = 1;
  c.shuffle = true;
  Svd a(c), b(c), other(c);
  fitOn(a, log, svdtest::allRows(log), 3);
  fitOn(b, log, svdtest::allRows(log), 3);
  fitOn(other, log, svdtest::allRows(log), 4);
  EXPECT_TRUE(a.userFactors() == b.userFactors());
  EXPECT_FALSE(a.userFactors() == other.userFactors());
  c.shuffle = false;
  Svd fixed(c);
  fitOn(fixed, log, svdtest::allRows(log), 3);  // same initial draws, different order
  EXPECT_FALSE(a.userFactors() == fixed.userFactors());

  c.threads = 0;  // -> ctx.threads
  Svd budget(c);
  fitOn(budget, log, svdtest::allRows(log), 3, 2);
  EXPECT_EQ(budget.threadsUsed(), 2);
  fitOn(budget, log, svdtest::allRows(log), 3, 1);
  EXPECT_EQ(budget.threadsUsed(), 1);
}

TEST(Svd, SaveLoadGivesIdenticalPredictions) {
  auto rows = randomTriples(20, 15, 120, 3);
  auto log = svdtest::makeLog(21, 16, rows);  // user 20 / item 15 unknown
  SvdConfig c;
  c.nFactors = 7;
  c.threads = 1;
  Svd m(c);
  fitOn(m, log, svdtest::allRows(log));
  const auto path = (reclab::testing::uniqueTempPath("reclab_svd_test.bin")).string();
  m.save(path);
  Svd loaded;
  loaded.load(path);
  std::filesystem::remove(path);
  std::vector<std::int32_t> us, is;
  for (int u = 0; u < 21; ++u)
    for (int i = 0; i < 16; ++i) {
      us.push_back(u);
      is.push_back(i);
    }
  std::vector<float> a, b;
  m.predict(us, is, a);
  loaded.predict(us, is, b);
  EXPECT_EQ(a, b);
  ScoreMatrix sa, sb;
  m.scoreUsers({0, 5, 20}, sa);
  loaded.scoreUsers({0, 5, 20}, sb);
  EXPECT_TRUE(sa == sb);
  EXPECT_TRUE(m.userEmbeddings() == loaded.userEmbeddings());
  EXPECT_EQ(loaded.numItems(), 16);
}

TEST(Svd, StopsAfterTheRequestedEpoch) {
  auto rows = randomTriples(30, 20, 200, 4);
  auto log = svdtest::makeLog(30, 20, rows);
  StopToken stop;
  svdtest::RecordingObserver obs(&stop, 3);
  Svd m;
  fitOn(m, log, svdtest::allRows(log), 1, 2, &obs, &stop);
  EXPECT_EQ(obs.epochs.size(), 3u);
}

TEST(Svd, ConfigValidationAndRegistrySchema) {
  SvdConfig bad;
  bad.nFactors = 0;
  try {
    Svd m(bad);
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "svd: n_factors must be > 0, got 0.000000");
  }
  SvdConfig badRate;
  badRate.lrPu = -0.5;
  EXPECT_THROW(Svd{badRate}, InputError);

  Registry reg;
  registerSvd(reg);
  auto p = reg.validate("svd", nlohmann::json::object());
  EXPECT_EQ(p.at("n_factors"), 100);
  EXPECT_EQ(p.at("n_epochs"), 20);
  EXPECT_EQ(p.at("biased"), true);
  EXPECT_DOUBLE_EQ(p.at("lr_all").get<double>(), 0.005);
  EXPECT_DOUBLE_EQ(p.at("reg_all").get<double>(), 0.02);
  EXPECT_DOUBLE_EQ(p.at("init_std_dev").get<double>(), 0.1);
  EXPECT_EQ(p.at("shuffle"), false);
  EXPECT_EQ(p.at("clip"), true);
  auto model = reg.create("svd", reg.validate("svd", {{"n_factors", 8}, {"lr_qi", 0.01}}));
  auto* svd = dynamic_cast<Svd*>(model.get());
  ASSERT_NE(svd, nullptr);
  EXPECT_EQ(svd->config().nFactors, 8);
  EXPECT_DOUBLE_EQ(svd->config().lr(svd->config().lrQi), 0.01);
  EXPECT_DOUBLE_EQ(svd->config().lr(svd->config().lrPu), 0.005);
  EXPECT_NE(dynamic_cast<HasEmbeddings*>(model.get()), nullptr);
  ASSERT_NE(reg.find("svdpp"), nullptr);
  EXPECT_EQ(reg.find("svdpp")->task, Task::Rating);
}

}  // namespace
}  // namespace reclab::models
