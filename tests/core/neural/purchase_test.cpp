// The six session purchase-prediction nets (SPEC B Problem 1): config checks, class weights,
// each architecture overfitting a tiny batch, the planted buy rule learned by all of them, the
// weighted loss against a hand computation, the scaler fitted on training rows only, and
// save / load giving identical predictions.

#include "models/neural/purchase.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <functional>
#include <random>

#include "common/errors.h"
#include "eval/classification.h"
#include "features/session_features.h"
#include "models/registry.h"
#include "split/leakage.h"
#include "support/temp_path.h"

namespace reclab::models::neural {
namespace {

using Rows = std::vector<std::uint32_t>;

/// 2014-04-01T00:00:00Z in milliseconds.
constexpr std::int64_t kT0 = 1'396'310'400'000LL;

struct Planted {
  data::InteractionLog log;
  Rows train, valid, test;  ///< sessions 60 / 20 / 20 by session index (s % 5)
  std::vector<int> clicks;  ///< C of each session
  std::vector<bool> buys;
};

/// `sessions` sessions over 40 items (item i in category i % 5). Session s has C clicks,
/// C uniform in 1..10, items uniform; it buys iff C >= 9 or its first item is 0 or 1 (so the
/// rule is visible to every row: session_clicks and first_product).
Planted plantedLog(int sessions, std::uint64_t seed) {
  Planted p;
  auto& log = p.log;
  log.eventNames = {"click", "buy"};
  for (int i = 0; i < 40; ++i) {
    log.items.intern("i" + std::to_string(i));
    log.itemAttributes.addMulti("category", i, std::to_string(i % 5));
  }
  log.itemAttributes.resize(40);
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> len(1, 10), item(0, 39), gap(5, 120);
  for (int s = 0; s < sessions; ++s) {
    log.sessions.intern("s" + std::to_string(s));
    const int c = len(rng);
    std::int64_t t = kT0 + static_cast<std::int64_t>(s) * 3'600'000;
    int first = -1, last = 0;
    auto& part = s % 5 < 3 ? p.train : s % 5 == 3 ? p.valid : p.test;
    for (int k = 0; k < c; ++k) {
      last = item(rng);
      if (first < 0) first = last;
      part.push_back(static_cast<std::uint32_t>(log.item.size()));
      log.session.push_back(s);
      log.item.push_back(last);
      log.event.push_back(0);
      log.timestamp.push_back(t);
      t += gap(rng) * 1000LL;
    }
    const bool buy = c >= 9 || first < 2;
    if (buy) {
      part.push_back(static_cast<std::uint32_t>(log.item.size()));
      log.session.push_back(s);
      log.item.push_back(last);
      log.event.push_back(1);
      log.timestamp.push_back(t);
    }
    p.clicks.push_back(c);
    p.buys.push_back(buy);
  }
  log.validate();
  return p;
}

PurchaseConfig quick(const std::string& arch, int epochs) {
  PurchaseConfig c = PurchaseConfig::defaults(arch);
  c.embeddingDim = 8;
  c.hiddenLayers = arch == "wide_deep" ? "32,32,32" : "32";
  c.dModel = 16;
  c.heads = 2;
  c.layers = 1;
  c.ffDim = 32;
  c.crossBuckets = 1000;
  c.trainer.epochs = epochs;
  c.trainer.batchSize = 128;
  c.trainer.threads = 1;
  return c;
}

/// Keeps every epoch report.
struct Reports : Observer {
  std::vector<TrainingReport> epochs;
  void onEpoch(const TrainingReport& r) override { epochs.push_back(r); }
};

void fit(PurchaseNet& m, const data::InteractionLog& log, const Rows& train, const Rows* valid,
         Observer& obs = nullObserver(), split::LeakageGuard* guard = nullptr) {
  StopToken stop;
  TrainContext ctx{log, train, valid, 7, 1, obs, stop};
  ctx.guard = guard;
  m.fit(ctx);
}

double testAuc(const PurchaseNet& m, const data::InteractionLog& log, const Rows& rows) {
  const auto pred = m.predictPurchase(log, rows);
  std::vector<std::int32_t> y(pred.labels.begin(), pred.labels.end());
  return eval::auc(pred.probs, y);
}

std::string errorOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "no error";
}

TEST(PurchaseConfig, InvalidValuesAreNamed) {
  auto c = PurchaseConfig::defaults("fnn");
  c.embeddingDim = 0;
  EXPECT_EQ(errorOf([&] { c.validate(); }), "purchase_fnn: embedding_dim must be > 0, got 0");
  c = PurchaseConfig::defaults("fe_transformer");
  c.dModel = 30;
  c.heads = 4;
  EXPECT_EQ(errorOf([&] { c.validate(); }),
            "purchase_fe_transformer: heads must divide d_model, got d_model 30 and heads 4");
  c = PurchaseConfig::defaults("lr");
  c.classWeight = "heavy";
  EXPECT_EQ(errorOf([&] { c.validate(); }),
            "purchase_lr: class_weight must be balanced, none or a positive number (the buy "
            "class' weight), got 'heavy'");
  c = PurchaseConfig::defaults("wide_deep");
  c.crossPairs = "product_id x colour";
  EXPECT_NE(errorOf([&] { c.validate(); })
                .find("purchase_wide_deep: cross_pairs: 'colour' is not a categorical session "
                      "feature (known: product_id, category_id"),
            std::string::npos);
  c.crossPairs = "product_id previous_product";
  EXPECT_EQ(errorOf([&] { c.validate(); }),
            "purchase_wide_deep: cross_pairs: 'product_id previous_product' is not a pair like "
            "\"product_id x previous_product\"");
  EXPECT_EQ(parseCrossPairs("product_id x previous_product, category_id x click_hour"),
            (std::vector<std::pair<int, int>>{{0, 3}, {1, 10}}));
  EXPECT_TRUE(parseCrossPairs(" ").empty());
}

TEST(PurchaseConfig, SixRegistryEntriesWithTheirOwnDefaults) {
  auto& r = Registry::instance();
  for (const auto& arch : purchaseArchitectures()) {
    const auto* info = r.find("purchase_" + arch);
    ASSERT_NE(info, nullptr) << arch;
    EXPECT_EQ(info->task, Task::SessionPurchase);
    const auto p = r.validate(info->name, nlohmann::json::object());
    EXPECT_EQ(p.at("class_weight"), "balanced");
    EXPECT_EQ(p.at("monitor"), "val_auc");
    auto m = r.create(info->name, p);
    EXPECT_EQ(m->name(), "purchase_" + arch);
    EXPECT_NE(dynamic_cast<PurchasePredictor*>(m.get()), nullptr);
  }
  EXPECT_EQ(r.validate("purchase_wide_deep", {}).at("hidden_layers"), "400,400,400");
  EXPECT_FALSE(r.validate("purchase_lr", {}).contains("hidden_layers"));
  EXPECT_TRUE(r.validate("purchase_fe_transformer", {}).contains("d_model"));
}

TEST(PurchaseClassWeights, BalancedNoneAndANumber) {
  // 95 no-buy and 5 buy rows: n / (2 n_c) = 100 / 190 and 100 / 10.
  const auto b = purchaseClassWeights("balanced", 95, 5);
  EXPECT_DOUBLE_EQ(b.first, 100.0 / 190.0);
  EXPECT_DOUBLE_EQ(b.second, 10.0);
  EXPECT_EQ(purchaseClassWeights("none", 95, 5), std::make_pair(1.0, 1.0));
  EXPECT_EQ(purchaseClassWeights("2.5", 95, 5), std::make_pair(1.0, 2.5));
  EXPECT_THROW(purchaseClassWeights("-1", 95, 5), InputError);
}

/// 16 one-click sessions on distinct items, labels in a fixed irregular pattern: only
/// memorising (product id -> label) fits them.
TEST(PurchaseNet, EachArchitectureOverfitsATinyBatch) {
  data::InteractionLog log;
  log.eventNames = {"click", "buy"};
  const std::vector<int> labels = {1, 0, 0, 1, 1, 1, 0, 0, 1, 0, 1, 0, 0, 0, 1, 1};
  Rows rows;
  for (int s = 0; s < 16; ++s) {
    log.items.intern("i" + std::to_string(s));
    log.sessions.intern("s" + std::to_string(s));
    for (int e = 0; e <= labels[s]; ++e) {
      rows.push_back(static_cast<std::uint32_t>(log.item.size()));
      log.session.push_back(s);
      log.item.push_back(s);
      log.event.push_back(static_cast<std::uint8_t>(e));
      log.timestamp.push_back(kT0 + s * 60'000LL + e * 1000);
    }
  }
  log.validate();
  for (const auto& arch : purchaseArchitectures()) {
    auto c = quick(arch, 150);
    c.dropout = 0.0;
    c.classWeight = "none";
    c.trainer.batchSize = 16;
    c.trainer.learningRate = 0.02;
    PurchaseNet m(c);
    fit(m, log, rows, nullptr);
    const auto pred = m.predictPurchase(log, rows);
    ASSERT_EQ(pred.rows.size(), 16U) << arch;  // the buy rows are left out
    double loss = 0;
    for (std::size_t i = 0; i < 16; ++i) {
      EXPECT_EQ(pred.probs[i] >= 0.5f, pred.labels[i] == 1.0f) << arch << " row " << i;
      loss -= pred.labels[i] == 1.0f ? std::log(pred.probs[i]) : std::log(1 - pred.probs[i]);
    }
    EXPECT_LT(loss / 16, 0.1) << arch;
  }
}

TEST(PurchaseNet, EveryArchitectureLearnsThePlantedBuyRule) {
  const auto p = plantedLog(1200, 3);
  std::map<std::string, double> aucs;
  for (const auto& arch : purchaseArchitectures()) {
    auto c = quick(arch, arch == "lr" ? 30 : 12);
    if (arch == "lr") c.trainer.learningRate = 0.05;
    PurchaseNet m(c);
    Reports reports;
    fit(m, p.log, p.train, &p.valid, reports);
    ASSERT_FALSE(reports.epochs.empty());
    EXPECT_TRUE(reports.epochs.back().values.count("val_auc")) << arch;
    aucs[arch] = testAuc(m, p.log, p.test);
  }
  for (const auto& [arch, auc] : aucs) EXPECT_GT(auc, 0.9) << arch;
  // The rule is linearly separable in the features (log1p(session_clicks) and the first
  // product's code), so LR and FNN rank nearly perfectly (0.957 and 0.941 here).
  EXPECT_GT(aucs.at("lr"), 0.93);
  EXPECT_GT(aucs.at("fnn"), 0.92);
}

TEST(PurchaseNet, ClassWeightsWeighTheLossAsComputedByHand) {
  const auto p = plantedLog(500, 5);
  // Training click rows and how many belong to buying sessions.
  std::int64_t n = 0, pos = 0;
  for (int s = 0; s < 500; ++s) {
    if (s % 5 >= 3) continue;
    n += p.clicks[static_cast<std::size_t>(s)];
    if (p.buys[static_cast<std::size_t>(s)]) pos += p.clicks[static_cast<std::size_t>(s)];
  }
  const double n0 = static_cast<double>(n - pos), n1 = static_cast<double>(pos);
  const std::map<std::string, std::pair<double, double>> expected = {
      {"none", {1.0, 1.0}},
      {"balanced", {(n0 + n1) / (2 * n0), (n0 + n1) / (2 * n1)}},
      {"4", {1.0, 4.0}}};
  for (const auto& [spec, w] : expected) {
    auto c = quick("lr", 1);
    c.classWeight = spec;
    c.trainer.keepBest = false;
    PurchaseNet m(c);
    Reports reports;
    fit(m, p.log, p.train, &p.valid, reports);
    EXPECT_DOUBLE_EQ(m.classWeights().first, w.first) << spec;
    EXPECT_DOUBLE_EQ(m.classWeights().second, w.second) << spec;
    // The engine's val_loss = mean_i w_{y_i} * -(y_i ln p_i + (1 - y_i) ln(1 - p_i)).
    const auto pred = m.predictPurchase(p.log, p.valid);
    double loss = 0;
    for (std::size_t i = 0; i < pred.rows.size(); ++i) {
      loss -= pred.labels[i] == 1.0f ? w.second * std::log(double(pred.probs[i]))
                                     : w.first * std::log(1.0 - double(pred.probs[i]));
    }
    loss /= static_cast<double>(pred.rows.size());
    ASSERT_EQ(reports.epochs.size(), 1U);
    EXPECT_NEAR(reports.epochs[0].values.at("val_loss"), loss, 1e-4 * loss) << spec;
  }
}

TEST(PurchaseNet, ScalerIsFittedOnTrainingRowsOnly) {
  const auto p = plantedLog(500, 9);
  PurchaseNet m(quick("lr", 1));
  split::LeakageGuard guard;
  fit(m, p.log, p.train, &p.valid, nullObserver(), &guard);
  // session_clicks (whole reading) = C on each of the session's C rows; after log1p the mean
  // over the training click rows is sum C ln(1 + C) / sum C.
  const auto& names = features::sessionContinuousNames();
  const auto j = static_cast<std::size_t>(std::find(names.begin(), names.end(), "session_clicks") -
                                          names.begin());
  double sum = 0, sumSq = 0, count = 0;
  Rows trainClicks;
  for (int s = 0; s < 500; ++s) {
    if (s % 5 >= 3) continue;
    const double c = p.clicks[static_cast<std::size_t>(s)];
    sum += c * std::log1p(c);
    sumSq += c * std::log1p(c) * std::log1p(c);
    count += c;
  }
  const double mean = sum / count;
  EXPECT_NEAR(m.scalerMean()[j], mean, 1e-9);
  EXPECT_NEAR(m.scalerStd()[j], std::sqrt(sumSq / count - mean * mean), 1e-9);
  // The guard holds the training click rows (buy rows only make labels).
  ASSERT_EQ(guard.records().size(), 1U);
  EXPECT_EQ(guard.records()[0].statistic, "purchase_continuous_scaler");
  EXPECT_EQ(guard.records()[0].rows.count(), static_cast<std::uint64_t>(count));
  split::Split ok{p.train, p.valid, p.test};
  EXPECT_NO_THROW(guard.check(ok));
  split::Split swapped{p.test, p.valid, p.train};  // the scaler's rows as test rows
  EXPECT_THROW(guard.check(swapped), InputError);
}

TEST(PurchaseNet, SaveAndLoadGiveIdenticalPredictions) {
  const auto p = plantedLog(300, 11);
  const auto dir = reclab::testing::uniqueTempPath("reclab_purchase_test");
  std::filesystem::create_directories(dir);
  for (const auto& arch : purchaseArchitectures()) {
    PurchaseNet m(quick(arch, 1));
    fit(m, p.log, p.train, &p.valid);
    const auto path = (dir / (arch + ".bin")).string();
    m.save(path);
    // A model of another architecture and defaults takes everything from the file.
    PurchaseNet loaded(PurchaseConfig::defaults(arch == "lr" ? "fnn" : "lr"));
    loaded.load(path);
    EXPECT_EQ(loaded.name(), "purchase_" + arch);
    EXPECT_EQ(loaded.scalerMean(), m.scalerMean());
    EXPECT_EQ(loaded.classWeights(), m.classWeights());
    const auto a = m.predictPurchase(p.log, p.test);
    const auto b = loaded.predictPurchase(p.log, p.test);
    EXPECT_EQ(a.rows, b.rows) << arch;
    EXPECT_EQ(a.probs, b.probs) << arch;
  }
  std::filesystem::remove_all(dir);
}

TEST(PurchaseNet, BadInputIsPrecise) {
  PurchaseNet m(quick("lr", 1));
  const auto p = plantedLog(50, 1);
  EXPECT_EQ(errorOf([&] { m.predictPurchase(p.log, p.test); }),
            "purchase_lr: the model is not trained");
  // Training sessions that never buy.
  Rows noBuy;
  for (auto r : p.train)
    if (!p.buys[static_cast<std::size_t>(p.log.session[r])]) noBuy.push_back(r);
  const auto msg = errorOf([&] { fit(m, p.log, noBuy, nullptr); });
  EXPECT_EQ(msg.rfind("purchase_lr: the training rows need both buying and non-buying sessions; 0 "
                      "of ",
                      0),
            0U)
      << msg;
  EXPECT_EQ(errorOf([&] { m.load("/nonexistent/purchase.bin"); }),
            "/nonexistent/purchase.bin: no such checkpoint file");
}

}  // namespace
}  // namespace reclab::models::neural
