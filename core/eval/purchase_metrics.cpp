#include "eval/purchase_metrics.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "common/errors.h"
#include "eval/classification.h"

namespace reclab::eval {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

void checkInputs(const char* what, std::size_t scores, std::span<const std::int32_t> labels) {
  if (scores != labels.size()) {
    throw InputError(
        fmt::format("{}: size mismatch ({} scores vs {} labels)", what, scores, labels.size()));
  }
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] != 0 && labels[i] != 1) {
      throw InputError(fmt::format("{}: label {} of row {} is not 0 or 1", what, labels[i], i));
    }
  }
}

/// Cumulative (true positives, predicted positives) at each distinct score, descending.
struct Steps {
  std::vector<float> thresholds;
  std::vector<std::int64_t> tps, predicted;
  std::int64_t positives = 0;
};

Steps descendingSteps(std::span<const float> scores, std::span<const std::int32_t> labels) {
  std::vector<std::size_t> idx(scores.size());
  std::iota(idx.begin(), idx.end(), std::size_t{0});
  std::stable_sort(idx.begin(), idx.end(),
                   [&](std::size_t a, std::size_t b) { return scores[a] > scores[b]; });
  Steps s;
  std::int64_t tp = 0, n = 0;
  for (std::size_t i = 0; i < idx.size();) {
    std::size_t j = i;
    while (j < idx.size() && scores[idx[j]] == scores[idx[i]]) {
      tp += labels[idx[j]];
      ++n;
      ++j;
    }
    s.thresholds.push_back(scores[idx[i]]);
    s.tps.push_back(tp);
    s.predicted.push_back(n);
    i = j;
  }
  s.positives = tp;
  return s;
}

std::vector<std::int32_t> toIntLabels(std::span<const float> labels) {
  std::vector<std::int32_t> out(labels.size());
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] != 0.0f && labels[i] != 1.0f) {
      throw InputError(
          fmt::format("summarisePurchase: label {} of row {} is not 0 or 1", labels[i], i));
    }
    out[i] = labels[i] == 1.0f ? 1 : 0;
  }
  return out;
}

}  // namespace

double BinaryCounts::accuracy() const {
  return total() == 0 ? kNaN : static_cast<double>(tp + tn) / static_cast<double>(total());
}
double BinaryCounts::precision() const {
  return tp + fp == 0 ? 0.0 : static_cast<double>(tp) / static_cast<double>(tp + fp);
}
double BinaryCounts::recall() const {
  return tp + fn == 0 ? 0.0 : static_cast<double>(tp) / static_cast<double>(tp + fn);
}
double BinaryCounts::f1() const {
  const double p = precision(), r = recall();
  return p + r == 0 ? 0.0 : 2 * p * r / (p + r);
}

BinaryCounts binaryCounts(std::span<const float> probs, std::span<const std::int32_t> labels,
                          double threshold) {
  checkInputs("binaryCounts", probs.size(), labels);
  BinaryCounts c;
  for (std::size_t i = 0; i < probs.size(); ++i) {
    const bool predicted = probs[i] >= threshold;
    if (labels[i] == 1) {
      (predicted ? c.tp : c.fn) += 1;
    } else {
      (predicted ? c.fp : c.tn) += 1;
    }
  }
  return c;
}

double averagePrecision(std::span<const float> scores, std::span<const std::int32_t> labels) {
  checkInputs("averagePrecision", scores.size(), labels);
  const auto s = descendingSteps(scores, labels);
  if (s.positives == 0) return kNaN;
  double ap = 0, previousRecall = 0;
  for (std::size_t n = 0; n < s.thresholds.size(); ++n) {
    const double recall = static_cast<double>(s.tps[n]) / static_cast<double>(s.positives);
    const double precision = static_cast<double>(s.tps[n]) / static_cast<double>(s.predicted[n]);
    ap += (recall - previousRecall) * precision;
    previousRecall = recall;
  }
  return ap;
}

std::vector<PrPoint> precisionRecallCurve(std::span<const float> scores,
                                          std::span<const std::int32_t> labels,
                                          std::size_t maxPoints) {
  checkInputs("precisionRecallCurve", scores.size(), labels);
  const auto s = descendingSteps(scores, labels);
  std::vector<PrPoint> out;
  if (s.positives == 0 || maxPoints == 0) return out;
  const std::size_t n = s.thresholds.size();
  auto point = [&](std::size_t k) {
    return PrPoint{s.thresholds[k],
                   static_cast<double>(s.tps[k]) / static_cast<double>(s.predicted[k]),
                   static_cast<double>(s.tps[k]) / static_cast<double>(s.positives)};
  };
  if (n <= maxPoints) {
    for (std::size_t k = 0; k < n; ++k) out.push_back(point(k));
    return out;
  }
  if (maxPoints == 1) return {point(n - 1)};
  for (std::size_t j = 0; j < maxPoints; ++j) out.push_back(point(j * (n - 1) / (maxPoints - 1)));
  return out;
}

std::map<std::string, double> PurchaseSummary::metrics() const {
  return {{"auc", auc},
          {"log_loss", logLoss},
          {"accuracy", counts.accuracy()},
          {"pr_auc", averagePrecision},
          {"precision", counts.precision()},
          {"recall", counts.recall()},
          {"f1", counts.f1()}};
}

nlohmann::json PurchaseSummary::toJson() const {
  nlohmann::json j;
  j["rows"] = rows;
  j["positives"] = positives;
  j["buy_rate"] = rows > 0 ? static_cast<double>(positives) / static_cast<double>(rows) : 0.0;
  j["threshold"] = threshold;
  j["confusion"] = {{"tp", counts.tp}, {"fp", counts.fp}, {"tn", counts.tn}, {"fn", counts.fn}};
  nlohmann::json m = nlohmann::json::object();
  for (const auto& [k, v] : metrics())
    m[k] = std::isfinite(v) ? nlohmann::json(v) : nlohmann::json();
  j["metrics"] = m;
  nlohmann::json t = nlohmann::json::array(), p = nlohmann::json::array(),
                 r = nlohmann::json::array();
  for (const auto& pt : curve) {
    t.push_back(pt.threshold);
    p.push_back(pt.precision);
    r.push_back(pt.recall);
  }
  j["pr_curve"] = {{"threshold", t}, {"precision", p}, {"recall", r}};
  return j;
}

PurchaseSummary summarisePurchase(std::span<const float> probs, std::span<const float> labels,
                                  double threshold, std::size_t curvePoints) {
  if (!(threshold > 0 && threshold < 1)) {
    throw InputError(
        fmt::format("summarisePurchase: threshold must be in (0, 1), got {}", threshold));
  }
  if (probs.size() != labels.size()) {
    throw InputError(fmt::format("summarisePurchase: size mismatch ({} probabilities vs {} labels)",
                                 probs.size(), labels.size()));
  }
  const auto y = toIntLabels(labels);
  PurchaseSummary s;
  s.rows = static_cast<std::int64_t>(y.size());
  for (auto v : y) s.positives += v;
  s.threshold = threshold;
  s.counts = binaryCounts(probs, y, threshold);
  s.auc = auc(probs, y);
  s.logLoss = y.empty() ? kNaN : logLoss(probs, y);
  s.averagePrecision = averagePrecision(probs, y);
  s.curve = precisionRecallCurve(probs, y, curvePoints);
  return s;
}

}  // namespace reclab::eval
