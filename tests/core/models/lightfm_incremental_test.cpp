// Incremental learning for the LightFM-style model: growth leaves old scores bit-identical
// (identity and attribute features), fold-in recovers users withheld from training (WARP,
// BPR), and grow + fine-tune + fold-in serves users that arrive in appended rows.

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <numeric>
#include <random>

#include "data/append.h"
#include "eval/ranking_evaluator.h"
#include "models/classic/lightfm.h"
#include "split/splits.h"
#include "support/temp_path.h"

namespace reclab::models {
namespace {

namespace fs = std::filesystem;

/// Implicit log from planted rank-3 preferences plus item popularity: each user takes the
/// `perUser` items with the highest 1.5 x_u.y_i + b_i + Gumbel noise. Items carry a "genre"
/// (the sign pattern of their first two factors).
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
  for (int i = 0; i < items; ++i) {
    log.items.internInt(i + 1);
    log.itemAttributes.setCategorical(
        "genre", i, std::string(y[i][0] > 0 ? "a" : "b") + (y[i][1] > 0 ? "c" : "d"));
  }
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

LightFmConfig config(LightFmConfig::Loss loss, const std::string& itemFeatures = "") {
  LightFmConfig c;
  c.loss = loss;
  c.threads = 1;
  c.itemFeatures = itemFeatures;
  return c;
}

void fit(LightFm& m, const data::InteractionLog& log, const std::vector<std::uint32_t>& rows,
         std::uint64_t seed) {
  StopToken stop;
  m.fit(TrainContext{log, rows, nullptr, seed, 1, nullObserver(), stop});
}

double recall(const LightFm& m, const data::InteractionLog& log,
              const std::vector<std::uint32_t>& train, const std::vector<std::uint32_t>& test) {
  eval::RankingOptions opt;
  opt.ks = {10};
  StopToken stop;
  return eval::evaluateRanking(m, log, train, test, opt, nullObserver(), stop)
      .means.at("recall@10");
}

std::vector<std::int32_t> range(std::int32_t n) {
  std::vector<std::int32_t> v(static_cast<std::size_t>(n));
  std::iota(v.begin(), v.end(), 0);
  return v;
}

void expectGrowKeepsScores(const std::string& itemFeatures) {
  auto log = plantedImplicit(50, 60, 8, 4);
  std::vector<std::uint32_t> all(log.numRows());
  std::iota(all.begin(), all.end(), 0u);
  LightFm m(config(LightFmConfig::Loss::Warp, itemFeatures));
  fit(m, log, all, 7);
  ScoreMatrix before, after;
  m.scoreUsers(range(50), before);
  const Eigen::MatrixXf itemsBefore = m.itemEmbeddings();
  const Eigen::VectorXf itemBiasBefore = m.itemBiases();

  const Eigen::MatrixXf usersBefore = m.userEmbeddings();
  const Eigen::VectorXf userBiasBefore = m.userBiases();

  m.grow(54, 66, 3);
  EXPECT_EQ(m.numItems(), 66);
  EXPECT_EQ(m.userEmbeddings().rows(), 54);
  // The representations (what every score of an old pair is computed from) are bit-identical.
  EXPECT_TRUE(m.itemEmbeddings().topRows(60) == itemsBefore);
  EXPECT_TRUE(m.itemBiases().head(60) == itemBiasBefore);
  EXPECT_TRUE(m.userEmbeddings().topRows(50) == usersBefore);
  EXPECT_TRUE(m.userBiases().head(50) == userBiasBefore);
  // Batch scores come from a matrix product whose blocking depends on the number of items, so
  // they may differ from before in the last bit only.
  m.scoreUsers(range(50), after);
  ASSERT_EQ(after.cols(), 66);
  for (int u = 0; u < 50; ++u)
    for (int i = 0; i < 60; ++i)
      ASSERT_NEAR(before(u, i), after(u, i), 1e-5f * std::max(1.0f, std::abs(before(u, i))));
  // New entities: one identity feature (weight 1), a drawn embedding, bias 0.
  const auto& f = m.itemFeatureMatrix();
  EXPECT_EQ(f.rows(), 66);
  EXPECT_EQ(f.indptr[66] - f.indptr[65], 1);
  EXPECT_EQ(f.indices[static_cast<std::size_t>(f.indptr[65])], 65);
  EXPECT_GT(m.itemEmbeddings().row(65).norm(), 0.0f);
  EXPECT_EQ(m.itemBiases()(65), 0.0f);

  // The grown model saves and loads like any other.
  const auto path = reclab::testing::uniqueTempPath("reclab_lightfm_grown.bin").string();
  m.save(path);
  LightFm back(config(LightFmConfig::Loss::Warp, itemFeatures));
  back.load(path);
  fs::remove(path);
  ScoreMatrix reloaded;
  back.scoreUsers(range(54), reloaded);
  ScoreMatrix grown;
  m.scoreUsers(range(54), grown);
  EXPECT_TRUE(reloaded == grown);
}

TEST(LightFmIncremental, GrowLeavesOldScoresBitIdentical) { expectGrowKeepsScores(""); }

TEST(LightFmIncremental, GrowWithAttributeFeaturesLeavesOldScoresBitIdentical) {
  expectGrowKeepsScores("genre");
}

void expectFoldInRecoversWithheldUsers(LightFmConfig::Loss loss, double ratioToTrained) {
  auto log = plantedImplicit(300, 400, 40, 11);
  auto s = split::randomSplit(log, 0.2, 0.0, 5);
  auto withheld = [&](std::uint32_t r) { return log.user[r] % 6 == 0; };
  std::vector<std::uint32_t> train, trainedTest, withheldTest;
  std::vector<std::vector<std::uint32_t>> foldRows(300);
  for (auto r : s.train) {
    if (withheld(r)) {
      foldRows[static_cast<std::size_t>(log.user[r])].push_back(r);
    } else {
      train.push_back(r);
    }
  }
  for (auto r : s.test) (withheld(r) ? withheldTest : trainedTest).push_back(r);
  LightFm m(config(loss));
  fit(m, log, train, 3);
  const double unfolded = recall(m, log, s.train, withheldTest);
  for (int u = 0; u < 300; u += 6) m.foldInUser(log, u, foldRows[static_cast<std::size_t>(u)]);
  const double folded = recall(m, log, s.train, withheldTest);
  const double trained = recall(m, log, s.train, trainedTest);
  std::printf("recall@10: withheld users before fold-in %.4f, after %.4f; trained users %.4f\n",
              unfolded, folded, trained);
  EXPECT_GT(folded, ratioToTrained * trained);
  EXPECT_GT(folded, 1.5 * unfolded);
}

TEST(LightFmIncremental, WarpFoldInRecoversWithheldUsers) {
  expectFoldInRecoversWithheldUsers(LightFmConfig::Loss::Warp, 0.8);
}

TEST(LightFmIncremental, BprFoldInRecoversWithheldUsers) {
  expectFoldInRecoversWithheldUsers(LightFmConfig::Loss::Bpr, 0.7);
}

TEST(LightFmIncremental, FoldInTouchesOnlyTheUser) {
  auto log = plantedImplicit(40, 50, 8, 2);
  std::vector<std::uint32_t> all(log.numRows());
  std::iota(all.begin(), all.end(), 0u);
  LightFm m(config(LightFmConfig::Loss::Warp));
  fit(m, log, all, 1);
  const Eigen::MatrixXf users = m.userEmbeddings(), items = m.itemEmbeddings();
  std::vector<std::uint32_t> rows;
  for (auto r : all)
    if (log.user[r] == 5) rows.push_back(r);
  m.foldInUser(log, 5, rows);
  for (int u = 0; u < 40; ++u) {
    if (u == 5) {
      EXPECT_FALSE(m.userEmbeddings().row(u) == users.row(u));
    } else {
      EXPECT_TRUE(m.userEmbeddings().row(u) == users.row(u)) << u;
    }
  }
  EXPECT_TRUE(m.itemEmbeddings() == items);
  EXPECT_THROW(m.foldInUser(log, 6, rows), std::invalid_argument);
  EXPECT_THROW(m.foldInUser(log, 40, rows), std::invalid_argument);
}

/// The rows of `log` whose user satisfies `keep`, as a log of their own (ids re-interned).
template <typename Keep>
data::InteractionLog subLog(const data::InteractionLog& log, Keep keep) {
  data::InteractionLog out;
  for (std::size_t r = 0; r < log.numRows(); ++r) {
    if (!keep(log.user[r])) continue;
    out.user.push_back(out.users.intern(log.users.original(log.user[r])));
    out.item.push_back(out.items.intern(log.items.original(log.item[r])));
    out.timestamp.push_back(log.timestamp[r]);
  }
  return out;
}

TEST(LightFmIncremental, GrowFineTuneAndFoldInServeAppendedUsers) {
  const auto full = plantedImplicit(300, 400, 40, 21);
  auto log = subLog(full, [](std::int32_t u) { return u < 240; });
  const auto extra = subLog(full, [](std::int32_t u) { return u >= 240; });
  std::vector<std::uint32_t> oldRows(log.numRows());
  std::iota(oldRows.begin(), oldRows.end(), 0u);
  LightFm m(config(LightFmConfig::Loss::Warp));
  fit(m, log, oldRows, 5);
  const auto oldItems = log.numItems();

  const auto added = data::appendRows(log, extra);
  ASSERT_EQ(added.newUsers, 60);
  // Each new user's rows: 80% to learn from, 20% held out.
  std::vector<std::uint32_t> newTrain, newTest;
  std::mt19937_64 rng(9);
  for (auto r : added.rows()) (rng() % 5 == 0 ? newTest : newTrain).push_back(r);
  m.grow(log.numUsers(), log.numItems(), 77);
  ASSERT_EQ(m.numItems(), log.numItems());
  std::vector<std::uint32_t> allTrain = oldRows;
  allTrain.insert(allTrain.end(), newTrain.begin(), newTrain.end());
  const double cold = recall(m, log, allTrain, newTest);

  // Fine-tune over the new rows plus as many replayed old rows.
  std::vector<std::uint32_t> tuneRows = newTrain;
  std::vector<std::uint32_t> replay = oldRows;
  std::shuffle(replay.begin(), replay.end(), rng);
  tuneRows.insert(tuneRows.end(), replay.begin(),
                  replay.begin() + static_cast<std::ptrdiff_t>(newTrain.size()));
  struct Epochs : Observer {
    int n = 0;
    void onEpoch(const TrainingReport& r) override { n += r.values.count("train_loss") > 0; }
  } obs;
  StopToken stop;
  m.fineTune(TrainContext{log, tuneRows, nullptr, 4, 1, obs, stop}, 3);
  EXPECT_EQ(obs.n, 3);
  const double tuned = recall(m, log, allTrain, newTest);
  std::vector<std::vector<std::uint32_t>> byUser(static_cast<std::size_t>(log.numUsers()));
  for (auto r : newTrain) byUser[static_cast<std::size_t>(log.user[r])].push_back(r);
  for (std::int32_t u = 240; u < log.numUsers(); ++u)
    m.foldInUser(log, u, byUser[static_cast<std::size_t>(u)]);
  const double folded = recall(m, log, allTrain, newTest);
  std::printf("new users' recall@10: grown %.4f, fine-tuned %.4f, folded in %.4f (%d new items)\n",
              cold, tuned, folded, log.numItems() - oldItems);
  EXPECT_GT(tuned, cold);
  EXPECT_GT(folded, 1.5 * cold);
}

}  // namespace
}  // namespace reclab::models
