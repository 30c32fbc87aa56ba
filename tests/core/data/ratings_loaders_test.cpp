#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "data/loaders/loaders.h"
#include "loader_test_helpers.h"

namespace reclab::data {
namespace {

using namespace reclab::data::testing;
using Strings = std::vector<std::string>;

LoadResult loadMl(const Strings& paths, const LoadOptions& options = {}) {
  LoadResult result;
  StopToken stop;
  loaders::loadMovieLens(paths, options, result, nullObserver(), stop);
  return result;
}

// ---------------------------------------------------------------- 100K

TEST(MovieLens100k, CountsIdsAndColumns) {
  LoadResult r = loadMl({fixture("movielens-100k/u.data")});
  const InteractionLog& log = r.log;
  EXPECT_EQ(log.numRows(), 9u);
  EXPECT_EQ(log.numUsers(), 8);
  // 8 rated items, then Toy Story (1) which only u.item lists.
  EXPECT_EQ(log.numItems(), 9);
  EXPECT_EQ(log.items.original(0), "242");
  EXPECT_EQ(log.items.original(8), "1");
  EXPECT_EQ(log.users.original(log.user[8]), "196");
  EXPECT_EQ(log.items.original(log.item[8]), "302");
  EXPECT_EQ(log.timestamp[0], 881250949000);
  EXPECT_FLOAT_EQ(log.value[7], 5.0f);
  EXPECT_EQ(log.valueName, "rating");
  EXPECT_EQ(log.eventNames, Strings{"rating"});
  EXPECT_FALSE(log.hasEvents());
  EXPECT_FALSE(log.hasSessions());
  EXPECT_EQ(r.report.rowsRead, 9u);
  EXPECT_EQ(r.report.rowsLoaded, 9u);
  EXPECT_EQ(r.report.badRowCount, 0u);
  EXPECT_EQ(r.report.files,
            (Strings{fixture("movielens-100k/u.data"), fixture("movielens-100k/u.item"),
                     fixture("movielens-100k/u.user")}));
  ASSERT_EQ(r.report.warnings.size(), 1u);
  EXPECT_NE(r.report.warnings[0].find("1 catalogue-only item(s)"), std::string::npos);
  log.validate();
}

TEST(MovieLens100k, ItemAttributesFromLatin1Catalogue) {
  LoadResult r = loadMl({fixture("movielens-100k/u.data")});
  const auto& items = r.log.itemAttributes;
  const auto& ids = r.log.items;
  EXPECT_EQ(multiOf(items, "genres", indexOf(ids, "302")),
            (Strings{"Crime", "Film-Noir", "Mystery", "Thriller"}));
  EXPECT_EQ(multiOf(items, "genres", indexOf(ids, "1")),
            (Strings{"Animation", "Children's", "Comedy"}));
  // 0xE9 in the Latin-1 file becomes U+00E9 (C3 A9) in UTF-8.
  EXPECT_EQ(categoricalOf(items, "title", indexOf(ids, "265")), "Mis\xC3\xA9rables, Les (1995)");
  EXPECT_EQ(categoricalOf(items, "title", indexOf(ids, "1")), "Toy Story (1995)");
  EXPECT_DOUBLE_EQ(numericOf(items, "year", indexOf(ids, "242")), 1997.0);  // 24-Jan-1997
  EXPECT_TRUE(std::isnan(numericOf(items, "year", indexOf(ids, "377"))));   // no release date
}

TEST(MovieLens100k, UserAttributes) {
  LoadResult r = loadMl({fixture("movielens-100k/u.data")});
  const auto& users = r.log.userAttributes;
  std::int32_t u196 = indexOf(r.log.users, "196");
  EXPECT_DOUBLE_EQ(numericOf(users, "age", u196), 49.0);
  EXPECT_EQ(categoricalOf(users, "gender", u196), "M");
  EXPECT_EQ(categoricalOf(users, "occupation", u196), "writer");
  EXPECT_EQ(categoricalOf(users, "zip", indexOf(r.log.users, "115")), "01915");
  EXPECT_EQ(categoricalOf(users, "gender", indexOf(r.log.users, "253")), "F");
}

TEST(MovieLens100k, DirectoryAndExplicitSiblings) {
  LoadResult fromDir = loadMl({fixture("movielens-100k")});
  EXPECT_EQ(fromDir.log.numRows(), 9u);
  EXPECT_EQ(fromDir.log.numItems(), 9);
  EXPECT_EQ(fromDir.report.files.size(), 3u);

  LoadResult explicitFiles =
      loadMl({fixture("movielens-100k/u.item"), fixture("movielens-100k/u.data"),
              fixture("movielens-100k/u.genre")});
  EXPECT_EQ(explicitFiles.log.numRows(), 9u);
  EXPECT_EQ(explicitFiles.report.files.front(), fixture("movielens-100k/u.data"));
  ASSERT_EQ(explicitFiles.report.warnings.size(), 2u);
  EXPECT_EQ(
      explicitFiles.report.warnings[0],
      fixture("movielens-100k/u.genre") + ": ignored (not a file the MovieLens loader reads)");
}

TEST(MovieLens100k, BadRowsAreListedWithFileLineAndReason) {
  LoadResult r = loadMl({fixture("movielens-100k/broken/u.data")});
  const std::string data = fixture("movielens-100k/broken/u.data");
  const std::string item = fixture("movielens-100k/broken/u.item");
  EXPECT_EQ(r.report.rowsRead, 8u);
  EXPECT_EQ(r.report.rowsLoaded, 2u);
  EXPECT_EQ(r.log.numRows(), 2u);
  EXPECT_EQ(r.report.badRowCount, 9u);
  EXPECT_EQ(badRowMessages(r.report),
            (Strings{
                data + ":2: field 'rating': not a number: 'x'",
                data + ":3: expected 4 fields, got 3",
                data + ":4: field 'timestamp': number out of range: '99999999999999999999'",
                data + ":5: field 'rating': rating out of range [0.5, 5]: '7'",
                data + ":6: field 'user': number out of range: '99999999999999999999'",
                data + ":8: truncated last line (no newline, 3 of 4 fields)",
                item + ":2: field 'release date': not a date like 01-Jan-1995: 'sometime'",
                item + ":3: expected 24 fields, got 25",
                item + ":4: field 'Drama': expected 0 or 1: '2'",
            }));
  // Only the good catalogue line set a title.
  EXPECT_EQ(categoricalOf(r.log.itemAttributes, "title", indexOf(r.log.items, "242")),
            "Kolya (1996)");
  EXPECT_EQ(categoricalOf(r.log.itemAttributes, "title", indexOf(r.log.items, "474")), "<missing>");
  r.log.validate();
}

TEST(MovieLens100k, ListsOnlyTheFirstBadRows) {
  LoadOptions options;
  options.maxListedBadRows = 2;
  LoadResult r = loadMl({fixture("movielens-100k/broken/u.data")}, options);
  EXPECT_EQ(r.report.badRowCount, 9u);
  EXPECT_EQ(r.report.badRows.size(), 2u);
}

TEST(MovieLens100k, StopPolicyThrowsAtTheFirstBadRow) {
  LoadOptions options;
  options.policy = BadRowPolicy::Stop;
  EXPECT_EQ(inputErrorOf([&] { loadMl({fixture("movielens-100k/broken/u.data")}, options); }),
            fixture("movielens-100k/broken/u.data") + ":2: field 'rating': not a number: 'x'");
}

TEST(MovieLens100k, StructuralErrorsWhateverThePolicy) {
  const std::string wrong = fixture("movielens-100k/wrong-delim/u.data");
  EXPECT_EQ(inputErrorOf([&] { loadMl({wrong}); }),
            wrong + ":1: no '\\t' found; the file looks ','-delimited — wrong format?");
  const std::string empty = fixture("movielens-100k/empty/u.data");
  EXPECT_EQ(inputErrorOf([&] { loadMl({empty}); }), empty + ": empty file");
  const std::string missing = fixture("movielens-100k/nope/u.data");
  EXPECT_EQ(inputErrorOf([&] { loadMl({missing}); }), missing + ": no such file");
  EXPECT_EQ(inputErrorOf([&] { loadMl({fixture("movielens-100k/u.genre")}); }),
            "MovieLens: no ratings file among the given paths (expected u.data, ratings.dat or "
            "ratings.csv)");
}

TEST(MovieLens100k, PreStoppedTokenCancelsALargeFile) {
  const std::string dir = scratchDir();
  const std::string path = dir + "/u.data";
  const std::size_t rows = ProgressTicker::kEvery + 100;
  writeLines(path, rows, [](std::size_t i) {
    return std::to_string(i % 50 + 1) + "\t" + std::to_string(i % 70 + 1) + "\t3\t881250949";
  });
  StopToken stop;
  stop.requestStop();
  LoadResult result;
  EXPECT_THROW(loaders::loadMovieLens({path}, {}, result, nullObserver(), stop), Cancelled);

  // Not stopped, the same file loads completely.
  LoadResult full = loadMl({path});
  EXPECT_EQ(full.log.numRows(), rows);
  EXPECT_EQ(full.log.numUsers(), 50);
  EXPECT_EQ(full.log.numItems(), 70);
}

/// Records the progress calls of a load.
class ProgressRecorder : public Observer {
 public:
  void onProgress(double fraction, std::string_view stage) override {
    fractions.push_back(fraction);
    stages.emplace_back(stage);
  }
  std::vector<double> fractions;
  std::vector<std::string> stages;
};

TEST(MovieLens100k, ReportsProgressPerFileUpToOne) {
  ProgressRecorder observer;
  StopToken stop;
  LoadResult r;
  loaders::loadMovieLens({fixture("movielens-100k/u.data")}, {}, r, observer, stop);
  // One report at the end of each of u.data, u.item, u.user; the last covers every byte.
  ASSERT_EQ(observer.fractions.size(), 3u);
  EXPECT_TRUE(std::is_sorted(observer.fractions.begin(), observer.fractions.end()));
  EXPECT_DOUBLE_EQ(observer.fractions.back(), 1.0);
  EXPECT_EQ(observer.stages.back(), "loading");
  EXPECT_EQ(r.report.bytesRead, std::filesystem::file_size(fixture("movielens-100k/u.data")) +
                                    std::filesystem::file_size(fixture("movielens-100k/u.item")) +
                                    std::filesystem::file_size(fixture("movielens-100k/u.user")));
}

// ---------------------------------------------------------------- 1M

TEST(MovieLens1m, CountsAttributesAndSiblings) {
  LoadResult r = loadMl({fixture("movielens-1m/ratings.dat")});
  const InteractionLog& log = r.log;
  EXPECT_EQ(log.numRows(), 6u);
  EXPECT_EQ(log.numUsers(), 3);
  EXPECT_EQ(log.numItems(), 6);  // 5 rated + 73 from movies.dat only
  EXPECT_EQ(log.items.original(5), "73");
  EXPECT_EQ(log.timestamp[0], 978300760000);
  EXPECT_EQ(r.report.files.size(), 3u);
  const auto& items = log.itemAttributes;
  EXPECT_EQ(multiOf(items, "genres", indexOf(log.items, "661")),
            (Strings{"Animation", "Children's", "Musical"}));
  EXPECT_EQ(categoricalOf(items, "title", indexOf(log.items, "73")),
            "Mis\xC3\xA9rables, Les (1995)");
  EXPECT_DOUBLE_EQ(numericOf(items, "year", indexOf(log.items, "1193")), 1975.0);
  const auto& users = log.userAttributes;
  EXPECT_EQ(categoricalOf(users, "occupation", indexOf(log.users, "1")), "K-12 student");
  EXPECT_EQ(categoricalOf(users, "gender", indexOf(log.users, "1")), "F");
  EXPECT_DOUBLE_EQ(numericOf(users, "age", indexOf(log.users, "2")), 56.0);
  EXPECT_EQ(categoricalOf(users, "zip", indexOf(log.users, "3")), "55117");
}

TEST(MovieLens1m, BadRows) {
  LoadResult r = loadMl({fixture("movielens-1m/broken/ratings.dat")});
  const std::string path = fixture("movielens-1m/broken/ratings.dat");
  EXPECT_EQ(r.log.numRows(), 1u);
  EXPECT_EQ(badRowMessages(r.report),
            (Strings{path + ":2: expected 4 fields, got 3", path + ":3: expected 4 fields, got 5",
                     path + ":4: expected 4 fields, got 1"}));
}

// ---------------------------------------------------------------- latest

TEST(MovieLensLatest, CrlfHalfStarsAndQuotedTitles) {
  LoadResult r = loadMl({fixture("movielens-latest/ratings.csv")});
  const InteractionLog& log = r.log;
  EXPECT_EQ(log.numRows(), 6u);
  EXPECT_EQ(log.numUsers(), 3);
  EXPECT_EQ(log.numItems(), 8);      // 5 rated + 11, 73, 182727 from movies.csv
  EXPECT_EQ(r.report.rowsRead, 6u);  // the header is not a row
  EXPECT_FLOAT_EQ(log.value[3], 3.5f);
  EXPECT_FLOAT_EQ(log.value[5], 0.5f);
  EXPECT_EQ(log.timestamp[5], 1306463578000);
  const auto& items = log.itemAttributes;
  EXPECT_EQ(categoricalOf(items, "title", indexOf(log.items, "318")),
            "Shawshank Redemption, The (1994)");
  EXPECT_EQ(categoricalOf(items, "title", indexOf(log.items, "182727")),
            "Crazy, \"Quoted\" Title (2018)");
  EXPECT_TRUE(multiOf(items, "genres", indexOf(log.items, "182727")).empty());
  EXPECT_DOUBLE_EQ(numericOf(items, "year", indexOf(log.items, "182727")), 2018.0);
  EXPECT_EQ(multiOf(items, "genres", indexOf(log.items, "1")),
            (Strings{"Adventure", "Animation", "Children", "Comedy", "Fantasy"}));
  EXPECT_EQ(categoricalOf(items, "title", indexOf(log.items, "73")),
            "Mis\xC3\xA9rables, Les (1995)");
  EXPECT_TRUE(log.userAttributes.empty());
}

TEST(MovieLensLatest, HeaderAndDelimiterErrors) {
  const std::string badHeader = fixture("movielens-latest/bad-header/ratings.csv");
  EXPECT_EQ(inputErrorOf([&] { loadMl({badHeader}); }),
            badHeader +
                ":1: header lacks column(s) rating (expected userId,movieId,rating,"
                "timestamp; the line has userId,movieId,score,timestamp)");
  const std::string tabs = fixture("movielens-latest/wrong-delim/ratings.csv");
  EXPECT_EQ(inputErrorOf([&] { loadMl({tabs}); }),
            tabs + ":1: no ',' found; the file looks '\\t'-delimited — wrong format?");
}

}  // namespace
}  // namespace reclab::data
