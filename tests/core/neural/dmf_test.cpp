#include "models/neural/dmf.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <numeric>

#include "common/errors.h"
#include "eval/metrics.h"
#include "core/experiment/test_data.h"
#include "models/registry.h"
#include "split/splits.h"
#include "support/temp_path.h"

namespace reclab::models::neural {
namespace {

std::vector<std::uint32_t> allRows(const data::InteractionLog& log) {
  std::vector<std::uint32_t> rows(log.numRows());
  std::iota(rows.begin(), rows.end(), 0u);
  return rows;
}

DmfConfig fast(int epochs) {
  DmfConfig c;
  c.trainer.learningRate = 3e-3;
  c.trainer.epochs = epochs;
  c.trainer.batchSize = 64;
  c.embeddingL2 = 0.0;
  c.dropout = 0.0;
  return c;
}

TEST(Dmf, DefaultsAreSeedC) {
  const auto* info = Registry::instance().find("dmf");
  ASSERT_NE(info, nullptr);
  auto p = Registry::instance().validate("dmf", nlohmann::json::object());
  EXPECT_EQ(p["embedding_dim"], 32);
  EXPECT_DOUBLE_EQ(p["embedding_l2"].get<double>(), 0.01);
  EXPECT_EQ(p["hidden_layers"], "256,128,64");
  EXPECT_EQ(p["batch_norm"], true);
  EXPECT_DOUBLE_EQ(p["leaky_alpha"].get<double>(), 1e-4);
  EXPECT_DOUBLE_EQ(p["dropout"].get<double>(), 0.2);
  EXPECT_EQ(p["dropout_layers"], 2);
  EXPECT_EQ(p["optimizer"], "adam");
  EXPECT_DOUBLE_EQ(p["lr"].get<double>(), 1e-5);
  EXPECT_DOUBLE_EQ(p["clipnorm"].get<double>(), 1.0);
  EXPECT_EQ(p["clip_scope"], "per_tensor");
  try {
    Registry::instance().create("dmf", {{"hidden_layers", "256,x"}});
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("dmf: hidden_layers: '256,x'"), std::string::npos);
  }
}

TEST(Dmf, OverfitsATinyBatch) {
  auto log = testdata::plantedRatings(6, 5, 3, 0.5, 1);
  auto rows = allRows(log);
  StopToken stop;
  TrainContext ctx{log, rows, nullptr, 1, 1, nullObserver(), stop};
  DmfConfig c = fast(300);
  c.trainer.batchSize = 18;
  c.batchNorm = false;
  Dmf model(c);
  model.fit(ctx);
  std::vector<std::int32_t> us(log.user.begin(), log.user.end()), is(log.item.begin(), log.item.end());
  std::vector<float> pred;
  model.predict(us, is, pred);
  EXPECT_LT(eval::rmse(log.value, pred), 0.05);
}

TEST(Dmf, BeatsTheGlobalMeanOnPlantedRatingsAndScoresConsistently) {
  std::vector<float> truth;
  auto log = testdata::plantedRatings(200, 80, 30, 0.3, 5, &truth);
  auto s = split::randomSplit(log, 0.2, 0.1, 3);
  StopToken stop;
  TrainContext ctx{log, s.train, &s.valid, 3, 1, nullObserver(), stop};
  DmfConfig c = fast(25);
  c.embeddingDim = 16;
  c.hiddenLayers = "64,32";
  Dmf model(c);
  model.fit(ctx);
  std::vector<std::int32_t> us, is;
  std::vector<float> t, pred;
  double mean = 0;
  for (auto r : s.train) mean += log.value[r];
  mean /= static_cast<double>(s.train.size());
  for (auto r : s.test) {
    us.push_back(log.user[r]);
    is.push_back(log.item[r]);
    t.push_back(log.value[r]);
  }
  model.predict(us, is, pred);
  std::vector<float> constant(t.size(), static_cast<float>(mean));
  const double rmse = eval::rmse(t, pred), baseline = eval::rmse(t, constant);
  EXPECT_LT(rmse, 0.85 * baseline) << rmse << " vs global mean " << baseline;
  // Full-ranking scores (the precomputed first layer) equal pairwise predictions.
  ScoreMatrix scores;
  model.scoreUsers({us[0], us[1]}, scores);
  ASSERT_EQ(scores.cols(), 80);
  std::vector<std::int32_t> u0(80, us[1]), all(80);
  std::iota(all.begin(), all.end(), 0);
  std::vector<float> direct;
  model.predict(u0, all, direct);
  for (int i = 0; i < 80; ++i) EXPECT_NEAR(scores(1, i), direct[static_cast<std::size_t>(i)], 1e-4);
  EXPECT_EQ(model.userEmbeddings().rows(), 200);
  EXPECT_EQ(model.itemEmbeddings().cols(), 16);
}

TEST(Dmf, FusedKernelsTrainTheSameNetworkAsLibTorchsOps) {
  // Without dropout (whose masks come from another random stream) the fused Adam step, with
  // the table penalty and per-tensor clipping folded in, follows LibTorch's chain of ops
  // through three epochs of mini-batches.
  auto log = testdata::plantedRatings(60, 30, 12, 0.3, 4);
  auto rows = allRows(log);
  StopToken stop;
  TrainContext ctx{log, rows, nullptr, 1, 1, nullObserver(), stop};
  auto predictions = [&](double l2, bool fused) {
    DmfConfig c = fast(3);
    c.embeddingL2 = l2;
    c.trainer.clipNorm = 1.0;
    c.trainer.fusedKernels = fused;
    // A dense bias followed by BatchNorm has a gradient of pure rounding noise, which Adam turns
    // into full-size steps of random sign: the two paths' last-bit differences (their float
    // operations are ordered and fused differently) make those biases wander apart. Without
    // BatchNorm they agree.
    c.batchNorm = false;
    Dmf model(c);
    model.fit(ctx);
    std::vector<std::int32_t> us(log.user.begin(), log.user.end()), is(log.item.begin(), log.item.end());
    std::vector<float> pred;
    model.predict(us, is, pred);
    return pred;
  };
  auto maxDiff = [](const std::vector<float>& a, const std::vector<float>& b) {
    double d = 0;
    for (std::size_t i = 0; i < a.size(); ++i) d = std::max(d, std::abs(double(a[i]) - b[i]));
    return d;
  };
  const auto fused = predictions(0.05, true), ops = predictions(0.05, false);
  const auto noPenalty = predictions(0.0, true);
  EXPECT_LT(maxDiff(fused, ops), 1e-5);
  // The penalty matters at this size, so leaving it out of either path would show.
  EXPECT_GT(maxDiff(fused, noPenalty), 0.1);
}

TEST(Dmf, SaveLoadGivesIdenticalPredictions) {
  auto log = testdata::plantedRatings(30, 20, 8, 0.3, 2);
  auto rows = allRows(log);
  StopToken stop;
  TrainContext ctx{log, rows, nullptr, 1, 1, nullObserver(), stop};
  Dmf model(fast(3));
  model.fit(ctx);
  const auto path = (reclab::testing::uniqueTempPath("reclab_dmf_test.pt")).string();
  model.save(path);
  Dmf loaded;
  loaded.load(path);
  std::vector<std::int32_t> us(log.user.begin(), log.user.end()), is(log.item.begin(), log.item.end());
  std::vector<float> a, b;
  model.predict(us, is, a);
  loaded.predict(us, is, b);
  EXPECT_EQ(a, b);
  EXPECT_EQ(model.parameterCounts(), loaded.parameterCounts());
  std::filesystem::remove(path);
  EXPECT_THROW(loaded.load(path), InputError);
}

TEST(Dmf, GrowingLeavesOldPredictionsUnchangedAndFoldInFitsANewUser) {
  auto full = testdata::plantedRatings(120, 40, 25, 0.2, 9);
  // Users 0..109 train; user 110..119 arrive later.
  std::vector<std::uint32_t> oldRows, newRows;
  for (std::uint32_t r = 0; r < full.numRows(); ++r) (full.user[r] < 110 ? oldRows : newRows).push_back(r);
  StopToken stop;
  TrainContext ctx{full, oldRows, nullptr, 4, 1, nullObserver(), stop};
  DmfConfig c = fast(30);
  c.embeddingDim = 8;
  c.hiddenLayers = "32,16";
  Dmf model(c);
  model.fit(ctx);
  std::vector<std::int32_t> us, is;
  for (auto r : oldRows) {
    us.push_back(full.user[r]);
    is.push_back(full.item[r]);
  }
  std::vector<float> before, after;
  model.predict(us, is, before);
  model.grow(130, 45, 77);
  model.predict(us, is, after);
  EXPECT_EQ(before, after);
  EXPECT_EQ(model.numItems(), 45);
  // Fold in user 115 from their ratings: the error on those ratings drops.
  std::vector<std::uint32_t> mine;
  for (auto r : newRows)
    if (full.user[r] == 115) mine.push_back(r);
  std::vector<std::int32_t> mu(mine.size(), 115), mi;
  std::vector<float> truth;
  for (auto r : mine) {
    mi.push_back(full.item[r]);
    truth.push_back(full.value[r]);
  }
  std::vector<float> p0, p1;
  model.predict(mu, mi, p0);
  model.foldInUser(full, 115, mine);
  model.predict(mu, mi, p1);
  EXPECT_LT(eval::rmse(truth, p1), 0.8 * eval::rmse(truth, p0));
  // Nobody else moved.
  model.predict(us, is, after);
  EXPECT_EQ(before, after);
}

}  // namespace
}  // namespace reclab::models::neural
