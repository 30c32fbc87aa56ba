#include "eval/ranking_evaluator.h"

#include <fmt/format.h>

#include <algorithm>
#include <numeric>

#include "common/errors.h"
#include "eval/metrics.h"

namespace reclab::eval {

std::vector<std::int32_t> topK(const float* scores, std::int32_t numItems, int k,
                               const std::vector<std::int32_t>& exclude) {
  std::vector<std::int32_t> idx;
  idx.reserve(static_cast<std::size_t>(numItems));
  auto ex = exclude.begin();
  for (std::int32_t i = 0; i < numItems; ++i) {
    while (ex != exclude.end() && *ex < i) ++ex;
    if (ex != exclude.end() && *ex == i) continue;
    idx.push_back(i);
  }
  const auto kk = std::min<std::size_t>(static_cast<std::size_t>(k), idx.size());
  auto better = [scores](std::int32_t a, std::int32_t b) {
    return scores[a] > scores[b] || (scores[a] == scores[b] && a < b);
  };
  std::partial_sort(idx.begin(), idx.begin() + static_cast<std::ptrdiff_t>(kk), idx.end(), better);
  idx.resize(kk);
  return idx;
}

RankingResult evaluateRanking(const models::Recommender& model, const data::InteractionLog& log,
                              const std::vector<std::uint32_t>& trainRows,
                              const std::vector<std::uint32_t>& testRows,
                              const RankingOptions& options, Observer& observer,
                              const StopToken& stop) {
  if (!log.hasUsers()) throw InputError("ranking evaluation needs a user column");
  if (options.ks.empty()) throw InputError("ranking evaluation: no k given");
  const auto nUsers = static_cast<std::size_t>(log.numUsers());
  std::vector<std::vector<std::int32_t>> relevant(nUsers), seen(nUsers);
  for (auto r : testRows) relevant[static_cast<std::size_t>(log.user[r])].push_back(log.item[r]);
  if (options.maskTrainItems) {
    for (auto r : trainRows) seen[static_cast<std::size_t>(log.user[r])].push_back(log.item[r]);
  }
  RankingResult result;
  for (std::size_t u = 0; u < nUsers; ++u) {
    auto& rel = relevant[u];
    std::sort(rel.begin(), rel.end());
    rel.erase(std::unique(rel.begin(), rel.end()), rel.end());
    auto& s = seen[u];
    std::sort(s.begin(), s.end());
    s.erase(std::unique(s.begin(), s.end()), s.end());
    if (!rel.empty()) result.users.push_back(static_cast<std::int32_t>(u));
  }
  const int maxK = *std::max_element(options.ks.begin(), options.ks.end());
  const std::vector<std::string> names = {"precision", "recall", "hit_rate", "mrr", "ndcg",
                                          "map"};
  for (int k : options.ks)
    for (const auto& n : names) result.perUser[fmt::format("{}@{}", n, k)].resize(result.users.size());

  // Column pointers per k, taken before the parallel loop (no map access inside it).
  struct Columns { std::vector<double>*p, *r, *h, *m, *n, *a; };
  std::vector<Columns> cols;
  for (int k : options.ks) {
    cols.push_back({&result.perUser[fmt::format("precision@{}", k)],
                    &result.perUser[fmt::format("recall@{}", k)],
                    &result.perUser[fmt::format("hit_rate@{}", k)],
                    &result.perUser[fmt::format("mrr@{}", k)],
                    &result.perUser[fmt::format("ndcg@{}", k)],
                    &result.perUser[fmt::format("map@{}", k)]});
  }
  const std::size_t nEval = result.users.size();
  const std::size_t bs = static_cast<std::size_t>(std::max(1, options.batchSize));
  const std::int32_t nItems = model.numItems();
  models::ScoreMatrix scores;
  for (std::size_t lo = 0; lo < nEval; lo += bs) {
    stop.throwIfStopped();
    const std::size_t hi = std::min(nEval, lo + bs);
    std::vector<std::int32_t> batch(result.users.begin() + static_cast<std::ptrdiff_t>(lo),
                                    result.users.begin() + static_cast<std::ptrdiff_t>(hi));
    model.scoreUsers(batch, scores);
#pragma omp parallel for num_threads(std::max(1, options.threads)) schedule(dynamic, 8)
    for (std::ptrdiff_t j = 0; j < static_cast<std::ptrdiff_t>(batch.size()); ++j) {
      const auto u = static_cast<std::size_t>(batch[static_cast<std::size_t>(j)]);
      auto top = topK(scores.row(j).data(), nItems, maxK, seen[u]);
      const std::size_t at = lo + static_cast<std::size_t>(j);
      for (std::size_t c = 0; c < cols.size(); ++c) {
        auto v = rankingValues(top, relevant[u], options.ks[c]);
        (*cols[c].p)[at] = v.precision;
        (*cols[c].r)[at] = v.recall;
        (*cols[c].h)[at] = v.hitRate;
        (*cols[c].m)[at] = v.mrr;
        (*cols[c].n)[at] = v.ndcg;
        (*cols[c].a)[at] = v.map;
      }
    }
    observer.onProgress(static_cast<double>(hi) / static_cast<double>(nEval), "evaluating");
  }
  for (const auto& [name, values] : result.perUser) {
    result.means[name] = values.empty() ? 0.0
                                        : std::accumulate(values.begin(), values.end(), 0.0) /
                                              static_cast<double>(values.size());
  }
  return result;
}

}  // namespace reclab::eval
