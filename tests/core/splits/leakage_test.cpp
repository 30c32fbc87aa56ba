#include "split/leakage.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "common/errors.h"
#include "split/fitted_statistics.h"
#include "split/leave_last_n.h"

namespace reclab::split {
namespace {

using Rows = std::vector<std::uint32_t>;

/// 10 rows, items 0 0 0 1 1 2 | 1 2 2 3 ; rows 6..9 are test.
data::InteractionLog makeLog() {
  const std::int32_t items[] = {0, 0, 0, 1, 1, 2, 1, 2, 2, 3};
  const float values[] = {1, 2, 3, 4, 2, 3, 5, 5, 5, 5};
  data::InteractionLog log;
  for (int i = 0; i < 4; ++i) log.items.internInt(i);
  for (std::size_t r = 0; r < 10; ++r) {
    log.item.push_back(items[r]);
    log.value.push_back(values[r]);
  }
  return log;
}

Split makeSplit() {
  Split s;
  s.train = {0, 1, 2, 3, 4, 5};
  s.test = {6, 7, 8, 9};
  return s;
}

Rows range(std::uint32_t from, std::uint32_t to) {
  Rows r(to - from);
  std::iota(r.begin(), r.end(), from);
  return r;
}

std::string checkError(const LeakageGuard& g, const Split& s, bool allowValid = false) {
  try {
    g.check(s, allowValid);
  } catch (const InputError& e) {
    return e.what();
  }
  return "no error";
}

TEST(RowSet, CountsDistinctRowsAndFingerprintsIgnoreOrder) {
  const RowSet a(Rows{5, 1, 70, 1});
  EXPECT_EQ(a.count(), 3u);
  EXPECT_TRUE(a.contains(70));
  EXPECT_FALSE(a.contains(2));
  EXPECT_FALSE(a.contains(1'000'000));
  EXPECT_EQ(a.fingerprint(), fingerprintRows(Rows{1, 5, 70}));
  EXPECT_NE(a.fingerprint(), fingerprintRows(Rows{1, 5, 71}));
  const auto o = a.overlap(Rows{3, 70, 5, 9});
  EXPECT_EQ(o.count, 2u);
  EXPECT_EQ(o.first, 5u);
}

TEST(LeakageGuard, GroupsThousandsInMessages) {
  EXPECT_EQ(groupThousands(0), "0");
  EXPECT_EQ(groupThousands(999), "999");
  EXPECT_EQ(groupThousands(1234), "1,234");
  EXPECT_EQ(groupThousands(1234567), "1,234,567");
}

TEST(LeakageGuard, PassesFiltersFittedOnTrainingRowsOnly) {
  const auto log = makeLog();
  const auto s = makeSplit();
  LeakageGuard guard;
  ItemSupportFilter filter(2);
  filter.fit(log, s.train, guard);
  Standardiser norm;
  norm.fit(log, s.train, guard);
  EXPECT_EQ(guard.records().size(), 2u);
  EXPECT_NO_THROW(guard.check(s));
}

TEST(LeakageGuard, CatchesAFilterFittedOnTrainAndTest) {
  const auto log = makeLog();
  const auto s = makeSplit();
  LeakageGuard guard;
  ItemSupportFilter filter(2);
  filter.fit(log, range(0, 10), guard);  // the leak: support counted over every row
  // The leak matters: item 2 has support 1 in train but 3 with the test rows.
  EXPECT_TRUE(filter.keeps(2));
  EXPECT_EQ(checkError(guard, s),
            "leakage: statistic 'item_min_support' was fitted on 10 rows of which 4 are test "
            "rows (first: row 6)");
}

TEST(LeakageGuard, ReportsCountsWithThousandsSeparators) {
  Split s;
  s.test = range(100, 116);  // 16 rows
  s.test.insert(s.test.begin(), 42);
  s.train = range(0, 1300);
  std::erase_if(s.train, [&](std::uint32_t r) { return r == 42 || (r >= 100 && r < 116); });
  LeakageGuard guard;
  guard.record("item_min_support", range(0, 1234));
  EXPECT_EQ(checkError(guard, s),
            "leakage: statistic 'item_min_support' was fitted on 1,234 rows of which 17 are "
            "test rows (first: row 42)");
}

TEST(LeakageGuard, ValidationRowsAreALeakUnlessAllowed) {
  const auto log = makeLog();
  Split s = makeSplit();
  s.valid = {4, 5};
  s.train = {0, 1, 2, 3};
  LeakageGuard guard;
  Standardiser norm("rating_standardiser");
  norm.fit(log, range(0, 6), guard);  // train + validation
  EXPECT_EQ(checkError(guard, s),
            "leakage: statistic 'rating_standardiser' was fitted on 6 rows of which 2 are "
            "validation rows (first: row 4)");
  EXPECT_EQ(checkError(guard, s, true), "no error");
}

TEST(LeakageGuard, CheckAlsoChecksTheSplitsRowSets) {
  Split s = makeSplit();
  s.test.push_back(5);  // row 5 is in train too
  std::sort(s.test.begin(), s.test.end());
  EXPECT_NE(checkError(LeakageGuard{}, s).find("train and test"), std::string::npos);
}

TEST(LeakageGuard, CleanLeaveLastNPipeline) {
  // End to end: a leave-one-out split, a filter fitted on its training rows, then applied.
  data::InteractionLog log;
  const std::int32_t users[] = {0, 0, 0, 1, 1, 1};
  const std::int32_t items[] = {0, 1, 2, 0, 1, 3};
  for (std::size_t r = 0; r < 6; ++r) {
    log.user.push_back(users[r]);
    log.item.push_back(items[r]);
    log.timestamp.push_back(static_cast<std::int64_t>(r));
  }
  const auto s = leaveLastNSplit(log, LeaveLastNConfig{});  // test = rows 2 and 5
  LeakageGuard guard;
  ItemSupportFilter filter(2);
  filter.fit(log, s.train, guard);
  EXPECT_NO_THROW(guard.check(s));
  EXPECT_EQ(filter.apply(log, s.train), (Rows{0, 1, 3, 4}));
  EXPECT_TRUE(filter.apply(log, s.test).empty());  // items 2 and 3 never reach support 2
}

TEST(ItemSupportFilter, KeepsItemsWithEnoughTrainingInteractions) {
  const auto log = makeLog();
  LeakageGuard guard;
  ItemSupportFilter filter(2);
  EXPECT_THROW(filter.keeps(0), std::logic_error);
  filter.fit(log, makeSplit().train, guard);  // supports: i0 3, i1 2, i2 1, i3 0
  EXPECT_EQ(filter.support(0), 3u);
  EXPECT_EQ(filter.support(2), 1u);
  EXPECT_EQ(filter.support(3), 0u);
  EXPECT_EQ(filter.support(99), 0u);
  EXPECT_EQ(filter.numKept(), 2u);
  EXPECT_EQ(filter.apply(log, range(0, 10)), (Rows{0, 1, 2, 3, 4, 6}));
  EXPECT_EQ(filter.fittedOn(), fingerprintRows(makeSplit().train));
  try {
    ItemSupportFilter bad(0);
    FAIL() << "min_support 0 accepted";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), "item_min_support: min_support must be >= 1, got 0");
  }
}

