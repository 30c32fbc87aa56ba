#pragma once
/// Everything reported for a classifier's evaluation, from its probability matrix: the
/// classification report, the confusion matrix, one-vs-rest AUC, log loss and accuracy, as
/// flat metric values and as the "classification" JSON the workbench shows (format in
/// docs/user-guide.md, "Run artefacts").

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "eval/classification.h"

namespace reclab::eval {

struct ClassificationSummary {
  int numClasses = 0;
  ClassificationReport report;
  ConfusionMatrix confusion;
  OvrAuc auc;
  double logLoss = 0;
  std::vector<std::int32_t> predicted;  ///< argmax class of each row (lowest index on ties)

  /// accuracy, auc (binary: AUC of class 1; else macro one-vs-rest), log_loss, macro_f1,
  /// weighted_f1, macro_precision, macro_recall, each prefixed (e.g. "val_").
  std::map<std::string, double> metrics(const std::string& prefix = "") const;
  /// The artefact JSON. `logRows[i]` is the log row of sample i (may be empty); each
  /// confusion cell lists up to `rowsPerCell` of its rows.
  nlohmann::json toJson(const std::vector<std::string>& classNames,
                        std::span<const std::uint32_t> logRows, int epoch,
                        const std::string& split, std::size_t rowsPerCell = 200) const;
  std::span<const std::int32_t> truth;  ///< the labels summarised (kept for toJson)
};

/// `probs` is row-major (rows x numClasses). The summary keeps a view of `truth`: keep it
/// alive while calling toJson().
ClassificationSummary summariseClassification(std::span<const float> probs, int numClasses,
                                              std::span<const std::int32_t> truth);

}  // namespace reclab::eval
