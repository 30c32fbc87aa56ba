#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "data/loaders/loaders.h"
#include "loader_test_helpers.h"

namespace reclab::data {
namespace {

using namespace reclab::data::testing;
using Strings = std::vector<std::string>;

LoadResult loadYc(const Strings& paths, LoadOptions options = {}, int threads = 1) {
  options.threads = threads;
  LoadResult result;
  StopToken stop;
  loaders::loadYoochoose(paths, options, result, nullObserver(), stop);
  return result;
}

std::string yc(const std::string& name) { return fixture("yoochoose/" + name); }

TEST(Yoochoose, ClicksCountsColumnsAndCategories) {
  LoadResult r = loadYc({yc("yoochoose-clicks.dat")});
  const InteractionLog& log = r.log;
  log.validate();
  EXPECT_EQ(log.numRows(), 10u);
  EXPECT_EQ(log.numSessions(), 3);
  EXPECT_EQ(log.numItems(), 5);
  EXPECT_FALSE(log.hasUsers());
  EXPECT_FALSE(log.hasEvents());
  EXPECT_FALSE(log.hasValues());
  EXPECT_EQ(log.eventNames, Strings{"click"});
  EXPECT_EQ(log.session, (std::vector<std::int32_t>{0, 0, 0, 0, 1, 1, 1, 2, 2, 0}));
  EXPECT_EQ(log.item, (std::vector<std::int32_t>{0, 1, 2, 0, 3, 3, 0, 4, 1, 4}));
  EXPECT_EQ(log.timestamp[0], 1396867869277);
  EXPECT_EQ(log.timestamp[9], 1396868400000);
  EXPECT_EQ(log.sessions.original(2), "3");
  EXPECT_EQ(log.items.original(3), "214662742");
  EXPECT_EQ(log.sessions.storage(), IdMap::Storage::UInt32);

  const auto& a = log.itemAttributes;
  const Attribute* cat = a.find("category");
  ASSERT_NE(cat, nullptr);
  EXPECT_EQ(cat->kind, Attribute::Kind::MultiCategorical);
  EXPECT_EQ(cat->vocabulary, (Strings{"S", "5", "2089384724", "12"}));  // "0" is not stored
  EXPECT_EQ(multiOf(a, "category", 0), (Strings{"5", "S"}));
  EXPECT_EQ(multiOf(a, "category", 1), Strings{"S"});
  EXPECT_EQ(multiOf(a, "category", 3), Strings{"2089384724"});
  EXPECT_EQ(multiOf(a, "category", 4), Strings{"12"});
  EXPECT_EQ(r.report.rowsRead, 10u);
  EXPECT_EQ(r.report.rowsLoaded, 10u);
  EXPECT_EQ(r.report.badRowCount, 0u);
}

TEST(Yoochoose, ClicksOnlyKeepSixteenBytesPerEvent) {
  StopToken stop;
  LoadResult r = loadDataset(Format::Yoochoose, {yc("yoochoose-clicks.dat")}, LoadOptions{},
                             nullObserver(), stop);
  const InteractionLog& log = r.log;
  EXPECT_EQ(log.item.capacity(), 10u);
  EXPECT_EQ(log.timestamp.capacity(), 10u);
  EXPECT_EQ(log.session.capacity(), 10u);
  EXPECT_EQ(log.event.capacity() + log.value.capacity() + log.user.capacity(), 0u);
  // Id maps hold only their 4-byte originals once loaded (plus empty-table overhead).
  EXPECT_LE(log.sessions.memoryBytes(), 3 * sizeof(std::uint32_t) + 64);
  EXPECT_LE(log.items.memoryBytes(), 5 * sizeof(std::uint32_t) + 64);
  EXPECT_EQ(log.sessions.find("2"), 1);  // the lookup is rebuilt on demand
}

TEST(Yoochoose, BuysAddEventsQuantitiesAndPrices) {
  LoadResult r = loadYc({yc("yoochoose-buys.dat"), yc("yoochoose-clicks.dat")});
  const InteractionLog& log = r.log;
  log.validate();
  EXPECT_EQ(log.numRows(), 14u);
  EXPECT_EQ(log.eventNames, (Strings{"click", "buy"}));
  EXPECT_EQ(log.valueName, "quantity");
  EXPECT_EQ(log.event, (std::vector<std::uint8_t>{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1}));
  EXPECT_EQ(log.value, (std::vector<float>{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 2, 1}));
  // The session of the third buy (9) has no clicks: loaded, and counted in a warning.
  EXPECT_EQ(log.numSessions(), 4);
  EXPECT_EQ(log.sessions.original(3), "9");
  EXPECT_EQ(log.session[12], 3);
  EXPECT_EQ(log.session[10], 0);
  EXPECT_EQ(log.numItems(), 6);
  EXPECT_EQ(log.items.original(5), "214999999");
  EXPECT_EQ(log.timestamp[10], 1396868460000);
  EXPECT_EQ(r.report.warnings, Strings{"1 buy rows belong to sessions without any click"});
  const auto& a = log.itemAttributes;
  EXPECT_EQ(numericOf(a, "price", indexOf(log.items, "214536502")), 12462.0);
  EXPECT_EQ(numericOf(a, "price", indexOf(log.items, "214662742")), 3000.0);  // 0 ignored
  EXPECT_EQ(numericOf(a, "price", indexOf(log.items, "214999999")), 1500.0);
  EXPECT_TRUE(std::isnan(numericOf(a, "price", indexOf(log.items, "214536500"))));
  EXPECT_EQ(r.report.files, (Strings{yc("yoochoose-clicks.dat"), yc("yoochoose-buys.dat")}));
  EXPECT_EQ(r.report.rowsLoaded, 14u);
}

TEST(Yoochoose, BadRowsWithLines) {
  for (int threads : {1, 2, 3}) {
    LoadResult r = loadYc({yc("broken/bad-clicks.dat")}, {}, threads);
    const std::string f = yc("broken/bad-clicks.dat");
    EXPECT_EQ(badRowMessages(r.report),
              (Strings{
                  f + ":2: expected 4 fields, got 3",
                  f + ":3: field 'session': not an integer: 'x1'",
                  f + ":5: field 'timestamp': impossible date or time: "
                      "'2014-13-07T10:54:09.868Z'",
                  f + ":6: field 'item': number out of range: '99999999999999999999'",
                  f + ":8: invalid UTF-8 at byte 38",
                  f + ":11: truncated last line (no newline, 2 of 4 fields)",
              }))
        << threads << " threads";
    EXPECT_EQ(r.report.rowsRead, 10u);
    EXPECT_EQ(r.report.rowsLoaded, 4u);
    EXPECT_EQ(r.report.badRowCount, 6u);
    const InteractionLog& log = r.log;
    log.validate();
    EXPECT_EQ(log.numSessions(), 4);
    EXPECT_EQ(log.numItems(), 2);
    EXPECT_EQ(log.timestamp[1], 1396868049000);  // "2014-04-07 10:54:09", general path
    EXPECT_EQ(multiOf(log.itemAttributes, "category", 1), Strings{"café"});
  }
}

TEST(Yoochoose, StopPolicyThrowsAtFirstBadRow) {
  LoadOptions options;
  options.policy = BadRowPolicy::Stop;
  for (int threads : {1, 4}) {
    EXPECT_EQ(inputErrorOf([&] { loadYc({yc("broken/bad-clicks.dat")}, options, threads); }),
              yc("broken/bad-clicks.dat") + ":2: expected 4 fields, got 3");
  }
}

TEST(Yoochoose, HeaderLineIsSkipped) {
  LoadResult r = loadYc({yc("broken/header-clicks.dat")});
  EXPECT_EQ(r.log.numRows(), 2u);
  EXPECT_EQ(r.report.rowsRead, 2u);
  EXPECT_EQ(r.report.badRowCount, 0u);
}

TEST(Yoochoose, StructuralErrors) {
  EXPECT_EQ(inputErrorOf([&] { loadYc({yc("broken/empty-clicks.dat")}); }),
            yc("broken/empty-clicks.dat") + ": empty file");
  EXPECT_EQ(inputErrorOf([&] { loadYc({yc("broken/semicolon-clicks.dat")}); }),
            yc("broken/semicolon-clicks.dat") +
                ":1: no ',' found; the file looks ';'-delimited — wrong format?");
  EXPECT_EQ(inputErrorOf([&] { loadYc({yc("missing-clicks.dat")}); }),
            yc("missing-clicks.dat") + ": no such file");
  EXPECT_NE(inputErrorOf([&] { loadYc({yc("yoochoose-buys.dat")}); }).find("no clicks file"),
            std::string::npos);
}

/// A clicks file with runs of sessions, returning sessions, many categories, blank lines,
/// CRLF lines and bad rows of every kind, ending in a truncated line.
std::string writeMessyClicks(const std::string& dir, std::size_t lines) {
  const std::string path = dir + "/messy-clicks.dat";
  std::mt19937 rng(7);
  long session = 100;
  writeLines(path, lines, [&](std::size_t i) -> std::string {
    if (i + 1 == lines) return "";  // leaves the file ending "\n\n": one blank last line
    const unsigned roll = rng() % 1000;
    if (rng() % 4 == 0) session += 1 + rng() % 3;
    const long s = roll < 20 ? static_cast<long>(rng() % 200) + 50 : session;
    const long item = 214000000 + static_cast<long>(rng() % 400);
    const char* cats[] = {"0", "S", "1", "12", "2089384724", "0", "7"};
    char ts[40];
    const auto day = 1 + static_cast<unsigned>(rng() % 28);
    const auto hour = static_cast<unsigned>(rng() % 24);
    const auto minute = static_cast<unsigned>(rng() % 60);
    const auto second = static_cast<unsigned>(rng() % 60);
    const auto millis = static_cast<unsigned>(rng() % 1000);
    std::snprintf(ts, sizeof ts, "2014-04-%02uT%02u:%02u:%02u.%03uZ", day, hour, minute, second,
                  millis);
    const std::string good =
        std::to_string(s) + "," + ts + "," + std::to_string(item) + "," + cats[rng() % 7];
    if (roll < 30) return good + "\r";
    if (roll < 33) return "";
    if (roll < 36) return std::to_string(s) + "," + ts + "," + std::to_string(item);
    if (roll < 39) return "x" + good;
    if (roll < 42) return std::to_string(s) + ",2014-02-30T00:00:00.000Z,1,0";
    if (roll < 45) return good + "\xff";
    if (roll < 48) return std::to_string(s) + ",2014-04-01 10:00:00," + std::to_string(item) + ",S";
    return good;
  });
  std::ofstream(path, std::ios::app | std::ios::binary) << "5,2014-04-01T10:00";
  return path;
}

void expectSameLoad(const LoadResult& a, const LoadResult& b, int threads) {
  SCOPED_TRACE(std::to_string(threads) + " threads");
  EXPECT_EQ(a.log.item, b.log.item);
  EXPECT_EQ(a.log.session, b.log.session);
  EXPECT_EQ(a.log.timestamp, b.log.timestamp);
  ASSERT_EQ(a.log.numSessions(), b.log.numSessions());
  for (std::int32_t s = 0; s < a.log.numSessions(); ++s)
    ASSERT_EQ(a.log.sessions.original(s), b.log.sessions.original(s));
  ASSERT_EQ(a.log.numItems(), b.log.numItems());
  for (std::int32_t i = 0; i < a.log.numItems(); ++i)
    ASSERT_EQ(a.log.items.original(i), b.log.items.original(i));
  const Attribute* ca = a.log.itemAttributes.find("category");
  const Attribute* cb = b.log.itemAttributes.find("category");
  ASSERT_TRUE(ca && cb);
  EXPECT_EQ(ca->vocabulary, cb->vocabulary);
  EXPECT_EQ(ca->multi, cb->multi);
  EXPECT_EQ(badRowMessages(a.report), badRowMessages(b.report));
  EXPECT_EQ(a.report.badRowCount, b.report.badRowCount);
  EXPECT_EQ(a.report.rowsRead, b.report.rowsRead);
  EXPECT_EQ(a.report.rowsLoaded, b.report.rowsLoaded);
}

TEST(Yoochoose, ParallelParseMatchesSequential) {
  const std::string path = writeMessyClicks(scratchDir(), 30000);
  LoadOptions options;
  options.maxListedBadRows = 100000;
  const LoadResult one = loadYc({path}, options, 1);
  EXPECT_GT(one.report.badRowCount, 300u);
  EXPECT_GT(one.log.numRows(), 25000u);
  EXPECT_EQ(one.report.badRows.back().reason, "truncated last line (no newline, 2 of 4 fields)");
  EXPECT_EQ(one.report.badRows.back().line, 30001u);
  one.log.validate();
  for (int threads : {2, 3, 5, 8}) expectSameLoad(one, loadYc({path}, options, threads), threads);
  // With the default listing limit the same first rows are listed.
  const LoadResult limited1 = loadYc({path}, {}, 1);
  const LoadResult limited4 = loadYc({path}, {}, 4);
  EXPECT_EQ(badRowMessages(limited1.report), badRowMessages(limited4.report));
  EXPECT_EQ(limited4.report.badRows.size(), 100u);
  EXPECT_EQ(limited4.report.badRowCount, one.report.badRowCount);
}

class StopOnProgress : public Observer {
 public:
  explicit StopOnProgress(const StopToken& stop) : m_stop(stop) {}
  void onProgress(double, std::string_view) override { m_stop.requestStop(); }

