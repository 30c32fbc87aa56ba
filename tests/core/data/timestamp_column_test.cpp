#include "data/timestamp_column.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>

namespace reclab::data {
namespace {

TEST(TimestampColumn, RoundTripsMillisecondsCompactly) {
  TimestampColumn c;
  const std::vector<std::int64_t> values = {1396867869277, 1396867869000, 1396867870999,
                                            1433152800000, 0, 1};
  for (auto v : values) c.push_back(v);
  EXPECT_TRUE(c.compact());
  EXPECT_EQ(c, values);
  EXPECT_EQ(c.memoryBytes(), c.capacity() * 6);
  auto [lo, hi] = std::minmax_element(c.begin(), c.end());
  EXPECT_EQ(*lo, 0);
  EXPECT_EQ(*hi, 1433152800000);
}

TEST(TimestampColumn, NegativeTimesFloorCorrectly) {
  TimestampColumn c{-1, -999, -1000, -1001, 5};
  EXPECT_TRUE(c.compact());
  EXPECT_EQ(c, (std::vector<std::int64_t>{-1, -999, -1000, -1001, 5}));
}

TEST(TimestampColumn, WidensOutsideTheWindowAndKeepsEveryValue) {
  TimestampColumn c{1396867869277};
  c.push_back(1396867869277 + 100LL * 365 * 86400 * 1000);  // a century later
  EXPECT_FALSE(c.compact());
  c.push_back(std::numeric_limits<std::int64_t>::min());
  c.push_back(std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(c[0], 1396867869277);
  EXPECT_EQ(c[1], 1396867869277 + 100LL * 365 * 86400 * 1000);
  EXPECT_EQ(c[2], std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(c[3], std::numeric_limits<std::int64_t>::max());
}

TEST(TimestampColumn, SetAfterResizeAndRowEditing) {
  TimestampColumn c;
  c.resize(4);
  EXPECT_EQ(c[3], 0);  // rows added before any value read as the epoch
  c.set(0, 1000);
  c.set(1, 2001);
  c.set(2, 3002);
  c.set(3, 4003);
  c.keepRows({true, false, true, true});
  EXPECT_EQ(c, (std::vector<std::int64_t>{1000, 3002, 4003}));
  c.moveRows(1, 0, 2);
  c.resize(2);
  EXPECT_EQ(c, (std::vector<std::int64_t>{3002, 4003}));
}

}  // namespace
}  // namespace reclab::data
