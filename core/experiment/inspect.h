#pragma once
/// Opening a finished run again: its dataset, its split and its trained model, to recommend for
/// one user or after a session prefix, list an item's nearest neighbours in the learned embeddings,
/// or cluster the embeddings with K-Means (stored on the run). Used by `reclab-cli recommend /
/// similar / cluster` and by the GUI's recommendation inspector.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/observer.h"
#include "data/load.h"
#include "experiment/config.h"
#include "models/model.h"
#include "split/splits.h"
#include "store/store.h"

namespace reclab::experiment {

struct OpenedRun {
  std::int64_t runId = 0;
  ExperimentConfig config;
  std::shared_ptr<const data::LoadResult> data;
  split::Split split;
  std::unique_ptr<models::Model> model;
  /// Sorted training items of each user (what "already seen" means for this run).
  std::vector<std::vector<std::int32_t>> trainItems;
  /// Sorted test items of each user (to mark hits).
  std::vector<std::vector<std::int32_t>> testItems;
};

/// Loads the run's dataset (or uses `preloaded`: the dataset the run's config names), rebuilds
/// its split (for an incremental-update run: plus the rows of its updates, see update.h) and
/// loads its stored model. Throws InputError for a run without a stored model (e.g. a k-fold parent: open one
/// of its folds) or whose dataset files changed since the run (hash mismatch).
OpenedRun openRun(store::Store& store, std::int64_t runId, Observer& observer,
                  const StopToken& stop,
                  std::shared_ptr<const data::LoadResult> preloaded = nullptr);

struct Recommendation {
  std::int32_t item = 0;
  float score = 0;
  bool hit = false;  ///< the item is among the user's test items
};

/// Top-n items for `user` (dense index), the user's training items filtered unless
/// `filterSeen` is false. Ties by ascending item index.
std::vector<Recommendation> recommendFor(const OpenedRun& run, std::int32_t user, int n,
                                         bool filterSeen = true);

/// Top-n next items after a session prefix (dense item indices, oldest first), scored by the
/// run's SessionRecommender. Nothing is left out (the next-item protocol does not mask: a
/// re-click is a legal next click) unless `filterPrefix` is true, which leaves out the prefix's
/// items. When `actualNext` is given (the rest of the session after the prefix), `hit` marks the
/// items it contains. Ties by ascending item index. Throws InputError when the model is not a
/// session next-item model, the prefix is empty, an item index is out of range or n < 1.
std::vector<Recommendation> recommendNext(const OpenedRun& run,
                                          const std::vector<std::int32_t>& prefix, int n,
                                          const std::vector<std::int32_t>* actualNext = nullptr,
                                          bool filterPrefix = false);

/// The run's test sessions: for each session with a click among the split's test rows, its test
/// click rows in time order (equal timestamps by row; "buy" rows left out: the grouping rules
/// of data::buildSessionSequences), sessions by ascending dense session index. Throws
/// InputError when the dataset has no session column.
std::vector<std::vector<std::uint32_t>> testSessions(const OpenedRun& run);

/// The n items nearest to `item` by cosine over the model's learned item embeddings.
/// Throws InputError when the model has no embeddings.
std::vector<std::pair<std::int32_t, float>> similarItems(const OpenedRun& run, std::int32_t item,
                                                         int n);

/// K-Means over the run's user ("users") or item ("items") embeddings; the result (k,
/// assignments, sizes, centroids, inertia) is stored on the run as artifact
/// "kmeans_<of>.json" and returned as that JSON.
nlohmann::json clusterRun(store::Store& store, const OpenedRun& run, const std::string& of, int k,
                          std::uint64_t seed, const StopToken& stop);

}  // namespace reclab::experiment
