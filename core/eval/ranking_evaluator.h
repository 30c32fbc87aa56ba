#pragma once
/// Full-ranking evaluation: every test user's scores over all items are computed in dense
/// batches, items the user had in training are masked (switchable), the top-k is taken with a
/// partial sort, and Precision / Recall / HitRate / MRR / NDCG / MAP at each k are averaged over
/// users with at least one relevant test item. Per-user values are kept.
///
/// Tie policy (deterministic): equal scores are ordered by ascending item index.

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "common/observer.h"
#include "data/interaction_log.h"
#include "models/model.h"

namespace reclab::eval {

struct RankingOptions {
  std::vector<int> ks = {10};
  bool maskTrainItems = true;
  int batchSize = 256;
  int threads = 1;
  /// 0 (default) = full ranking over all items. N > 0 = sampled evaluation: each user's
  /// relevant items are ranked among N negatives drawn uniformly (seeded) from the items the
  /// user has neither in training nor in test. Sampled metrics can reorder models relative to
  /// full ranking (Krichene & Rendle, KDD 2020); a warning is logged when it is used.
  int sampledNegatives = 0;
  std::uint64_t seed = 0;
};

struct RankingResult {
  /// "recall@10" -> mean over evaluated users, likewise precision@k, hit_rate@k, mrr@k,
  /// ndcg@k, map@k (definitions in eval/metrics.h).
  std::map<std::string, double> means;
  std::vector<std::int32_t> users;  ///< evaluated users, ascending
  /// metric name -> one value per evaluated user (same order as `users`).
  std::map<std::string, std::vector<double>> perUser;
};

/// Relevant items per user = distinct items of the test rows; training items (masked) come
/// from the training rows.
RankingResult evaluateRanking(const models::Recommender& model, const data::InteractionLog& log,
                              const std::vector<std::uint32_t>& trainRows,
                              const std::vector<std::uint32_t>& testRows,
                              const RankingOptions& options, Observer& observer,
                              const StopToken& stop);

/// Top-k of one score row with `exclude` (sorted) masked; ties by ascending index.
std::vector<std::int32_t> topK(const float* scores, std::int32_t numItems, int k,
                               const std::vector<std::int32_t>& exclude);

/// The scoring loop shared by the evaluators: calls `batch(lo, hi)` for consecutive
/// sub-batches [lo, hi) of [0, n), `batchSize` long, `threads` of them at a time (OpenMP; each
/// thread scores and ranks its own sub-batch, so none waits for a shared GEMM). `stop` is
/// checked before each round and progress ("evaluating") reported after it; the first
/// exception a sub-batch throws is rethrown once its round has ended.
void forEachBatchInParallel(std::size_t n, int batchSize, int threads, Observer& observer,
                            const StopToken& stop,
                            const std::function<void(std::size_t, std::size_t)>& batch);

/// The mean of each metric's per-unit values (0 for none).
std::map<std::string, double> meansOf(const std::map<std::string, std::vector<double>>& perUnit);

}  // namespace reclab::eval
