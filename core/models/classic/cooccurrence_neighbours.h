#pragma once
/// The k most similar items of every item by co-occurrence, shared by item-KNN (users' item
/// sets, cosine with shrinkage) and session item-KNN (sessions' item sets, session-rec's
/// lambda / alpha similarity): only the scoring of a co-occurring pair differs.
///
/// For each item i, dot(i, j) = sum over rows r holding both i and j of w(r, i) * w(r, j)
/// (rows = users or sessions), accumulated in a dense per-thread array with a list of the
/// touched columns (linear in the pairs, no hashing); `similarity(i, j, dot)` turns it into a
/// score, and the k best (ties by ascending item) are kept in descending order.

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <vector>

#include "common/errors.h"
#include "common/observer.h"
#include "models/classic/item_knn.h"

namespace reclab::models {

/// `byItem`: item -> rows holding it (columns are row indices); `byRow`: row -> its items.
/// `similarity(i, j, dot)` returns the score of the pair, or NaN to leave j out; dot is never 0.
/// Runs on `threads` threads, reports progress as "training" and throws Cancelled when `stop`
/// is triggered (checked every 256 items). The result has one row per item, numCols items.
template <typename Similarity>
SparseRows topCoOccurrenceNeighbours(const SparseRows& byItem, const SparseRows& byRow,
                                     std::int32_t numItems, int k, int threads,
                                     Similarity similarity, Observer& observer,
                                     const StopToken& stop) {
  const auto n = static_cast<std::size_t>(numItems);
  const auto slots = static_cast<std::size_t>(k);
  // Each item writes at most k neighbours into its own slot; compacted afterwards.
  std::vector<std::int32_t> slotCols(n * slots);
  std::vector<float> slotSims(slotCols.size());
  std::vector<std::int32_t> count(n, 0);
  std::atomic<bool> stopped{false};
  std::atomic<std::int64_t> done{0};

#pragma omp parallel num_threads(std::max(1, threads))
  {
    std::vector<float> acc(n, 0.0f);
    std::vector<std::int32_t> touched;
    std::vector<std::pair<float, std::int32_t>> cand;
#pragma omp for schedule(dynamic, 64)
    for (std::int32_t i = 0; i < numItems; ++i) {
      if (stopped.load(std::memory_order_relaxed)) continue;
      if ((i & 255) == 0 && stop.stopRequested()) stopped = true;
      touched.clear();
      for (auto e = byItem.begin(i); e < byItem.end(i); ++e) {
        const auto r = byItem.cols[static_cast<std::size_t>(e)];
        const float wi = byItem.weights[static_cast<std::size_t>(e)];
        for (auto f = byRow.begin(r); f < byRow.end(r); ++f) {
          const auto j = byRow.cols[static_cast<std::size_t>(f)];
          if (j == i) continue;
          auto& a = acc[static_cast<std::size_t>(j)];
          if (a == 0.0f) touched.push_back(j);
          a += wi * byRow.weights[static_cast<std::size_t>(f)];
        }
      }
      cand.clear();
      for (auto j : touched) {
        const float dot = acc[static_cast<std::size_t>(j)];
        acc[static_cast<std::size_t>(j)] = 0.0f;
        if (dot == 0.0f) continue;
        const float s = similarity(i, j, dot);
        if (!std::isnan(s)) cand.emplace_back(s, j);
      }
      auto better = [](const auto& x, const auto& y) {
        return x.first > y.first || (x.first == y.first && x.second < y.second);
      };
      const auto keep = std::min(cand.size(), slots);
      std::partial_sort(cand.begin(), cand.begin() + static_cast<std::ptrdiff_t>(keep), cand.end(),
                        better);
      const auto base = static_cast<std::size_t>(i) * slots;
      for (std::size_t t = 0; t < keep; ++t) {
        slotCols[base + t] = cand[t].second;
        slotSims[base + t] = cand[t].first;
      }
      count[static_cast<std::size_t>(i)] = static_cast<std::int32_t>(keep);
      const auto d = ++done;
      if (omp_get_thread_num() == 0 && (d & 1023) == 0)
        observer.onProgress(static_cast<double>(d) / static_cast<double>(numItems), "training");
    }
  }
  if (stopped) throw Cancelled();

  SparseRows out;
  out.numCols = numItems;
  out.offsets.assign(n + 1, 0);
  for (std::size_t i = 0; i < n; ++i) out.offsets[i + 1] = out.offsets[i] + count[i];
  out.cols.reserve(static_cast<std::size_t>(out.offsets.back()));
  out.weights.reserve(out.cols.capacity());
  for (std::size_t i = 0; i < n; ++i) {
    for (std::int32_t t = 0; t < count[i]; ++t) {
      out.cols.push_back(slotCols[i * slots + static_cast<std::size_t>(t)]);
      out.weights.push_back(slotSims[i * slots + static_cast<std::size_t>(t)]);
    }
  }
  return out;
}

}  // namespace reclab::models