TEST(Standardiser, FitsMeanAndPopulationStdOnTheGivenRows) {
  const auto log = makeLog();
  LeakageGuard guard;
  Standardiser norm;
  norm.fit(log, Rows{0, 1, 2, 3}, guard);  // values 1 2 3 4
  EXPECT_DOUBLE_EQ(norm.mean(), 2.5);
  EXPECT_DOUBLE_EQ(norm.stddev(), std::sqrt(1.25));
  EXPECT_NEAR(norm.transform(4.0), 1.5 / std::sqrt(1.25), 1e-12);
  EXPECT_NEAR(norm.inverse(norm.transform(3.7)), 3.7, 1e-12);
  const auto z = norm.apply(log, Rows{6, 0});  // values 5, 1
  ASSERT_EQ(z.size(), 2u);
  EXPECT_NEAR(z[0], 2.5 / std::sqrt(1.25), 1e-6);
  EXPECT_NEAR(z[1], -1.5 / std::sqrt(1.25), 1e-6);

  Standardiser constant;
  constant.fit(log, Rows{6, 7, 8}, guard);  // all 5: std 0 -> scale 1
  EXPECT_DOUBLE_EQ(constant.stddev(), 0.0);
  EXPECT_DOUBLE_EQ(constant.transform(5.0), 0.0);
  EXPECT_DOUBLE_EQ(constant.transform(7.0), 2.0);
}

TEST(Standardiser, RejectsMissingValuesAndEmptyRows) {
  auto log = makeLog();
  LeakageGuard guard;
  Standardiser norm;
  EXPECT_THROW(norm.fit(log, Rows{}, guard), InputError);
  log.value.clear();
  try {
    norm.fit(log, Rows{0}, guard);
    FAIL() << "log without values accepted";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()),
              "value_standardiser: the log has no value column to standardise");
  }
  EXPECT_TRUE(guard.records().empty());  // failed fits record nothing
}

}  // namespace
}  // namespace reclab::split
