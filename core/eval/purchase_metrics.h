#pragma once
/// Binary metrics of session purchase prediction (SPEC B Problem 1): the thresholded counts
/// with accuracy / precision / recall / F1, average precision (PR-AUC) and a sampled
/// precision-recall curve, gathered with AUC and log loss (classification.h) in one summary
/// that the runner reports. Definitions are repeated in docs/metrics.md. Labels are 0 / 1;
/// other labels and size mismatches throw reclab::InputError.

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

namespace reclab::eval {

/// Counts of the rule "predict 1 when p >= threshold".
struct BinaryCounts {
  std::int64_t tp = 0, fp = 0, tn = 0, fn = 0;
  std::int64_t total() const { return tp + fp + tn + fn; }
  /// (TP + TN) / rows; NaN without rows.
  double accuracy() const;
  /// TP / (TP + FP); 0 when nothing is predicted positive (scikit-learn's zero_division=0).
  double precision() const;
  /// TP / (TP + FN); 0 when there is no positive row.
  double recall() const;
  /// 2 P R / (P + R); 0 when P + R = 0.
  double f1() const;
};

BinaryCounts binaryCounts(std::span<const float> probs, std::span<const std::int32_t> labels,
                          double threshold);

/// Average precision (scikit-learn's average_precision_score): rows sorted by descending
/// score, one operating point per distinct score (ties enter together), then
///   AP = sum_n (R_n - R_{n-1}) P_n,  R_0 = 0,
/// P_n / R_n = precision / recall of "score >= the n-th distinct score". No interpolation.
/// NaN when there is no positive row.
double averagePrecision(std::span<const float> scores, std::span<const std::int32_t> labels);

/// One operating point of the precision-recall curve.
struct PrPoint {
  float threshold = 0;  ///< predict 1 when score >= threshold
  double precision = 0, recall = 0;
};

/// The precision-recall curve at every distinct score, highest threshold first (recall
/// ascending), thinned to at most `maxPoints` points spread evenly over the curve (the first
/// and the last point always kept; with maxPoints = 1 the last point only, full recall).
/// Empty when there is no positive row.
std::vector<PrPoint> precisionRecallCurve(std::span<const float> scores,
                                          std::span<const std::int32_t> labels,
                                          std::size_t maxPoints = 200);

/// Everything reported for a purchase predictor's test rows.
struct PurchaseSummary {
  std::int64_t rows = 0;
  std::int64_t positives = 0;
  double threshold = 0.5;
  BinaryCounts counts;
  double auc = 0, logLoss = 0, averagePrecision = 0;
  std::vector<PrPoint> curve;

  /// auc, log_loss, accuracy, pr_auc, precision, recall, f1 (at the threshold).
  std::map<std::string, double> metrics() const;
  /// The "purchase_evaluation" artefact: rows, positives, buy_rate, threshold, the confusion
  /// counts, every metric and the sampled PR curve ({threshold, precision, recall} lists).
  nlohmann::json toJson() const;
};

/// `probs` = predicted P(buy) per row, `labels` 0 / 1 (floats as PurchasePredictions carries
/// them). Throws InputError on a size mismatch, a label other than 0 / 1 or a threshold outside
/// (0, 1).
PurchaseSummary summarisePurchase(std::span<const float> probs, std::span<const float> labels,
                                  double threshold = 0.5, std::size_t curvePoints = 200);

}  // namespace reclab::eval
