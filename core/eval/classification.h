#pragma once
/// Classification and regression-fit metrics. Each definition is stated once here and
/// repeated in docs/metrics.md. Labels are class indices 0..numClasses-1 (binary: 0 / 1).
/// Size mismatches and labels out of range throw reclab::InputError.

#include <cstdint>
#include <span>
#include <vector>

namespace reclab::eval {

/// Binary ROC AUC = P(score of a random positive > score of a random negative), ties
/// counting one half. Computed as the Mann-Whitney U statistic with average ranks:
///   AUC = (sum of the positives' ranks - P (P + 1) / 2) / (P N),
/// ranks 1..n by ascending score, tied scores sharing their average rank; P / N = number of
/// positive / negative rows. Same value as scikit-learn's roc_auc_score.
/// NaN when either class is absent (sklearn raises there).
double auc(std::span<const float> scores, std::span<const std::int32_t> labels);

/// Mean per-group AUC ("mean per-user AUC" with groups = user ids): auc() within each group,
/// averaged with equal weight over the groups that contain both classes; groups with a single
/// class are skipped. NaN when no group qualifies. `usedGroups` (optional) receives how many
/// groups were averaged.
double meanPerGroupAuc(std::span<const float> scores, std::span<const std::int32_t> labels,
                       std::span<const std::int32_t> groups, std::size_t* usedGroups = nullptr);

/// One-vs-rest AUC of a multi-class probability (or score) matrix.
struct OvrAuc {
  /// perClass[c] = auc(column c, label == c); NaN when class c is absent from the truth or is
  /// the only class present.
  std::vector<double> perClass;
  /// Unweighted mean of the finite perClass values (scikit-learn's roc_auc_score with
  /// multi_class="ovr", average="macro", which requires every class to be present).
  double macro = 0;
};
/// `probs` is row-major, rows = samples, numClasses columns.
OvrAuc oneVsRestAuc(std::span<const float> probs, int numClasses,
                    std::span<const std::int32_t> labels);

/// scikit-learn's default clipping for log loss.
inline constexpr double kLogLossEps = 1e-15;

/// Binary log loss = -mean(y log p + (1 - y) log(1 - p)), p = predicted probability of class
/// 1 clipped to [eps, 1 - eps] (sklearn's log_loss with eps = 1e-15). Empty input -> NaN.
double logLoss(std::span<const float> probs, std::span<const std::int32_t> labels,
               double eps = kLogLossEps);

/// Multi-class log loss = -mean(log p[i, y_i]) over a row-major probability matrix
/// (numClasses columns). As sklearn's log_loss (<= 1.4): every entry is clipped to
/// [eps, 1 - eps], then each row is divided by its sum. Empty input -> NaN.
double logLossMulti(std::span<const float> probs, int numClasses,
                    std::span<const std::int32_t> labels, double eps = kLogLossEps);

/// Accuracy = (rows with pred == truth) / rows. Empty input -> NaN.
double accuracy(std::span<const std::int32_t> truth, std::span<const std::int32_t> pred);

/// Confusion matrix, numClasses x numClasses, row-major: counts[t * numClasses + p] = number of
/// rows whose true class is t and predicted class is p (rows = true, columns = predicted, as
/// sklearn's confusion_matrix).
struct ConfusionMatrix {
  int numClasses = 0;
  std::vector<std::int64_t> counts;
  std::int64_t at(int truthClass, int predClass) const {
    return counts[static_cast<std::size_t>(truthClass) * static_cast<std::size_t>(numClasses) +
                  static_cast<std::size_t>(predClass)];
  }
};
ConfusionMatrix confusionMatrix(std::span<const std::int32_t> truth,
                                std::span<const std::int32_t> pred, int numClasses);

/// One row of a classification report.
struct ClassReportRow {
  double precision = 0, recall = 0, f1 = 0;
  std::int64_t support = 0;
};

/// scikit-learn's classification_report (zero_division default: the value is 0):
/// - labels: the classes that occur in the truth or in the predictions, ascending (sklearn's
///   default when `labels` is not given); classes that occur in neither are left out;
/// - per class c: precision = TP / (TP + FP) (0 when nothing is predicted as c),
///   recall = TP / (TP + FN) (0 when support is 0), F1 = 2 P R / (P + R) (0 when P + R = 0),
///   support = number of true rows of class c;
/// - macro avg = unweighted mean of the per-class values over `labels`;
/// - weighted avg = mean weighted by support (0 when the total support is 0);
/// - accuracy = correct / rows; both average rows carry support = total rows.
struct ClassificationReport {
  std::vector<int> labels;
  std::vector<ClassReportRow> rows;  ///< parallel to `labels`
  ClassReportRow macroAvg, weightedAvg;
  double accuracy = 0;
  std::int64_t total = 0;
};
ClassificationReport classificationReport(std::span<const std::int32_t> truth,
                                          std::span<const std::int32_t> pred, int numClasses);

/// Coefficient of determination R^2 = 1 - SS_res / SS_tot, SS_res = sum (y - y_hat)^2,
/// SS_tot = sum (y - mean(y))^2 (sklearn's r2_score). Constant truth (SS_tot = 0): 1.0 when the
/// prediction is perfect, else 0.0 (sklearn's force_finite). Fewer than 2 rows -> NaN.
double r2(std::span<const float> truth, std::span<const float> pred);

}  // namespace reclab::eval
