#include "data/session_sequences.h"

#include <gtest/gtest.h>

#include "common/errors.h"

namespace reclab::data {
namespace {

struct Row {
  int session;
  int item;
  std::int64_t time;
  std::uint8_t event = 0;
};

InteractionLog makeLog(const std::vector<Row>& rows, bool withBuys) {
  InteractionLog log;
  for (int s = 0; s < 3; ++s) log.sessions.internInt(100 + s);
  for (int i = 0; i < 5; ++i) log.items.internInt(i + 1);
  log.eventNames = {event_names::kClick};
  if (withBuys) log.eventNames.push_back(event_names::kBuy);
  for (const auto& r : rows) {
    log.session.push_back(r.session);
    log.item.push_back(r.item);
    log.timestamp.push_back(r.time);
    if (withBuys) log.event.push_back(r.event);
  }
  return log;
}

std::vector<std::uint32_t> all(const InteractionLog& log) {
  std::vector<std::uint32_t> rows(log.numRows());
  for (std::size_t r = 0; r < rows.size(); ++r) rows[r] = static_cast<std::uint32_t>(r);
  return rows;
}

TEST(SessionSequences, GroupsBySessionInTimeOrderTiesByRow) {
  // Session 1 is written out of time order; session 0 has two rows at the same time.
  const auto log = makeLog({{1, 3, 50}, {0, 2, 10}, {1, 4, 20}, {0, 0, 10}, {0, 1, 5}}, false);
  const auto seq = buildSessionSequences(log, all(log));
  ASSERT_EQ(seq.size(), 2U);
  EXPECT_EQ(seq.session, (std::vector<std::int32_t>{0, 1}));
  // Session 0: item 1 at t=5, then rows 1 (item 2) and 3 (item 0) tied at t=10, in row order.
  EXPECT_EQ(std::vector<std::int32_t>(seq.sequence(0).begin(), seq.sequence(0).end()),
            (std::vector<std::int32_t>{1, 2, 0}));
  EXPECT_EQ(std::vector<std::int32_t>(seq.sequence(1).begin(), seq.sequence(1).end()),
            (std::vector<std::int32_t>{4, 3}));
  EXPECT_EQ(seq.lastTime, (std::vector<std::int64_t>{10, 50}));
}

TEST(SessionSequences, OnlyGivenRowsAndNoBuys) {
  const auto log = makeLog({{0, 0, 1}, {0, 1, 2}, {0, 1, 3, 1}, {2, 4, 9}, {1, 2, 4}}, true);
  // Row 4 (session 1) is not given; row 2 is a buy.
  const auto seq = buildSessionSequences(log, {0, 1, 2, 3});
  ASSERT_EQ(seq.size(), 2U);
  EXPECT_EQ(seq.session, (std::vector<std::int32_t>{0, 2}));
  EXPECT_EQ(seq.length(0), 2U);
  EXPECT_EQ(seq.length(1), 1U);
  EXPECT_EQ(seq.lastTime[0], 2);
}

TEST(SessionSequences, EmptyRowsGiveNoSequence) {
  const auto log = makeLog({{0, 0, 1}}, false);
  const auto seq = buildSessionSequences(log, {});
  EXPECT_EQ(seq.size(), 0U);
  EXPECT_EQ(seq.offsets, (std::vector<std::uint32_t>{0}));
}

TEST(SessionSequences, NoSessionColumnIsAnInputError) {
  InteractionLog log;
  log.items.internInt(1);
  log.item.push_back(0);
  try {
    buildSessionSequences(log, {0});
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("no session column"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace reclab::data
