// K-Means on planted Gaussian clusters and golden adjusted Rand index values.

#include <gtest/gtest.h>

#include <cstdio>
#include <random>

#include "classic_test_data.h"
#include "common/errors.h"
#include "models/classic/kmeans.h"

using namespace reclab;
using namespace reclab::models;

TEST(AdjustedRandIndex, GoldenValues) {
  EXPECT_DOUBLE_EQ(adjustedRandIndex({0, 0, 1, 1, 2}, {0, 0, 1, 1, 2}), 1.0);
  EXPECT_DOUBLE_EQ(adjustedRandIndex({0, 0, 1, 1}, {1, 1, 0, 0}), 1.0);  // relabelled
  // scikit-learn docs: adjusted_rand_score([0,0,1,1],[0,0,1,2]) = 0.5714285714285714.
  // By hand: index = C(2,2) = 1, sum_a = 2, sum_b = 1, C(4,2) = 6, E = 2/6, M = 1.5,
  // ARI = (1 - 1/3) / (1.5 - 1/3) = 4/7.
  EXPECT_NEAR(adjustedRandIndex({0, 0, 1, 1}, {0, 0, 1, 2}), 4.0 / 7.0, 1e-15);
  EXPECT_NEAR(adjustedRandIndex({0, 0, 1, 2}, {0, 0, 1, 1}), 4.0 / 7.0, 1e-15);  // symmetric
  // scikit-learn docs: completely split -> 0.0.
  EXPECT_DOUBLE_EQ(adjustedRandIndex({0, 0, 0, 0}, {0, 1, 2, 3}), 0.0);
  // By hand: cells (0,0)=2 (0,1)=1 (1,1)=1 (1,2)=2: index 2, sum_a 6, sum_b 3, C(6,2) = 15,
  // E = 18/15 = 1.2, M = 4.5, ARI = 0.8 / 3.3.
  EXPECT_NEAR(adjustedRandIndex({0, 0, 0, 1, 1, 1}, {0, 0, 1, 1, 2, 2}), 0.8 / 3.3, 1e-12);
  // Worse than chance is negative: (0 - 0.5) / (1 - 0.5) with index 0, sum_a = sum_b = 2, E = 4/6.
  EXPECT_NEAR(adjustedRandIndex({0, 0, 1, 1}, {0, 1, 0, 1}), (0 - 4.0 / 6.0) / (2.0 - 4.0 / 6.0),
              1e-12);
  EXPECT_THROW(adjustedRandIndex({0}, {0, 1}), InputError);
}

TEST(KMeans, RecoversPlantedGaussianClusters) {
  const Eigen::MatrixXf centres = (Eigen::MatrixXf(4, 3) << 0, 0, 0,  //
                                   6, 0, 0,                        //
                                   0, 6, 0,                        //
                                   0, 0, 6)
                                      .finished();
  const int perCluster = 150;
  std::mt19937_64 rng(11);
  std::normal_distribution<float> noise(0.0f, 1.0f);
  Eigen::MatrixXf x(4 * perCluster, 3);
  std::vector<int> truth;
  for (int c = 0; c < 4; ++c)
    for (int p = 0; p < perCluster; ++p) {
      const int r = c * perCluster + p;
      for (int d = 0; d < 3; ++d) x(r, d) = centres(c, d) + noise(rng);
      truth.push_back(c);
    }
  KMeansConfig cfg;
  cfg.k = 4;
  cfg.seed = 5;
  auto res = kmeans(x, cfg);
  const double ari = adjustedRandIndex(truth, res.assignments);
  std::printf("[KMeans] ARI vs planted clusters = %.4f, inertia %.1f, %d iterations\n", ari,
              res.inertia, res.iterations);
  EXPECT_GT(ari, 0.95);
  std::int64_t total = 0;
  for (auto s : res.sizes) total += s;
  EXPECT_EQ(total, 4 * perCluster);
  // Every planted centre has a fitted centroid within 0.5.
  for (int c = 0; c < 4; ++c) {
    float best = 1e9f;
    for (int m = 0; m < 4; ++m) best = std::min(best, (res.centroids.row(m) - centres.row(c)).norm());
    EXPECT_LT(best, 0.5f) << "planted centre " << c;
  }
  // The inertia is the sum of squared distances to the assigned centroids.
  double inertia = 0;
  for (int r = 0; r < x.rows(); ++r)
    inertia += (x.row(r) - res.centroids.row(res.assignments[static_cast<std::size_t>(r)])).squaredNorm();
  EXPECT_NEAR(res.inertia, inertia, 1e-3 * inertia);
  // Deterministic for a seed.
  EXPECT_EQ(kmeans(x, cfg).assignments, res.assignments);

  const auto path = classictest::tempPath("kmeans.bin");
  saveKMeans(res, path);
  auto back = loadKMeans(path);
  std::remove(path.c_str());
  EXPECT_EQ(back.assignments, res.assignments);
  EXPECT_EQ(back.sizes, res.sizes);
  EXPECT_TRUE(back.centroids.isApprox(res.centroids));
}

TEST(KMeans, HandExampleAndErrors) {
  // Two obvious groups on a line: {0, 1} and {10, 11}; centroids 0.5 and 10.5, inertia 4 * 0.25.
  Eigen::MatrixXf x(4, 1);
  x << 0, 1, 10, 11;
  KMeansConfig cfg;
  cfg.k = 2;
  cfg.nInit = 3;
  auto r = kmeans(x, cfg);
  EXPECT_EQ(r.assignments[0], r.assignments[1]);
  EXPECT_EQ(r.assignments[2], r.assignments[3]);
  EXPECT_NE(r.assignments[0], r.assignments[2]);
  EXPECT_NEAR(r.inertia, 1.0, 1e-9);
  cfg.k = 5;
  EXPECT_THROW(kmeans(x, cfg), InputError);
  cfg.k = 0;
  EXPECT_THROW(kmeans(x, cfg), InputError);
}
