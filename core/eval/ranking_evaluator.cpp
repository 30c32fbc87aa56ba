#include "eval/ranking_evaluator.h"

#include <fmt/format.h>

#include <algorithm>
#include <exception>
#include <numeric>
#include <random>

#include "common/errors.h"
#include "eval/metrics.h"

namespace reclab::eval {

std::vector<std::int32_t> topK(const float* scores, std::int32_t numItems, int k,
                               const std::vector<std::int32_t>& exclude) {
  // One pass with a bounded heap: the heap's top is the worst of the current best k.
  // "a better than b" = higher score, or equal score and lower index (the tie policy).
  const auto kk = static_cast<std::size_t>(std::max(0, k));
  std::vector<std::int32_t> heap;
  heap.reserve(kk + 1);
  auto worseOnTop = [scores](std::int32_t a, std::int32_t b) {
    return scores[a] > scores[b] || (scores[a] == scores[b] && a < b);
  };
  if (kk == 0) return heap;
  auto ex = exclude.begin();
  for (std::int32_t i = 0; i < numItems; ++i) {
    if (heap.size() == kk) {
      // Items come in ascending index order: an equal score never beats the heap's worst.
      if (!(scores[i] > scores[heap.front()])) continue;
    }
    while (ex != exclude.end() && *ex < i) ++ex;
    if (ex != exclude.end() && *ex == i) continue;
    heap.push_back(i);
    std::push_heap(heap.begin(), heap.end(), worseOnTop);
    if (heap.size() > kk) {
      std::pop_heap(heap.begin(), heap.end(), worseOnTop);
      heap.pop_back();
    }
  }
  std::sort_heap(heap.begin(), heap.end(), worseOnTop);
  return heap;
}

void forEachBatchInParallel(std::size_t n, int batchSize, int threads, Observer& observer,
                            const StopToken& stop,
                            const std::function<void(std::size_t, std::size_t)>& batch) {
  const auto bs = static_cast<std::size_t>(std::max(1, batchSize));
  threads = std::max(1, threads);
  const std::size_t round = bs * static_cast<std::size_t>(threads);
  for (std::size_t lo = 0; lo < n; lo += round) {
    stop.throwIfStopped();
    const std::size_t hi = std::min(n, lo + round);
    const auto subBatches = static_cast<std::ptrdiff_t>((hi - lo + bs - 1) / bs);
    std::exception_ptr failure;
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1)
    for (std::ptrdiff_t b = 0; b < subBatches; ++b) {
      try {
        const std::size_t blo = lo + static_cast<std::size_t>(b) * bs;
        batch(blo, std::min(hi, blo + bs));
      } catch (...) {
#pragma omp critical(reclab_eval_batch_failure)
        if (!failure) failure = std::current_exception();
      }
    }
    if (failure) std::rethrow_exception(failure);
    observer.onProgress(static_cast<double>(hi) / static_cast<double>(n), "evaluating");
  }
}

std::map<std::string, double> meansOf(const std::map<std::string, std::vector<double>>& perUnit) {
  std::map<std::string, double> means;
  for (const auto& [name, values] : perUnit) {
    means[name] = values.empty() ? 0.0
                                 : std::accumulate(values.begin(), values.end(), 0.0) /
                                       static_cast<double>(values.size());
  }
  return means;
}

namespace {

/// Top-k among the user's relevant items and `negatives` uniformly drawn items that are
/// neither seen in training nor relevant; same tie policy as topK.
std::vector<std::int32_t> sampledTopK(const float* scores, std::int32_t numItems, int k,
                                      const std::vector<std::int32_t>& seen,
                                      const std::vector<std::int32_t>& relevant, int negatives,
                                      std::uint64_t seed, std::size_t user) {
  std::vector<std::int32_t> candidates(relevant.begin(), relevant.end());
  const auto forbidden = [&](std::int32_t i) {
    return std::binary_search(seen.begin(), seen.end(), i) ||
           std::binary_search(relevant.begin(), relevant.end(), i);
  };
  const std::int64_t available = static_cast<std::int64_t>(numItems) -
                                 static_cast<std::int64_t>(seen.size()) -
                                 static_cast<std::int64_t>(relevant.size());
  const auto want = static_cast<std::size_t>(
      std::max<std::int64_t>(0, std::min<std::int64_t>(negatives, available)));
  std::mt19937_64 rng(seed ^ (0x9E3779B97F4A7C15ULL * (user + 1)));
  std::uniform_int_distribution<std::int32_t> pick(0, numItems - 1);
  std::vector<std::int32_t> drawn;
  while (drawn.size() < want) {
    const std::int32_t i = pick(rng);
    if (forbidden(i) || std::find(drawn.begin(), drawn.end(), i) != drawn.end()) continue;
    drawn.push_back(i);
  }
  candidates.insert(candidates.end(), drawn.begin(), drawn.end());
  auto better = [scores](std::int32_t a, std::int32_t b) {
    return scores[a] > scores[b] || (scores[a] == scores[b] && a < b);
  };
  const auto kk = std::min<std::size_t>(static_cast<std::size_t>(k), candidates.size());
  std::partial_sort(candidates.begin(), candidates.begin() + static_cast<std::ptrdiff_t>(kk),
                    candidates.end(), better);
  candidates.resize(kk);
  return candidates;
}

}  // namespace

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
  if (options.sampledNegatives > 0) {
    observer.onLog(LogLevel::Warning,
                   fmt::format("sampled evaluation: relevant items ranked among {} sampled "
                               "negatives per user, not all items; sampled metrics can reorder "
                               "models (Krichene & Rendle 2020)",
                               options.sampledNegatives));
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
  const std::vector<std::string> names = {"precision", "recall", "hit_rate", "mrr", "ndcg", "map"};
  for (int k : options.ks)
    for (const auto& n : names)
      result.perUser[fmt::format("{}@{}", n, k)].resize(result.users.size());

  // Column pointers per k, taken before the parallel loop (no map access inside it).
  struct Columns {
    std::vector<double>*p, *r, *h, *m, *n, *a;
  };
  std::vector<Columns> cols;
  for (int k : options.ks) {
    cols.push_back(
        {&result.perUser[fmt::format("precision@{}", k)],
         &result.perUser[fmt::format("recall@{}", k)],
         &result.perUser[fmt::format("hit_rate@{}", k)], &result.perUser[fmt::format("mrr@{}", k)],
         &result.perUser[fmt::format("ndcg@{}", k)], &result.perUser[fmt::format("map@{}", k)]});
  }
  const std::int32_t nItems = model.numItems();
  forEachBatchInParallel(result.users.size(), options.batchSize, options.threads, observer, stop,
                         [&](std::size_t blo, std::size_t bhi) {
                           std::vector<std::int32_t> batch(
                               result.users.begin() + static_cast<std::ptrdiff_t>(blo),
                               result.users.begin() + static_cast<std::ptrdiff_t>(bhi));
                           models::ScoreMatrix scores;
                           model.scoreUsers(batch, scores);
                           for (std::size_t j = 0; j < batch.size(); ++j) {
                             const auto u = static_cast<std::size_t>(batch[j]);
                             const float* row = scores.row(static_cast<Eigen::Index>(j)).data();
                             auto top = options.sampledNegatives > 0
                                            ? sampledTopK(row, nItems, maxK, seen[u], relevant[u],
                                                          options.sampledNegatives, options.seed, u)
                                            : topK(row, nItems, maxK, seen[u]);
                             const std::size_t at = blo + j;
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
                         });
  result.means = meansOf(result.perUser);
  return result;
}

}  // namespace reclab::eval
