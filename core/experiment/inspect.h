#pragma once
/// Opening a finished run again: its dataset, its split and its trained model, to recommend for
/// one user, list an item's nearest neighbours in the learned embeddings, or cluster the
/// embeddings with K-Means (stored on the run). Used by `reclab-cli recommend / similar /
/// cluster` and by the GUI's recommendation inspector.

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
