#include <gtest/gtest.h>

#include "data/loaders/loaders.h"
#include "loader_test_helpers.h"

namespace reclab::data {
namespace {

using namespace reclab::data::testing;
using Strings = std::vector<std::string>;

LoadResult loadWith(const Strings& paths, const ColumnMapping& mapping,
                    BadRowPolicy policy = BadRowPolicy::Skip) {
  LoadOptions options;
  options.mapping = mapping;
  options.policy = policy;
  LoadResult result;
  StopToken stop;
  loaders::loadCsv(paths, options, result, nullObserver(), stop);
  return result;
}

ColumnMapping eventsMapping() {
  ColumnMapping m;
  m.user = "visitor";
  m.item = "item_id";
  m.timestamp = "when";
  m.timestampUnit = "iso8601";
  m.event = "kind";
  m.value = "price";
  m.session = "sess";
  return m;
}

TEST(CsvLoader, HeaderNamesQuotingIsoTimesAndEvents) {
  LoadResult r = loadWith({fixture("csv/events.csv")}, eventsMapping());
  const InteractionLog& log = r.log;
  ASSERT_EQ(log.numRows(), 4u);
  EXPECT_EQ(log.numUsers(), 3);
  EXPECT_EQ(log.numItems(), 3);
  EXPECT_EQ(log.numSessions(), 3);
  EXPECT_EQ(log.items.original(log.item[1]), "i,2");
  EXPECT_EQ(log.users.original(log.user[3]), "u\"3");
  EXPECT_EQ(log.eventNames, (Strings{"view", "buy"}));
  EXPECT_EQ(log.event, (std::vector<std::uint8_t>{0, 0, 1, 0}));
  EXPECT_EQ(log.timestamp, (std::vector<std::int64_t>{1433152800000, 1433152805000, 1433156400000,
                                                      1433203200500}));
  EXPECT_EQ(log.value, (std::vector<float>{1.5f, 2.0f, 3.25f, 4.0f}));
  EXPECT_EQ(log.valueName, "price");
  EXPECT_EQ(log.sessions.original(log.session[2]), "s2");
  EXPECT_EQ(r.report.rowsRead, 4u);
  EXPECT_EQ(r.report.rowsLoaded, 4u);
  log.validate();
}

TEST(CsvLoader, IndicesWithoutHeaderTabsAndMilliseconds) {
  ColumnMapping m;
  m.delimiter = '\t';
  m.hasHeader = false;
  m.user = "0";
  m.item = "1";
  m.timestamp = "2";
  m.timestampUnit = "unix_ms";
  m.value = "3";
  LoadResult r = loadWith({fixture("csv/clicks.tsv")}, m);
  const InteractionLog& log = r.log;
  EXPECT_EQ(log.numRows(), 3u);
  EXPECT_EQ(log.numUsers(), 2);
  EXPECT_EQ(log.numItems(), 2);
  EXPECT_EQ(log.timestamp[0], 1433221332117);
  EXPECT_EQ(log.valueName, "value");
  EXPECT_EQ(log.eventNames, Strings{"interaction"});
  EXPECT_FALSE(log.hasEvents());
  EXPECT_FALSE(log.hasSessions());
  EXPECT_EQ(log.users.original(log.user[2]), "10");
}

TEST(CsvLoader, ItemOnlyMappingByIndexWithHeader) {
  ColumnMapping m;
  m.item = "1";
  LoadResult r = loadWith({fixture("csv/scores.csv")}, m);
  EXPECT_EQ(r.log.numRows(), 1u);
  EXPECT_EQ(r.log.items.original(0), "2");
  EXPECT_FALSE(r.log.hasUsers());
  EXPECT_FALSE(r.log.hasTimestamps());
  EXPECT_FALSE(r.log.hasValues());
  EXPECT_EQ(r.log.valueName, "");
}

ColumnMapping brokenMapping() {
  ColumnMapping m;
  m.user = "user";
  m.item = "item";
  m.timestamp = "ts";
  m.value = "rating";
  return m;
}

TEST(CsvLoader, BadRows) {
  const std::string path = fixture("csv/broken.csv");
  LoadResult r = loadWith({path}, brokenMapping());
  EXPECT_EQ(r.report.rowsRead, 9u);
  EXPECT_EQ(r.report.rowsLoaded, 2u);
  EXPECT_EQ(r.log.numRows(), 2u);
  EXPECT_EQ(r.log.items.original(r.log.item[1]), "15");
  EXPECT_EQ(r.log.timestamp[1], 1006000);
  EXPECT_EQ(badRowMessages(r.report),
            (Strings{
                path + ":3: field 'rating': not a number: 'x'",
                path + ":4: expected 4 fields, got 3",
                path + ":5: invalid UTF-8 at byte 3",
                path + ":6: field 'ts': number out of range: '99999999999999999999'",
                path + ":7: field 'item': empty",
                path + ":8: unterminated or misplaced quote",
                path + ":10: truncated last line (no newline, 3 of 4 fields)",
            }));
  EXPECT_EQ(inputErrorOf([&] { loadWith({path}, brokenMapping(), BadRowPolicy::Stop); }),
            path + ":3: field 'rating': not a number: 'x'");
}

TEST(CsvLoader, MappingErrors) {
  const std::string scores = fixture("csv/scores.csv");
  EXPECT_EQ(inputErrorOf([&] {
              LoadResult r;
              StopToken stop;
              loaders::loadCsv({scores}, LoadOptions{}, r, nullObserver(), stop);
            }),
            "format 'csv' needs a column mapping: say which column holds the item (required) and, "
            "if present, the user, timestamp, event, value and session");

  ColumnMapping noItem;
  noItem.user = "userId";
  EXPECT_EQ(inputErrorOf([&] { loadWith({scores}, noItem); }),
            "column mapping: the item column is required (give its header name or 0-based "
            "number)");

  ColumnMapping wrongName;
  wrongName.user = "userId";
  wrongName.item = "movieId";
  wrongName.value = "rating";
  EXPECT_EQ(inputErrorOf([&] { loadWith({scores}, wrongName); }),
            scores +
                ":1: mapping refers to column 'rating' but the header has userId, movieId, "
                "score");

  ColumnMapping byNameNoHeader;
  byNameNoHeader.delimiter = '\t';
  byNameNoHeader.hasHeader = false;
  byNameNoHeader.item = "movieId";
  const std::string clicks = fixture("csv/clicks.tsv");
  EXPECT_EQ(inputErrorOf([&] { loadWith({clicks}, byNameNoHeader); }),
            clicks +
                ": mapping refers to column 'movieId' by name, but the file has no header; "
                "use a 0-based column number");

  ColumnMapping badUnit = wrongName;
  badUnit.value.clear();
  badUnit.timestamp = "score";
  badUnit.timestampUnit = "days";
  EXPECT_EQ(inputErrorOf([&] { loadWith({scores}, badUnit); }),
            "column mapping: timestampUnit must be unix_s, unix_ms or iso8601, got 'days'");

  ColumnMapping outOfRange;
  outOfRange.delimiter = '\t';
  outOfRange.hasHeader = false;
  outOfRange.item = "7";
  EXPECT_EQ(inputErrorOf([&] { loadWith({clicks}, outOfRange); }),
            clicks + ":1: mapping refers to column 7 but the row has 4 fields");
}

TEST(CsvLoader, WrongDelimiterBothWays) {
  ColumnMapping commas;
  commas.hasHeader = false;
  commas.user = "0";
  commas.item = "1";
  const std::string tsv = fixture("csv/clicks.tsv");
  EXPECT_EQ(inputErrorOf([&] { loadWith({tsv}, commas); }),
            tsv + ":1: no ',' found; the file looks '\\t'-delimited — wrong format?");

  ColumnMapping tabs = commas;
  tabs.delimiter = '\t';
  const std::string csv = fixture("amazon-csv/ratings_Electronics.csv");
  EXPECT_EQ(inputErrorOf([&] { loadWith({csv}, tabs); }),
            csv + ":1: no '\\t' found; the file looks ','-delimited — wrong format?");
}

TEST(CsvLoader, PreStoppedTokenCancelsALargeFile) {
  const std::string path = scratchDir() + "/big.csv";
  writeLines(path, ProgressTicker::kEvery + 10, [](std::size_t i) {
    return i == 0 ? std::string("user,item")
                  : "u" + std::to_string(i % 7) + ",i" + std::to_string(i % 11);
  });
  ColumnMapping m;
  m.user = "user";
  m.item = "item";
  LoadOptions options;
  options.mapping = m;
  StopToken stop;
  stop.requestStop();
  LoadResult result;
  EXPECT_THROW(loaders::loadCsv({path}, options, result, nullObserver(), stop), Cancelled);
  // And without the stop request it loads all rows.
  LoadResult full = loadWith({path}, m);
  EXPECT_EQ(full.log.numRows(), ProgressTicker::kEvery + 9);
  EXPECT_EQ(full.log.numItems(), 11);
}

}  // namespace
}  // namespace reclab::data
