#include "data/load.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "loader_test_helpers.h"

namespace reclab::data {
namespace {

using namespace reclab::data::testing;
namespace fs = std::filesystem;

TEST(FormatNames, RoundTrip) {
  for (Format f : {Format::RetailRocket, Format::Yoochoose, Format::Diginetica, Format::SessionRec,
                   Format::MovieLens, Format::AmazonCsv, Format::AmazonJsonl, Format::Csv}) {
    EXPECT_EQ(parseFormatName(formatName(f)), f);
  }
  EXPECT_EQ(formatName(Format::AmazonJsonl), "amazon-jsonl");
  EXPECT_EQ(parseFormatName("YooChoose"), Format::Yoochoose);
  EXPECT_EQ(inputErrorOf([] { parseFormatName("movielenz"); }),
            "unknown format 'movielenz'; valid formats: retailrocket, yoochoose, diginetica, "
            "sessionrec, movielens, amazon-csv, amazon-jsonl, csv");
}

TEST(BadRowMessage, FileLineReason) {
  BadRow row{"events.csv", 17, "field 'timestamp': not an integer: '12a4'"};
  EXPECT_EQ(row.message(), "events.csv:17: field 'timestamp': not an integer: '12a4'");
}

TEST(DetectFormat, ByFileName) {
  EXPECT_EQ(detectFormat({fixture("retailrocket/events.csv")}), Format::RetailRocket);
  EXPECT_EQ(detectFormat({fixture("retailrocket/category_tree.csv")}), Format::RetailRocket);
  EXPECT_EQ(detectFormat({fixture("yoochoose/yoochoose-buys.dat")}), Format::Yoochoose);
  EXPECT_EQ(detectFormat({fixture("diginetica/train-item-views.csv")}), Format::Diginetica);
  EXPECT_EQ(detectFormat({fixture("retailrocket")}), Format::RetailRocket);
  EXPECT_EQ(detectFormat({fixture("yoochoose")}), Format::Yoochoose);
  EXPECT_EQ(inputErrorOf([] { detectFormat({fixture("nothing/here.csv")}); }),
            fixture("nothing/here.csv") + ": no such file");
}

TEST(DetectFormat, DataFileWinsOverJsonSidecarsInADirectory) {
  // The bundled samples keep factors.json / ground_truth.json beside u.data: the directory is
  // MovieLens, not Amazon JSON Lines. A directory of JSON files alone still is Amazon.
  const std::string dir = scratchDir();
  fs::create_directories(dir + "/ml");
  fs::copy_file(fixture("movielens-100k/u.data"), dir + "/ml/u.data");
  writeLines(dir + "/ml/factors.json", 1, [](std::size_t) { return "{\"k\": 3}"; });
  EXPECT_EQ(detectFormat({dir + "/ml"}), Format::MovieLens);
  fs::create_directories(dir + "/amz");
  writeLines(dir + "/amz/reviews.jsonl", 1, [](std::size_t) { return "{\"rating\": 5}"; });
  EXPECT_EQ(detectFormat({dir + "/amz"}), Format::AmazonJsonl);
}

/// Copies `from` into the scratch dir under a neutral name, so only the content can tell.
std::string neutralCopy(const std::string& dir, const std::string& from, const std::string& name) {
  const std::string to = dir + "/" + name;
  fs::copy_file(from, to, fs::copy_options::overwrite_existing);
  return to;
}

TEST(DetectFormat, ByFirstLine) {
  const std::string dir = scratchDir();
  EXPECT_EQ(detectFormat({neutralCopy(dir, fixture("retailrocket/events.csv"), "a.csv")}),
            Format::RetailRocket);
  EXPECT_EQ(detectFormat({neutralCopy(dir, fixture("yoochoose/yoochoose-clicks.dat"), "b.csv")}),
            Format::Yoochoose);
  EXPECT_EQ(detectFormat({neutralCopy(dir, fixture("diginetica/train-item-views.csv"), "c.csv")}),
            Format::Diginetica);
  EXPECT_EQ(detectFormat({neutralCopy(dir, fixture("sessionrec/rsc15_train_full.txt"), "d.txt")}),
            Format::SessionRec);
  writeLines(dir + "/e.csv", 1,
             [](std::size_t) { return "A2SUAM1J3GNN3B,0000013714,5.0,1365811200"; });
  EXPECT_EQ(detectFormat({dir + "/e.csv"}), Format::AmazonCsv);
  writeLines(dir + "/f.csv", 1, [](std::size_t) { return "hello;world"; });
  EXPECT_EQ(inputErrorOf([&] { detectFormat({dir + "/f.csv"}); }),
            dir +
                "/f.csv: cannot tell the dataset format from the file name or its first line "
                "'hello;world'; give it with --format (retailrocket, yoochoose, diginetica, "
                "sessionrec, movielens, amazon-csv, amazon-jsonl, csv)");
}

TEST(LoadDataset, DirectoryWithoutTheFormatsFiles) {
  const std::string dir = scratchDir();
  EXPECT_EQ(inputErrorOf([&] {
              StopToken stop;
              loadDataset(Format::Diginetica, {dir}, LoadOptions{}, nullObserver(), stop);
            }),
            dir + ": no diginetica files found (expected train-item-views.csv)");
}

TEST(LoadDataset, SetsFormatAndFinishesTheLog) {
  StopToken stop;
  LoadResult r =
      loadDataset(Format::Diginetica, {fixture("diginetica")}, LoadOptions{}, nullObserver(), stop);
  EXPECT_EQ(r.format, Format::Diginetica);
  EXPECT_EQ(r.log.numRows(), 7u);
  EXPECT_EQ(r.log.item.capacity(), 7u);
  EXPECT_EQ(r.report.files, std::vector<std::string>{fixture("diginetica/train-item-views.csv")});
  r.log.validate();
}

}  // namespace
}  // namespace reclab::data
