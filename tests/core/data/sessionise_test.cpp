// Sessions cut by an inactivity gap: the boundary rule (> gap starts a session, exactly the
// gap does not), the id scheme, splitting an existing session column, and the load option.

#include "data/sessionise.h"

#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/errors.h"
#include "data/load.h"

namespace reclab::data {
namespace {

constexpr std::int64_t kT0 = 1'433'000'000'000LL;
constexpr std::int64_t kMin = 60'000LL;

/// row: visitor, minute, item (rows deliberately not in time order)
///  0: v7  0      5: v7  60     (gap 30 min exactly after row 1: same session)
///  1: v7  30     6: v3  10
///  2: v3  0      7: v3  40+1ms (gap 30 min + 1 ms after row 6: new session)
///  3: v7  95     (gap 35 after row 5: new session)
///  4: v3  5
InteractionLog visitorLog() {
  const char* users[] = {"7", "7", "3", "7", "3", "7", "3", "3"};
  const std::int64_t at[] = {0,        30 * kMin, 0,         95 * kMin,
                             5 * kMin, 60 * kMin, 10 * kMin, 40 * kMin + 1};
  InteractionLog log;
  log.items.internInt(100);
  for (std::size_t r = 0; r < 8; ++r) {
    log.user.push_back(log.users.intern(users[r]));
    log.item.push_back(0);
    log.timestamp.push_back(kT0 + at[r]);
  }
  return log;
}

std::string errorOf(InteractionLog log, double gap) {
  try {
    SessioniseConfig c;
    c.gapMinutes = gap;
    sessioniseByGap(log, c, StopToken());
  } catch (const InputError& e) {
    return e.what();
  }
  return "no error";
}

TEST(Sessionise, GapOfExactlyTheThresholdStaysInTheSession) {
  InteractionLog log = visitorLog();
  const auto rep = sessioniseByGap(log, SessioniseConfig::defaults(), StopToken());
  log.validate();
  EXPECT_EQ(rep.actor, "user");
  EXPECT_EQ(rep.gapMillis, 30 * kMin);
  ASSERT_EQ(rep.sessions, 4u);
  ASSERT_EQ(log.numSessions(), 4);
  // v7: {0, 30, 60} then {95}; v3: {0, 5, 10} then {40 min + 1 ms}.
  auto id = [&](std::size_t row) { return log.sessions.original(log.session[row]); };
  EXPECT_EQ(id(0), "7@" + std::to_string(kT0));
  EXPECT_EQ(id(1), id(0));
  EXPECT_EQ(id(5), id(0));
  EXPECT_EQ(id(3), "7@" + std::to_string(kT0 + 95 * kMin));
  EXPECT_EQ(id(2), "3@" + std::to_string(kT0));
  EXPECT_EQ(id(4), id(2));
  EXPECT_EQ(id(6), id(2));
  EXPECT_EQ(id(7), "3@" + std::to_string(kT0 + 40 * kMin + 1));
  // Dense order: by start, ties by the user's dense index (v7 = 0 before v3 = 1).
  EXPECT_EQ(log.session[0], 0);
  EXPECT_EQ(log.session[2], 1);
  EXPECT_EQ(log.session[7], 2);
  EXPECT_EQ(log.session[3], 3);
}

TEST(Sessionise, ALongerGapMergesAndAShorterOneSplits) {
  InteractionLog wide = visitorLog();
  SessioniseConfig c;
  c.gapMinutes = 35;  // v7's 35-minute gap is exactly the threshold: one session
  sessioniseByGap(wide, c, StopToken());
  EXPECT_EQ(wide.numSessions(), 2);
  InteractionLog narrow = visitorLog();
  c.gapMinutes = 5;  // v3: 0, 5 (exactly 5) | 10 (5 min: stays) | 40 min
  sessioniseByGap(narrow, c, StopToken());
  // v7: {0} {30} {60} {95}; v3: {0, 5, 10} {40}.
  EXPECT_EQ(narrow.numSessions(), 6);
  EXPECT_EQ(narrow.session[2], narrow.session[6]);
}

TEST(Sessionise, ExistingSessionsAreSplitNeverMerged) {
  InteractionLog log;
  log.items.internInt(1);
  // Session "a": 0, 10, 50 min; session "b": 10 min (close to a's rows, never merged).
  const char* sess[] = {"a", "a", "a", "b"};
  const std::int64_t at[] = {0, 10 * kMin, 50 * kMin, 10 * kMin};
  for (std::size_t r = 0; r < 4; ++r) {
    log.session.push_back(log.sessions.intern(sess[r]));
    log.item.push_back(0);
    log.timestamp.push_back(kT0 + at[r]);
  }
  const auto rep = sessioniseByGap(log, SessioniseConfig::defaults(), StopToken());
  EXPECT_EQ(rep.actor, "session");
  ASSERT_EQ(log.numSessions(), 3);
  EXPECT_EQ(log.sessions.original(log.session[0]), "a@" + std::to_string(kT0));
  EXPECT_EQ(log.session[1], log.session[0]);
  EXPECT_EQ(log.sessions.original(log.session[2]), "a@" + std::to_string(kT0 + 50 * kMin));
  EXPECT_EQ(log.sessions.original(log.session[3]), "b@" + std::to_string(kT0 + 10 * kMin));
}

TEST(Sessionise, BadInputIsAPreciseError) {
  EXPECT_EQ(errorOf(visitorLog(), 0), "sessionise: gap_minutes must be a finite number > 0, got 0");
  InteractionLog noTime = visitorLog();
  noTime.timestamp = TimestampColumn();
  EXPECT_EQ(errorOf(noTime, 30),
            "sessionise (gap 30 min): the log has no timestamp column to measure gaps with");
  InteractionLog noActor;
  noActor.items.internInt(1);
  noActor.item.push_back(0);
  noActor.timestamp.push_back(kT0);
  EXPECT_EQ(errorOf(noActor, 30),
            "sessionise (gap 30 min): the log has neither a user nor a session column to cut "
            "sessions from");
}

class SessionGapLoadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir =
        std::filesystem::temp_directory_path() /
        ("reclab-sessionise-" + std::to_string(::getpid()) + "-" +
         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(m_dir);
    std::ofstream out(m_dir / "events.csv");
    // Visitor 1: gap 30 min exactly (one session), then 30 min + 1 ms (a new one).
    out << "timestamp,visitorid,event,itemid,transactionid\n"
        << kT0 << ",1,view,10,\n"
        << kT0 + 30 * kMin << ",1,view,11,\n"
        << kT0 + 60 * kMin + 1 << ",1,view,12,\n"
        << kT0 << ",2,view,10,\n";
  }
  void TearDown() override { std::filesystem::remove_all(m_dir); }

