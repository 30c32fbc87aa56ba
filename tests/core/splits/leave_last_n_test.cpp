#include "split/leave_last_n.h"

#include <gtest/gtest.h>

#include "common/errors.h"

namespace reclab::split {
namespace {

using Rows = std::vector<std::uint32_t>;

/// row: user, timestamp
///  0: u0 50   1: u1 10   2: u0 10   3: u0 30   4: u1 20
///  5: u2  5   6: u0 30   7: u1  5   8: u3  1   9: u3  2
/// By time (ties by row): u0 = 2,3,6,0   u1 = 7,1,4   u2 = 5   u3 = 8,9
data::InteractionLog makeLog() {
  const std::int32_t users[] = {0, 1, 0, 0, 1, 2, 0, 1, 3, 3};
  const std::int64_t times[] = {50, 10, 10, 30, 20, 5, 30, 5, 1, 2};
  data::InteractionLog log;
  for (int u = 0; u < 4; ++u) log.users.internInt(u);
  for (std::size_t r = 0; r < 10; ++r) {
    log.user.push_back(users[r]);
    log.item.push_back(log.items.internInt(static_cast<std::int64_t>(r)));
    log.timestamp.push_back(times[r]);
  }
  return log;
}

std::string errorOf(const data::InteractionLog& log, const LeaveLastNConfig& c) {
  try {
    leaveLastNSplit(log, c);
  } catch (const InputError& e) {
    return e.what();
  }
  return "no error";
}

TEST(LeaveLastN, LeaveOneOutTakesEachUsersLatestRow) {
  const auto s = leaveLastNSplit(makeLog(), LeaveLastNConfig{});
  EXPECT_EQ(s.test, (Rows{0, 4, 9}));  // u2 has a single row and stays in train
  EXPECT_EQ(s.train, (Rows{1, 2, 3, 5, 6, 7, 8}));
  EXPECT_TRUE(s.valid.empty());
}

TEST(LeaveLastN, TiesAreBrokenByRowIndex) {
  // u0's rows 3 and 6 share timestamp 30: row 6 counts as the later one.
  LeaveLastNConfig c;
  c.n = 2;
  const auto s = leaveLastNSplit(makeLog(), c);
  // u0 -> {6, 0}; u1 (3 rows) -> {1, 4}; u3 has only 2 rows = n and stays in train.
  EXPECT_EQ(s.test, (Rows{0, 1, 4, 6}));
  EXPECT_EQ(s.train, (Rows{2, 3, 5, 7, 8, 9}));
}

TEST(LeaveLastN, MinTrainRowsZeroLetsSmallUsersGoEntirelyToTest) {
  LeaveLastNConfig c;
  c.n = 2;
  c.minTrainRows = 0;
  const auto s = leaveLastNSplit(makeLog(), c);
  // u3 (exactly 2 rows) goes wholly to test; u2 (1 row < n) still stays in train.
  EXPECT_EQ(s.test, (Rows{0, 1, 4, 6, 8, 9}));
  EXPECT_EQ(s.train, (Rows{2, 3, 5, 7}));
}

TEST(LeaveLastN, MinTrainRowsThreeKeepsShortUsersInTrain) {
  LeaveLastNConfig c;
  c.minTrainRows = 3;  // only u0 (4 rows) has n + 3 rows
  const auto s = leaveLastNSplit(makeLog(), c);
  EXPECT_EQ(s.test, (Rows{0}));
  EXPECT_EQ(s.train.size(), 9u);
}

TEST(LeaveLastN, ValidationIsTheNextLatestRow) {
  LeaveLastNConfig c;
  c.validN = 1;
  const auto s = leaveLastNSplit(makeLog(), c);
  EXPECT_EQ(s.test, (Rows{0, 4, 9}));
  // u0 -> 6 (the later of the tie), u1 -> 1; u3 would be left with no training row.
  EXPECT_EQ(s.valid, (Rows{1, 6}));
  EXPECT_EQ(s.train, (Rows{2, 3, 5, 7, 8}));
  EXPECT_NO_THROW(checkDisjoint(s));
}

TEST(LeaveLastN, SameLogSameSplit) {
  LeaveLastNConfig c;
  c.validN = 1;
  const auto a = leaveLastNSplit(makeLog(), c);
  const auto b = leaveLastNSplit(makeLog(), c);
  EXPECT_EQ(a.train, b.train);
  EXPECT_EQ(a.valid, b.valid);
  EXPECT_EQ(a.test, b.test);
}

TEST(LeaveLastN, RejectsBadParametersAndMissingColumns) {
  const auto log = makeLog();
  LeaveLastNConfig c;
  c.n = 0;
  EXPECT_EQ(errorOf(log, c), "leave_last_n: n must be >= 1, got 0");
  c = {};
  c.validN = -1;
  EXPECT_EQ(errorOf(log, c), "leave_last_n: valid_n must be >= 0, got -1");
  c = {};
  c.minTrainRows = -2;
  EXPECT_EQ(errorOf(log, c), "leave_last_n: min_train_rows must be >= 0, got -2");

  auto noTime = log;
  noTime.timestamp.clear();
  EXPECT_NE(errorOf(noTime, {}).find("no timestamp column"), std::string::npos);
  auto noUser = log;
  noUser.user.clear();
  EXPECT_NE(errorOf(noUser, {}).find("no user column"), std::string::npos);
}

}  // namespace
}  // namespace reclab::split
