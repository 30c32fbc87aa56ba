// Session purchase models in the experiment config and the runner: default metrics, the
// threshold, metric checks, and one model end to end on the bundled Yoochoose sample (clicks
// and buys) with the random session split.

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "common/errors.h"
#include "experiment/config.h"
#include "experiment/inspect.h"
#include "experiment/runner.h"
#include "store/store.h"
#include "support/temp_path.h"
#include "support/experiment_fixtures.h"

namespace reclab::experiment {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const std::string kSample = std::string(RECLAB_SOURCE_DIR) + "/datasets/yoochoose-sample";

json purchaseConfig(const std::string& model, const json& eval = json::object(),
                    const json& params = json::object()) {
  json j = {{"dataset", {{"format", "yoochoose"}, {"path", kSample}}},
            {"split", {{"kind", "session_random"}, {"test_ratio", 0.2}, {"valid_ratio", 0.2}}},
            {"model", {{"name", model}, {"params", params}}},
            {"seed", 0},
            {"threads", 2}};
  if (!eval.empty()) j["eval"] = eval;
  return j;
}

using reclab::testing::configErrorOf;

TEST(PurchaseConfig, DefaultsThresholdAndMetricChecks) {
  const auto c = ExperimentConfig::fromJson(purchaseConfig("purchase_fnn"));
  EXPECT_EQ(c.eval.metrics, (std::vector<std::string>{"auc", "log_loss", "accuracy", "pr_auc"}));
  EXPECT_DOUBLE_EQ(c.eval.threshold, 0.5);
  const auto t = ExperimentConfig::fromJson(purchaseConfig(
      "purchase_lr", {{"threshold", 0.3}, {"metrics", {"auc", "precision", "recall", "f1"}}}));
  EXPECT_DOUBLE_EQ(t.eval.threshold, 0.3);
  EXPECT_DOUBLE_EQ(ExperimentConfig::fromJson(t.toJson()).eval.threshold, 0.3);
  EXPECT_EQ(configErrorOf(purchaseConfig("purchase_lr", {{"threshold", 1}})),
            "config: eval.threshold must be a number in (0, 1), got 1");
  EXPECT_EQ(configErrorOf(purchaseConfig("purchase_lr", {{"metrics", {"auc", "ndcg"}}})),
            "config: eval.metrics asks for 'ndcg' but session purchase model 'purchase_lr' is "
            "evaluated with auc, log_loss, accuracy, pr_auc, precision, recall and f1 only");
  auto ranking = purchaseConfig("popularity", {{"threshold", 0.4}});
  EXPECT_EQ(configErrorOf(ranking),
            "config: eval.threshold applies to session purchase models only; model 'popularity' "
            "is a ranking model");
  EXPECT_EQ(configErrorOf(purchaseConfig("popularity", {{"metrics", {"pr_auc"}}})),
            "config: eval.metrics asks for 'pr_auc' but model 'popularity' is a ranking model (it "
            "is a session purchase metric)");
  // Other tasks' configs do not gain the key.
  EXPECT_FALSE(ExperimentConfig::fromJson(purchaseConfig("popularity"))
                   .toJson()
                   .at("eval")
                   .contains("threshold"));
}

TEST(PurchaseRunner, LogisticRegressionEndToEndOnTheYoochooseSample) {
  const auto dir = reclab::testing::uniqueTempPath("reclab_purchase_runner");
  fs::remove_all(dir);
  fs::create_directories(dir);
  const auto db = (dir / "store.sqlite").string();
  StopToken stop;
  const auto c = ExperimentConfig::fromJson(
      purchaseConfig("purchase_lr", {{"metrics", {"auc", "log_loss", "accuracy", "pr_auc", "f1"}}},
                     {{"epochs", 3}}));
  const auto out = executeRun(c, db, std::nullopt, nullObserver(), stop, nullptr);
  ASSERT_EQ(out.status, store::RunStatus::Finished) << out.error;
  for (const char* m : {"auc", "log_loss", "accuracy", "pr_auc", "f1"})
    ASSERT_TRUE(out.metrics.count(m)) << m;
  EXPECT_EQ(out.metrics.count("precision"), 0U);  // not asked for
  EXPECT_GT(out.metrics.at("auc"), 0.55);
  EXPECT_LE(out.metrics.at("auc"), 1.0);
  EXPECT_TRUE(std::isfinite(out.metrics.at("log_loss")));
  EXPECT_GT(out.metrics.at("log_loss"), 0.0);
  EXPECT_GE(out.metrics.at("accuracy"), 0.0);
  EXPECT_LE(out.metrics.at("accuracy"), 1.0);
  EXPECT_GT(out.metrics.at("pr_auc"), 0.0);

  store::Store st(db);
  const auto art = st.artifact(out.runId, "purchase_evaluation.json");
  ASSERT_TRUE(art.has_value());
  const auto j = json::parse(*art);
  EXPECT_GT(j.at("rows").get<int>(), 5000);  // ~20% of ~60k clicks
  const double rate = j.at("buy_rate").get<double>();
  EXPECT_GT(rate, 0.01);
  EXPECT_LT(rate, 0.3);
  EXPECT_DOUBLE_EQ(j.at("threshold").get<double>(), 0.5);
  EXPECT_FALSE(j.at("pr_curve").at("recall").empty());
  EXPECT_NEAR(j.at("metrics").at("auc").get<double>(), out.metrics.at("auc"), 1e-12);

  // The stored model reopens and predicts the same test rows.
  const auto opened = openRun(st, out.runId, nullObserver(), stop, nullptr);
  const auto* pp = dynamic_cast<const models::PurchasePredictor*>(opened.model.get());
  ASSERT_NE(pp, nullptr);
  const auto pred = pp->predictPurchase(opened.data->log, opened.split.test);
  EXPECT_EQ(static_cast<int>(pred.rows.size()), j.at("rows").get<int>());
  fs::remove_all(dir);
}

}  // namespace
}  // namespace reclab::experiment
