#include "eval/metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace reclab::eval {

double rmse(std::span<const float> truth, std::span<const float> pred) {
  if (truth.size() != pred.size()) throw std::invalid_argument("rmse: size mismatch");
  if (truth.empty()) return std::numeric_limits<double>::quiet_NaN();
  double s = 0;
  for (std::size_t i = 0; i < truth.size(); ++i) {
    double d = static_cast<double>(truth[i]) - pred[i];
    s += d * d;
  }
  return std::sqrt(s / static_cast<double>(truth.size()));
}

double mae(std::span<const float> truth, std::span<const float> pred) {
  if (truth.size() != pred.size()) throw std::invalid_argument("mae: size mismatch");
  if (truth.empty()) return std::numeric_limits<double>::quiet_NaN();
  double s = 0;
  for (std::size_t i = 0; i < truth.size(); ++i) s += std::abs(static_cast<double>(truth[i]) - pred[i]);
  return s / static_cast<double>(truth.size());
}

RankingValues rankingValues(std::span<const std::int32_t> ranked,
                            std::span<const std::int32_t> relevant, int k) {
  RankingValues v;
  if (relevant.empty() || k <= 0) return v;
  const std::size_t n = std::min<std::size_t>(ranked.size(), static_cast<std::size_t>(k));
  int hits = 0;
  double dcg = 0, sumPrecisionAtHits = 0;
  for (std::size_t r = 0; r < n; ++r) {
    if (std::binary_search(relevant.begin(), relevant.end(), ranked[r])) {
      ++hits;
      if (v.mrr == 0) v.mrr = 1.0 / static_cast<double>(r + 1);
      dcg += 1.0 / std::log2(static_cast<double>(r) + 2.0);
      sumPrecisionAtHits += static_cast<double>(hits) / static_cast<double>(r + 1);
    }
  }
  double idcg = 0;
  const std::size_t ideal = std::min<std::size_t>(relevant.size(), static_cast<std::size_t>(k));
  for (std::size_t r = 0; r < ideal; ++r) idcg += 1.0 / std::log2(static_cast<double>(r) + 2.0);
  v.precision = static_cast<double>(hits) / k;
  v.recall = static_cast<double>(hits) / static_cast<double>(relevant.size());
  v.hitRate = hits > 0 ? 1.0 : 0.0;
  v.ndcg = idcg > 0 ? dcg / idcg : 0.0;
  v.map = sumPrecisionAtHits / static_cast<double>(ideal);
  return v;
}

}  // namespace reclab::eval
