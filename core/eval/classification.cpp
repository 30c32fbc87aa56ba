#include "eval/classification.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <unordered_map>

#include "common/errors.h"

namespace reclab::eval {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

void checkSizes(const char* what, std::size_t a, std::size_t b) {
  if (a != b) throw InputError(fmt::format("{}: size mismatch ({} vs {})", what, a, b));
}

void checkClasses(const char* what, int numClasses) {
  if (numClasses < 1)
    throw InputError(fmt::format("{}: numClasses must be >= 1, got {}", what, numClasses));
}

void checkLabel(const char* what, std::int32_t label, int numClasses) {
  if (label < 0 || label >= numClasses)
    throw InputError(
        fmt::format("{}: label {} out of range [0, {})", what, label, numClasses));
}

/// AUC over the rows `idx` of (scores, isPositive), via average ranks.
template <typename IsPositive>
double aucOf(std::vector<std::size_t>& idx, const float* scores, IsPositive isPositive) {
  std::sort(idx.begin(), idx.end(),
            [scores](std::size_t a, std::size_t b) { return scores[a] < scores[b]; });
  double rankSumPos = 0;
  std::size_t nPos = 0;
  for (std::size_t i = 0; i < idx.size();) {
    std::size_t j = i + 1;
    while (j < idx.size() && scores[idx[j]] == scores[idx[i]]) ++j;
    // Ranks i+1..j (1-based) are tied: each gets their average.
    const double avgRank = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2.0;
    for (std::size_t t = i; t < j; ++t) {
      if (isPositive(idx[t])) {
        rankSumPos += avgRank;
        ++nPos;
      }
    }
    i = j;
  }
  const std::size_t nNeg = idx.size() - nPos;
  if (nPos == 0 || nNeg == 0) return kNaN;
  const double p = static_cast<double>(nPos);
  return (rankSumPos - p * (p + 1.0) / 2.0) / (p * static_cast<double>(nNeg));
}

void checkBinary(const char* what, std::span<const std::int32_t> labels) {
  for (auto l : labels) checkLabel(what, l, 2);
}

}  // namespace

double auc(std::span<const float> scores, std::span<const std::int32_t> labels) {
  checkSizes("auc", scores.size(), labels.size());
  checkBinary("auc", labels);
  std::vector<std::size_t> idx(scores.size());
  std::iota(idx.begin(), idx.end(), std::size_t{0});
  return aucOf(idx, scores.data(), [&labels](std::size_t i) { return labels[i] == 1; });
}

double meanPerGroupAuc(std::span<const float> scores, std::span<const std::int32_t> labels,
                       std::span<const std::int32_t> groups, std::size_t* usedGroups) {
  checkSizes("meanPerGroupAuc", scores.size(), labels.size());
  checkSizes("meanPerGroupAuc", scores.size(), groups.size());
  checkBinary("meanPerGroupAuc", labels);
  std::unordered_map<std::int32_t, std::vector<std::size_t>> byGroup;
  for (std::size_t i = 0; i < groups.size(); ++i) byGroup[groups[i]].push_back(i);
  // Sum in ascending group order so the result does not depend on hash order.
  std::vector<std::int32_t> keys;
  keys.reserve(byGroup.size());
  for (const auto& [g, rows] : byGroup) keys.push_back(g);
  std::sort(keys.begin(), keys.end());
  double sum = 0;
  std::size_t used = 0;
  for (auto g : keys) {
    double a = aucOf(byGroup[g], scores.data(), [&labels](std::size_t i) { return labels[i] == 1; });
    if (std::isnan(a)) continue;
    sum += a;
    ++used;
  }
  if (usedGroups) *usedGroups = used;
  return used == 0 ? kNaN : sum / static_cast<double>(used);
}

OvrAuc oneVsRestAuc(std::span<const float> probs, int numClasses,
                    std::span<const std::int32_t> labels) {
  checkClasses("oneVsRestAuc", numClasses);
  checkSizes("oneVsRestAuc", probs.size(), labels.size() * static_cast<std::size_t>(numClasses));
  for (auto l : labels) checkLabel("oneVsRestAuc", l, numClasses);
  const auto nc = static_cast<std::size_t>(numClasses);
  OvrAuc out;
  out.perClass.assign(nc, kNaN);
  std::vector<float> column(labels.size());
  double sum = 0;
  int finite = 0;
  for (std::size_t c = 0; c < nc; ++c) {
    for (std::size_t i = 0; i < labels.size(); ++i) column[i] = probs[i * nc + c];
    std::vector<std::size_t> idx(labels.size());
    std::iota(idx.begin(), idx.end(), std::size_t{0});
    const auto cls = static_cast<std::int32_t>(c);
    out.perClass[c] =
        aucOf(idx, column.data(), [&labels, cls](std::size_t i) { return labels[i] == cls; });
    if (!std::isnan(out.perClass[c])) {
      sum += out.perClass[c];
      ++finite;
    }
  }
  out.macro = finite == 0 ? kNaN : sum / finite;
  return out;
}

