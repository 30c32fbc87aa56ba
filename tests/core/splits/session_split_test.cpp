#include "split/session_split.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "common/errors.h"

namespace reclab::split {
namespace {

using Rows = std::vector<std::uint32_t>;

/// row: session, day, item         last event per session (days):
///  0: s0 0.0  i0    6: s3 8.0  i0   s0 0.5   s3 9.0 (exactly on a 1-day cut)
///  1: s0 0.5  i1    7: s3 9.0  i9   s1 8.2   s4 10.0 (the log's latest)
///  2: s1 1.0  i2    8: s4 10.0 i1   s2 2.1   s5 8.9
///  3: s2 2.0  i0    9: s4 9.9  i2
///  4: s1 8.2  i3   10: s5 7.5  i2
///  5: s2 2.1  i1   11: s5 8.9  i8
data::InteractionLog makeLog() {
  const std::int32_t sessions[] = {0, 0, 1, 2, 1, 2, 3, 3, 4, 4, 5, 5};
  const double days[] = {0.0, 0.5, 1.0, 2.0, 8.2, 2.1, 8.0, 9.0, 10.0, 9.9, 7.5, 8.9};
  const std::int32_t items[] = {0, 1, 2, 0, 3, 1, 0, 9, 1, 2, 2, 8};
  data::InteractionLog log;
  for (int s = 0; s < 6; ++s) log.sessions.internInt(s);
  for (int i = 0; i < 10; ++i) log.items.internInt(i);
  for (std::size_t r = 0; r < 12; ++r) {
    log.session.push_back(sessions[r]);
    log.item.push_back(items[r]);
    // An arbitrary epoch offset: the cut is relative to the log's own latest event.
    log.timestamp.push_back(1'600'000'000'000LL + std::llround(days[r] * 86'400'000.0));
  }
  return log;
}

std::string errorOf(const data::InteractionLog& log, const SessionSplitConfig& c) {
  try {
    sessionTimeSplit(log, c);
  } catch (const InputError& e) {
    return e.what();
  }
  return "no error";
}

TEST(SessionSplit, SessionsEndingInTheLastDayAreTest) {
  const auto s = sessionTimeSplit(makeLog(), SessionSplitConfig{});
  // s3 ends exactly at T - 1 day (inclusive, as session-rec) and goes to test whole,
  // although its first event is before the cut; s5 ends at 8.9 < 9.0 and is train.
  EXPECT_EQ(s.test, (Rows{6, 7, 8, 9}));
  EXPECT_EQ(s.train, (Rows{0, 1, 2, 3, 4, 5, 10, 11}));
  EXPECT_TRUE(s.valid.empty());
}

TEST(SessionSplit, LongerWindowTakesMoreSessions) {
  SessionSplitConfig c;
  c.testDays = 1.85;  // cut at 8.15: s1 (8.2) and s5 (8.9) join s3, s4
  const auto s = sessionTimeSplit(makeLog(), c);
  EXPECT_EQ(s.test, (Rows{2, 4, 6, 7, 8, 9, 10, 11}));
  EXPECT_EQ(s.train, (Rows{0, 1, 3, 5}));
}

TEST(SessionSplit, ValidationIsCarvedFromTheEndOfTraining) {
  SessionSplitConfig c;
  c.validDays = 1.0;  // training ends at 8.9 (s5): cut at 7.9 takes s1 (8.2) and s5
  const auto s = sessionTimeSplit(makeLog(), c);
  EXPECT_EQ(s.test, (Rows{6, 7, 8, 9}));
  EXPECT_EQ(s.valid, (Rows{2, 4, 10, 11}));
  EXPECT_EQ(s.train, (Rows{0, 1, 3, 5}));
  EXPECT_NO_THROW(checkDisjoint(s));
}

TEST(SessionSplit, SessionRecPostFilters) {
  SessionSplitConfig c;
  c.dropUnseenTestItems = true;  // training items are {0, 1, 2, 3, 8}: row 7 (i9) goes
  auto s = sessionTimeSplit(makeLog(), c);
  EXPECT_EQ(s.test, (Rows{6, 8, 9}));
  c.minTestSessionLength = 2;  // s3 is left with one row (6) and is dropped
  s = sessionTimeSplit(makeLog(), c);
  EXPECT_EQ(s.test, (Rows{8, 9}));
  EXPECT_EQ(s.train, (Rows{0, 1, 2, 3, 4, 5, 10, 11}));
}

TEST(SessionSplit, RejectsBadParametersAndMissingColumns) {
  const auto log = makeLog();
  SessionSplitConfig c;
  c.testDays = 0;
  EXPECT_EQ(errorOf(log, c), "session_split: test_days must be > 0, got 0");
  c = {};
  c.validDays = -1;
  EXPECT_EQ(errorOf(log, c), "session_split: valid_days must be >= 0, got -1");
  c = {};
  c.minTestSessionLength = 0;
  EXPECT_EQ(errorOf(log, c), "session_split: min_test_session_length must be >= 1, got 0");
  c = {};
  c.testDays = 11;
  EXPECT_EQ(errorOf(log, c),
            "session_split: test_days = 11 puts every session in test (the log spans 10 days)");
  c = {};
  c.validDays = 9;
  EXPECT_EQ(errorOf(log, c),
            "session_split: valid_days = 9 puts every training session in validation");

  auto noSession = log;
  noSession.session.clear();
  EXPECT_EQ(errorOf(noSession, {}), "session_split: the log has no session column");
  auto noTime = log;
  noTime.timestamp.clear();
  EXPECT_EQ(errorOf(noTime, {}), "session_split: the log has no timestamp column");
}

TEST(RandomSessionSplit, WholeSessionsInTheRatiosSeeded) {
  // 10 sessions of 1..10 rows: 2 test, 2 validation, 6 training sessions (the thesis' 60/20/20).
  data::InteractionLog log;
  for (int s = 0; s < 10; ++s) log.sessions.internInt(s);
  log.items.internInt(0);
  for (int s = 0; s < 10; ++s) {
    for (int k = 0; k <= s; ++k) {
      log.session.push_back(s);
      log.item.push_back(0);
    }
  }
  auto split = randomSessionSplit(log, 0.2, 0.2, 7);
  auto sessionsOf = [&](const Rows& rows) {
    std::set<std::int32_t> out;
    for (auto r : rows) out.insert(log.session[r]);
    return out;
  };
  const auto train = sessionsOf(split.train), valid = sessionsOf(split.valid),
             test = sessionsOf(split.test);
  EXPECT_EQ(test.size(), 2u);
  EXPECT_EQ(valid.size(), 2u);
  EXPECT_EQ(train.size(), 6u);
  // Every row of a session is in its session's part; the parts cover the log.
  EXPECT_EQ(split.train.size() + split.valid.size() + split.test.size(), log.numRows());
  for (auto s : test) EXPECT_FALSE(train.count(s) || valid.count(s));
  for (auto s : valid) EXPECT_FALSE(train.count(s));
  EXPECT_TRUE(std::is_sorted(split.test.begin(), split.test.end()));
  // Seeded: the same seed gives the same parts, another seed (almost surely) others.
  EXPECT_EQ(randomSessionSplit(log, 0.2, 0.2, 7).test, split.test);
  bool differs = false;
  for (std::uint64_t seed = 8; seed < 12; ++seed) differs = differs || randomSessionSplit(log, 0.2, 0.2, seed).test != split.test;
  EXPECT_TRUE(differs);
  try {
    randomSessionSplit(log, 0.6, 0.5, 1);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("test_ratio + valid_ratio < 1"), std::string::npos);
  }
}

}  // namespace
}  // namespace reclab::split
