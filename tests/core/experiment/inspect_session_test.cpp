// The inspector's session mode in core: next items after a session prefix from a stored
// session_item_knn run, and the run's test sessions, on a tiny Yoochoose-format log whose
// item co-occurrences are counted by hand.

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "common/errors.h"
#include "experiment/inspect.h"
#include "experiment/runner.h"
#include "models/registry.h"
#include "store/store.h"
#include "support/experiment_fixtures.h"

namespace reclab::experiment {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// Training sessions on 1 April, test sessions on 3 April (session_time, test_days 1):
//   1: 101 102 103   2: 101 102   3: 101 102 104   4: 101 105   5: 103 104   6: 104 106
//   7: 101 102 104 (its 104 is written before its 102 but clicked later)   8: 106 104
// Supports: 101:4 102:3 103:2 104:3 105:1 106:1. With lambda = 0, alpha = 0.5,
// sim(i, j) = co(i, j) / sqrt(supp(i) supp(j)):
//   after 101: 102 = 3/sqrt(12) = 0.866, 105 = 1/2, 103 = 1/sqrt(8) = 0.354, 104 = 1/sqrt(12)
//   after 102: 101 = 3/sqrt(12) = 0.866, 103 = 1/sqrt(6) = 0.408, 104 = 1/3
const char* const kClicks =
    "1,2014-04-01T10:00:00.000Z,101,1\n"
    "1,2014-04-01T10:01:00.000Z,102,1\n"
    "1,2014-04-01T10:02:00.000Z,103,2\n"
    "2,2014-04-01T11:00:00.000Z,101,1\n"
    "2,2014-04-01T11:01:00.000Z,102,1\n"
    "3,2014-04-01T12:00:00.000Z,101,1\n"
    "3,2014-04-01T12:01:00.000Z,102,1\n"
    "3,2014-04-01T12:02:00.000Z,104,2\n"
    "4,2014-04-01T13:00:00.000Z,101,1\n"
    "4,2014-04-01T13:01:00.000Z,105,3\n"
    "5,2014-04-01T14:00:00.000Z,103,2\n"
    "5,2014-04-01T14:01:00.000Z,104,2\n"
    "6,2014-04-01T15:00:00.000Z,104,2\n"
    "6,2014-04-01T15:01:00.000Z,106,3\n"
    "7,2014-04-03T10:00:00.000Z,101,1\n"
    "7,2014-04-03T10:05:00.000Z,104,2\n"
    "7,2014-04-03T10:01:00.000Z,102,1\n"
    "8,2014-04-03T11:00:00.000Z,106,3\n"
    "8,2014-04-03T11:01:00.000Z,104,2\n";

class InspectSessionTest : public reclab::testing::TempStoreTest {
 protected:
  void SetUp() override {
    TempStoreTest::SetUp();
    const auto clicks = m_dir / "yoochoose-clicks.dat";
    std::ofstream(clicks) << kClicks;
    const json j = {
        {"name", "item-knn on the tiny log"},
        {"dataset", {{"format", "yoochoose"}, {"path", clicks.string()}}},
        {"split", {{"kind", "session_time"}, {"test_days", 1}}},
        {"model", {{"name", "session_item_knn"}, {"params", {{"lambda", 0.0}, {"alpha", 0.5}}}}},
        {"seed", 0},
        {"threads", 1}};
    StopToken stop;
    const auto out =
        executeRun(ExperimentConfig::fromJson(j), m_db, std::nullopt, nullObserver(), stop);
    ASSERT_EQ(out.status, store::RunStatus::Finished) << out.error;
    store::Store st(m_db);
    m_run = openRun(st, out.runId, nullObserver(), stop);
  }
  std::int32_t item(const std::string& id) const { return *m_run.data->log.items.find(id); }
  std::string id(std::int32_t item) const { return m_run.data->log.items.original(item); }

