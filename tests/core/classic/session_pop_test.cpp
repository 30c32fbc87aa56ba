#include "models/classic/session_pop.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "classic_test_data.h"
#include "common/errors.h"
#include "models/classic/s_pop.h"
#include "session_test_data.h"

namespace reclab::models {
namespace {

using sessiontest::fitAll;
using sessiontest::makeSessionLog;
using sessiontest::scoreOne;

// Training sessions [0,1,1], [1,2], [3] over 5 items: clicks p = (1, 3, 1, 1, 0), P = 3.
const std::vector<std::vector<int>> kTrain{{0, 1, 1}, {1, 2}, {3}};

TEST(SessionPop, ScoresAreTrainingClickCountsForEveryPrefix) {
  const auto log = makeSessionLog(kTrain, 5);
  SessionPop pop;
  fitAll(pop, log);
  EXPECT_EQ(pop.numItems(), 5);
  EXPECT_EQ(scoreOne(pop, {4}), (std::vector<float>{1, 3, 1, 1, 0}));
  EXPECT_EQ(scoreOne(pop, {0, 2}), (std::vector<float>{1, 3, 1, 1, 0}));
}

TEST(SPop, PrefixCountsFirstThenPopularity) {
  // Popularity term p / (P + 1) = p / 4 = (0.25, 0.75, 0.25, 0.25, 0).
  // Prefix [2, 0, 2]: counts c = (1, 0, 2, 0, 0) ->
  //   scores (1.25, 0.75, 2.25, 0.25, 0): ranking 2, 0, 1, 3, 4.
  // Prefix [4]: (0.25, 0.75, 0.25, 0.25, 1): the never-trained item 4 of the session ranks
  //   first, then the most popular item 1.
  const auto log = makeSessionLog(kTrain, 5);
  SPop spop;
  fitAll(spop, log);
  const auto a = scoreOne(spop, {2, 0, 2});
  const std::vector<float> wantA{1.25f, 0.75f, 2.25f, 0.25f, 0.0f};
  for (int i = 0; i < 5; ++i) EXPECT_FLOAT_EQ(a[i], wantA[i]) << "item " << i;
  const auto b = scoreOne(spop, {4});
  const std::vector<float> wantB{0.25f, 0.75f, 0.25f, 0.25f, 1.0f};
  for (int i = 0; i < 5; ++i) EXPECT_FLOAT_EQ(b[i], wantB[i]) << "item " << i;
}

TEST(SPop, SaveLoadKeepsScores) {
  const auto log = makeSessionLog(kTrain, 5);
  SPop spop;
  SessionPop pop;
  fitAll(spop, log);
  fitAll(pop, log);
  const auto p1 = classictest::tempPath("s_pop.bin"), p2 = classictest::tempPath("pop.bin");
  spop.save(p1);
  pop.save(p2);
  SPop spop2;
  SessionPop pop2;
  spop2.load(p1);
  pop2.load(p2);
  EXPECT_EQ(scoreOne(spop2, {2, 0, 2}), scoreOne(spop, {2, 0, 2}));
  EXPECT_EQ(scoreOne(pop2, {1}), scoreOne(pop, {1}));
  EXPECT_THROW(spop2.load(p2), InputError);  // a POP file is not an S-POP file
  std::filesystem::remove(p1);
  std::filesystem::remove(p2);
}

TEST(SessionPop, NeedsASessionColumn) {
  const auto log = classictest::makeLog(2, 3, {{0, 1}, {1, 2}});
  SessionPop pop;
  EXPECT_THROW(classictest::fitAll(pop, log), InputError);
}

}  // namespace
}  // namespace reclab::models
