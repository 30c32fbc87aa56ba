// Item-KNN: hand-computed cosines, planted neighbours, memory bound, persistence, and nearest
// neighbours over embeddings.

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <cmath>
#include <cstdio>
#include <random>

#include "classic_test_data.h"
#include "models/classic/embedding_neighbours.h"
#include "models/classic/item_knn.h"

using namespace reclab;
using namespace reclab::models;
using namespace reclab::classictest;

namespace {

// Users x items (binary):   i0 i1 i2
//                      u0:   1  1  0
//                      u1:   1  1  1
//                      u2:   0  0  1
// Item vectors over users: i0 = i1 = (1,1,0), i2 = (0,1,1).
// cos(i0,i1) = 2 / (sqrt2 sqrt2) = 1; cos(i0,i2) = cos(i1,i2) = 1 / 2.
data::InteractionLog threeByThree(bool values) {
  // values: u0: i0=2, i1=1; u1: i0=1, i1=1, i2=3; u2: i2=2
  return makeLog(3, 3,
                 {{0, 0, 2}, {0, 1, 1}, {1, 0, 1}, {1, 1, 1}, {1, 2, 3}, {2, 2, 2}}, values);
}

float simOf(const ItemKnn& m, int i, int j) {
  const auto& nb = m.neighbours();
  for (auto e = nb.begin(i); e < nb.end(i); ++e)
    if (nb.cols[static_cast<std::size_t>(e)] == j) return nb.weights[static_cast<std::size_t>(e)];
  return 0.0f;
}

}  // namespace

TEST(ItemKnn, HandComputedCosineOnThreeByThree) {
  auto log = threeByThree(false);
  ItemKnn m(ItemKnnConfig{2, 0.0, false});
  fitAll(m, log);
  EXPECT_NEAR(simOf(m, 0, 1), 1.0, 1e-6);
  EXPECT_NEAR(simOf(m, 0, 2), 0.5, 1e-6);
  EXPECT_NEAR(simOf(m, 2, 1), 0.5, 1e-6);
  // Neighbour order of i2: ties broken by ascending item index.
  const auto& nb = m.neighbours();
  ASSERT_EQ(nb.end(2) - nb.begin(2), 2);
  EXPECT_EQ(nb.cols[static_cast<std::size_t>(nb.begin(2))], 0);
  EXPECT_EQ(nb.cols[static_cast<std::size_t>(nb.begin(2)) + 1], 1);
  // Scores: u2 (history i2) -> i0 = i1 = 0.5, i2 = 0; u0 (history i0, i1) -> 1, 1, 0.5 + 0.5.
  auto s = scores(m, {2, 0});
  EXPECT_NEAR(s(0, 0), 0.5, 1e-6);
  EXPECT_NEAR(s(0, 1), 0.5, 1e-6);
  EXPECT_NEAR(s(0, 2), 0.0, 1e-6);
  EXPECT_NEAR(s(1, 0), 1.0, 1e-6);
  EXPECT_NEAR(s(1, 1), 1.0, 1e-6);
  EXPECT_NEAR(s(1, 2), 1.0, 1e-6);
}

TEST(ItemKnn, ShrinkageValueWeightsAndK) {
  auto log = threeByThree(true);
  ItemKnn shrunk(ItemKnnConfig{2, 1.0, false});
  fitAll(shrunk, log);
  EXPECT_NEAR(simOf(shrunk, 0, 1), 2.0 / 3.0, 1e-6);  // 2 / (2 + 1)
  EXPECT_NEAR(simOf(shrunk, 0, 2), 1.0 / 3.0, 1e-6);  // 1 / (2 + 1)

  // Value vectors: i0 = (2,1,0), i1 = (1,1,0), i2 = (0,3,2).
  ItemKnn valued(ItemKnnConfig{2, 0.0, true});
  fitAll(valued, log);
  EXPECT_NEAR(simOf(valued, 0, 1), 3.0 / std::sqrt(10.0), 1e-6);
  EXPECT_NEAR(simOf(valued, 0, 2), 3.0 / std::sqrt(65.0), 1e-6);
  EXPECT_NEAR(simOf(valued, 1, 2), 3.0 / std::sqrt(26.0), 1e-6);
  // u2 has i2 with value 2: score(i1) = 2 * sim(i2, i1).
  auto s = scores(valued, {2});
  EXPECT_NEAR(s(0, 1), 2.0 * 3.0 / std::sqrt(26.0), 1e-5);

  ItemKnn one(ItemKnnConfig{1, 0.0, false});
  fitAll(one, log);
  EXPECT_EQ(one.neighbours().cols.size(), 3u);
  EXPECT_NEAR(simOf(one, 0, 1), 1.0, 1e-6);
  EXPECT_EQ(simOf(one, 0, 2), 0.0f);  // dropped: only the best neighbour is kept
}

