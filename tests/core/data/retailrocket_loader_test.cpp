#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "data/loaders/loaders.h"
#include "loader_test_helpers.h"

namespace reclab::data {
namespace {

using namespace reclab::data::testing;
using Strings = std::vector<std::string>;

LoadResult loadRr(const Strings& paths, const LoadOptions& options = {}) {
  LoadResult result;
  StopToken stop;
  loaders::loadRetailRocket(paths, options, result, nullObserver(), stop);
  return result;
}

std::string rr(const std::string& name) { return fixture("retailrocket/" + name); }

TEST(RetailRocket, EventsCountsAndColumns) {
  LoadResult r = loadRr({rr("events.csv")});
  const InteractionLog& log = r.log;
  log.validate();
  EXPECT_EQ(log.numRows(), 8u);
  EXPECT_EQ(log.numUsers(), 5);
  EXPECT_EQ(log.numItems(), 5);
  EXPECT_EQ(log.eventNames, (Strings{"view", "addtocart", "transaction"}));
  EXPECT_FALSE(log.hasSessions());
  EXPECT_FALSE(log.hasValues());
  int byType[3] = {0, 0, 0};
  for (auto e : log.event) ++byType[e];
  EXPECT_EQ(byType[0], 6);
  EXPECT_EQ(byType[1], 1);
  EXPECT_EQ(byType[2], 1);
  // Row 6: 1433223300000,257597,transaction,355908,4000
  EXPECT_EQ(log.users.original(log.user[6]), "257597");
  EXPECT_EQ(log.items.original(log.item[6]), "355908");
  EXPECT_EQ(log.event[6], 2);
  EXPECT_EQ(log.timestamp[6], 1433223300000);
  EXPECT_EQ(log.user[0], log.user[5]);
  EXPECT_EQ(log.items.original(0), "355908");
  EXPECT_EQ(log.items.original(4), "367447");
  EXPECT_EQ(r.report.rowsRead, 8u);
  EXPECT_EQ(r.report.rowsLoaded, 8u);
  EXPECT_EQ(r.report.badRowCount, 0u);
  EXPECT_EQ(r.report.files, Strings{rr("events.csv")});
}

TEST(RetailRocket, CrlfLineEndings) {
  LoadResult r = loadRr({rr("events_crlf.csv")});
  EXPECT_EQ(r.log.numRows(), 2u);
  EXPECT_EQ(r.log.event[1], 2);
  EXPECT_EQ(r.report.badRowCount, 0u);
}

TEST(RetailRocket, BadRowsAreListedWithFileAndLine) {
  LoadResult r = loadRr({rr("events_bad.csv")});
  EXPECT_EQ(r.report.rowsRead, 9u);
  EXPECT_EQ(r.report.rowsLoaded, 2u);
  EXPECT_EQ(r.report.badRowCount, 7u);
  const std::string f = rr("events_bad.csv");
  EXPECT_EQ(badRowMessages(r.report),
            (Strings{
                f + ":3: expected 5 fields, got 4",
                f + ":4: field 'timestamp': not an integer: '12a4'",
                f + ":5: field 'visitorid': number out of range: '99999999999999999999'",
                f + ":6: field 'event': unknown event type 'click' (expected view, addtocart or "
                    "transaction)",
                f + ":7: invalid UTF-8 at byte 22",
                f + ":8: field 'transactionid': not an integer: 'abc'",
                f + ":10: truncated last line (no newline, 3 of 5 fields)",
            }));
  // Bad rows create no ids.
  EXPECT_EQ(r.log.numUsers(), 2);
  EXPECT_EQ(r.log.numItems(), 1);
  EXPECT_EQ(r.log.event[1], 1);
}

TEST(RetailRocket, ListsOnlyTheFirstBadRows) {
  LoadOptions options;
  options.maxListedBadRows = 2;
  LoadResult r = loadRr({rr("events_bad.csv")}, options);
  EXPECT_EQ(r.report.badRowCount, 7u);
  ASSERT_EQ(r.report.badRows.size(), 2u);
  EXPECT_EQ(r.report.badRows[1].line, 4u);
}

TEST(RetailRocket, StopPolicyThrowsAtFirstBadRow) {
  LoadOptions options;
  options.policy = BadRowPolicy::Stop;
  EXPECT_EQ(inputErrorOf([&] { loadRr({rr("events_bad.csv")}, options); }),
            rr("events_bad.csv") + ":3: expected 5 fields, got 4");
}

TEST(RetailRocket, StructuralErrorsWhateverThePolicy) {
  EXPECT_EQ(inputErrorOf([&] { loadRr({rr("events_empty.csv")}); }),
            rr("events_empty.csv") + ": empty file");
  EXPECT_EQ(inputErrorOf([&] { loadRr({rr("events_semicolon.csv")}); }),
            rr("events_semicolon.csv") +
                ":1: no ',' found; the file looks ';'-delimited — wrong format?");
  EXPECT_EQ(inputErrorOf([&] { loadRr({rr("events_wrong_header.csv")}); }),
            rr("events_wrong_header.csv") +
                ":1: expected header 'timestamp,visitorid,event,itemid,transactionid', got "
                "'time,visitor,event,item,tx'");
  EXPECT_EQ(inputErrorOf([&] { loadRr({rr("no_such_events.csv")}); }),
            rr("no_such_events.csv") + ": no such file");
  EXPECT_NE(inputErrorOf([&] { loadRr({rr("category_tree.csv")}); }).find("no events file"),
            std::string::npos);
}

TEST(RetailRocket, LatestPropertyValueWins) {
  LoadResult r =
      loadRr({rr("events.csv"), rr("item_properties_part1.csv"), rr("item_properties_part2.csv")});
  const InteractionLog& log = r.log;
  log.validate();
  // Item 111111 appears only in the properties: it still gets an id, after the event items.
  EXPECT_EQ(log.numItems(), 6);
  EXPECT_EQ(log.items.original(5), "111111");
  const auto& a = log.itemAttributes;
  const std::int32_t i1 = indexOf(log.items, "355908");
  const std::int32_t i2 = indexOf(log.items, "248676");
  const std::int32_t i3 = indexOf(log.items, "111111");
  const std::int32_t i4 = indexOf(log.items, "318965");
  // categoryid 999 comes later in the file but carries an older timestamp.
  EXPECT_EQ(categoricalOf(a, "category", i1), "1338");
  EXPECT_EQ(categoricalOf(a, "category", i2), "1277");
  EXPECT_EQ(categoricalOf(a, "category", i3), "1338");
  EXPECT_EQ(categoricalOf(a, "category", i4), "<missing>");
  // available: 355908's older 0 in part 2 loses; 248676's newer 1 in part 2 wins.
  EXPECT_EQ(numericOf(a, "available", i1), 1.0);
  EXPECT_EQ(numericOf(a, "available", i2), 1.0);
  EXPECT_TRUE(std::isnan(numericOf(a, "available", i3)));
  EXPECT_EQ(numericOf(a, "price", i1), 15360.0);
  EXPECT_TRUE(std::isnan(numericOf(a, "price", i2)));
  // Distinct other properties: 888 (twice) and 400; "6" for 111111 (its value has a comma).
  EXPECT_EQ(numericOf(a, "n_properties", i1), 2.0);
  EXPECT_EQ(numericOf(a, "n_properties", i2), 0.0);
  EXPECT_EQ(numericOf(a, "n_properties", i3), 1.0);
  EXPECT_TRUE(std::isnan(numericOf(a, "n_properties", i4)));
  // One bad row: the price of 248676 is not "n<number>".
  EXPECT_EQ(r.report.badRowCount, 1u);
  EXPECT_EQ(badRowMessages(r.report),
            Strings{rr("item_properties_part2.csv") +
                    ":4: field 'value': price (property 790) not of the form 'n<number>': "
                    "'x100'"});
  EXPECT_EQ(r.report.rowsRead, 8u + 12u + 3u);
}

TEST(RetailRocket, CategoryTreeGivesParentCategories) {
  LoadResult r = loadRr(
      {rr("category_tree.csv"), rr("item_properties_part1.csv"), rr("events.csv")});  // any order
  const InteractionLog& log = r.log;
  EXPECT_EQ(log.items.original(0), "355908");  // events first whatever the order given
  ASSERT_EQ(log.categoryTree.size(), 4u);
  EXPECT_EQ(log.categoryTree[0], (std::pair<std::string, std::string>{"1338", "250"}));
  EXPECT_EQ(log.categoryTree[2], (std::pair<std::string, std::string>{"250", ""}));
  const auto& a = log.itemAttributes;
  EXPECT_EQ(categoricalOf(a, "parent_category", indexOf(log.items, "355908")), "250");
  EXPECT_EQ(categoricalOf(a, "parent_category", indexOf(log.items, "248676")), "312");
  EXPECT_EQ(categoricalOf(a, "parent_category", indexOf(log.items, "111111")), "250");
  EXPECT_EQ(categoricalOf(a, "parent_category", indexOf(log.items, "318965")), "<missing>");
}

TEST(RetailRocket, LoadDatasetExpandsADirectory) {
  StopToken stop;
  LoadResult r = loadDataset(Format::RetailRocket, {fixture("retailrocket")}, LoadOptions{},
                             nullObserver(), stop);
  EXPECT_EQ(r.format, Format::RetailRocket);
  EXPECT_EQ(r.report.files, (Strings{rr("events.csv"), rr("item_properties_part1.csv"),
                                     rr("item_properties_part2.csv"), rr("category_tree.csv")}));
  EXPECT_EQ(r.log.numRows(), 8u);
  EXPECT_EQ(r.log.numItems(), 6);
  EXPECT_EQ(r.log.itemAttributes.find("category")->categorical.size(), 6u);
  r.log.validate();
}

class StopOnProgress : public Observer {
 public:
  explicit StopOnProgress(const StopToken& stop) : m_stop(stop) {}
  void onProgress(double, std::string_view) override { m_stop.requestStop(); }

 private:
  StopToken m_stop;
};

TEST(RetailRocket, CancelThrowsCancelled) {
  const std::string dir = scratchDir();
  const std::string path = dir + "/events.csv";
  writeLines(path, 40000, [](std::size_t i) {
    return i == 0 ? std::string("timestamp,visitorid,event,itemid,transactionid")
                  : std::to_string(1433221332117 + i) + "," + std::to_string(i % 97) + ",view," +
                        std::to_string(i % 13) + ",";
  });
  StopToken stop;
  StopOnProgress observer(stop);
  LoadResult result;
  EXPECT_THROW(loaders::loadRetailRocket({path}, LoadOptions{}, result, observer, stop), Cancelled);
}

}  // namespace
}  // namespace reclab::data
