#include "eval/metric_docs.h"

#include <fmt/format.h>

#include <map>

namespace reclab::eval {

namespace {

const std::map<std::string, std::string, std::less<>>& definitions() {
  static const std::map<std::string, std::string, std::less<>> d = {
      {"precision", "Precision@{k}: hits in the top {k} / {k}, averaged over test users."},
      {"recall",
       "Recall@{k}: hits in the top {k} / the user's number of test items, averaged over test "
       "users. Session models: averaged over test prefixes (next-item protocol: the next click is the one test item) or test sessions (thesis protocol: the clicks after the first 4)."},
      {"hit_rate",
       "HitRate@{k} (ACCs@{k}): 1 if at least one test item is in the top {k}, else 0; averaged "
       "over test users. Session models: averaged over test prefixes (next-item protocol: the next click is the one test item) or test sessions (thesis protocol: the clicks after the first 4)."},
      {"mrr",
       "MRR@{k}: 1 / rank of the first test item within the top {k} (0 when none); averaged over "
       "test users. Session models: averaged over test prefixes (next-item protocol: the next click is the one test item) or test sessions (thesis protocol: the clicks after the first 4)."},
      {"ndcg",
       "NDCG@{k}: sum of 1/log2(rank+1) over hits in the top {k}, divided by the same sum for an "
       "ideal ranking; averaged over test users."},
      {"map",
       "MAP@{k}: sum of Precision@r over hits at ranks r <= {k}, divided by min(test items, {k}); "
       "averaged over test users."},
      {"rmse", "RMSE: sqrt(mean((y - y_hat)^2)) over the test rows."},
      {"mae", "MAE: mean(|y - y_hat|) over the test rows."},
      {"rmse_cold_user", "RMSE over the test rows of users with no training rows (cold-start users)."},
      {"rmse_cold_item",
       "RMSE over the test rows of known users and items with no training rows (cold-start items)."},
      {"rmse_warm", "RMSE over the test rows whose user and item both have training rows."},
      {"mae_cold_user", "MAE over the test rows of users with no training rows (cold-start users)."},
      {"mae_cold_item",
       "MAE over the test rows of known users and items with no training rows (cold-start items)."},
      {"mae_warm", "MAE over the test rows whose user and item both have training rows."},
      {"rows_cold_user", "Test rows of users with no training rows."},
      {"rows_cold_item", "Test rows of known users and items with no training rows."},
      {"rows_warm", "Test rows whose user and item both have training rows."},
      {"weighted_f1", "Weighted F1: per-class F1 averaged with the classes' supports as weights."},
      {"macro_precision", "Macro precision: unweighted mean of the per-class precisions."},
      {"macro_recall", "Macro recall: unweighted mean of the per-class recalls."},
      {"r2", "R^2: 1 - SS_res / SS_tot over the test rows."},
      {"auc",
       "AUC: probability that a random positive scores above a random negative (ties count one "
       "half)."},
      {"log_loss", "Log loss: -mean(y log p + (1 - y) log(1 - p)), p clipped to [1e-15, 1 - 1e-15]."},
      {"accuracy", "Accuracy: share of rows whose predicted class is the true class."},
      {"macro_f1", "Macro F1: unweighted mean of the per-class F1 scores."},
      {"pr_auc",
       "PR-AUC (average precision): sum over the distinct scores, descending, of (R_n - R_{n-1}) "
       "P_n, the precision P_n and recall R_n of \"score >= the n-th score\" (scikit-learn's "
       "average_precision_score)."},
      {"f1",
       "F1 of the buy class at eval.threshold: 2 precision recall / (precision + recall), 0 when "
       "both are 0."},
      {"loss", "Training objective of the model (data term plus regularisation)."},
      {"samples_per_second", "Training rows processed per second in the epoch."},
      {"updates_per_second", "SGD rating updates per second in the epoch."},
  };
  return d;
}

std::string substituteK(std::string text, std::string_view k) {
  for (std::size_t pos; (pos = text.find("{k}")) != std::string::npos;) text.replace(pos, 3, k);
  return text;
}

}  // namespace

std::string metricDefinition(std::string_view name) {
  std::string_view suffix;
  if (name.size() > 4 && name.substr(name.size() - 4) == "_std") {
    return "Standard deviation over folds of " + metricDefinition(name.substr(0, name.size() - 4));
  }
  std::string prefix;
  for (std::string_view p : {"val_", "train_", "test_", "batch_train_", "batch_"}) {
    if (name.substr(0, p.size()) == p) {
      prefix = p == "val_" ? "On the validation rows. " : p.rfind("batch", 0) == 0 ? "Per batch. " : "On the training rows. ";
      name.remove_prefix(p.size());
      break;
    }
  }
  std::string_view base = name;
  std::string_view k = "k";
  if (auto at = name.find('@'); at != std::string_view::npos) {
    base = name.substr(0, at);
    k = name.substr(at + 1);
  }
  // Without a cut-off, precision and recall are the purchase models' thresholded ones.
  if (base == name && (base == "precision" || base == "recall")) {
    return prefix + (base == "precision"
                         ? "Precision of the buy class at eval.threshold: TP / (TP + FP), 0 when "
                           "no row is predicted to buy."
                         : "Recall of the buy class at eval.threshold: TP / (TP + FN), 0 when no "
                           "row buys.");
  }
  const auto& d = definitions();
  auto it = d.find(base);
  if (it == d.end()) return {};
  return prefix + substituteK(it->second, k);
}

}  // namespace reclab::eval