TEST(ItemKnn, FindsPlantedTwins) {
  // 100 planted pairs (2p, 2p+1): each user consumes both items of 3 random pairs, plus one
  // random single item as noise. Each item's best neighbour must be its twin.
  const int pairs = 100, items = 2 * pairs, users = 600;
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<int> pickPair(0, pairs - 1), pickItem(0, items - 1);
  std::vector<Entry> entries;
  for (int u = 0; u < users; ++u) {
    for (int t = 0; t < 3; ++t) {
      int p = pickPair(rng);
      entries.push_back({u, 2 * p});
      entries.push_back({u, 2 * p + 1});
    }
    entries.push_back({u, pickItem(rng)});
  }
  auto log = makeLog(users, items, entries);
  ItemKnn m(ItemKnnConfig{10, 0.0, false});
  fitAll(m, log);
  const auto& nb = m.neighbours();
  int found = 0;
  for (int i = 0; i < items; ++i) {
    ASSERT_GT(nb.end(i), nb.begin(i));
    if (nb.cols[static_cast<std::size_t>(nb.begin(i))] == (i ^ 1)) ++found;
  }
  std::printf("[ItemKnn] planted twin is the top neighbour for %d / %d items\n", found, items);
  EXPECT_EQ(found, items);
}

TEST(ItemKnn, MemoryBoundedOnTwentyThousandItems) {
  // A dense item x item float matrix here would be 20,000^2 * 4 B = 1.6 GB.
  const int items = 20000, users = 20000;
  std::mt19937_64 rng(3);
  std::uniform_int_distribution<int> pick(0, items - 1);
  std::vector<Entry> entries;
  for (int u = 0; u < users; ++u)
    for (int t = 0; t < 15; ++t) entries.push_back({u, pick(rng)});
  auto log = makeLog(users, items, entries);
  rusage before{}, after{};
  getrusage(RUSAGE_SELF, &before);
  ItemKnn m(ItemKnnConfig{50, 0.0, false});
  fitAll(m, log);
  getrusage(RUSAGE_SELF, &after);
  const double grownMb = static_cast<double>(after.ru_maxrss - before.ru_maxrss) / 1024.0;
  std::printf("[ItemKnn] 20,000 items: peak RSS grew %.1f MB, state %.1f MB, %zu neighbour pairs\n",
              grownMb, static_cast<double>(m.memoryBytes()) / 1e6, m.neighbours().cols.size());
  EXPECT_LT(grownMb, 200.0);
  EXPECT_LE(m.neighbours().cols.size(), static_cast<std::size_t>(items) * 50);
  EXPECT_EQ(m.numItems(), items);
}

TEST(ItemKnn, SaveLoadKeepsScoresAndRegistryBuildsIt) {
  auto log = threeByThree(false);
  Registry reg;
  registerItemKnn(reg);
  auto params = reg.validate("item_knn", nlohmann::json::object());
  EXPECT_EQ(params["k"], 50);
  EXPECT_EQ(params["weighting"], "binary");
  auto model = reg.create("item_knn", params);
  auto* knn = dynamic_cast<ItemKnn*>(model.get());
  ASSERT_NE(knn, nullptr);
  fitAll(*knn, log);
  const auto path = tempPath("item_knn.bin");
  knn->save(path);
  ItemKnn loaded;
  loaded.load(path);
  std::remove(path.c_str());
  EXPECT_TRUE(scores(loaded, {0, 1, 2}).isApprox(scores(*knn, {0, 1, 2})));
  EXPECT_THROW(ItemKnn(ItemKnnConfig{0, 0.0, false}), InputError);
}

TEST(EmbeddingNeighbours, CosineOrderExcludingSelf) {
  Eigen::MatrixXf emb(5, 2);
  emb << 1, 0,  //
      0.9f, 0.1f,  //
      -1, 0,  //
      0, 1,  //
      2, 0;
  auto nn = nearestByEmbedding(emb, 0, 3);
  ASSERT_EQ(nn.size(), 3u);
  EXPECT_EQ(nn[0].first, 4);  // same direction: cosine 1
  EXPECT_NEAR(nn[0].second, 1.0, 1e-6);
  EXPECT_EQ(nn[1].first, 1);
  EXPECT_NEAR(nn[1].second, 0.9 / std::sqrt(0.82), 1e-6);
  EXPECT_EQ(nn[2].first, 3);
  EXPECT_NEAR(nn[2].second, 0.0, 1e-6);
  EXPECT_EQ(nearestByEmbedding(emb, 2, 10).size(), 4u);  // capped at rows - 1
  EXPECT_THROW(nearestByEmbedding(emb, 5, 1), InputError);
}

TEST(ItemKnn, SameNeighboursOnOneAndTwoThreadsAndStops) {
  std::mt19937_64 rng(9);
  std::uniform_int_distribution<int> pick(0, 299);
  std::vector<Entry> entries;
  for (int u = 0; u < 400; ++u)
    for (int t = 0; t < 8; ++t) entries.push_back({u, pick(rng)});
  auto log = makeLog(400, 300, entries);
  ItemKnn one(ItemKnnConfig{20, 2.0, false}), two(ItemKnnConfig{20, 2.0, false});
  fitAll(one, log, 1);
  fitAll(two, log, 2);
  EXPECT_EQ(one.neighbours().cols, two.neighbours().cols);
  EXPECT_EQ(one.neighbours().weights, two.neighbours().weights);

  const auto rows = allRows(log);
  StopToken stop;
  stop.requestStop();
  TrainContext ctx{log, rows, nullptr, 1, 2, nullObserver(), stop};
  ItemKnn stopped;
  EXPECT_THROW(stopped.fit(ctx), Cancelled);
}
