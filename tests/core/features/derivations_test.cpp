// Each derivation on the hand-built log of feature_test_log.h, against hand-computed values.

#include "features/derivations.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "common/errors.h"
#include "feature_test_log.h"

namespace reclab::features {
namespace {

using testing::derived;
using testing::kMonday;
using testing::makeFeatureLog;
using testing::spec;

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

/// Raw values of one derivation (identity-encoded: numeric) for every row.
std::vector<float> numericOf(const data::InteractionLog& log, const std::string& from,
                             double gapMinutes = 30) {
  FeatureConfig c;
  c.sessionGapMinutes = gapMinutes;
  c.attributes = {derived(from)};
  auto raw = deriveRaw(c, log, StopToken());
  EXPECT_FALSE(raw.columns.at(0).categorical);
  return raw.columns.at(0).numeric;
}

/// Raw values of one index-encoded attribute as text ("" for missing).
std::vector<std::string> keysOf(const data::InteractionLog& log, const AttributeSpec& a) {
  FeatureConfig c;
  c.attributes = {a};
  auto raw = deriveRaw(c, log, StopToken());
  const RawColumn& col = raw.columns.at(0);
  EXPECT_TRUE(col.categorical);
  std::vector<std::string> out;
  for (auto code : col.codes) out.push_back(code < 0 ? "" : col.keyOf(code));
  return out;
}

void expectValues(const std::vector<float>& got, const std::vector<float>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t r = 0; r < got.size(); ++r) {
    if (std::isnan(want[r])) {
      EXPECT_TRUE(std::isnan(got[r])) << "row " << r << ": " << got[r];
    } else {
      EXPECT_FLOAT_EQ(got[r], want[r]) << "row " << r;
    }
  }
}

TEST(Derivations, ListsSeventeenNames) {
  const auto names = derivationNames();
  EXPECT_EQ(names.size(), 17u);
  EXPECT_EQ(names.front(), "timestamp");
  EXPECT_EQ(names.back(), "item_popularity_so_far");
}

TEST(Derivations, ClockOfKnownTimestamps) {
  const auto log = makeFeatureLog();
  // r4 is Mon 10:20:00, r5 Mon 11:00, r7 Tue 23:59:59, r8 Sun 00:00:00.
  expectValues(numericOf(log, "hour"), {10, 10, 10, 10, 10, 11, 10, 23, 0, 10});
  expectValues(numericOf(log, "day_of_week"), {0, 0, 0, 0, 0, 0, 0, 1, 6, 0});
  const auto ts = numericOf(log, "timestamp");
  EXPECT_EQ(ts[0], static_cast<float>(kMonday + 36000));
  EXPECT_EQ(ts[8], static_cast<float>(kMonday + 518400));
}

TEST(Derivations, DayOfWeekBeforeTheEpoch) {
  data::InteractionLog log;
  log.items.intern("i");
  log.item = {0, 0};
  // 1969-12-31 23:00 UTC was a Wednesday; 1970-01-01 00:00 a Thursday.
  log.timestamp = {-3'600'000, 0};
  expectValues(numericOf(log, "day_of_week"), {2, 3});
  expectValues(numericOf(log, "hour"), {23, 0});
}

TEST(Derivations, ItemAndUserProperties) {
  const auto log = makeFeatureLog();
  const float n = kNaN;
  // items per row: i1 i2 i1 i2 i2 i3 i2 i1 i1 i3; users: u1 u1 u2 u1 u1 u1 u2 u2 u1 u2.
  expectValues(numericOf(log, "price"), {10, n, 10, n, n, 100, n, 10, 10, 100});
  expectValues(numericOf(log, "age"), {30, 30, n, 30, 30, 30, n, n, 30, n});
  EXPECT_EQ(keysOf(log, derived("category", Encoder::Index)),
            (std::vector<std::string>{"A", "B", "A", "B", "B", "A", "B", "A", "A", "A"}));
  EXPECT_EQ(keysOf(log, derived("gender", Encoder::Index)),
            (std::vector<std::string>{"F", "F", "M", "F", "F", "F", "M", "M", "F", "M"}));
  // A number encoded as an index becomes a category written as text.
  EXPECT_EQ(keysOf(log, derived("available", Encoder::Index)),
            (std::vector<std::string>{"1", "0", "1", "0", "0", "", "0", "1", "1", ""}));
}

TEST(Derivations, TimeSincePreviousUsesOnlyStrictlyEarlierEvents) {
  const auto log = makeFeatureLog();
  const float n = kNaN;
  // u1 in time: r0 36000, r1 36300, r3 36300, r4 37200, r5 39600, r8 518400.
  // u2 in time: r2 36300, r6 38100, r9 38100, r7 172799. Ties share the earlier event.
  expectValues(numericOf(log, "time_since_previous"),
               {n, 300, n, 300, 900, 2400, 1800, 134699, 478800, 1800});
}

TEST(Derivations, CountsOfTheUsersEarlierEventsByType) {
  const auto log = makeFeatureLog();
  // u1 views at 36000 (r0), 36300 (r1), 39600 (r5); r3 (36300) sees only r0.
  expectValues(numericOf(log, "user_views_so_far"), {0, 1, 0, 1, 2, 2, 1, 3, 3, 1});
  // u1 add-to-cart r3 at 36300: counted from r4 (37200) on, not by r1 at the same time.
  expectValues(numericOf(log, "user_addtocarts_so_far"), {0, 0, 0, 0, 1, 1, 0, 0, 1, 0});
  // u1 transaction r4 at 37200: counted by r5 and r8.
  expectValues(numericOf(log, "user_transactions_so_far"), {0, 0, 0, 0, 0, 1, 0, 0, 1, 0});
}

TEST(Derivations, ItemPopularitySoFar) {
  const auto log = makeFeatureLog();
  // In time: r0 i1 | r1 i2, r2 i1, r3 i2 (36300) | r4 i2 | r6 i2, r9 i3 (38100) | r5 i3 |
  // r7 i1 | r8 i1.
  expectValues(numericOf(log, "item_popularity_so_far"), {0, 0, 1, 0, 2, 1, 3, 2, 3, 0});
}

TEST(Derivations, SessionsCutByTheInactivityGap) {
  const auto log = makeFeatureLog();
  // 30 min: u1 {r0 r1 r3 r4} {r5} {r8}; u2 {r2 r6 r9} (r6 exactly 30 min later) {r7}.
  expectValues(numericOf(log, "session_position"), {1, 2, 1, 3, 4, 1, 2, 1, 1, 3});
  expectValues(numericOf(log, "session_length"), {4, 4, 3, 4, 4, 1, 3, 1, 1, 3});
  expectValues(numericOf(log, "session_duration"),
               {1200, 1200, 1800, 1200, 1200, 0, 1800, 0, 0, 1800});
  const auto ids = keysOf(log, derived("session_id", Encoder::Index));
  const std::string s1 = "u1@" + std::to_string((kMonday + 36000) * 1000);
  const std::string s2 = "u2@" + std::to_string((kMonday + 36300) * 1000);
  EXPECT_EQ(ids[0], s1);
  EXPECT_EQ(ids[4], s1);
  EXPECT_EQ(ids[2], s2);
  EXPECT_EQ(ids[9], s2);
  EXPECT_EQ(ids[5], "u1@" + std::to_string((kMonday + 39600) * 1000));
  // 10 min: r4 (15 min after r3) and r6 (30 min after r2) start sessions of their own.
  expectValues(numericOf(log, "session_position", 10), {1, 2, 1, 3, 1, 1, 1, 1, 1, 2});
  expectValues(numericOf(log, "session_length", 10), {3, 3, 1, 3, 1, 1, 2, 1, 1, 2});
}

/// A Yoochoose-shaped log: sessions, no users; clicks and one buy.
data::InteractionLog sessionLog() {
  data::InteractionLog log;
  log.eventNames = {"click", "buy"};
  log.sessions.intern("100");
  log.sessions.intern("200");
  for (const char* i : {"a", "b", "c"}) log.items.intern(i);
  // s100: r0 a 0 s, r2 b 60 s, r3 (buy) b 60 s, r4 c 200 s; s200: r1 a 10 s.
  log.session = {0, 1, 0, 0, 0};
  log.item = {0, 0, 1, 1, 2};
  log.event = {0, 0, 0, 1, 0};
  log.timestamp = {0, 10'000, 60'000, 60'000, 200'000};
  log.validate();
  return log;
}

TEST(Derivations, SessionsFromTheLogsSessionColumn) {
  const auto log = sessionLog();
  expectValues(numericOf(log, "session_position"), {1, 1, 2, 3, 4});
  expectValues(numericOf(log, "session_length"), {4, 1, 4, 4, 4});
  expectValues(numericOf(log, "session_duration"), {200, 0, 200, 200, 200});
  EXPECT_EQ(keysOf(log, derived("session_id", Encoder::Index)),
            (std::vector<std::string>{"100", "200", "100", "100", "100"}));
  // Without users, the "so far" derivations follow the session.
  const float n = kNaN;
  expectValues(numericOf(log, "time_since_previous"), {n, n, 60, 60, 140});
  expectValues(numericOf(log, "user_views_so_far"), {0, 0, 1, 1, 2});
  expectValues(numericOf(log, "user_transactions_so_far"), {0, 0, 0, 0, 1});
}

TEST(Derivations, ColumnsAsRawValues) {
  const auto log = makeFeatureLog();
  EXPECT_EQ(keysOf(log, spec("u", Source::Column, "user", Encoder::Index))[2], "u2");
  EXPECT_EQ(keysOf(log, spec("i", Source::Column, "item", Encoder::Index))[5], "i3");
  EXPECT_EQ(keysOf(log, spec("e", Source::Column, "event", Encoder::Index))[4], "transaction");
}

TEST(Derivations, UnavailableDerivationsSayWhy) {
  const auto log = sessionLog();
  EXPECT_EQ(derivationUnavailable(derived("age"), log), "needs a user column; the log has none");
  EXPECT_EQ(derivationUnavailable(derived("user_addtocarts_so_far"), log),
            "needs event type 'addtocart'; the log's event types are: click, buy");
  EXPECT_EQ(derivationUnavailable(derived("price"), log),
            "needs the item property 'price'; the log has no such property");
  data::InteractionLog bare;
  bare.items.intern("x");
  bare.item = {0};
  EXPECT_EQ(derivationUnavailable(derived("hour"), bare), "needs timestamps; the log has none");
  EXPECT_EQ(derivationUnavailable(derived("session_length"), bare),
            "needs a session column, or users and timestamps to cut sessions by the inactivity "
            "gap; the log has neither");
  EXPECT_EQ(derivationUnavailable(derived("category"), makeFeatureLog()),
            "the item property 'category' is categorical; encoder 'identity' needs a number (use "
            "index)");
  EXPECT_EQ(derivationUnavailable(derived("category", Encoder::Index), makeFeatureLog()), "");
}

TEST(Derivations, StopsWhenAsked) {
  const auto log = makeFeatureLog();
  FeatureConfig c;
  c.attributes = {derived("hour")};
  StopToken stop;
  stop.requestStop();
  EXPECT_THROW(deriveRaw(c, log, stop), Cancelled);
}

}  // namespace
}  // namespace reclab::features
