#include "eval/metric_docs.h"

#include <gtest/gtest.h>

namespace reclab::eval {
namespace {

TEST(MetricDocs, RankingMetricsCarryTheirCutOff) {
  EXPECT_EQ(metricDefinition("recall@20").rfind(
                "Recall@20: hits in the top 20 / the user's number of test items, averaged over "
                "test users. Session models: averaged over test prefixes",
                0),
            0u);
  EXPECT_EQ(metricDefinition("rmse_cold_user"),
            "RMSE over the test rows of users with no training rows (cold-start users).");
  EXPECT_EQ(metricDefinition("val_macro_recall"),
            "On the validation rows. Macro recall: unweighted mean of the per-class recalls.");
  EXPECT_NE(metricDefinition("hit_rate@5").find("ACCs@5"), std::string::npos);
}

TEST(MetricDocs, PrefixesAndFoldDeviation) {
  EXPECT_EQ(metricDefinition("val_rmse"),
            "On the validation rows. RMSE: sqrt(mean((y - y_hat)^2)) over the test rows.");
  EXPECT_EQ(metricDefinition("rmse_std").rfind("Standard deviation over folds of RMSE", 0), 0u);
  EXPECT_EQ(metricDefinition("batch_train_loss").rfind("Per batch. Training objective", 0), 0u);
}

TEST(MetricDocs, PurchaseMetricsWithoutCutOffAreThresholded) {
  EXPECT_EQ(metricDefinition("precision").rfind("Precision of the buy class at eval.threshold", 0),
            0u);
  EXPECT_EQ(metricDefinition("recall").rfind("Recall of the buy class", 0), 0u);
  EXPECT_EQ(metricDefinition("precision@10").rfind("Precision@10: hits in the top 10", 0), 0u);
  EXPECT_NE(metricDefinition("pr_auc").find("average_precision_score"), std::string::npos);
  EXPECT_EQ(metricDefinition("f1").rfind("F1 of the buy class", 0), 0u);
}

TEST(MetricDocs, UnknownNamesHaveNoDefinition) {
  EXPECT_EQ(metricDefinition("items_scored"), "");
  EXPECT_EQ(metricDefinition(""), "");
}

}  // namespace
}  // namespace reclab::eval
