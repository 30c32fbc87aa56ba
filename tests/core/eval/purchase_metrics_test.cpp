// Purchase-prediction metrics on hand-computed cases: thresholded counts, accuracy,
// precision / recall / F1, average precision (scikit-learn's definition, ties included), the
// sampled PR curve and the summary the runner stores.

#include "eval/purchase_metrics.h"

#include <gtest/gtest.h>

#include <cmath>

#include "common/errors.h"

namespace reclab::eval {
namespace {

// Six rows: positives score 0.9, 0.7, 0.6; negatives 0.8, 0.55, 0.4.
const std::vector<float> kScores = {0.9f, 0.8f, 0.7f, 0.6f, 0.55f, 0.4f};
const std::vector<std::int32_t> kLabels = {1, 0, 1, 1, 0, 0};

TEST(PurchaseMetrics, CountsAtAThreshold) {
  // p >= 0.5: the first five rows are predicted buys.
  auto c = binaryCounts(kScores, kLabels, 0.5);
  EXPECT_EQ(c.tp, 3);
  EXPECT_EQ(c.fp, 2);
  EXPECT_EQ(c.tn, 1);
  EXPECT_EQ(c.fn, 0);
  EXPECT_DOUBLE_EQ(c.accuracy(), 4.0 / 6.0);
  EXPECT_DOUBLE_EQ(c.precision(), 3.0 / 5.0);
  EXPECT_DOUBLE_EQ(c.recall(), 1.0);
  EXPECT_DOUBLE_EQ(c.f1(), 2 * 0.6 * 1.0 / 1.6);
  // p >= 0.65: rows 0.9, 0.8, 0.7 -> TP 2, FP 1, FN 1, TN 2.
  c = binaryCounts(kScores, kLabels, 0.65);
  EXPECT_DOUBLE_EQ(c.accuracy(), 4.0 / 6.0);
  EXPECT_DOUBLE_EQ(c.precision(), 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(c.recall(), 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(c.f1(), 2.0 / 3.0);
  // A score equal to the threshold is a predicted buy.
  c = binaryCounts(kScores, kLabels, 0.6);
  EXPECT_EQ(c.tp, 3);
  EXPECT_EQ(c.fp, 1);
  EXPECT_DOUBLE_EQ(c.accuracy(), 5.0 / 6.0);
}

TEST(PurchaseMetrics, NothingPredictedGivesZeroNotNaN) {
  const auto c = binaryCounts(kScores, kLabels, 0.95);
  EXPECT_EQ(c.tp + c.fp, 0);
  EXPECT_EQ(c.precision(), 0.0);
  EXPECT_EQ(c.recall(), 0.0);
  EXPECT_EQ(c.f1(), 0.0);
  EXPECT_DOUBLE_EQ(c.accuracy(), 3.0 / 6.0);
  EXPECT_TRUE(std::isnan(BinaryCounts{}.accuracy()));
}

TEST(PurchaseMetrics, AveragePrecisionAsScikitLearn) {
  // Descending thresholds: 0.9 (P 1, R 1/3), 0.8 (P 1/2, R 1/3), 0.7 (P 2/3, R 2/3),
  // 0.6 (P 3/4, R 1); AP = 1/3 * 1 + 0 + 1/3 * 2/3 + 1/3 * 3/4 = 29/36.
  EXPECT_NEAR(averagePrecision(kScores, kLabels), 29.0 / 36.0, 1e-12);
  // Tied scores enter together: 0.5 (P 1/2, R 1/2), 0.2 (P 2/3, R 1) -> 1/4 + 1/3.
  EXPECT_NEAR(
      averagePrecision(std::vector<float>{0.5f, 0.5f, 0.2f}, std::vector<std::int32_t>{1, 0, 1}),
      0.25 + 1.0 / 3.0, 1e-12);
  // Perfect ranking: 1; the positives ranked last (1 positive of 4): 1/4.
  EXPECT_DOUBLE_EQ(
      averagePrecision(std::vector<float>{0.9f, 0.8f, 0.1f}, std::vector<std::int32_t>{1, 1, 0}),
      1.0);
  EXPECT_DOUBLE_EQ(averagePrecision(std::vector<float>{0.9f, 0.8f, 0.7f, 0.1f},
                                    std::vector<std::int32_t>{0, 0, 0, 1}),
                   0.25);
  EXPECT_TRUE(std::isnan(
      averagePrecision(std::vector<float>{0.3f, 0.2f}, std::vector<std::int32_t>{0, 0})));
}

TEST(PurchaseMetrics, CurveIsSampledEvenly) {
  const auto full = precisionRecallCurve(kScores, kLabels, 100);
  ASSERT_EQ(full.size(), 6U);
  EXPECT_FLOAT_EQ(full[2].threshold, 0.7f);
  EXPECT_DOUBLE_EQ(full[2].precision, 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(full[2].recall, 2.0 / 3.0);
  // Three of six points: indices 0, 5 * 1 / 2 = 2, 5.
  const auto thin = precisionRecallCurve(kScores, kLabels, 3);
  ASSERT_EQ(thin.size(), 3U);
  EXPECT_FLOAT_EQ(thin[0].threshold, 0.9f);
  EXPECT_FLOAT_EQ(thin[1].threshold, 0.7f);
  EXPECT_FLOAT_EQ(thin[2].threshold, 0.4f);
  EXPECT_DOUBLE_EQ(thin[2].recall, 1.0);
  EXPECT_DOUBLE_EQ(thin[2].precision, 0.5);
}

TEST(PurchaseMetrics, SummaryGathersEveryMetric) {
  const std::vector<float> labels = {1, 0, 1, 1, 0, 0};
  const auto s = summarisePurchase(kScores, labels, 0.5);
  EXPECT_EQ(s.rows, 6);
  EXPECT_EQ(s.positives, 3);
  const auto m = s.metrics();
  // AUC: positive > negative in 3 + 2 + 2 of 9 pairs.
  EXPECT_NEAR(m.at("auc"), 7.0 / 9.0, 1e-12);
  const double ll = -(std::log(0.9) + std::log(0.2) + std::log(0.7) + std::log(0.6) +
                      std::log(0.45) + std::log(0.6)) /
                    6.0;
  EXPECT_NEAR(m.at("log_loss"), ll, 1e-6);
  EXPECT_DOUBLE_EQ(m.at("accuracy"), 4.0 / 6.0);
  EXPECT_NEAR(m.at("pr_auc"), 29.0 / 36.0, 1e-12);
  EXPECT_DOUBLE_EQ(m.at("precision"), 0.6);
  EXPECT_DOUBLE_EQ(m.at("recall"), 1.0);
  EXPECT_DOUBLE_EQ(m.at("f1"), 0.75);
  const auto j = s.toJson();
  EXPECT_EQ(j.at("rows"), 6);
  EXPECT_DOUBLE_EQ(j.at("buy_rate").get<double>(), 0.5);
  EXPECT_EQ(j.at("confusion").at("fp"), 2);
  EXPECT_EQ(j.at("pr_curve").at("recall").size(), 6U);
  EXPECT_DOUBLE_EQ(j.at("metrics").at("f1").get<double>(), 0.75);
}

TEST(PurchaseMetrics, BadInputIsNamed) {
  const std::vector<float> probs = {0.2f, 0.8f};
  EXPECT_THROW(summarisePurchase(probs, std::vector<float>{0, 1, 1}), InputError);
  try {
    summarisePurchase(probs, std::vector<float>{0, 2});
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "summarisePurchase: label 2 of row 1 is not 0 or 1");
  }
  try {
    summarisePurchase(probs, std::vector<float>{0, 1}, 1.0);
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "summarisePurchase: threshold must be in (0, 1), got 1");
  }
  EXPECT_THROW(averagePrecision(probs, std::vector<std::int32_t>{0, -1}), InputError);
}

}  // namespace
}  // namespace reclab::eval
