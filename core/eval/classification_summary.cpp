#include "eval/classification_summary.h"

#include <fmt/format.h>

#include <cmath>

#include "common/errors.h"

namespace reclab::eval {

ClassificationSummary summariseClassification(std::span<const float> probs, int numClasses,
                                              std::span<const std::int32_t> truth) {
  if (numClasses < 2) throw InputError("classification needs at least 2 classes");
  const std::size_t n = truth.size();
  if (probs.size() != n * static_cast<std::size_t>(numClasses)) {
    throw InputError(fmt::format("classification: {} probabilities for {} rows x {} classes",
                                 probs.size(), n, numClasses));
  }
  ClassificationSummary s;
  s.numClasses = numClasses;
  s.truth = truth;
  s.predicted.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    const float* row = probs.data() + i * static_cast<std::size_t>(numClasses);
    int best = 0;
    for (int c = 1; c < numClasses; ++c)
      if (row[c] > row[best]) best = c;
    s.predicted[i] = best;
  }
  s.report = classificationReport(truth, s.predicted, numClasses);
  s.confusion = confusionMatrix(truth, s.predicted, numClasses);
  s.auc = oneVsRestAuc(probs, numClasses, truth);
  s.logLoss = logLossMulti(probs, numClasses, truth);
  return s;
}

std::map<std::string, double> ClassificationSummary::metrics(const std::string& prefix) const {
  std::map<std::string, double> m;
  m[prefix + "accuracy"] = report.accuracy;
  const double a = numClasses == 2 ? auc.perClass[1] : auc.macro;
  if (std::isfinite(a)) m[prefix + "auc"] = a;
  if (std::isfinite(logLoss)) m[prefix + "log_loss"] = logLoss;
  m[prefix + "macro_f1"] = report.macroAvg.f1;
  m[prefix + "weighted_f1"] = report.weightedAvg.f1;
  m[prefix + "macro_precision"] = report.macroAvg.precision;
  m[prefix + "macro_recall"] = report.macroAvg.recall;
  return m;
}

nlohmann::json ClassificationSummary::toJson(const std::vector<std::string>& classNames,
                                             std::span<const std::uint32_t> logRows, int epoch,
                                             const std::string& split,
                                             std::size_t rowsPerCell) const {
  auto name = [&](int c) {
    return static_cast<std::size_t>(c) < classNames.size() ? classNames[static_cast<std::size_t>(c)]
                                                           : std::to_string(c);
  };
  auto finiteOrNull = [](double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(); };
  auto avg = [](const ClassReportRow& r) {
    return nlohmann::json{{"precision", r.precision}, {"recall", r.recall}, {"f1", r.f1},
                          {"support", r.support}};
  };
  nlohmann::json j;
  j["epoch"] = epoch;
  j["split"] = split;
  nlohmann::json classes = nlohmann::json::array();
  for (int c = 0; c < numClasses; ++c) classes.push_back(name(c));
  j["classes"] = classes;
  nlohmann::json rows = nlohmann::json::array();
  for (std::size_t i = 0; i < report.labels.size(); ++i) {
    auto r = avg(report.rows[i]);
    r["label"] = name(report.labels[i]);
    rows.push_back(r);
  }
  j["report"] = {{"rows", rows},
                 {"accuracy", report.accuracy},
                 {"macro", avg(report.macroAvg)},
                 {"weighted", avg(report.weightedAvg)}};
  nlohmann::json cm = nlohmann::json::array();
  for (int t = 0; t < numClasses; ++t) {
    nlohmann::json row = nlohmann::json::array();
    for (int p = 0; p < numClasses; ++p) row.push_back(confusion.at(t, p));
    cm.push_back(row);
  }
  j["confusion"] = cm;
  nlohmann::json cells = nlohmann::json::object();
  if (logRows.size() == truth.size()) {
    for (std::size_t i = 0; i < truth.size(); ++i) {
      const std::string key = fmt::format("{},{}", truth[i], predicted[i]);
      auto& list = cells[key];
      if (list.is_null()) list = nlohmann::json::array();
      if (list.size() < rowsPerCell) list.push_back(logRows[i]);
    }
  }
  j["cell_rows"] = cells;
  nlohmann::json aucs = nlohmann::json::array();
  for (double a : auc.perClass) aucs.push_back(finiteOrNull(a));
  j["auc_ovr"] = aucs;
  j["log_loss"] = finiteOrNull(logLoss);
  j["rows"] = truth.size();
  return j;
}

}  // namespace reclab::eval
