// Session graphs G / H / K (SPEC B): every non-zero of a hand-built example, the merging of
// far pairs into K's last channel, training rows only (leakage guard), bytes per edge, degree
// statistics, errors, and a 1M-click generated log.

#include "features/session_graphs.h"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <iostream>
#include <random>

#include "common/errors.h"
#include "split/splits.h"

namespace reclab::features {
namespace {

using Kind = SessionGraphKind;
using Rows = std::vector<std::uint32_t>;

constexpr std::int32_t a = 0, b = 1, c = 2;

/// Sessions s1 = a b a c and s2 = b c (items a = 0, b = 1, c = 2), written out of time order,
/// with a buy row of item a in s2 that is not a click:
///   r0 s1 a  t=1   r1 s2 c  t=6   r2 s1 a  t=3   r3 s1 b  t=2
///   r4 s2 b  t=5   r5 s1 c  t=4   r6 s2 a  t=7 (buy)
data::InteractionLog makeLog() {
  data::InteractionLog log;
  log.eventNames = {"click", "buy"};
  for (const char* id : {"a", "b", "c"}) log.items.intern(id);
  log.sessions.intern("s1");
  log.sessions.intern("s2");
  struct Row {
    std::int32_t session, item;
    std::uint8_t event;
    std::int64_t t;
  };
  const Row rows[] = {{0, a, 0, 1}, {1, c, 0, 6}, {0, a, 0, 3}, {0, b, 0, 2},
                      {1, b, 0, 5}, {0, c, 0, 4}, {1, a, 1, 7}};
  for (const auto& r : rows) {
    log.session.push_back(r.session);
    log.item.push_back(r.item);
    log.event.push_back(r.event);
    log.timestamp.push_back(1'396'310'400'000 + r.t * 1000);
  }
  log.validate();
  return log;
}

Rows allRows(const data::InteractionLog& log) {
  Rows r(log.numRows());
  for (std::uint32_t i = 0; i < r.size(); ++i) r[i] = i;
  return r;
}

SessionGraphConfig withP(int p) {
  auto c = SessionGraphConfig::defaults();
  c.maxDistance = p;
  return c;
}

/// Every stored entry of a matrix as (from, to, weight) triples, row by row.
std::vector<std::tuple<int, int, float>> entries(const CsrMatrix& m) {
  std::vector<std::tuple<int, int, float>> out;
  for (std::size_t r = 0; r + 1 < m.offsets.size(); ++r) {
    for (auto e = m.offsets[r]; e < m.offsets[r + 1]; ++e) {
      out.emplace_back(static_cast<int>(r), m.columns[e], m.weights[e]);
    }
  }
  return out;
}

using E = std::vector<std::tuple<int, int, float>>;

// Pairs of positions (x < y) and their distance p = y - x:
//   s1 = a b a c: a->b p1, a->a p2, a->c p3, b->a p1, b->c p2, a->c p1
//   s2 = b c:     b->c p1
// G (adjacent):        a b c        H (all p):        a b c
//                 a  [ 0 1 1 ]                   a  [ 1 1 2 ]
//                 b  [ 1 0 1 ]                   b  [ 1 0 2 ]
//                 c  [ 0 0 0 ]                   c  [ 0 0 0 ]
// K, P = 4: p1 = G; p2 = {a->a 1, b->c 1}; p3 = {a->c 1}; p4 empty.
TEST(SessionGraphs, HandBuiltCountsEveryNonZero) {
  const auto log = makeLog();
  split::LeakageGuard guard;
  const auto g = SessionGraphs::build(log, allRows(log), withP(4), guard);
  EXPECT_EQ(g.numItems(), 3);
  EXPECT_EQ(g.numChannels(Kind::K), 4);
  EXPECT_EQ(g.numSessions(), 2u);
  EXPECT_EQ(g.numClicks(), 6u);  // the buy row is not a click
  EXPECT_EQ(g.longestSession(), 4u);
  EXPECT_EQ(entries(g.matrix(Kind::G)), (E{{a, b, 1}, {a, c, 1}, {b, a, 1}, {b, c, 1}}));
  EXPECT_EQ(entries(g.matrix(Kind::H)), (E{{a, a, 1}, {a, b, 1}, {a, c, 2}, {b, a, 1}, {b, c, 2}}));
  EXPECT_EQ(entries(g.matrix(Kind::K, 1)), (E{{a, b, 1}, {a, c, 1}, {b, a, 1}, {b, c, 1}}));
  EXPECT_EQ(entries(g.matrix(Kind::K, 2)), (E{{a, a, 1}, {b, c, 1}}));
  EXPECT_EQ(entries(g.matrix(Kind::K, 3)), (E{{a, c, 1}}));
  EXPECT_TRUE(entries(g.matrix(Kind::K, 4)).empty());

  const GraphRow rowA = g.row(Kind::H, a);
  EXPECT_EQ(std::vector<std::int32_t>(rowA.neighbours.begin(), rowA.neighbours.end()),
            (std::vector<std::int32_t>{a, b, c}));
  EXPECT_EQ(std::vector<float>(rowA.weights.begin(), rowA.weights.end()),
            (std::vector<float>{1, 1, 2}));
  EXPECT_EQ(g.row(Kind::G, c).size(), 0u);
  EXPECT_EQ(g.weight(Kind::H, b, c), 2.0f);
  EXPECT_EQ(g.weight(Kind::G, c, a), 0.0f);
  EXPECT_EQ(g.weight(Kind::K, a, c, 3), 1.0f);

  std::vector<float> e(4);
  g.kEdge(a, c, e);
  EXPECT_EQ(e, (std::vector<float>{1, 0, 1, 0}));
  g.kEdge(b, c, e);
  EXPECT_EQ(e, (std::vector<float>{1, 1, 0, 0}));
  g.kEdge(c, a, e);
  EXPECT_EQ(e, (std::vector<float>{0, 0, 0, 0}));
  std::vector<float> wrong(3);
  EXPECT_THROW(g.kEdge(a, c, wrong), std::invalid_argument);
  EXPECT_THROW(g.row(Kind::G, 3), std::out_of_range);
  EXPECT_THROW(g.row(Kind::K, a, 5), std::out_of_range);
  EXPECT_THROW(g.row(Kind::H, a, 2), std::out_of_range);
}

// P = 2: pairs at distance >= 2 share channel 2, so a->c (p3) joins a->a and b->c (p2).
// P = 1: the only channel holds every pair, i.e. K = H.
TEST(SessionGraphs, FarPairsMergeIntoLastChannel) {
  const auto log = makeLog();
  split::LeakageGuard guard;
  const auto g2 = SessionGraphs::build(log, allRows(log), withP(2), guard);
  EXPECT_EQ(entries(g2.matrix(Kind::K, 1)), (E{{a, b, 1}, {a, c, 1}, {b, a, 1}, {b, c, 1}}));
  EXPECT_EQ(entries(g2.matrix(Kind::K, 2)), (E{{a, a, 1}, {a, c, 1}, {b, c, 1}}));
  EXPECT_EQ(g2.statistics()["pairs_merged_into_last_channel"], 1);
  std::vector<float> e(2);
  g2.kEdge(a, c, e);
  EXPECT_EQ(e, (std::vector<float>{1, 1}));

  const auto g1 = SessionGraphs::build(log, allRows(log), withP(1), guard);
  EXPECT_EQ(entries(g1.matrix(Kind::K, 1)), entries(g1.matrix(Kind::H)));
  EXPECT_EQ(g1.statistics()["pairs_merged_into_last_channel"], 3);  // p2, p3, p2
}

// Train = s1's rows, test = s2's rows. Built on train, b->c exists only at p2 (s2's adjacent
// b->c is a test pair) and the guard accepts the split; built on every row, the guard sees the
// test rows.
TEST(SessionGraphs, TrainingRowsOnlyAndLeakage) {
  const auto log = makeLog();
  split::Split split;
  split.train = {0, 2, 3, 5};
  split.test = {1, 4, 6};
  split::LeakageGuard guard;
  const auto g = SessionGraphs::build(log, split.train, withP(4), guard);
  EXPECT_EQ(g.weight(Kind::G, b, c), 0.0f);
  EXPECT_EQ(g.weight(Kind::H, b, c), 1.0f);
  EXPECT_EQ(g.numSessions(), 1u);
  EXPECT_EQ(g.fittedOn(), split::fingerprintRows(split.train));
  ASSERT_EQ(guard.records().size(), 1u);
  EXPECT_EQ(guard.records()[0].statistic, "session_graphs");
  EXPECT_NO_THROW(guard.check(split));

  split::LeakageGuard leaky;
  SessionGraphs::build(log, allRows(log), withP(4), leaky);
  try {
    leaky.check(split);
    FAIL() << "leakage not caught";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("'session_graphs'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("3 are test rows (first: row 1)"), std::string::npos)
        << e.what();
  }
}

// P = 4, n = 3 items: edges G 4 + H 5 + K 4 + 2 + 1 + 0 = 16 entries of 8 bytes = 128 bytes;
// offsets 6 matrices x 4 x 8 bytes = 192 bytes; 320 bytes / 16 edges = 20 bytes per edge.
TEST(SessionGraphs, BytesPerEdge) {
  const auto log = makeLog();
  split::LeakageGuard guard;
  const auto g = SessionGraphs::build(log, allRows(log), withP(4), guard);
  EXPECT_EQ(SessionGraphs::kEntryBytes, 8u);
  EXPECT_EQ(g.numEdges(), 16u);
  EXPECT_EQ(g.memoryBytes(), 320u);
  EXPECT_DOUBLE_EQ(g.bytesPerEdge(), 20.0);
  EXPECT_EQ(g.statistics()["total_bytes"], 320);
  EXPECT_EQ(g.statistics()["bytes_per_edge"], 20.0);
}

// The build counts every row's entries first and allocates each array once: no capacity beyond
// the 16 entries (G 4, H 5, K 4 + 2 + 1 + 0) and the n + 1 offsets of each matrix.
TEST(SessionGraphs, ArraysHaveExactlyTheirSize) {
  const auto log = makeLog();
  split::LeakageGuard guard;
  const auto g = SessionGraphs::build(log, allRows(log), withP(4), guard);
  const std::size_t expected[] = {4, 5, 4, 2, 1, 0};
  std::vector<const CsrMatrix*> all = {&g.matrix(Kind::G), &g.matrix(Kind::H)};
  for (int p = 1; p <= 4; ++p) all.push_back(&g.matrix(Kind::K, p));
  for (std::size_t k = 0; k < all.size(); ++k) {
    const CsrMatrix& m = *all[k];
    EXPECT_EQ(m.numEdges(), expected[k]) << k;
    EXPECT_EQ(m.columns.capacity(), expected[k]) << k;
    EXPECT_EQ(m.weights.capacity(), expected[k]) << k;
    EXPECT_EQ(m.offsets.size(), 4u) << k;
    EXPECT_EQ(m.offsets.capacity(), 4u) << k;
  }
}

// G out-degrees: a 2 (b, c), b 2 (a, c), c 0 -> min 0, mean 4/3, median 2, max 2; hubs a, b, c.
// H out-degrees: a 3, b 2, c 0 -> median 2; top hub a with weight 1 + 1 + 2 = 4.
TEST(SessionGraphs, DegreeStatistics) {
  const auto log = makeLog();
  split::LeakageGuard guard;
  const auto g = SessionGraphs::build(log, allRows(log), withP(4), guard);
  const auto& s = g.statistics();
  EXPECT_EQ(s["items"], 3);
  EXPECT_EQ(s["active_items"], 3);
  EXPECT_EQ(s["sessions"], 2);
  EXPECT_EQ(s["clicks"], 6);
  ASSERT_EQ(s["graphs"].size(), 6u);  // G, H, K1..K4
  const auto& gs = s["graphs"][0];
  EXPECT_EQ(gs["graph"], "G");
  EXPECT_EQ(gs["edges"], 4);
  EXPECT_EQ(gs["out_degree"]["min"], 0);
  EXPECT_DOUBLE_EQ(gs["out_degree"]["mean"].get<double>(), 4.0 / 3.0);
  EXPECT_EQ(gs["out_degree"]["median"], 2.0);
  EXPECT_EQ(gs["out_degree"]["max"], 2);
  EXPECT_EQ(gs["items_without_out_edges"], 1);
  ASSERT_EQ(gs["top_hubs"].size(), 3u);
  EXPECT_EQ(gs["top_hubs"][0]["item"], "a");
  EXPECT_EQ(gs["top_hubs"][1]["item"], "b");
  EXPECT_EQ(gs["top_hubs"][2]["out_degree"], 0);
  const auto& hs = s["graphs"][1];
  EXPECT_EQ(hs["graph"], "H");
  EXPECT_EQ(hs["out_degree"]["median"], 2.0);
  EXPECT_EQ(hs["top_hubs"][0]["item"], "a");
  EXPECT_EQ(hs["top_hubs"][0]["out_weight"], 4.0);
  EXPECT_EQ(hs["total_weight"], 7.0);  // 6 pairs of s1 + 1 of s2
  EXPECT_EQ(s["graphs"][5]["graph"], "K");
  EXPECT_EQ(s["graphs"][5]["channel"], 4);
}

TEST(SessionGraphs, BadInputIsRefused) {
  const auto log = makeLog();
  split::LeakageGuard guard;
  auto expectError = [&](const data::InteractionLog& l, const Rows& rows,
                         const SessionGraphConfig& config, const std::string& message) {
    try {
      SessionGraphs::build(l, rows, config, guard);
      FAIL() << "no error for: " << message;
    } catch (const InputError& e) {
      EXPECT_EQ(std::string(e.what()), message);
    }
  };
  expectError(log, allRows(log), withP(0),
              "session_graphs: max_distance must be in [1, 255], got 0");
  expectError(log, {}, withP(4), "session_graphs: no training rows");
  expectError(log, {0, 7}, withP(4),
              "session_graphs: training row 7 out of range (the log has 7 rows)");
  expectError(log, {0, 3, 0}, withP(4), "session_graphs: training row 0 is listed twice");
  auto config = withP(4);
  config.clickEvents = {"view"};
  expectError(log, allRows(log), config,
              "session_graphs: none of the click events 'view' occurs in the log (its events: "
              "'click', 'buy')");
  auto noSessions = log;
  noSessions.session.clear();
  expectError(noSessions, allRows(log), withP(4), "session_graphs: the log has no session column");
  EXPECT_TRUE(guard.records().empty());

  StopToken stop;
  stop.requestStop();
  EXPECT_THROW(SessionGraphs::build(log, allRows(log), withP(4), guard, nullObserver(), stop),
               Cancelled);
}

/// A generated log of `clicks` clicks: session lengths 1 + geometric (mean 4, capped at 200,
/// every 1000th session 150 long), items from a Markov chain over `items` items (next item
/// one of 5 successors with probability 0.7, else uniform), one second between clicks.
data::InteractionLog generatedLog(std::size_t clicks, std::int32_t items) {
  data::InteractionLog log;
  log.items.assignDistinctInts([&] {
    std::vector<std::int64_t> ids(static_cast<std::size_t>(items));
    for (std::int32_t i = 0; i < items; ++i) ids[static_cast<std::size_t>(i)] = 1000 + i;
    return ids;
  }());
  std::mt19937_64 rng(7);
  std::geometric_distribution<int> extra(0.25);
  std::uniform_int_distribution<std::int32_t> anyItem(0, items - 1);
  std::uniform_int_distribution<int> successor(1, 5);
  std::bernoulli_distribution follow(0.7);
  log.item.reserve(clicks);
  log.session.reserve(clicks);
  log.timestamp.reserve(clicks);
  std::int64_t t = 1'396'310'400'000;
  std::vector<std::int64_t> sessionIds;
  while (log.item.size() < clicks) {
    const auto s = static_cast<std::int32_t>(sessionIds.size());
    int length = sessionIds.size() % 1000 == 999 ? 150 : std::min(200, 1 + extra(rng));
    length = std::min<int>(length, static_cast<int>(clicks - log.item.size()));
    sessionIds.push_back(s);
    std::int32_t item = anyItem(rng);
    for (int k = 0; k < length; ++k) {
      log.session.push_back(s);
      log.item.push_back(item);
      log.timestamp.push_back(t += 1000);
      item = follow(rng) ? (item * 7 + successor(rng)) % items : anyItem(rng);
    }
  }
  log.sessions.assignDistinctInts(sessionIds);
  log.validate();
  return log;
}

// Totals are fixed by the session lengths: G holds sum (c - 1) adjacent pairs, H and the sum of
// K's channels hold sum c (c - 1) / 2 pairs, and every H entry equals the sum of its K entries.
TEST(SessionGraphs, MillionClickLogBuildsWithinMemory) {
  const auto log = generatedLog(1'000'000, 50'000);
  const auto idx = data::SessionIndex::build(log);
  double adjacent = 0, pairs = 0;
  for (std::size_t s = 0; s < idx.numSessions(); ++s) {
    const auto len = static_cast<double>(idx.length(s));
    adjacent += len - 1;
    pairs += len * (len - 1) / 2;
  }
  split::LeakageGuard guard;
  const auto g = SessionGraphs::build(log, allRows(log), SessionGraphConfig::defaults(), guard);
  const auto& s = g.statistics();
  EXPECT_EQ(s["clicks"], 1'000'000);
  EXPECT_EQ(s["graphs"][0]["total_weight"].get<double>(), adjacent);
  EXPECT_EQ(s["graphs"][1]["total_weight"].get<double>(), pairs);
  double kTotal = 0;
  for (int p = 1; p <= 4; ++p) kTotal += s["graphs"][1 + p]["total_weight"].get<double>();
  EXPECT_EQ(kTotal, pairs);
  std::vector<float> e(4);
  for (std::int32_t i = 0; i < g.numItems(); i += 97) {
    const GraphRow h = g.row(Kind::H, i);
    for (std::size_t j = 0; j < h.size(); ++j) {
      g.kEdge(i, h.neighbours[j], e);
      ASSERT_EQ(e[0] + e[1] + e[2] + e[3], h.weights[j]) << i << " -> " << h.neighbours[j];
      ASSERT_EQ(e[0], g.weight(Kind::G, i, h.neighbours[j]));
    }
  }
  // Edges never exceed the pair occurrences: G <= adjacent, H and sum K <= pairs each.
  const double bound = SessionGraphs::kEntryBytes * (adjacent + 2 * pairs) +
                       6.0 * 8.0 * (static_cast<double>(g.numItems()) + 1);
  EXPECT_LE(static_cast<double>(g.memoryBytes()), bound);
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::cout << "1M clicks, 50k items: " << g.numEdges() << " edges, " << g.memoryBytes()
            << " bytes (" << g.bytesPerEdge() << " bytes per edge), pairs " << pairs
            << ", peak RSS of the test process " << usage.ru_maxrss / 1024 << " MiB\n";
  ::testing::Test::RecordProperty("graph_bytes", std::to_string(g.memoryBytes()));
}

}  // namespace
}  // namespace reclab::features
