#include "models/classic/sknn.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "classic_test_data.h"
#include "common/errors.h"
#include "session_test_data.h"

namespace reclab::models {
namespace {

using sessiontest::fitAll;
using sessiontest::makeSessionLog;
using sessiontest::scoreOne;

// Training sessions in time order T0 = [0,1], T1 = [1,2,3], T2 = [3,4], T3 = [0,2], T4 = [5]
// over 6 items; recency ranks: T4 0, T3 1, T2 2, T1 3, T0 4.
// Prefix [1, 2, 1]: P = {1, 2}, |P| = 2. Candidates (share an item): T0, T1, T3.
//   cosine: T0 = 1 / sqrt(2*2) = 0.5, T1 = 2 / sqrt(2*3) = 0.8165, T3 = 1 / sqrt(2*2) = 0.5.
const std::vector<std::vector<int>> kTrain{{0, 1}, {1, 2, 3}, {3, 4}, {0, 2}, {5}};
const float kC1 = static_cast<float>(2 / std::sqrt(6.0));

SknnConfig config(int k, int sample, SknnConfig::Similarity sim) {
  auto c = SknnConfig::defaults();
  c.k = k;
  c.sampleSize = sample;
  c.similarity = sim;
  return c;
}

void expectScores(const std::vector<float>& got, const std::vector<float>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-6) << "item " << i;
}

TEST(Sknn, CosineVotesOfAllNeighbours) {
  // score(0) = T0 + T3 = 1.0; score(1) = T0 + T1 = 1.3165; score(2) = T1 + T3 = 1.3165;
  // score(3) = T1 = 0.8165; items 4 and 5 are in no neighbour.
  const auto log = makeSessionLog(kTrain, 6);
  Sknn m(config(100, 500, SknnConfig::Similarity::Cosine));
  fitAll(m, log);
  EXPECT_EQ(m.numSessions(), 5U);
  EXPECT_EQ(m.sessionItems(0), (std::vector<std::int32_t>{5}));  // the most recent, T4
  expectScores(scoreOne(m, {1, 2, 1}), {1.0f, 0.5f + kC1, kC1 + 0.5f, kC1, 0.0f, 0.0f});
}

TEST(Sknn, KeepsTheKMostSimilarMoreRecentOnTies) {
  // k = 2: T1 (0.8165), then T0 and T3 tie at 0.5 and the more recent T3 (rank 1) wins.
  // score = T1 + T3: (0.5, 0.8165, 1.3165, 0.8165, 0, 0).
  const auto log = makeSessionLog(kTrain, 6);
  Sknn m(config(2, 500, SknnConfig::Similarity::Cosine));
  fitAll(m, log);
  const auto nb = m.neighbours({1, 2, 1});
  ASSERT_EQ(nb.size(), 2U);
  EXPECT_EQ(nb[0].first, 3U);  // T1
  EXPECT_EQ(nb[1].first, 1U);  // T3
  expectScores(scoreOne(m, {1, 2, 1}), {0.5f, kC1, kC1 + 0.5f, kC1, 0.0f, 0.0f});
}

TEST(Sknn, SampleSizeTakesTheMostRecentCandidates) {
  // sample_size 1: of T3 (rank 1), T1 (3), T0 (4) only T3 is compared: score = T3 = 0.5 on
  // items 0 and 2.
  const auto log = makeSessionLog(kTrain, 6);
  Sknn m(config(100, 1, SknnConfig::Similarity::Cosine));
  fitAll(m, log);
  expectScores(scoreOne(m, {1, 2, 1}), {0.5f, 0.0f, 0.5f, 0.0f, 0.0f, 0.0f});
}

TEST(Sknn, Jaccard) {
  // jaccard: T0 = 1 / |{0,1,2}| = 1/3, T1 = 2 / |{1,2,3}| = 2/3, T3 = 1 / |{0,1,2}| = 1/3.
  // score(0) = 2/3, score(1) = 1, score(2) = 1, score(3) = 2/3.
  const auto log = makeSessionLog(kTrain, 6);
  Sknn m(config(100, 0, SknnConfig::Similarity::Jaccard));
  fitAll(m, log);
  expectScores(scoreOne(m, {1, 2, 1}), {2.0f / 3, 1.0f, 1.0f, 2.0f / 3, 0.0f, 0.0f});
}

TEST(Sknn, SaveLoadAndConfigErrors) {
  const auto log = makeSessionLog(kTrain, 6);
  Sknn m(config(2, 500, SknnConfig::Similarity::Jaccard));
  fitAll(m, log);
  const auto path = classictest::tempPath("sknn.bin");
  m.save(path);
  Sknn back;
  back.load(path);
  EXPECT_EQ(back.config().k, 2);
  EXPECT_EQ(back.config().similarity, SknnConfig::Similarity::Jaccard);
  EXPECT_EQ(scoreOne(back, {1, 2, 1}), scoreOne(m, {1, 2, 1}));
  EXPECT_EQ(scoreOne(back, {3}), scoreOne(m, {3}));
  std::filesystem::remove(path);
  try {
    Sknn bad(config(5, -1, SknnConfig::Similarity::Cosine));
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "sknn: sample_size must be >= 0 (0 = all), got -1");
  }
}

}  // namespace
}  // namespace reclab::models