double logLoss(std::span<const float> probs, std::span<const std::int32_t> labels, double eps) {
  checkSizes("logLoss", probs.size(), labels.size());
  checkBinary("logLoss", labels);
  if (probs.empty()) return kNaN;
  double s = 0;
  for (std::size_t i = 0; i < probs.size(); ++i) {
    const double p = std::clamp(static_cast<double>(probs[i]), eps, 1.0 - eps);
    s -= labels[i] == 1 ? std::log(p) : std::log(1.0 - p);
  }
  return s / static_cast<double>(probs.size());
}

double logLossMulti(std::span<const float> probs, int numClasses,
                    std::span<const std::int32_t> labels, double eps) {
  checkClasses("logLossMulti", numClasses);
  checkSizes("logLossMulti", probs.size(), labels.size() * static_cast<std::size_t>(numClasses));
  for (auto l : labels) checkLabel("logLossMulti", l, numClasses);
  if (labels.empty()) return kNaN;
  const auto nc = static_cast<std::size_t>(numClasses);
  double s = 0;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    double rowSum = 0, pTrue = 0;
    for (std::size_t c = 0; c < nc; ++c) {
      const double p = std::clamp(static_cast<double>(probs[i * nc + c]), eps, 1.0 - eps);
      rowSum += p;
      if (c == static_cast<std::size_t>(labels[i])) pTrue = p;
    }
    s -= std::log(pTrue / rowSum);
  }
  return s / static_cast<double>(labels.size());
}

double accuracy(std::span<const std::int32_t> truth, std::span<const std::int32_t> pred) {
  checkSizes("accuracy", truth.size(), pred.size());
  if (truth.empty()) return kNaN;
  std::size_t correct = 0;
  for (std::size_t i = 0; i < truth.size(); ++i) correct += truth[i] == pred[i] ? 1 : 0;
  return static_cast<double>(correct) / static_cast<double>(truth.size());
}

ConfusionMatrix confusionMatrix(std::span<const std::int32_t> truth,
                                std::span<const std::int32_t> pred, int numClasses) {
  checkClasses("confusionMatrix", numClasses);
  checkSizes("confusionMatrix", truth.size(), pred.size());
  ConfusionMatrix m;
  m.numClasses = numClasses;
  const auto nc = static_cast<std::size_t>(numClasses);
  m.counts.assign(nc * nc, 0);
  for (std::size_t i = 0; i < truth.size(); ++i) {
    checkLabel("confusionMatrix", truth[i], numClasses);
    checkLabel("confusionMatrix", pred[i], numClasses);
    ++m.counts[static_cast<std::size_t>(truth[i]) * nc + static_cast<std::size_t>(pred[i])];
  }
  return m;
}

ClassificationReport classificationReport(std::span<const std::int32_t> truth,
                                          std::span<const std::int32_t> pred, int numClasses) {
  const ConfusionMatrix m = confusionMatrix(truth, pred, numClasses);
  ClassificationReport rep;
  rep.total = static_cast<std::int64_t>(truth.size());
  std::int64_t correct = 0;
  for (int c = 0; c < numClasses; ++c) {
    std::int64_t tp = m.at(c, c), support = 0, predicted = 0;
    for (int o = 0; o < numClasses; ++o) {
      support += m.at(c, o);
      predicted += m.at(o, c);
    }
    correct += tp;
    if (support == 0 && predicted == 0) continue;  // not among sklearn's default labels
    ClassReportRow row;
    row.support = support;
    row.precision = predicted > 0 ? static_cast<double>(tp) / static_cast<double>(predicted) : 0;
    row.recall = support > 0 ? static_cast<double>(tp) / static_cast<double>(support) : 0;
    const double pr = row.precision + row.recall;
    row.f1 = pr > 0 ? 2.0 * row.precision * row.recall / pr : 0;
    rep.labels.push_back(c);
    rep.rows.push_back(row);
  }
  rep.accuracy = rep.total > 0 ? static_cast<double>(correct) / static_cast<double>(rep.total)
                               : kNaN;
  rep.macroAvg.support = rep.weightedAvg.support = rep.total;
  if (!rep.rows.empty()) {
    const auto n = static_cast<double>(rep.rows.size());
    for (const auto& r : rep.rows) {
      rep.macroAvg.precision += r.precision / n;
      rep.macroAvg.recall += r.recall / n;
      rep.macroAvg.f1 += r.f1 / n;
    }
  }
  if (rep.total > 0) {
    const auto tot = static_cast<double>(rep.total);
    for (const auto& r : rep.rows) {
      const double w = static_cast<double>(r.support) / tot;
      rep.weightedAvg.precision += w * r.precision;
      rep.weightedAvg.recall += w * r.recall;
      rep.weightedAvg.f1 += w * r.f1;
    }
  }
  return rep;
}

double r2(std::span<const float> truth, std::span<const float> pred) {
  checkSizes("r2", truth.size(), pred.size());
  if (truth.size() < 2) return kNaN;
  double mean = 0;
  for (float y : truth) mean += y;
  mean /= static_cast<double>(truth.size());
  double ssRes = 0, ssTot = 0;
  for (std::size_t i = 0; i < truth.size(); ++i) {
    const double e = static_cast<double>(truth[i]) - pred[i];
    const double d = static_cast<double>(truth[i]) - mean;
    ssRes += e * e;
    ssTot += d * d;
  }
  if (ssTot == 0) return ssRes == 0 ? 1.0 : 0.0;
  return 1.0 - ssRes / ssTot;
}

}  // namespace reclab::eval