  OpenedRun m_run;
};

TEST_F(InspectSessionTest, CoOccurringItemComesFirst) {
  const auto recs = recommendNext(m_run, {item("101")}, 3);
  ASSERT_EQ(recs.size(), 3U);
  EXPECT_EQ(id(recs[0].item), "102");
  EXPECT_NEAR(recs[0].score, 3 / std::sqrt(12.0), 1e-6);
  EXPECT_EQ(id(recs[1].item), "105");
  EXPECT_NEAR(recs[1].score, 0.5, 1e-6);
  EXPECT_EQ(id(recs[2].item), "103");
  EXPECT_NEAR(recs[2].score, 1 / std::sqrt(8.0), 1e-6);
  for (const auto& r : recs) EXPECT_FALSE(r.hit);  // no rest of the session given
}

TEST_F(InspectSessionTest, OnlyTheLastClickCountsAndPrefixItemsStayUnlessFiltered) {
  // Item-KNN predicts from the last click: 102's best neighbour is 101, a re-click.
  const std::vector<std::int32_t> prefix{item("103"), item("101"), item("102")};
  auto recs = recommendNext(m_run, prefix, 2);
  ASSERT_EQ(recs.size(), 2U);
  EXPECT_EQ(id(recs[0].item), "101");
  EXPECT_NEAR(recs[0].score, 3 / std::sqrt(12.0), 1e-6);
  EXPECT_EQ(id(recs[1].item), "103");
  recs = recommendNext(m_run, prefix, 2, nullptr, true);
  ASSERT_EQ(recs.size(), 2U);
  EXPECT_EQ(id(recs[0].item), "104");
  EXPECT_NEAR(recs[0].score, 1 / 3.0, 1e-6);
  EXPECT_EQ(recs[1].score, 0.0f);  // every other item scores 0: ties by item index
}

TEST_F(InspectSessionTest, TestSessionsInTimeOrderAndHitsFromTheirRest) {
  const auto sessions = testSessions(m_run);
  ASSERT_EQ(sessions.size(), 2U);
  const auto& log = m_run.data->log;
  std::vector<std::string> first, second;
  for (auto r : sessions[0]) first.push_back(id(log.item[r]));
  for (auto r : sessions[1]) second.push_back(id(log.item[r]));
  EXPECT_EQ(log.sessions.original(log.session[sessions[0][0]]), "7");
  EXPECT_EQ(first, (std::vector<std::string>{"101", "102", "104"}));
  EXPECT_EQ(log.sessions.original(log.session[sessions[1][0]]), "8");
  EXPECT_EQ(second, (std::vector<std::string>{"106", "104"}));

  // Session 7 after its first click: the rest is 102 then 104.
  const std::vector<std::int32_t> rest{log.item[sessions[0][1]], log.item[sessions[0][2]]};
  const auto recs = recommendNext(m_run, {log.item[sessions[0][0]]}, 4, &rest);
  ASSERT_EQ(recs.size(), 4U);
  std::vector<std::pair<std::string, bool>> got;
  for (const auto& r : recs) got.emplace_back(id(r.item), r.hit);
  EXPECT_EQ(got, (std::vector<std::pair<std::string, bool>>{
                     {"102", true}, {"105", false}, {"103", false}, {"104", true}}));
}

TEST_F(InspectSessionTest, BadPrefixesAndNonSessionModelsAreErrors) {
  auto message = [&](const std::vector<std::int32_t>& prefix, int n) {
    try {
      recommendNext(m_run, prefix, n);
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(message({}, 5), "session prefix is empty: give at least one item");
  EXPECT_EQ(message({item("101"), 6}, 5),
            "session prefix: item index 6 at position 2 out of range (the model knows 6 items)");
  EXPECT_EQ(message({-1}, 5),
            "session prefix: item index -1 at position 1 out of range (the model knows 6 items)");
  EXPECT_EQ(message({item("101")}, 0), "n must be >= 1, got 0");

  OpenedRun ranking;
  ranking.model = models::Registry::instance().create("popularity", json::object());
  try {
    recommendNext(ranking, {0}, 5);
    ADD_FAILURE() << "no error for a ranking model";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()),
              "model 'popularity' is a ranking model, not a session next-item model: it cannot "
              "score a session prefix");
  }
  ranking.data = m_run.data;  // a session log, but the split of a run without one
  EXPECT_TRUE(testSessions(ranking).empty());
}

}  // namespace
}  // namespace reclab::experiment
