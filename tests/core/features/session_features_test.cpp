// The 26 session features of SPEC B Problem 1 on a hand-built six-click session (every value
// computed by hand below), the labels, prefix_only against the whole-session reading, a
// session of one click, row selection, errors, and the Yoochoose fixture through the loader.

#include "features/session_features.h"

#include <gtest/gtest.h>

#include "common/errors.h"
#include "data/load.h"
#include "features/session_graphs.h"

namespace reclab::features {
namespace {

using Rows = std::vector<std::uint32_t>;

/// 2014-04-01T10:15:30Z in seconds.
constexpr std::int64_t kT0 = 1'396'347'330;
constexpr std::int32_t A = 0, B = 1, C = 2, D = 3;

/// Items A, B, C, D with the multi-valued attribute "category" (codes by first appearance:
/// "1" = 0, "S" = 1, "2" = 2): A {"1"}, B {"1", "S"}, C {"2"}, D none. Primary categories:
/// A "1", B "1", C "2", D none.
///
/// Session s0, written out of time order (rows r0..r6), times in seconds after kT0:
///   k1 A   0  10:15:30   (r2)     dwell 10
///   k2 B  10  10:15:40   (r0)     dwell 60
///   k3 A  70  10:16:40   (r4)     dwell 30
///   k4 C 100  10:17:10   (r1)     dwell 300
///   k5 B 400  10:22:10   (r5)     dwell 3200
///   k6 D 3600 11:15:30   (r3)     dwell 0 (last)
///   buy of B at 3700     (r6)
/// Session s1: one click on C at 2014-04-02T23:59:59Z (r7), no buy.
///
/// Whole session s0: counts A 2, B 2, C 1, D 1 (most clicked: A and B); dwell A 40, B 3260,
/// C 300, D 0 (most viewed: B); category dwell "1" 3300, "2" 300 (most viewed: "1");
/// 4 distinct products; products per category "1" 2 (A, B), "2" 1 (C); duration 3600 s.
data::InteractionLog makeLog() {
  data::InteractionLog log;
  log.eventNames = {"click", "buy"};
  for (const char* id : {"A", "B", "C", "D"}) log.items.intern(id);
  log.sessions.intern("s0");
  log.sessions.intern("s1");
  struct Row {
    std::int32_t session, item;
    std::uint8_t event;
    std::int64_t seconds;
  };
  const Row rows[] = {
      {0, B, 0, 10}, {0, C, 0, 100}, {0, A, 0, 0},    {0, D, 0, 3600},
      {0, A, 0, 70}, {0, B, 0, 400}, {0, B, 1, 3700}, {1, C, 0, 1'396'483'199 - kT0}};
  for (const auto& r : rows) {
    log.session.push_back(r.session);
    log.item.push_back(r.item);
    log.event.push_back(r.event);
    log.timestamp.push_back((kT0 + r.seconds) * 1000);
  }
  log.itemAttributes.addMulti("category", A, "1");
  log.itemAttributes.addMulti("category", B, "1");
  log.itemAttributes.addMulti("category", B, "S");
  log.itemAttributes.addMulti("category", C, "2");
  log.itemAttributes.resize(4);
  log.validate();
  return log;
}

Rows allRows(const data::InteractionLog& log) {
  Rows r(log.numRows());
  for (std::uint32_t i = 0; i < r.size(); ++i) r[i] = i;
  return r;
}

using Cat = std::vector<std::int64_t>;
using Num = std::vector<float>;

Cat categoricalRow(const SessionFeatureRows& f, std::size_t i) {
  const std::size_t w = f.features.categoricalNames.size();
  return Cat(f.features.categorical.begin() + static_cast<std::ptrdiff_t>(i * w),
             f.features.categorical.begin() + static_cast<std::ptrdiff_t>((i + 1) * w));
}

Num continuousRow(const SessionFeatureRows& f, std::size_t i) {
  const std::size_t w = f.features.continuousNames.size();
  return Num(f.features.continuous.begin() + static_cast<std::ptrdiff_t>(i * w),
             f.features.continuous.begin() + static_cast<std::ptrdiff_t>((i + 1) * w));
}

/// Position of log row `row` in the output.
std::size_t outputOf(const SessionFeatureRows& f, std::uint32_t row) {
  const auto it = std::find(f.rows.begin(), f.rows.end(), row);
  EXPECT_NE(it, f.rows.end()) << row;
  return static_cast<std::size_t>(it - f.rows.begin());
}

// Codes: items 2 + index (A 2, B 3, C 4, D 5), categories 2 + code ("1" 2, "2" 4), 1 = none;
// clock values 2 + value (10:15:30 -> 12, 17, 32).
// Categorical: product, category, first, previous, start h/m/s, first click h/m/s, click h/m/s.
const Cat kCatK1 = {2, 2, 2, 1, 12, 17, 32, 12, 17, 32, 12, 17, 32};
const Cat kCatK2 = {3, 2, 2, 2, 12, 17, 32, 12, 17, 42, 12, 17, 42};  // 10:15:40
const Cat kCatK3 = {2, 2, 2, 3, 12, 17, 32, 12, 17, 32, 12, 18, 42};  // A first at 10:15:30
const Cat kCatK4 = {4, 4, 2, 2, 12, 17, 32, 12, 19, 12, 12, 19, 12};  // 10:17:10
const Cat kCatK5 = {3, 2, 2, 4, 12, 17, 32, 12, 17, 42, 12, 24, 12};  // B first at 10:15:40
const Cat kCatK6 = {5, 1, 2, 3, 12, 17, 32, 13, 17, 32, 13, 17, 32};  // 11:15:30
// Session s1 at 23:59:59: C, category "2", first C, no previous.
const Cat kCatS1 = {4, 4, 4, 1, 25, 61, 61, 25, 61, 61, 25, 61, 61};

TEST(SessionFeatures, NamesAndCardinalities) {
  const auto log = makeLog();
  const auto f = computeSessionFeatures(log, allRows(log), SessionFeatureConfig::defaults());
  EXPECT_EQ(f.features.categoricalNames.size() + f.features.continuousNames.size(), 26u);
  EXPECT_EQ(f.features.categoricalNames, sessionCategoricalNames());
  EXPECT_EQ(f.features.continuousNames, sessionContinuousNames());
  // 4 items + 2, 3 categories + 2, hours 24 + 2, minutes and seconds 60 + 2.
  EXPECT_EQ(f.features.cardinalities,
            (std::vector<std::int32_t>{6, 5, 6, 6, 26, 62, 62, 26, 62, 62, 26, 62, 62}));
  EXPECT_EQ(f.rows, (Rows{0, 1, 2, 3, 4, 5, 7}));  // the buy row r6 is not a click
  EXPECT_EQ(f.features.rows, 7u);
  for (std::size_t i = 0; i < f.features.categorical.size(); ++i) {
    const std::size_t col = i % 13;
    EXPECT_GE(f.features.categorical[i], 1);
    EXPECT_LT(f.features.categorical[i], f.features.cardinalities[col]);
  }
}

// Continuous: duration, so far, clicks, products, clicks so far, products so far, views,
// same-category products, categories of the product, most clicked, most viewed, first clicked,
// most viewed category.
TEST(SessionFeatures, WholeSessionEveryFeatureByHand) {
  const auto log = makeLog();
  const auto f = computeSessionFeatures(log, allRows(log), SessionFeatureConfig::defaults());
  struct Expected {
    std::uint32_t row;
    Cat cat;
    Num num;
  };
  const Expected rows[] = {
      // A: views 2 (tie for most clicked), dwell 40 < 3260, first product, category "1" top.
      {2, kCatK1, {3600, 0, 6, 4, 1, 1, 2, 2, 1, 1, 0, 1, 1}},
      // B: 2 categories; most clicked (tie) and most viewed.
      {0, kCatK2, {3600, 10, 6, 4, 2, 2, 2, 2, 2, 1, 1, 0, 1}},
      {4, kCatK3, {3600, 70, 6, 4, 3, 2, 2, 2, 1, 1, 0, 1, 1}},
      // C: category "2" holds only C; its dwell 300 < 3300.
      {1, kCatK4, {3600, 100, 6, 4, 4, 3, 1, 1, 1, 0, 0, 0, 0}},
      {5, kCatK5, {3600, 400, 6, 4, 5, 3, 2, 2, 2, 1, 1, 0, 1}},
      // D: no category -> 0 same-category products, 0 categories, not most viewed category.
      {3, kCatK6, {3600, 3600, 6, 4, 6, 4, 1, 0, 0, 0, 0, 0, 0}},
  };
  for (const auto& e : rows) {
    const std::size_t i = outputOf(f, e.row);
    EXPECT_EQ(categoricalRow(f, i), e.cat) << "row " << e.row;
    EXPECT_EQ(continuousRow(f, i), e.num) << "row " << e.row;
  }
}

// Prefix only, click by click (dwell known up to the previous click):
//   k1 A: {A}; dwell all 0 -> A most viewed (tie at 0), category "1" most viewed.
//   k2 B: A dwell 10, B 0; counts A 1, B 1 (tie).
//   k3 A: A 10, B 60; counts A 2, B 1.
//   k4 C: A 40, B 60, C 0; category "1" 100, "2" 0.
//   k5 B: C 300 is the most viewed; counts A 2, B 2, C 1; "1" 100 < "2" 300.
//   k6 D: B 3260; D has no category.
TEST(SessionFeatures, PrefixOnlyEveryFeatureByHand) {
  const auto log = makeLog();
  auto config = SessionFeatureConfig::defaults();
  config.prefixOnly = true;
  const auto f = computeSessionFeatures(log, allRows(log), config);
  struct Expected {
    std::uint32_t row;
    Cat cat;
    Num num;
  };
  const Expected rows[] = {
      {2, kCatK1, {0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}},
      {0, kCatK2, {10, 10, 2, 2, 2, 2, 1, 2, 2, 1, 0, 0, 1}},
      {4, kCatK3, {70, 70, 3, 2, 3, 2, 2, 2, 1, 1, 0, 1, 1}},
      {1, kCatK4, {100, 100, 4, 3, 4, 3, 1, 1, 1, 0, 0, 0, 0}},
      {5, kCatK5, {400, 400, 5, 3, 5, 3, 2, 2, 2, 1, 0, 0, 0}},
      {3, kCatK6, {3600, 3600, 6, 4, 6, 4, 1, 0, 0, 0, 0, 0, 0}},
  };
  for (const auto& e : rows) {
    const std::size_t i = outputOf(f, e.row);
    EXPECT_EQ(categoricalRow(f, i), e.cat) << "row " << e.row;
    EXPECT_EQ(continuousRow(f, i), e.num) << "row " << e.row;
  }
}

// The first click sees the whole session in the thesis' reading and only itself with
// prefix_only: duration 3600 vs 0, clicks 6 vs 1, products 4 vs 1, views of A 2 vs 1,
// same-category products 2 vs 1, most viewed (A 40 < B 3260) 0 vs 1.
TEST(SessionFeatures, PrefixOnlyDiffersFromWholeSession) {
  const auto log = makeLog();
  auto config = SessionFeatureConfig::defaults();
  const auto whole = computeSessionFeatures(log, Rows{2}, config);
  config.prefixOnly = true;
  const auto prefix = computeSessionFeatures(log, Rows{2}, config);
  EXPECT_EQ(categoricalRow(whole, 0), categoricalRow(prefix, 0));
  const Num w = continuousRow(whole, 0), p = continuousRow(prefix, 0);
  const std::vector<std::size_t> differ = {0, 2, 3, 6, 7, 10};
  for (std::size_t col = 0; col < w.size(); ++col) {
    const bool expectDiffer = std::find(differ.begin(), differ.end(), col) != differ.end();
    EXPECT_EQ(w[col] != p[col], expectDiffer) << sessionContinuousNames()[col];
  }
}

// SessionBuys: every row of s0 (it has a buy) is 1, s1's row is 0. ItemBought: only B's rows.
TEST(SessionFeatures, Labels) {
  const auto log = makeLog();
  auto config = SessionFeatureConfig::defaults();
  const auto f = computeSessionFeatures(log, allRows(log), config);
  // Output rows r0 r1 r2 r3 r4 r5 r7.
  EXPECT_EQ(f.labels, (Num{1, 1, 1, 1, 1, 1, 0}));
  config.label = SessionLabel::ItemBought;
  const auto item = computeSessionFeatures(log, allRows(log), config);
  EXPECT_EQ(item.labels, (Num{1, 0, 0, 0, 0, 1, 0}));  // r0 and r5 are B's clicks
  config.label = SessionLabel::None;
  EXPECT_TRUE(computeSessionFeatures(log, allRows(log), config).labels.empty());
}

// One click: duration 0, every count 1, every flag 1 (ties at zero dwell), same in both modes.
TEST(SessionFeatures, SessionOfOneClick) {
  const auto log = makeLog();
  auto config = SessionFeatureConfig::defaults();
  for (const bool prefixOnly : {false, true}) {
    config.prefixOnly = prefixOnly;
    const auto f = computeSessionFeatures(log, Rows{7}, config);
    ASSERT_EQ(f.rows, Rows{7});
    EXPECT_EQ(categoricalRow(f, 0), kCatS1);
    EXPECT_EQ(continuousRow(f, 0), (Num{0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}));
    EXPECT_EQ(f.labels, Num{0});
  }
}

// Output follows the order of the requested rows; the session is still read whole.
TEST(SessionFeatures, RequestedRowsInTheirOrder) {
  const auto log = makeLog();
  const auto f = computeSessionFeatures(log, Rows{7, 5, 6, 2}, SessionFeatureConfig::defaults());
  EXPECT_EQ(f.rows, (Rows{7, 5, 2}));
  EXPECT_EQ(categoricalRow(f, 0), kCatS1);
  EXPECT_EQ(categoricalRow(f, 1), kCatK5);
  EXPECT_EQ(categoricalRow(f, 2), kCatK1);
  EXPECT_EQ(continuousRow(f, 1)[2], 6.0f);  // session_clicks counts unrequested rows too
}

// 8 requested rows of which 7 are clicks (r6 is the buy): every output array holds exactly 7
// rows (13 codes, 13 values, the row index and the label each), no spare capacity.
TEST(SessionFeatures, OutputHasExactlyItsSize) {
  const auto log = makeLog();
  const auto f = computeSessionFeatures(log, allRows(log), SessionFeatureConfig::defaults());
  EXPECT_EQ(f.features.rows, 7u);
  EXPECT_EQ(f.rows.capacity(), 7u);
  EXPECT_EQ(f.labels.capacity(), 7u);
  EXPECT_EQ(f.features.categorical.capacity(), 7u * 13u);
  EXPECT_EQ(f.features.continuous.capacity(), 7u * 13u);
}

TEST(SessionFeatures, WithoutCategories) {
  const auto log = makeLog();
  auto config = SessionFeatureConfig::defaults();
  config.categoryAttribute = "";
  const auto f = computeSessionFeatures(log, Rows{0}, config);
  EXPECT_EQ(f.features.cardinalities[1], 2);
  EXPECT_EQ(categoricalRow(f, 0)[1], 1);
  const Num x = continuousRow(f, 0);
  EXPECT_EQ(x[7], 0.0f);   // same-category products
  EXPECT_EQ(x[8], 0.0f);   // categories of the product
  EXPECT_EQ(x[12], 0.0f);  // most viewed category
}

/// The Yoochoose fixture (tests/fixtures/yoochoose), loaded as a user would:
///   s1: 10:51:09.277 i502 (cat "0": unknown), 10:54:09.868 i500 (S), 10:54:46.998 i506 (5),
///       10:57:00.306 i502 (5), 11:00:00.000 i716 (12); buy of i502 at 11:01
///   s2: 13:56:37.614 i742 (brand), 13:57:19.373 i742, 13:58:37.446 i502 (S); two buys of i742
///   s3: 13:17:46.940 i716 (0), 13:26:02.515 i500 (S); no buy
///   s9: a buy without clicks.
/// i502 is listed under "5" (first seen) and "S". Dwell in s1: i502 180.591 + 179.694 =
/// 360.285 s, i500 37.130 s, i506 133.308 s, i716 0 -> i502 most viewed; category "5" (i502,
/// i506) 493.593 s is the most viewed category.
TEST(SessionFeatures, YoochooseFixtureEndToEnd) {
  StopToken stop;
  const auto loaded =
      data::loadDataset(data::Format::Yoochoose, {std::string(RECLAB_FIXTURES) + "/yoochoose"},
                        data::LoadOptions{}, nullObserver(), stop);
  const auto& log = loaded.log;
  const auto f = computeSessionFeatures(log, allRows(log), SessionFeatureConfig::defaults());
  ASSERT_EQ(f.rows.size(), 10u);  // the 10 clicks; the 4 buy rows are labels only
  EXPECT_EQ(f.rows, (Rows{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
  EXPECT_EQ(f.labels, (Num{1, 1, 1, 1, 1, 1, 1, 0, 0, 1}));  // row 9 is s1's 11:00 click
  const Num first = continuousRow(f, 0);
  EXPECT_FLOAT_EQ(first[0], 530.723f);  // 11:00:00.000 - 10:51:09.277
  EXPECT_EQ(Num(first.begin() + 2, first.end()), (Num{5, 4, 1, 1, 2, 2, 2, 1, 1, 1, 1}));
  const Cat c = categoricalRow(f, 0);
  EXPECT_EQ(Cat(c.begin() + 4, c.begin() + 7), (Cat{12, 53, 11}));  // 10:51:09
  EXPECT_EQ(c[3], 1);                                               // no previous product
  auto config = SessionFeatureConfig::defaults();
  config.label = SessionLabel::ItemBought;
  const auto item = computeSessionFeatures(log, allRows(log), config);
  EXPECT_EQ(item.labels, (Num{1, 0, 0, 1, 1, 1, 0, 0, 0, 0}));

  // Graphs on the same log: the buys are not clicks; i742 -> i742 is an adjacent re-click.
  split::LeakageGuard guard;
  const auto g = SessionGraphs::build(log, allRows(log), SessionGraphConfig::defaults(), guard);
  const auto id = [&](std::int64_t original) { return *log.items.findInt(original); };
  EXPECT_EQ(g.numClicks(), 10u);
  EXPECT_EQ(g.weight(SessionGraphKind::G, id(214662742), id(214662742)), 1.0f);
  EXPECT_EQ(g.weight(SessionGraphKind::G, id(214536502), id(214536500)), 1.0f);
  EXPECT_EQ(g.weight(SessionGraphKind::K, id(214536502), id(214536502), 3), 1.0f);
  EXPECT_EQ(g.weight(SessionGraphKind::H, id(214536500), id(214716935)), 1.0f);  // s1, p3
  EXPECT_EQ(g.weight(SessionGraphKind::H, id(214716935), id(214536500)), 1.0f);  // s3, p1
}

TEST(SessionFeatures, BadInputIsRefused) {
  const auto log = makeLog();
  auto expectError = [](const data::InteractionLog& l, const Rows& rows,
                        const SessionFeatureConfig& config, const std::string& message) {
    try {
      computeSessionFeatures(l, rows, config);
      FAIL() << "no error for: " << message;
    } catch (const InputError& e) {
      EXPECT_EQ(std::string(e.what()), message);
    }
  };
  const auto defaults = SessionFeatureConfig::defaults();
  expectError(log, {0, 8}, defaults, "session_features: row 8 out of range (the log has 8 rows)");
  expectError(log, {0, 1, 0}, defaults, "session_features: row 0 is listed twice");
  auto config = defaults;
  config.categoryAttribute = "genre";
  expectError(log, {0}, config,
              "session_features: the log has no item attribute 'genre' (set category_attribute "
              "to \"\" to compute the features without categories)");
  config = defaults;
  config.clickEvents = {};
  expectError(log, {0}, config, "session_features: click_events must not be empty");
  config = defaults;
  config.buyEvents = {"click"};
  expectError(log, {0}, config, "session_features: event 'click' is both a click and a buy event");
  auto clicksOnly = log;
  clicksOnly.eventNames = {"click"};
  clicksOnly.event.clear();
  expectError(clicksOnly, {0}, defaults,
              "session_features: no buy event ('buy', 'transaction') occurs in the log, so there "
              "is no label; load the buys with the clicks (yoochoose-buys.dat) or ask for no "
              "label");
  config = defaults;
  config.label = SessionLabel::None;
  EXPECT_EQ(computeSessionFeatures(clicksOnly, Rows{0}, config).rows, Rows{0});
  auto untimed = log;
  untimed.timestamp.clear();
  expectError(untimed, {0}, defaults, "session_features: the log has no timestamps");

  StopToken stop;
  stop.requestStop();
  EXPECT_THROW(computeSessionFeatures(log, Rows{0}, defaults, nullObserver(), stop), Cancelled);
}

}  // namespace
}  // namespace reclab::features
