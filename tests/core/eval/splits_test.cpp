#include "split/splits.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "common/errors.h"

namespace reclab::split {
namespace {

data::InteractionLog makeLog(std::size_t n) {
  data::InteractionLog log;
  for (std::size_t r = 0; r < n; ++r) {
    log.item.push_back(log.items.internInt(static_cast<std::int64_t>(r % 7)));
    log.timestamp.push_back(static_cast<std::int64_t>(1000 * ((r * 37) % n)));
  }
  return log;
}

TEST(RandomSplit, SizesAreExactAndDisjoint) {
  auto log = makeLog(1000);
  auto s = randomSplit(log, 0.2, 0.1, 42);
  EXPECT_EQ(s.test.size(), 200u);
  EXPECT_EQ(s.valid.size(), 80u);
  EXPECT_EQ(s.train.size(), 720u);
  EXPECT_NO_THROW(checkDisjoint(s));
  std::set<std::uint32_t> all(s.train.begin(), s.train.end());
  all.insert(s.test.begin(), s.test.end());
  all.insert(s.valid.begin(), s.valid.end());
  EXPECT_EQ(all.size(), 1000u);
}

TEST(RandomSplit, DeterministicFromSeed) {
  auto log = makeLog(500);
  EXPECT_EQ(randomSplit(log, 0.3, 0, 7).test, randomSplit(log, 0.3, 0, 7).test);
  EXPECT_NE(randomSplit(log, 0.3, 0, 7).test, randomSplit(log, 0.3, 0, 8).test);
}

TEST(KFold, FoldsPartitionTheRows) {
  auto log = makeLog(103);
  std::vector<int> seen(103, 0);
  for (int f = 0; f < 5; ++f) {
    auto s = kfoldSplit(log, 5, f, 0, 3);
    EXPECT_NO_THROW(checkDisjoint(s));
    EXPECT_EQ(s.train.size() + s.test.size(), 103u);
    for (auto r : s.test) ++seen[r];
  }
  EXPECT_TRUE(std::all_of(seen.begin(), seen.end(), [](int c) { return c == 1; }));
}

TEST(TemporalSplit, TestRowsAreTheLatest) {
  auto log = makeLog(100);
  auto s = temporalSplit(log, 0.25, 0, 0);
  std::int64_t latestTrain = 0, earliestTest = INT64_MAX;
  for (auto r : s.train) latestTrain = std::max(latestTrain, log.timestamp[r]);
  for (auto r : s.test) earliestTest = std::min(earliestTest, log.timestamp[r]);
  EXPECT_EQ(s.test.size(), 25u);
  EXPECT_LT(latestTrain, earliestTest);
}

TEST(Splits, RejectBadParameters) {
  auto log = makeLog(10);
  EXPECT_THROW(randomSplit(log, 1.0, 0, 0), InputError);
  EXPECT_THROW(randomSplit(log, 0.0, 0, 0), InputError);
  EXPECT_THROW(kfoldSplit(log, 1, 0, 0, 0), InputError);
  EXPECT_THROW(kfoldSplit(log, 5, 5, 0, 0), InputError);
}

TEST(LeakageGuard, CatchesAPlantedOverlap) {
  Split s;
  s.train = {1, 2, 3};
  s.test = {3, 4};
  try {
    checkDisjoint(s);
    FAIL() << "overlap not detected";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("train and test"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("row 3"), std::string::npos);
  }
}

}  // namespace
}  // namespace reclab::split
