#pragma once
/// Metric functions. Each definition is stated once here and repeated in docs/metrics.md.

#include <cstdint>
#include <span>
#include <vector>

namespace reclab::eval {

/// RMSE = sqrt(mean((y - y_hat)^2)). Empty input -> NaN.
double rmse(std::span<const float> truth, std::span<const float> pred);
/// MAE = mean(|y - y_hat|). Empty input -> NaN.
double mae(std::span<const float> truth, std::span<const float> pred);

/// Ranking metrics of one user's top-k list `ranked` (best first, already cut to at most k)
/// against the set `relevant` (sorted ascending, no duplicates).
/// Precision@k = hits / k; Recall@k = hits / |relevant|; HitRate@k = 1 if hits > 0;
/// MRR@k = 1 / rank of the first hit (0 when none); NDCG@k = DCG / ideal DCG with binary gains
/// and log2(rank + 1) discounts.
/// MAP@k (the per-user value is AP@k; the mean over users is MAP@k, as RecBole's `map@k`):
///   AP@k = (1 / min(|relevant|, k)) * sum over ranks r <= k holding a relevant item of
///          precision@r (= hits within the first r / r).
/// Example: ranked {A, x, B}, relevant {A, B, C}, k = 3 -> (1/1 + 2/3) / min(3, 3) = 5/9.
/// With |relevant| = 0 the user is not evaluated (caller skips; all values are then 0).
struct RankingValues {
  double precision = 0, recall = 0, hitRate = 0, mrr = 0, ndcg = 0, map = 0;
};
RankingValues rankingValues(std::span<const std::int32_t> ranked,
                            std::span<const std::int32_t> relevant, int k);

}  // namespace reclab::eval
