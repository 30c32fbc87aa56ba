#include "data/append.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/errors.h"

namespace reclab::data {
namespace {

struct Row {
  std::string user, item, event;
  std::int64_t ts;
  float value;
};

/// A log with user, item, event, timestamp and value columns, ids interned in row order.
InteractionLog makeLog(const std::vector<Row>& rows) {
  InteractionLog log;
  log.valueName = "rating";
  for (const auto& r : rows) {
    log.user.push_back(log.users.intern(r.user));
    log.item.push_back(log.items.intern(r.item));
    log.event.push_back(log.internEvent(r.event));
    log.timestamp.push_back(r.ts);
    log.value.push_back(r.value);
  }
  return log;
}

TEST(AppendRows, MapsThroughOriginalIdsAndKeepsOldIndices) {
  auto base = makeLog({{"u10", "a", "view", 1000, 1.0f},
                       {"u20", "b", "view", 2000, 2.0f},
                       {"u10", "b", "buy", 3000, 3.0f}});
  // extra's own dense indices differ from base's: u30 is 0 there, u10 is 2.
  auto extra = makeLog({{"u30", "c", "cart", 4000, 4.0f},
                        {"u20", "a", "buy", 5000, 5.0f},
                        {"u10", "c", "view", 6000, 1.5f}});
  const auto result = appendRows(base, extra);

  EXPECT_EQ(result.firstRow, 3u);
  EXPECT_EQ(result.endRow, 6u);
  EXPECT_EQ(result.rows(), (std::vector<std::uint32_t>{3, 4, 5}));
  EXPECT_EQ(result.newUsers, 1);
  EXPECT_EQ(result.newItems, 1);
  EXPECT_EQ(result.newEvents, std::vector<std::string>{"cart"});
  EXPECT_TRUE(result.warnings.empty());

  // Old dense indices unchanged, new ids appended at the end.
  ASSERT_EQ(base.numUsers(), 3);
  EXPECT_EQ(base.users.original(0), "u10");
  EXPECT_EQ(base.users.original(1), "u20");
  EXPECT_EQ(base.users.original(2), "u30");
  ASSERT_EQ(base.numItems(), 3);
  EXPECT_EQ(base.items.original(0), "a");
  EXPECT_EQ(base.items.original(1), "b");
  EXPECT_EQ(base.items.original(2), "c");
  // Event names merged by name: "view" 0, "buy" 1 (base), "cart" 2 (new).
  EXPECT_EQ(base.eventNames, (std::vector<std::string>{"view", "buy", "cart"}));

  // Old rows untouched, new rows mapped.
  EXPECT_EQ(base.user, (std::vector<std::int32_t>{0, 1, 0, 2, 1, 0}));
  EXPECT_EQ(base.item, (std::vector<std::int32_t>{0, 1, 1, 2, 0, 2}));
  EXPECT_EQ(base.event, (std::vector<std::uint8_t>{0, 0, 1, 2, 1, 0}));
  EXPECT_EQ(base.value, (std::vector<float>{1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 1.5f}));
  EXPECT_EQ(base.timestamp.toVector(),
            (std::vector<std::int64_t>{1000, 2000, 3000, 4000, 5000, 6000}));
}

TEST(AppendRows, IdsNoRowUsesAreNotAdded) {
  auto base = makeLog({{"1", "1", "rating", 0, 4.0f}});
  auto extra = makeLog({{"2", "2", "rating", 0, 3.0f}});
  extra.users.intern("99");  // e.g. a user listed in a side file without ratings
  extra.items.intern("77");
  const auto result = appendRows(base, extra);
  EXPECT_EQ(result.newUsers, 1);
  EXPECT_EQ(result.newItems, 1);
  EXPECT_FALSE(base.users.find("99").has_value());
  EXPECT_FALSE(base.items.find("77").has_value());
}

TEST(AppendRows, NoEventColumnStaysAbsentWhenEveryRowIsTypeZero) {
  InteractionLog base, extra;
  for (auto* log : {&base, &extra}) {
    log->eventNames = {"rating"};
    log->valueName = "rating";
  }
  base.user = {base.users.intern("1")};
  base.item = {base.items.intern("5")};
  base.value = {4.0f};
  extra.user = {extra.users.intern("1"), extra.users.intern("2")};
  extra.item = {extra.items.intern("6"), extra.items.intern("5")};
  extra.value = {3.0f, 2.0f};
  appendRows(base, extra);
  EXPECT_FALSE(base.hasEvents());
  EXPECT_EQ(base.eventNames, std::vector<std::string>{"rating"});
  EXPECT_EQ(base.numRows(), 3u);
  EXPECT_EQ(base.item, (std::vector<std::int32_t>{0, 1, 0}));
}

TEST(AppendRows, EventColumnIsMaterialisedWhenANewTypeArrives) {
  InteractionLog base, extra;
  base.eventNames = {"view"};
  base.item = {base.items.intern("1"), base.items.intern("2")};
  extra.item = {extra.items.intern("2")};
  extra.event = {extra.internEvent("buy")};
  appendRows(base, extra);
  EXPECT_EQ(base.eventNames, (std::vector<std::string>{"view", "buy"}));
  EXPECT_EQ(base.event, (std::vector<std::uint8_t>{0, 0, 1}));
}

TEST(AppendRows, MissingColumnIsAnInputErrorAndLeavesTheBaseUnchanged) {
  auto base = makeLog({{"1", "1", "rating", 0, 4.0f}});
  InteractionLog extra;
  extra.user = {extra.users.intern("2")};
  extra.item = {extra.items.intern("3")};
  extra.timestamp.push_back(0);
  extra.event = {extra.internEvent("rating")};
  try {
    appendRows(base, extra);
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()),
              "append: the dataset has a value ('rating') column but the added rows have none");
  }
  EXPECT_EQ(base.numRows(), 1u);
  EXPECT_EQ(base.numUsers(), 1);
  EXPECT_EQ(base.numItems(), 1);
}

TEST(AppendRows, ExtraColumnsAreIgnoredWithAWarning) {
  InteractionLog base;
  base.item = {base.items.intern("1")};
  auto extra = makeLog({{"7", "1", "view", 5, 1.0f}});
  const auto result = appendRows(base, extra);
  EXPECT_FALSE(base.hasUsers());
  EXPECT_FALSE(base.hasValues());
  EXPECT_EQ(result.warnings.size(), 3u);  // user, timestamp, value
  EXPECT_EQ(base.item, (std::vector<std::int32_t>{0, 0}));
}

TEST(AppendRows, AttributeTablesGrowToTheNewEntities) {
  auto base = makeLog({{"1", "1", "rating", 0, 4.0f}});
  base.itemAttributes.setCategorical("genre", 0, "drama");
  auto extra = makeLog({{"1", "2", "rating", 0, 3.0f}});
  appendRows(base, extra);
  const auto* genre = base.itemAttributes.find("genre");
  ASSERT_NE(genre, nullptr);
  ASSERT_EQ(genre->categorical.size(), 2u);
  EXPECT_EQ(genre->categorical[0], 0);
  EXPECT_EQ(genre->categorical[1], -1);
}

}  // namespace
}  // namespace reclab::data
