#include "data/stats.h"

#include <gtest/gtest.h>

#include <cmath>

#include "data/loaders/loaders.h"
#include "loader_test_helpers.h"

namespace reclab::data {
namespace {

using namespace reclab::data::testing;

/// 3 sessions over 4 items (item 3 has no event):
///   s0: i0 i1 i0   s1: i2 i0   s2: i0
InteractionLog sessionLog() {
  InteractionLog log;
  for (int i = 0; i < 4; ++i) log.items.internInt(100 + i);
  for (int s = 0; s < 3; ++s) log.sessions.internInt(s);
  log.session = {0, 0, 0, 1, 1, 2};
  log.item = {0, 1, 0, 2, 0, 0};
  log.timestamp = {1000, 2000, 3000, 86400000, 86400005, 500};
  log.eventNames = {"click"};
  return log;
}

TEST(DatasetStats, SessionLog) {
  const InteractionLog log = sessionLog();
  const DatasetStats st = computeStats(log);
  EXPECT_EQ(st.nUsers, 0);
  EXPECT_EQ(st.nItems, 4);
  EXPECT_EQ(st.nEvents, 6);
  EXPECT_EQ(st.nSessions, 3);
  EXPECT_EQ(st.eventsByType, (std::map<std::string, std::uint64_t>{{"click", 6}}));
  EXPECT_EQ(st.sessionLengths.min, 1u);
  EXPECT_EQ(st.sessionLengths.max, 3u);
  EXPECT_DOUBLE_EQ(st.sessionLengths.mean, 2.0);
  EXPECT_DOUBLE_EQ(st.sessionLengths.median, 2.0);
  ASSERT_EQ(st.sessionLengths.histogram.size(), 51u);
  EXPECT_EQ(st.sessionLengths.histogram[0], 1u);
  EXPECT_EQ(st.sessionLengths.histogram[1], 1u);
  EXPECT_EQ(st.sessionLengths.histogram[2], 1u);
  EXPECT_EQ(st.sessionLengths.histogram[3], 0u);
  // Distinct (session, item) pairs: 2 + 2 + 1 = 5 of 3 * 4.
  EXPECT_EQ(st.sparsityBasis, "sessions");
  EXPECT_DOUBLE_EQ(st.sparsity, 1.0 - 5.0 / 12.0);
  EXPECT_EQ(st.minTimestamp, 500);
  EXPECT_EQ(st.maxTimestamp, 86400005);
  EXPECT_EQ(st.minTime, "1970-01-01T00:00:00.500Z");
  EXPECT_EQ(st.maxTime, "1970-01-02T00:00:00.005Z");
  // Counts per item, descending: 4 1 1 0. Top 1/10/20 % of 4 items = 1 item = 4 of 6 events.
  EXPECT_DOUBLE_EQ(st.top1Share, 4.0 / 6.0);
  EXPECT_DOUBLE_EQ(st.top10Share, 4.0 / 6.0);
  EXPECT_DOUBLE_EQ(st.top20Share, 4.0 / 6.0);
  // Gini of 0 1 1 4: (-3*0 - 1*1 + 1*1 + 3*4) / (4 * 6) = 0.5.
  EXPECT_DOUBLE_EQ(st.gini, 0.5);
  EXPECT_EQ(st.popularityCurve,
            (std::vector<std::pair<std::int64_t, std::uint64_t>>{{0, 4}, {1, 1}, {2, 1}, {3, 0}}));
  EXPECT_EQ(st.nItemsWithEvents, 3);
}

TEST(DatasetStats, SessionIndexGivesTheSameSessions) {
  const InteractionLog log = sessionLog();
  const SessionIndex idx = SessionIndex::build(log);
  const DatasetStats a = computeStats(log);
  const DatasetStats b = computeStats(log, &idx);
  EXPECT_EQ(toJson(a), toJson(b));
}

TEST(DatasetStats, MedianOfAnEvenCountAndLongSessions) {
  InteractionLog log;
  log.items.internInt(1);
  for (int s = 0; s < 4; ++s) log.sessions.internInt(s);
  // Lengths 1, 2, 60, 70.
  auto add = [&](int s, int n) {
    for (int k = 0; k < n; ++k) {
      log.session.push_back(s);
      log.item.push_back(0);
    }
  };
  add(0, 1);
  add(1, 2);
  add(2, 60);
  add(3, 70);
  const DatasetStats st = computeStats(log);
  EXPECT_DOUBLE_EQ(st.sessionLengths.median, 31.0);
  EXPECT_DOUBLE_EQ(st.sessionLengths.mean, 133.0 / 4.0);
  EXPECT_EQ(st.sessionLengths.histogram[50], 2u);
  EXPECT_FALSE(st.hasTime);
  EXPECT_DOUBLE_EQ(st.sparsity, 0.0);  // every session saw the only item
  EXPECT_TRUE(toJson(st)["time_range"].is_null());
}

TEST(DatasetStats, UserLogFromRetailRocketFixture) {
  LoadResult r;
  StopToken stop;
  loaders::loadRetailRocket({fixture("retailrocket/events.csv")}, LoadOptions{}, r, nullObserver(),
                            stop);
  const DatasetStats st = computeStats(r.log);
  EXPECT_EQ(st.nUsers, 5);
  EXPECT_EQ(st.nItems, 5);
  EXPECT_EQ(st.nEvents, 8);
  EXPECT_EQ(st.nSessions, 0);
  EXPECT_EQ(st.eventsByType, (std::map<std::string, std::uint64_t>{
                                 {"view", 6}, {"addtocart", 1}, {"transaction", 1}}));
  // Distinct (user, item) pairs: 1 + 2 + 1 + 1 + 1 = 6 of 25.
  EXPECT_EQ(st.sparsityBasis, "users");
  EXPECT_DOUBLE_EQ(st.sparsity, 0.76);
  // Counts 4 1 1 1 1: the top item has half the events; Gini 12 / 40.
  EXPECT_DOUBLE_EQ(st.top1Share, 0.5);
  EXPECT_DOUBLE_EQ(st.top20Share, 0.5);
  EXPECT_DOUBLE_EQ(st.gini, 0.3);
  EXPECT_EQ(st.minTime, "2015-06-02T05:02:12.117Z");
  EXPECT_EQ(st.maxTime, "2015-06-02T05:50:14.164Z");
  EXPECT_EQ(st.sessionLengths.max, 0u);

  const nlohmann::json j = toJson(st);
  EXPECT_EQ(j["n_users"], 5);
  EXPECT_EQ(j["n_items"], 5);
  EXPECT_EQ(j["n_events"], 8);
  EXPECT_EQ(j["n_sessions"], 0);
  EXPECT_EQ(j["events_by_type"]["view"], 6);
  EXPECT_DOUBLE_EQ(j["sparsity"].get<double>(), 0.76);
  EXPECT_EQ(j["time_range"]["min"], "2015-06-02T05:02:12.117Z");
  EXPECT_EQ(j["session_length"]["histogram"].size(), 51u);
  EXPECT_EQ(j["session_length"]["histogram_labels"][50], ">50");
  EXPECT_DOUBLE_EQ(j["popularity"]["gini"].get<double>(), 0.3);
  EXPECT_EQ(j["popularity"]["curve"][0], nlohmann::json::array({0, 4}));
}

TEST(DatasetStats, CurveIsDownsampledAndGiniOfEqualCountsIsZero) {
  InteractionLog log;
  for (int i = 0; i < 1000; ++i) {
    log.items.internInt(i);
    log.item.push_back(i);
    log.item.push_back(i);
  }
  const DatasetStats st = computeStats(log);
  EXPECT_EQ(st.popularityCurve.size(), 200u);
  EXPECT_EQ(st.popularityCurve.front().first, 0);
  EXPECT_EQ(st.popularityCurve.back().first, 999);
  EXPECT_NEAR(st.gini, 0.0, 1e-12);
  EXPECT_DOUBLE_EQ(st.top1Share, 0.01);
  EXPECT_DOUBLE_EQ(st.top10Share, 0.10);
  EXPECT_TRUE(std::isnan(st.sparsity));
  EXPECT_TRUE(toJson(st)["sparsity"].is_null());
  EXPECT_EQ(st.eventsByType, (std::map<std::string, std::uint64_t>{{"interaction", 2000}}));
}

}  // namespace
}  // namespace reclab::data
