#pragma once
/// K-Means clustering of user or item embeddings (seed C's behaviour insight) and the adjusted
/// Rand index for comparing clusterings.
///
/// Seeding: k-means++ (Arthur & Vassilvitskii 2007): the first centre is a uniformly drawn
/// point, each next one a point drawn with probability proportional to its squared distance to
/// the nearest centre already chosen. Lloyd iterations (assign to the nearest centre by squared
/// Euclidean distance, ties to the lower cluster index; move each centre to its points' mean)
/// run until no assignment changes or maxIter. An empty cluster is re-seeded with the point
/// farthest from its centre. nInit restarts (seeds seed, seed+1, ...) keep the lowest inertia
/// (sum of squared distances of points to their centre).

#include <Eigen/Core>
#include <cstdint>
#include <string>
#include <vector>

#include "common/observer.h"

namespace reclab::models {

struct KMeansConfig {
  int k = 8;
  int maxIter = 300;
  int nInit = 10;
  std::uint64_t seed = 0;
  void validate(Eigen::Index rows) const;  ///< throws InputError "kmeans: k must be > 0, got 0"
};

struct KMeansResult {
  std::vector<int> assignments;      ///< row -> cluster in [0, k)
  std::vector<std::int64_t> sizes;   ///< points per cluster
  Eigen::MatrixXf centroids;         ///< k x dim
  double inertia = 0;
  int iterations = 0;                ///< Lloyd iterations of the kept restart
};

/// Clusters the rows of `data`. Checks `stop` between iterations (throws Cancelled).
KMeansResult kmeans(const Eigen::MatrixXf& data, const KMeansConfig& config,
                    const StopToken* stop = nullptr);

/// Writes / reads a clustering result (assignments, sizes, centroids, inertia).
void saveKMeans(const KMeansResult& result, const std::string& path);
KMeansResult loadKMeans(const std::string& path);

/// Adjusted Rand index (Hubert & Arabie 1985), as scikit-learn's adjusted_rand_score:
///   ARI = (sum_ij C(n_ij,2) - E) / (M - E),  E = sum_i C(a_i,2) sum_j C(b_j,2) / C(n,2),
///   M = (sum_i C(a_i,2) + sum_j C(b_j,2)) / 2
/// over the contingency table n_ij with row sums a_i and column sums b_j. Returns 1 when
/// M == E (e.g. both labelings put everything in one cluster, or every point alone).
/// Throws InputError when the sizes differ.
double adjustedRandIndex(const std::vector<int>& a, const std::vector<int>& b);

}  // namespace reclab::models
