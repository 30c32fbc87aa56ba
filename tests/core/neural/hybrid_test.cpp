#include "models/neural/hybrid.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <numeric>

#include "common/errors.h"
#include "data/load.h"
#include "data/synth/generate.h"
#include "eval/classification_summary.h"
#include "eval/metrics.h"
#include "features/feature_config.h"
#include "models/registry.h"
#include "split/leakage.h"
#include "split/splits.h"
#include "support/temp_path.h"

namespace reclab::models::neural {
namespace {

const data::LoadResult& sample(const std::string& dir, data::Format format) {
  static std::map<std::string, data::LoadResult> cache;
  auto it = cache.find(dir);
  if (it == cache.end()) {
    StopToken stop;
    it = cache.emplace(dir, data::loadDataset(format, {std::string(RECLAB_SOURCE_DIR) + "/datasets/" + dir},
                                              data::LoadOptions{}, nullObserver(), stop))
             .first;
  }
  return it->second;
}

/// Fixed embeddings standing in for a finished LightFM / SVD run.
struct FakeEmbeddings : HasEmbeddings {
  Eigen::MatrixXf users, items;
  Eigen::VectorXf bu, bi;
  float mu = 0;
  Eigen::MatrixXf userEmbeddings() const override { return users; }
  Eigen::MatrixXf itemEmbeddings() const override { return items; }
  Eigen::VectorXf ratingUserBiases() const override { return bu; }
  Eigen::VectorXf ratingItemBiases() const override { return bi; }
  float ratingGlobalMean() const override { return mu; }
};

HybridConfig small(const std::string& head, int epochs) {
  HybridConfig c;
  c.head = head;
  c.embeddingDim = 16;
  c.convFilters = 8;
  c.denseLayers = "64,32";
  c.continuousUnits = 16;
  c.trainer.epochs = epochs;
  c.trainer.batchSize = 256;
  c.trainer.threads = 1;
  return c;
}

std::vector<float> probsOf(const HybridCnn& m, const data::InteractionLog& log,
                           const std::vector<std::uint32_t>& rows) {
  std::vector<float> p;
  m.predictProba(log, rows, p);
  return p;
}

/// A RetailRocket-format log whose funnel is strongly planted: the odds of addtocart and of
/// transaction depend on the visitor-item affinity, the price and the hour with large weights,
/// so the Bayes decision is not "view" everywhere (in the bundled sample it is: the sample's
/// cart odds never exceed ~9%, and argmax of any calibrated model is the majority class).
const data::LoadResult& plantedFunnel() {
  static const data::LoadResult result = [] {
    const auto dir = (reclab::testing::uniqueTempPath("reclab_planted_funnel")).string();
    std::filesystem::remove_all(dir);
    StopToken stop;
    nlohmann::json options = {{"visitors", 1500},      {"items", 300},
                              {"cart_share", 0.15},    {"transaction_share", 0.06},
                              {"cart_affinity", 3.0},  {"cart_price", -2.0},
                              {"cart_hour", 1.0},      {"buy_affinity", 3.0},
                              {"buy_price", -2.0},     {"buy_hour", 1.0}};
    synth::generate("retailrocket", options, 7, dir, nullObserver(), stop);
    auto loaded =
        data::loadDataset(data::Format::RetailRocket, {dir}, data::LoadOptions{}, nullObserver(), stop);
    std::filesystem::remove_all(dir);
    return loaded;
  }();
  return result;
}

TEST(HybridCnn, ClassifierBeatsTheMajorityClassOnMacroF1) {
  const auto& data = plantedFunnel();
  const auto& log = data.log;
  auto s = split::randomSplit(log, 0.2, 0.1, 1);
  StopToken stop;
  split::LeakageGuard guard;
  TrainContext ctx{log, s.train, &s.valid, 1, 1, nullObserver(), stop};
  ctx.guard = &guard;
  HybridConfig c = small("classification", 6);
  c.classWeights = "none";  // argmax of calibrated probabilities (weights trade accuracy for recall)
  c.focalGamma = 0.0;
  c.focalAlpha = 1.0;
  HybridCnn model(c);
  model.fit(ctx);
  EXPECT_NO_THROW(guard.check(s));  // encoders saw training rows only
  ASSERT_EQ(model.numClasses(), 3);
  std::vector<std::int32_t> truth;
  for (auto r : s.test) truth.push_back(log.eventAt(r));
  auto probs = probsOf(model, log, s.test);
  auto summary = eval::summariseClassification(probs, 3, truth);
  // The majority class (view) everywhere: F1 of view, 0, 0 -> macro F1 = F1(view) / 3.
  std::vector<float> majority(truth.size() * 3, 0.0f);
  for (std::size_t i = 0; i < truth.size(); ++i) majority[i * 3] = 1.0f;
  auto base = eval::summariseClassification(majority, 3, truth);
  EXPECT_GT(summary.report.macroAvg.f1, base.report.macroAvg.f1 + 0.03)
      << "model " << summary.report.macroAvg.f1 << " vs majority " << base.report.macroAvg.f1;
  EXPECT_GT(summary.auc.macro, 0.6);
}

TEST(HybridCnn, FrozenPretrainedEmbeddingsStayBitIdentical) {
  const auto& data = sample("retailrocket-sample", data::Format::RetailRocket);
  const auto& log = data.log;
  auto s = split::randomSplit(log, 0.2, 0.0, 2);
  FakeEmbeddings pre;
  pre.users = Eigen::MatrixXf::Random(log.numUsers(), 12);
  pre.items = Eigen::MatrixXf::Random(log.numItems(), 12);
  StopToken stop;
  TrainContext ctx{log, s.train, nullptr, 1, 1, nullObserver(), stop};
  ctx.pretrained = &pre;
  HybridConfig c = small("classification", 1);
  c.embeddingsRun = 99;
  HybridCnn frozen(c);
  frozen.fit(ctx);
  auto table = frozen.userTable();
  Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> expected = pre.users;
  ASSERT_EQ(table.size(), static_cast<std::size_t>(expected.size()));
  EXPECT_TRUE(std::equal(table.begin(), table.end(), expected.data()));
  // Frozen tables are Keras' non-trainable weights.
  EXPECT_GE(frozen.parameterCounts().second, (log.numUsers() + log.numItems()) * 12);
  c.freezeEmbeddings = false;
  HybridCnn tuned(c);
  tuned.fit(ctx);
  auto moved = tuned.userTable();
  EXPECT_FALSE(std::equal(moved.begin(), moved.end(), expected.data()));
  // A table of the wrong shape is refused with the reason.
  pre.users = Eigen::MatrixXf::Random(log.numUsers() - 1, 12);
  HybridCnn wrong(c);
  EXPECT_THROW(wrong.fit(ctx), InputError);
}

TEST(HybridCnn, RegressorBeatsTheGlobalMeanAndSurvivesSaveLoad) {
  const auto& data = sample("ratings-sample", data::Format::MovieLens);
  const auto& log = data.log;
  auto s = split::randomSplit(log, 0.2, 0.1, 3);
  StopToken stop;
  TrainContext ctx{log, s.train, &s.valid, 1, 1, nullObserver(), stop};
  HybridConfig c = small("regression", 6);
  c.trainer.learningRate = 2e-3;
  HybridCnn model(c);
  model.fit(ctx);
  std::vector<float> truth, pred;
  for (auto r : s.test) truth.push_back(log.value[r]);
  model.predictRows(log, s.test, pred);
  double mean = 0;
  for (auto r : s.train) mean += log.value[r];
  mean /= static_cast<double>(s.train.size());
  std::vector<float> constant(truth.size(), static_cast<float>(mean));
  EXPECT_LT(eval::rmse(truth, pred), 0.97 * eval::rmse(truth, constant));

  const auto path = (reclab::testing::uniqueTempPath("reclab_hybrid_test.pt")).string();
  model.save(path);
  HybridCnn loaded(HybridConfig::defaults());
  loaded.load(path);
  std::vector<float> again;
  loaded.predictRows(log, s.test, again);
  EXPECT_EQ(pred, again);
  EXPECT_EQ(loaded.parameterCounts(), model.parameterCounts());
  // Top-N for one user in the context of their last row: one score per item.
  auto scores = loaded.scoreItemsForUser(log, log.user[s.test[0]], s.test[0]);
  EXPECT_EQ(scores.size(), static_cast<std::size_t>(log.numItems()));
  std::filesystem::remove(path);
}

TEST(HybridCnn, RegressorStartsFromTheFactorModelsPrediction) {
  // With the wide path, the untrained regressor predicts mu + b_u + b_i + p_u.q_i of the run
  // that gave the embeddings (SPEC A: the deep model should not lose to its own SVD).
  const auto& data = sample("ratings-sample", data::Format::MovieLens);
  const auto& log = data.log;
  auto s = split::randomSplit(log, 0.2, 0.0, 5);
  FakeEmbeddings pre;
  pre.users = Eigen::MatrixXf::Random(log.numUsers(), 8) * 0.5f;
  pre.items = Eigen::MatrixXf::Random(log.numItems(), 8) * 0.5f;
  pre.bu = Eigen::VectorXf::Random(log.numUsers()) * 0.3f;
  pre.bi = Eigen::VectorXf::Random(log.numItems()) * 0.3f;
  pre.mu = 3.5f;
  StopToken stop;
  TrainContext ctx{log, s.train, nullptr, 1, 1, nullObserver(), stop};
  ctx.pretrained = &pre;
  HybridConfig c = small("regression", 1);
  c.embeddingsRun = 1;
  c.trainer.learningRate = 1e-9;  // effectively untrained
  HybridCnn model(c);
  model.fit(ctx);
  std::vector<std::uint32_t> rows(s.test.begin(), s.test.begin() + 50);
  std::vector<float> pred;
  model.predictRows(log, rows, pred);
  for (std::size_t j = 0; j < rows.size(); ++j) {
    const auto u = log.user[rows[j]], i = log.item[rows[j]];
    const float expected = pre.mu + pre.bu(u) + pre.bi(i) + pre.users.row(u).dot(pre.items.row(i));
    EXPECT_NEAR(pred[j], expected, 1e-3) << j;
  }
}

TEST(HybridCnn, OverfitsATinyBatch) {
  const auto& data = sample("retailrocket-sample", data::Format::RetailRocket);
  const auto& log = data.log;
  // 64 rows of all three classes.
  std::vector<std::uint32_t> rows;
  int per[3] = {0, 0, 0};
  for (std::uint32_t r = 0; r < log.numRows() && rows.size() < 48; ++r) {
    if (per[log.eventAt(r)] < 16) {
      ++per[log.eventAt(r)];
      rows.push_back(r);
    }
  }
  StopToken stop;
  TrainContext ctx{log, rows, nullptr, 1, 1, nullObserver(), stop};
  HybridConfig c = small("classification", 300);
  c.dropout = 0.0;
  c.denseL2 = 0.0;
  c.focalGamma = 0.0;
  c.focalAlpha = 1.0;
  c.trainer.batchSize = 48;
  c.trainer.learningRate = 3e-3;
  HybridCnn model(c);
  model.fit(ctx);
  auto p = probsOf(model, log, rows);
  int correct = 0;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const float* q = p.data() + i * 3;
    const int arg = static_cast<int>(std::max_element(q, q + 3) - q);
    correct += arg == log.eventAt(rows[i]);
  }
  EXPECT_GE(correct, 46);
}

TEST(HybridCnn, FusedKernelsTrainTheSameNetworkAsLibTorchsOps) {
  // The fused Conv1D + ReLU + max pooling and Adam step (with the dense layers' L2) against
  // LibTorch's ops, without dropout; embeddings fine-tuned, so the convolution's input
  // gradient is exercised too.
  const auto& data = sample("retailrocket-sample", data::Format::RetailRocket);
  const auto& log = data.log;
  std::vector<std::uint32_t> rows(600);
  std::iota(rows.begin(), rows.end(), 0u);
  StopToken stop;
  TrainContext ctx{log, rows, nullptr, 1, 1, nullObserver(), stop};
  auto probabilities = [&](bool fused) {
    HybridConfig c = small("classification", 2);
    c.dropout = 0.0;
    c.denseL2 = 1e-3;
    c.freezeEmbeddings = false;
    c.trainer.batchSize = 100;
    c.trainer.fusedKernels = fused;
    HybridCnn model(c);
    model.fit(ctx);
    return probsOf(model, log, rows);
  };
  const auto a = probabilities(true), b = probabilities(false);
  ASSERT_EQ(a.size(), b.size());
  double diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) diff = std::max(diff, std::abs(double(a[i]) - b[i]));
  EXPECT_LT(diff, 2e-3);
}

TEST(HybridCnn, RefusesAFeatureThatReadsTheLabel) {
  const auto& data = sample("retailrocket-sample", data::Format::RetailRocket);
  const auto& log = data.log;
  auto cfg = features::defaultFeatureConfig(log);
  features::AttributeSpec leak;
  leak.name = "event_type";
  leak.source = features::Source::Column;
  leak.from = "event";
  leak.encoder = features::Encoder::Index;
  cfg.attributes.push_back(leak);
  const auto path = (reclab::testing::uniqueTempPath("reclab_leaky_features.json")).string();
  cfg.save(path);
  HybridConfig c = small("classification", 1);
  c.features = path;
  HybridCnn model(c);
  std::vector<std::uint32_t> rows(100);
  std::iota(rows.begin(), rows.end(), 0u);
  StopToken stop;
  TrainContext ctx{log, rows, nullptr, 1, 1, nullObserver(), stop};
  try {
    model.fit(ctx);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("feature 'event_type' reads the 'event' column"), std::string::npos)
        << e.what();
  }
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace reclab::models::neural