  LoadResult load(std::optional<double> gap) {
    LoadOptions opt;
    opt.sessionGapMinutes = gap;
    StopToken stop;
    return loadDataset(Format::RetailRocket, {(m_dir / "events.csv").string()}, opt, nullObserver(),
                       stop);
  }

  std::filesystem::path m_dir;
};

TEST_F(SessionGapLoadTest, RetailRocketIsSessionisedBy30MinutesByDefault) {
  const auto r = load(std::nullopt);
  ASSERT_TRUE(r.log.hasSessions());
  EXPECT_EQ(r.log.numSessions(), 3);
  EXPECT_EQ(r.log.session[0], r.log.session[1]);
  EXPECT_NE(r.log.session[1], r.log.session[2]);
  EXPECT_EQ(r.log.sessions.original(r.log.session[2]), "1@" + std::to_string(kT0 + 60 * kMin + 1));
}

TEST_F(SessionGapLoadTest, ExplicitGapAndOff) {
  EXPECT_EQ(load(60.0).log.numSessions(), 2);  // visitor 1's gaps are 30 and 30 min + 1 ms
  EXPECT_FALSE(load(0.0).log.hasSessions());
  try {
    load(-1.0);
    FAIL() << "a negative gap was accepted";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "session_gap_minutes must be >= 0 (0 = no sessions cut), got -1");
  }
}

}  // namespace
}  // namespace reclab::data
