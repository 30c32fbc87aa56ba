#include "split/cold_start.h"

#include <gtest/gtest.h>

#include "common/errors.h"

namespace reclab::split {
namespace {

using Rows = std::vector<std::uint32_t>;

/// train:  0 u0 i0 | 1 u0 i1 | 2 u1 i1 | 3 u1 i2          -> users {0,1}, items {0,1,2}
/// test:   4 u2 i0 cold user        5 u0 i3 cold item
///         6 u3 i4 both unseen -> cold user
///         7 u1 i0 warm             8 u0 i2 warm           9 u1 i4 cold item
/// valid: 10 u2 i3 (validation does not make u2 / i3 "seen")
data::InteractionLog makeLog() {
  const std::int32_t users[] = {0, 0, 1, 1, 2, 0, 3, 1, 0, 1, 2};
  const std::int32_t items[] = {0, 1, 1, 2, 0, 3, 4, 0, 2, 4, 3};
  data::InteractionLog log;
  for (int u = 0; u < 4; ++u) log.users.internInt(u);
  for (int i = 0; i < 5; ++i) log.items.internInt(i);
  for (std::size_t r = 0; r < 11; ++r) {
    log.user.push_back(users[r]);
    log.item.push_back(items[r]);
  }
  return log;
}

Split makeSplit() {
  Split s;
  s.train = {0, 1, 2, 3};
  s.test = {4, 5, 6, 7, 8, 9};
  s.valid = {10};
  return s;
}

TEST(ColdStart, PartitionsTestRowsByUnseenUserThenItem) {
  const auto p = partitionColdStart(makeLog(), makeSplit());
  EXPECT_EQ(p.coldUser, (Rows{4, 6}));
  EXPECT_EQ(p.coldItem, (Rows{5, 9}));
  EXPECT_EQ(p.warm, (Rows{7, 8}));
}

TEST(ColdStart, SeenMeansSeenInTheGivenTrainingRows) {
  // Training on rows 0..3 plus 4 (u2 i0) and 5 (u0 i3): u2 and i3 become seen.
  const auto p = partitionColdStart(makeLog(), Rows{0, 1, 2, 3, 4, 5}, Rows{9, 6, 10, 7, 8});
  EXPECT_EQ(p.coldUser, (Rows{6}));
  EXPECT_EQ(p.coldItem, (Rows{9}));
  EXPECT_EQ(p.warm, (Rows{7, 8, 10}));  // input order does not matter, output is ascending
}

TEST(ColdStart, WithoutUsersPartitionsByItemOnly) {
  auto log = makeLog();
  log.user.clear();
  const auto p = partitionColdStart(log, makeSplit());
  EXPECT_TRUE(p.coldUser.empty());
  EXPECT_EQ(p.coldItem, (Rows{5, 6, 9}));
  EXPECT_EQ(p.warm, (Rows{4, 7, 8}));
}

TEST(ColdStart, RejectsRowsOutsideTheLog) {
  auto s = makeSplit();
  s.test.push_back(11);
  try {
    partitionColdStart(makeLog(), s);
    FAIL() << "row 11 accepted";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()),
              "cold_start: test row 11 is out of range (the log has 11 rows)");
  }
}

}  // namespace
}  // namespace reclab::split