 private:
  StopToken m_stop;
};

TEST(Yoochoose, CancelThrowsCancelled) {
  const std::string path = scratchDir() + "/clicks.dat";
  writeLines(path, 140000, [](std::size_t i) {
    return std::to_string(i / 3 + 1) + ",2014-04-07T10:51:09.277Z," +
           std::to_string(214536502 + i % 50) + ",0";
  });
  for (int threads : {1, 2}) {
    StopToken stop;
    StopOnProgress observer(stop);
    LoadResult result;
    LoadOptions options;
    options.threads = threads;
    EXPECT_THROW(loaders::loadYoochoose({path}, options, result, observer, stop), Cancelled);
  }
  StopToken stopped;
  stopped.requestStop();
  LoadResult result;
  EXPECT_THROW(loaders::loadYoochoose({yc("yoochoose-clicks.dat")}, LoadOptions{}, result,
                                      nullObserver(), stopped),
               Cancelled);
}

TEST(Yoochoose, LoadDatasetExpandsADirectory) {
  StopToken stop;
  LoadResult r =
      loadDataset(Format::Yoochoose, {fixture("yoochoose")}, LoadOptions{}, nullObserver(), stop);
  EXPECT_EQ(r.report.files, (Strings{yc("yoochoose-clicks.dat"), yc("yoochoose-buys.dat")}));
  EXPECT_EQ(r.log.numRows(), 14u);
}

}  // namespace
}  // namespace reclab::data
