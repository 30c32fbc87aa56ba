// Session preprocessing on hand-built sessions: each filter's surviving rows, statistics
// fitted on training rows only, the SR-GNN classic filter and the order of application.

#include "split/session_preprocess.h"

#include <gtest/gtest.h>

#include "common/errors.h"

namespace reclab::split {
namespace {

using Rows = std::vector<std::uint32_t>;

struct Click {
  std::int32_t session;
  std::int32_t item;
  std::int64_t minute;
  bool buy = false;
};

data::InteractionLog makeLog(const std::vector<Click>& clicks) {
  data::InteractionLog log;
  log.internEvent(data::event_names::kClick);
  log.internEvent(data::event_names::kBuy);
  std::int32_t maxSession = -1, maxItem = -1;
  for (const auto& c : clicks) {
    maxSession = std::max(maxSession, c.session);
    maxItem = std::max(maxItem, c.item);
  }
  for (std::int32_t s = 0; s <= maxSession; ++s) log.sessions.internInt(s);
  for (std::int32_t i = 0; i <= maxItem; ++i) log.items.internInt(i);
  for (const auto& c : clicks) {
    log.session.push_back(c.session);
    log.item.push_back(c.item);
    log.event.push_back(c.buy ? 1 : 0);
    log.timestamp.push_back(1'500'000'000'000LL + c.minute * 60'000LL);
  }
  return log;
}

Rows allRows(const data::InteractionLog& log) {
  Rows r(log.numRows());
  for (std::uint32_t i = 0; i < r.size(); ++i) r[i] = i;
  return r;
}

TEST(Dedup, ConsecutiveRepeatsWithinASessionAreDropped) {
  // row: session item minute     s0: 1 1 2 1 1 (rows 0,1,2,3,5; row 4 is s1)
  const auto log = makeLog({{0, 1, 0},
                            {0, 1, 1},
                            {0, 2, 2},
                            {0, 1, 3},
                            {1, 1, 0},
                            {0, 1, 4},
                            // s2 in file order 7, 6: time order is item 3 (row 7) then 3 (row 6)
                            {2, 3, 9},
                            {2, 3, 8},
                            // s3: click 4, buy 4, click 4: the buy is kept, the click repeat not
                            {3, 4, 0},
                            {3, 4, 1, true},
                            {3, 4, 2}});
  EXPECT_EQ(dropConsecutiveRepeats(log, allRows(log)), (Rows{0, 2, 3, 4, 7, 8, 9}));
  // Within the given rows only: without row 2, rows 0, 1, 3, 5 of s0 are one run of item 1.
  EXPECT_EQ(dropConsecutiveRepeats(log, Rows{0, 1, 3, 5}), (Rows{0}));
}

TEST(SessionLengthFilter, CountsClicksOfTheFittedRowsOnly) {
  // s0: 3 clicks; s1: 1 click + 1 buy; s2: 2 clicks, one of them a test row.
  const auto log =
      makeLog({{0, 1, 0}, {0, 2, 1}, {0, 3, 2}, {1, 1, 0}, {1, 1, 1, true}, {2, 5, 0}, {2, 6, 1}});
  LeakageGuard guard;
  SessionLengthFilter filter(2);
  const Rows train = {0, 1, 2, 3, 4, 5};
  filter.fit(log, train, guard);
  EXPECT_EQ(filter.length(0), 3u);
  EXPECT_EQ(filter.length(1), 1u);  // buys do not count
  EXPECT_EQ(filter.length(2), 1u);  // row 6 is not a training row
  EXPECT_EQ(filter.numKept(), 1u);
  EXPECT_EQ(filter.apply(log, train), (Rows{0, 1, 2}));
  Split s;
  s.train = train;
  s.test = {6};
  EXPECT_NO_THROW(guard.check(s));
  ASSERT_EQ(guard.records().size(), 1u);
  EXPECT_EQ(guard.records()[0].statistic, "session_min_length");
  try {
    SessionLengthFilter bad(0);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "session_min_length: min_length must be >= 1, got 0");
  }
}

TEST(SessionPreprocess, OrderIsDedupThenItemSupportThenSessionLength) {
  // s0: 5 5 6 (dedup -> 5 6); s1: 5 6 6 (-> 5 6); s2: 6 9 (9 is rare -> 6, length 1);
  // s3 (test): 9 9 9 9 9 would lift item 9 above the support if test rows counted.
  const auto log = makeLog({{0, 5, 0},
                            {0, 5, 1},
                            {0, 6, 2},
                            {1, 5, 0},
                            {1, 6, 1},
                            {1, 6, 2},
                            {2, 6, 0},
                            {2, 9, 1},
                            {3, 9, 0},
                            {3, 9, 1},
                            {3, 9, 2},
                            {3, 9, 3},
                            {3, 9, 4}});
  Split s;
  s.train = {0, 1, 2, 3, 4, 5, 6, 7};
  s.test = {8, 9, 10, 11, 12};
  SessionPreprocessConfig config;
  config.dedup = DedupMode::Consecutive;
  config.minItemSupport = 2;
  config.minSessionLength = 2;
  LeakageGuard guard;
  const auto out = preprocessSplit(log, config, s, guard);
  // dedup: train 0 2 3 4 6 7 (rows 1 and 5 go), test 8 (the repeats of 9 go).
  // item support over deduplicated training rows: 5 -> 2, 6 -> 3, 9 -> 1: row 7 goes.
  // session length: s2 keeps 1 click (row 6) and goes.
  EXPECT_EQ(s.train, (Rows{0, 2, 3, 4}));
  EXPECT_EQ(s.test, (Rows{8}));
  EXPECT_FALSE(out.leaky);
  ASSERT_EQ(out.messages.size(), 3u);
  EXPECT_EQ(out.messages[0], "dedup consecutive: dropped 6 repeated clicks");
  EXPECT_EQ(out.messages[1], "min_item_support 2: kept 5 of 6 training rows (2 items)");
  EXPECT_EQ(out.messages[2], "min_session_length 2: kept 4 of 5 training rows (2 sessions)");
  // Both statistics were fitted on training rows only.
  ASSERT_EQ(guard.records().size(), 2u);
  EXPECT_EQ(guard.records()[0].statistic, "item_min_support");
  EXPECT_EQ(guard.records()[1].statistic, "session_min_length");
  EXPECT_NO_THROW(guard.check(s));
}

TEST(SessionPreprocess, TrainingStatisticsIgnoreTestClicks) {
  // Item 7: 2 training clicks (s0, s1) and 4 test clicks (s3); item 8: 4 training clicks.
  const auto log = makeLog({{0, 7, 0},
                            {0, 8, 1},
                            {1, 7, 0},
                            {1, 8, 1},
                            {2, 8, 0},
                            {2, 8, 1},
                            {3, 7, 0},
                            {3, 7, 1},
                            {3, 7, 2},
                            {3, 7, 3}});
  Split withTest;
  withTest.train = {0, 1, 2, 3, 4, 5};
  withTest.test = {6, 7, 8, 9};
  Split withoutTest = withTest;
  withoutTest.test.clear();
  SessionPreprocessConfig config;
  config.minItemSupport = 3;
  LeakageGuard g1, g2;
  preprocessSplit(log, config, withTest, g1);
  preprocessSplit(log, config, withoutTest, g2);
  EXPECT_EQ(withTest.train, (Rows{1, 3, 4, 5}));  // item 7's training rows go
  EXPECT_EQ(withTest.train, withoutTest.train);
  EXPECT_EQ(withTest.test, (Rows{6, 7, 8, 9}));  // test rows untouched by training statistics
}

TEST(ClassicSrgnn, PublishedOrderOnePass) {
  // s0: 1 click (item 0)                      -> step 1 drops it
  // s1..s5: items 1, 2 (item 1: 5 clicks, item 2: 5 clicks) -> kept
  // s6: items 3, 1 -> item 3 has 1 click and is removed, s6 = {1} -> step 3 drops s6
  //     (item 1 was counted with s6's click: 6; counts are not recomputed, as the original)
  // s7: items 4 4 4 4 and a buy of 0 -> item 4 has 4 clicks < 5: s7 left empty -> dropped
  std::vector<Click> clicks = {{0, 0, 0}};
  for (int s = 1; s <= 5; ++s) {
    clicks.push_back({s, 1, 0});
    clicks.push_back({s, 2, 1});
  }
  clicks.push_back({6, 3, 0});
  clicks.push_back({6, 1, 1});
  for (int m = 0; m < 4; ++m) clicks.push_back({7, 4, m});
  clicks.push_back({7, 0, 5, true});
  const auto log = makeLog(clicks);
  ClassicSrgnnReport rep;
  const auto kept = classicSrgnnFilter(log, allRows(log), &rep);
  EXPECT_EQ(kept, (Rows{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}));
  EXPECT_EQ(rep.sessionsOfLengthOne, 1u);
  EXPECT_EQ(rep.rareItems, 2u);  // items 3 and 4 (item 0 was only in s0, dropped in step 1)
  EXPECT_EQ(rep.shortSessions, 2u);
  EXPECT_EQ(rep.rowsKept, 10u);
}

TEST(ClassicSrgnn, SeesTestRowsAndFlagsTheRunLeaky) {
  // Item 1: 3 training clicks + 2 test clicks = 5: kept only because test rows count.
  std::vector<Click> clicks;
  for (int s = 0; s < 3; ++s) {
    clicks.push_back({s, 1, 0});
    clicks.push_back({s, 2, 1});
  }
  for (int s = 3; s < 5; ++s) {
    clicks.push_back({s, 1, 0});
    clicks.push_back({s, 2, 1});
  }
  const auto log = makeLog(clicks);
  Split s;
  s.train = {0, 1, 2, 3, 4, 5};
  s.test = {6, 7, 8, 9};
  SessionPreprocessConfig config;
  config.classicSrgnn = true;
  LeakageGuard guard;
  const auto out = preprocessSplit(log, config, s, guard);
  EXPECT_TRUE(out.leaky);
  EXPECT_EQ(s.train, (Rows{0, 1, 2, 3, 4, 5}));
  EXPECT_EQ(s.test, (Rows{6, 7, 8, 9}));
  // The same filter over the training rows alone drops everything: the counts leaked.
  EXPECT_TRUE(classicSrgnnFilter(log, s.train).empty());
  EXPECT_TRUE(guard.records().empty());  // not a training statistic: flagged instead
}

TEST(SessionPreprocess, ErrorsNameTheProblem) {
  data::InteractionLog noSessions;
  noSessions.items.internInt(1);
  noSessions.item = {0, 0};
  Split s;
  s.train = {0, 1};
  SessionPreprocessConfig config;
  config.dedup = DedupMode::Consecutive;
  LeakageGuard guard;
  try {
    preprocessSplit(noSessions, config, s, guard);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(),
                 "preprocess.dedup needs a session column and the dataset has none (sessionise "
                 "it with dataset.session_gap_minutes, or use a session format)");
  }
  config = SessionPreprocessConfig::defaults();
  config.minSessionLength = -1;
  EXPECT_THROW(config.validate(), InputError);
  EXPECT_EQ(parseDedupMode("consecutive"), DedupMode::Consecutive);
  try {
    parseDedupMode("all");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "dedup must be 'off' or 'consecutive', got 'all'");
  }
  // Nothing left to train on is an error, not an empty model.
  const auto log = makeLog({{0, 1, 0}, {1, 2, 0}});
  Split one;
  one.train = {0, 1};
  SessionPreprocessConfig strict;
  strict.minSessionLength = 2;
  LeakageGuard g;
  EXPECT_THROW(preprocessSplit(log, strict, one, g), InputError);
}

}  // namespace
}  // namespace reclab::split
