#include <gtest/gtest.h>

#include "data/loaders/loaders.h"
#include "loader_test_helpers.h"

namespace reclab::data {
namespace {

using namespace reclab::data::testing;
using Strings = std::vector<std::string>;

LoadResult loadDigi(const Strings& paths, const LoadOptions& options = {}) {
  LoadResult result;
  StopToken stop;
  loaders::loadDiginetica(paths, options, result, nullObserver(), stop);
  return result;
}

LoadResult loadSr(const Strings& paths, const LoadOptions& options = {}) {
  LoadResult result;
  StopToken stop;
  loaders::loadSessionRec(paths, options, result, nullObserver(), stop);
  return result;
}

constexpr std::int64_t kMay9 = 1462752000000;   // 2016-05-09T00:00:00Z
constexpr std::int64_t kMay10 = 1462838400000;  // 2016-05-10T00:00:00Z

TEST(Diginetica, CountsColumnsAndTimestamps) {
  LoadResult r = loadDigi({fixture("diginetica/train-item-views.csv")});
  const InteractionLog& log = r.log;
  log.validate();
  EXPECT_EQ(log.numRows(), 7u);
  EXPECT_EQ(log.numSessions(), 4);
  EXPECT_EQ(log.numItems(), 5);
  // Rows without a user share the user "NA".
  EXPECT_EQ(log.numUsers(), 3);
  EXPECT_EQ(log.users.original(0), "NA");
  EXPECT_EQ(log.users.original(log.user[4]), "5");
  EXPECT_EQ(log.users.original(log.user[6]), "18");
  EXPECT_EQ(log.user[0], log.user[3]);
  EXPECT_EQ(log.session, (std::vector<std::int32_t>{0, 0, 0, 1, 2, 2, 3}));
  EXPECT_EQ(log.item, (std::vector<std::int32_t>{0, 1, 2, 3, 4, 0, 2}));
  EXPECT_EQ(log.timestamp[0], kMay9 + 526309);
  EXPECT_EQ(log.timestamp[5], kMay10 + 120000);
  EXPECT_EQ(log.timestamp[6], kMay10);
  EXPECT_FALSE(log.hasEvents());
  EXPECT_EQ(log.eventNames, Strings{"view"});
  EXPECT_EQ(r.report.rowsRead, 7u);
  EXPECT_EQ(r.report.badRowCount, 0u);
}

TEST(Diginetica, BadRows) {
  const std::string f = fixture("diginetica/bad-views.csv");
  LoadResult r = loadDigi({f});
  EXPECT_EQ(badRowMessages(r.report),
            (Strings{f + ":3: field 'item_id': not an integer: 'abc'",
                     f + ":4: field 'eventdate': not a date (YYYY-MM-DD): '2016-02-30'",
                     f + ":5: expected 5 fields, got 1",
                     f + ":6: field 'user_id': not an integer: 'x'"}));
  EXPECT_EQ(r.log.numRows(), 1u);
  EXPECT_EQ(r.log.numUsers(), 1);
  EXPECT_EQ(r.log.numItems(), 1);
}

TEST(Diginetica, CommaFileIsAStructuralError) {
  const std::string f = fixture("diginetica/comma-views.csv");
  EXPECT_EQ(inputErrorOf([&] { loadDigi({f}); }),
            f + ":1: no ';' found; the file looks ','-delimited — wrong format?");
}

TEST(SessionRec, SecondsWithFractions) {
  LoadResult r = loadSr({fixture("sessionrec/rsc15_train_full.txt")});
  const InteractionLog& log = r.log;
  log.validate();
  EXPECT_EQ(log.numRows(), 4u);
  EXPECT_EQ(log.numSessions(), 3);
  EXPECT_EQ(log.numItems(), 3);
  EXPECT_EQ(log.timestamp, (std::vector<std::int64_t>{1396839069277, 1396839249868, 1396850197000,
                                                      1396444666500}));
  EXPECT_EQ(log.items.original(log.item[3]), "214536500");
  EXPECT_FALSE(log.hasUsers());
}

TEST(SessionRec, ColumnsFoundByHeaderExtraColumnsIgnored) {
  const std::string f = fixture("sessionrec/extra_columns.txt");
  LoadResult r = loadSr({f});
  EXPECT_EQ(r.log.numRows(), 2u);
  EXPECT_EQ(r.log.items.original(r.log.item[1]), "6");
  EXPECT_EQ(r.log.timestamp[1], 1396839070000);
  EXPECT_EQ(badRowMessages(r.report), (Strings{f + ":4: field 'Time': not a number: 'bad'",
                                               f + ":5: expected 4 fields, got 3"}));
}

TEST(SessionRec, HeaderRequired) {
  // A Yoochoose file is comma separated: wrong delimiter.
  const std::string clicks = fixture("yoochoose/yoochoose-clicks.dat");
  EXPECT_EQ(inputErrorOf([&] { loadSr({clicks}); }),
            clicks + ":1: no '\\t' found; the file looks ','-delimited — wrong format?");
  const std::string dir = scratchDir();
  writeLines(dir + "/noheader.txt", 2, [](std::size_t i) { return "1\t2\t" + std::to_string(i); });
  EXPECT_EQ(inputErrorOf([&] { loadSr({dir + "/noheader.txt"}); }),
            dir +
                "/noheader.txt:1: expected a header naming the columns SessionId, ItemId and "
                "Time (tab-separated), got '1\t2\t0'");
}

}  // namespace
}  // namespace reclab::data
