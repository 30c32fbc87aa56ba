#include <gtest/gtest.h>

#include <cmath>

#include "data/loaders/loaders.h"
#include "loader_test_helpers.h"

namespace reclab::data {
namespace {

using namespace reclab::data::testing;
using Strings = std::vector<std::string>;

LoadResult loadCsvRatings(const Strings& paths, const LoadOptions& options = {}) {
  LoadResult result;
  StopToken stop;
  loaders::loadAmazonCsv(paths, options, result, nullObserver(), stop);
  return result;
}

LoadResult loadJsonl(const Strings& paths, const LoadOptions& options = {}) {
  LoadResult result;
  StopToken stop;
  loaders::loadAmazonJsonl(paths, options, result, nullObserver(), stop);
  return result;
}

// ---------------------------------------------------------------- CSV

TEST(AmazonCsv, CountsIdsAndColumns) {
  LoadResult r = loadCsvRatings({fixture("amazon-csv/ratings_Electronics.csv")});
  const InteractionLog& log = r.log;
  EXPECT_EQ(log.numRows(), 6u);
  EXPECT_EQ(log.numUsers(), 5);
  EXPECT_EQ(log.numItems(), 3);
  EXPECT_EQ(log.users.original(log.user[5]), "AKM1MP6P0OYPR");
  EXPECT_EQ(log.user[0], log.user[5]);
  // Item ids keep their leading zero (string ids, not numbers).
  EXPECT_EQ(log.items.original(log.item[0]), "0132793040");
  EXPECT_FLOAT_EQ(log.value[3], 3.0f);
  EXPECT_EQ(log.timestamp[0], 1365811200000);
  EXPECT_EQ(log.valueName, "rating");
  EXPECT_EQ(log.eventNames, Strings{"rating"});
  EXPECT_EQ(r.report.rowsLoaded, 6u);
  EXPECT_TRUE(r.report.warnings.empty());
  log.validate();
}

TEST(AmazonCsv, BadRows) {
  const std::string path = fixture("amazon-csv/broken.csv");
  LoadResult r = loadCsvRatings({path});
  EXPECT_EQ(r.report.rowsRead, 8u);
  EXPECT_EQ(r.log.numRows(), 1u);
  EXPECT_EQ(r.report.badRowCount, 7u);
  EXPECT_EQ(badRowMessages(r.report),
            (Strings{
                path + ":2: field 'rating': not a number: 'five'",
                path + ":3: expected 4 fields, got 3",
                path + ":4: invalid UTF-8 at byte 2",
                path + ":5: field 'timestamp': number out of range: '99999999999999999999'",
                path + ":6: field 'user': empty",
                path + ":7: field 'rating': rating out of range [1, 5]: '6.0'",
                path + ":8: truncated last line (no newline, 3 of 4 fields)",
            }));
}

TEST(AmazonCsv, StopPolicy) {
  LoadOptions options;
  options.policy = BadRowPolicy::Stop;
  const std::string path = fixture("amazon-csv/broken.csv");
  EXPECT_EQ(inputErrorOf([&] { loadCsvRatings({path}, options); }),
            path + ":2: field 'rating': not a number: 'five'");
}

TEST(AmazonCsv, Header2023WithMilliseconds) {
  LoadResult r = loadCsvRatings({fixture("amazon-csv/Books.csv")});
  EXPECT_EQ(r.log.numRows(), 2u);
  EXPECT_EQ(r.report.rowsRead, 2u);
  EXPECT_EQ(r.log.timestamp[0], 1657817364432);
  EXPECT_EQ(r.log.items.original(r.log.item[1]), "0593236599");
}

TEST(AmazonCsv, StructuralErrors) {
  const std::string tsv = fixture("amazon-csv/ratings.tsv");
  EXPECT_EQ(inputErrorOf([&] { loadCsvRatings({tsv}); }),
            tsv + ":1: no ',' found; the file looks '\\t'-delimited — wrong format?");
  const std::string empty = fixture("amazon-csv/empty.csv");
  EXPECT_EQ(inputErrorOf([&] { loadCsvRatings({empty}); }), empty + ": empty file");
  EXPECT_EQ(inputErrorOf([&] { loadCsvRatings({"/nonexistent/ratings.csv.gz"}); }),
            "/nonexistent/ratings.csv.gz: compressed file (.gz); unpack it first");
}

// ---------------------------------------------------------------- JSON Lines

TEST(AmazonJsonl, Reviews2023And2018RowsWithMeta) {
  LoadResult r = loadJsonl({fixture("amazon-jsonl/Books.jsonl")});
  const InteractionLog& log = r.log;
  EXPECT_EQ(log.numRows(), 4u);
  EXPECT_EQ(log.numUsers(), 3);
  EXPECT_EQ(log.numItems(), 4);  // B00P1, B00P2, B00A3 reviewed + B00P9 from the meta file
  EXPECT_EQ(log.items.original(log.item[0]), "B00P1");  // parent_asin preferred over asin
  EXPECT_EQ(log.items.original(log.item[2]), "B00A3");  // asin when there is no parent_asin
  EXPECT_EQ(log.item[3], log.item[0]);                  // 2018 row: asin B00P1
  EXPECT_EQ(log.users.original(log.user[3]), "A2018X");
  EXPECT_EQ(log.timestamp[0], 1588687728923);  // 2023: milliseconds
  EXPECT_EQ(log.timestamp[3], 1400000000000);  // 2018: seconds
  EXPECT_FLOAT_EQ(log.value[3], 2.0f);
  EXPECT_EQ(r.report.files, (Strings{fixture("amazon-jsonl/Books.jsonl"),
                                     fixture("amazon-jsonl/meta_Books.jsonl")}));
  EXPECT_EQ(r.report.rowsLoaded, 4u);
  ASSERT_EQ(r.report.warnings.size(), 1u);
  EXPECT_NE(r.report.warnings[0].find("1 catalogue-only item(s)"), std::string::npos);

  const auto& attrs = log.itemAttributes;
  const std::int32_t p1 = indexOf(log.items, "B00P1");
  EXPECT_EQ(categoricalOf(attrs, "title", p1), "Caf\xC3\xA9 Stories");
  EXPECT_EQ(categoricalOf(attrs, "category", p1), "Books");
  EXPECT_EQ(multiOf(attrs, "categories", p1), (Strings{"Books", "Literature & Fiction"}));
  EXPECT_DOUBLE_EQ(numericOf(attrs, "price", p1), 12.99);
  EXPECT_EQ(categoricalOf(attrs, "store", p1), "Penguin");
  EXPECT_TRUE(std::isnan(numericOf(attrs, "price", indexOf(log.items, "B00P2"))));
  const std::int32_t p9 = indexOf(log.items, "B00P9");
  EXPECT_DOUBLE_EQ(numericOf(attrs, "price", p9), 5.5);
  EXPECT_EQ(categoricalOf(attrs, "category", p9), "Toys & Games");
  EXPECT_EQ(categoricalOf(attrs, "title", indexOf(log.items, "B00A3")), "<missing>");
  log.validate();
}

TEST(AmazonJsonl, BadRows) {
  const std::string path = fixture("amazon-jsonl/broken.jsonl");
  LoadResult r = loadJsonl({path});
  EXPECT_EQ(r.report.rowsRead, 9u);
  EXPECT_EQ(r.log.numRows(), 1u);
  EXPECT_EQ(badRowMessages(r.report),
            (Strings{
                path + ":2: not valid JSON",
                path + ":3: missing key 'user_id' (or 'reviewerID')",
                path + ":4: field 'rating': not a number: 'x'",
                path + ":5: field 'timestamp': number out of range: '1e+20'",
                path + ":6: not a JSON object",
                path + ":7: missing key 'asin'",
                path + ":8: invalid UTF-8 at byte 34",
                path + ":9: truncated last line (no newline, not valid JSON)",
            }));
}

TEST(AmazonJsonl, NotJsonLinesIsAnInputError) {
  const std::string csv = fixture("amazon-csv/ratings_Electronics.csv");
  EXPECT_EQ(inputErrorOf([&] { loadJsonl({csv}); }),
            csv + ":1: not a JSON object — is this JSON Lines?");
  EXPECT_EQ(inputErrorOf([&] { loadJsonl({fixture("amazon-jsonl/meta_Books.jsonl")}); }),
            "amazon-jsonl: no reviews file given (only meta_* files)");
}

TEST(AmazonJsonl, PreStoppedTokenCancelsALargeFile) {
  const std::string path = scratchDir() + "/All_Beauty.jsonl";
  writeLines(path, ProgressTicker::kEvery + 10, [](std::size_t i) {
    return "{\"rating\": 4.0, \"parent_asin\": \"P" + std::to_string(i % 9) +
           "\", \"user_id\": \"U" + std::to_string(i % 13) + "\", \"timestamp\": 1588687728923}";
  });
  StopToken stop;
  stop.requestStop();
  LoadResult result;
  EXPECT_THROW(loaders::loadAmazonJsonl({path}, {}, result, nullObserver(), stop), Cancelled);
}

}  // namespace
}  // namespace reclab::data
