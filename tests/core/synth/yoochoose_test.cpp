#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>
#include <unordered_map>

#include "common/errors.h"
#include "common/text.h"
#include "data/synth/item_chain.h"
#include "data/synth/yoochoose.h"
#include "synth_test_util.h"

namespace reclab::synth {
namespace {

using testing::readFile;
using testing::readJson;
using testing::readLines;
using testing::split;
using testing::TempDir;

struct Click {
  long long session;
  long long ts;
  long long item;
  std::string category;
};

class SynthYoochoose : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    s_dir = new TempDir();
    YoochooseConfig c = YoochooseConfig::defaults();
    c.sessions = 20000;
    c.items = 600;
    c.clusters = 20;
    generateYoochoose(c, s_dir->str(), nullObserver(), StopToken());
    s_truth = new nlohmann::json(readJson(s_dir->file("ground_truth.json")));
    s_clicks = new std::vector<Click>();
    for (const std::string& line : readLines(s_dir->file("yoochoose-clicks.dat"))) {
      const auto f = split(line, ',');
      ASSERT_EQ(f.size(), 4U) << line;
      const auto ts = text::parseIso8601Millis(f[1]);
      ASSERT_TRUE(ts) << f[1];
      s_clicks->push_back({std::stoll(f[0]), *ts.value, std::stoll(f[2]), f[3]});
    }
  }
  static void TearDownTestSuite() {
    delete s_clicks;
    delete s_truth;
    delete s_dir;
  }
  static TempDir* s_dir;
  static nlohmann::json* s_truth;
  static std::vector<Click>* s_clicks;
};
TempDir* SynthYoochoose::s_dir = nullptr;
nlohmann::json* SynthYoochoose::s_truth = nullptr;
std::vector<Click>* SynthYoochoose::s_clicks = nullptr;

TEST(SynthYoochooseDeterminism, SameSeedSameBytesOtherSeedOtherBytes) {
  YoochooseConfig c = YoochooseConfig::defaults();
  c.sessions = 2000;
  c.items = 300;
  TempDir a, b, other;
  generateYoochoose(c, a.str(), nullObserver(), StopToken());
  generateYoochoose(c, b.str(), nullObserver(), StopToken());
  testing::expectSameFiles(yoochooseFileNames(), a, b);
  c.seed = 99;
  generateYoochoose(c, other.str(), nullObserver(), StopToken());
  EXPECT_NE(readFile(a.file("yoochoose-clicks.dat")), readFile(other.file("yoochoose-clicks.dat")));
}

TEST_F(SynthYoochoose, ClicksHaveTheRealFormat) {
  const auto lines = readLines(s_dir->file("yoochoose-clicks.dat"));
  ASSERT_EQ(lines.size(), s_clicks->size());
  const std::string first = lines.front();
  EXPECT_EQ(first.rfind("1,2014-04-01T", 0), 0U) << first;  // no header, session 1 first
  const long long start = 1396310400000LL, end = start + 31LL * 86400000LL;
  std::set<long long> ids;
  for (const auto& id : s_truth->at("chain")["items"]) ids.insert(id.get<long long>());
  int special = 0, zero = 0;
  for (std::size_t k = 0; k < s_clicks->size(); ++k) {
    const Click& c = (*s_clicks)[k];
    const std::string ts = split(lines[k], ',')[1];
    ASSERT_EQ(ts.size(), 24U) << ts;  // 2014-04-07T10:51:09.277Z
    EXPECT_EQ(ts[10], 'T');
    EXPECT_EQ(ts[23], 'Z');
    EXPECT_GE(c.ts, start);
    EXPECT_LT(c.ts, end);
    EXPECT_EQ(ids.count(c.item), 1U);
    EXPECT_GT(c.item, 214000000);
    if (c.category == "S") {
      ++special;
    } else {
      const int cat = std::stoi(c.category);
      EXPECT_EQ(std::to_string(cat), c.category);
      EXPECT_GE(cat, 0);
      EXPECT_LE(cat, 12);
      zero += cat == 0 ? 1 : 0;
    }
    if (k > 0) {
      const Click& prev = (*s_clicks)[k - 1];
      ASSERT_GE(c.session, prev.session);
      if (c.session == prev.session) {
        EXPECT_GE(c.ts - prev.ts, 1000);
        EXPECT_LE(c.ts - prev.ts, 1800000);
      }
    }
  }
  const double n = static_cast<double>(s_clicks->size());
  EXPECT_GT(zero / n, 0.7);
  EXPECT_NEAR(special / n, 0.03, 0.01);
}

TEST_F(SynthYoochoose, SessionLengthsLookLikeYoochoose) {
  std::map<long long, int> length;
  for (const Click& c : *s_clicks) ++length[c.session];
  EXPECT_EQ(length.size(), 20000U);
  int longest = 0, singles = 0;
  for (const auto& [s, l] : length) {
    longest = std::max(longest, l);
    singles += l == 1 ? 1 : 0;
  }
  EXPECT_LE(longest, 200);
  EXPECT_GT(longest, 20);
  EXPECT_GT(singles, 2000);
  EXPECT_NEAR(s_clicks->size() / 20000.0, 4.0, 0.35);
}

TEST_F(SynthYoochoose, EmpiricalTransitionsFollowTheChain) {
  const ItemChain chain = ItemChain::fromJson(s_truth->at("chain"));
  std::unordered_map<long long, std::size_t> index;
  for (std::size_t i = 0; i < chain.size(); ++i) index[chain.itemId(i)] = i;
  std::vector<std::map<std::size_t, double>> counts(chain.size());
  std::vector<std::uint64_t> sources(chain.size(), 0);
  for (std::size_t k = 1; k < s_clicks->size(); ++k) {
    const Click& a = (*s_clicks)[k - 1];
    const Click& b = (*s_clicks)[k];
    if (a.session != b.session) continue;
    const std::size_t i = index.at(a.item);
    counts[i][index.at(b.item)] += 1.0;
    ++sources[i];
  }
  EXPECT_EQ(sources, s_truth->at("transition_source_counts").get<std::vector<std::uint64_t>>());
  // Per entry with enough expected counts a z-test, and over everything a chi-square.
  int checkedEntries = 0, dof = 0;
  double chiSquare = 0.0, stay = 0.0, total = 0.0;
  for (std::size_t i = 0; i < chain.size(); ++i) {
    for (const auto& [j, c] : counts[i]) {
      EXPECT_GT(chain.probability(i, j), 0.0) << "transition outside the chain";
      if (chain.cluster(j) == chain.cluster(i) && j != i) stay += c;
      total += c;
    }
    const double n = static_cast<double>(sources[i]);
    for (std::size_t r = 0; r < chain.rowSize(i); ++r) {
      const double p = chain.rowProbs(i)[r];
      const double expected = p * n;
      if (expected < 5.0) continue;
      const auto it = counts[i].find(chain.rowItems(i)[r]);
      const double observed = it == counts[i].end() ? 0.0 : it->second;
      const double z = (observed - expected) / std::sqrt(expected * (1 - p));
      chiSquare += z * z;
      ++dof;
      if (expected >= 20.0) {
        ++checkedEntries;
        EXPECT_LT(std::abs(z), 5.0) << "item " << i << " -> " << chain.rowItems(i)[r];
      }
    }
  }
  EXPECT_GE(checkedEntries, 50);
  ASSERT_GT(dof, 100);
  EXPECT_NEAR(chiSquare / dof, 1.0, 5.0 * std::sqrt(2.0 / dof));
  EXPECT_NEAR(stay / total, 0.8, 0.02);  // p_stay (hubs are never in the own cluster)
}

TEST_F(SynthYoochoose, OptimalHitRatesAreConsistent) {
  const ItemChain chain = ItemChain::fromJson(s_truth->at("chain"));
  const auto sources = s_truth->at("transition_source_counts").get<std::vector<std::uint64_t>>();
  const auto& reported = s_truth->at("optimal_hit_rate_at");
  double previous = 0.0;
  for (int k : {1, 5, 10, 20}) {
    const double h = reported.at(std::to_string(k)).get<double>();
    EXPECT_NEAR(h, optimalHitRate(chain, sources, k), 1e-12);
    EXPECT_GT(h, previous);
    EXPECT_LE(h, 1.0);
    previous = h;
  }
  // Top-1 is the strongest successor: p_stay / H_5 = 0.8 / 2.2833.
  EXPECT_NEAR(reported.at("1").get<double>(), 0.8 / (1 + 1 / 2.0 + 1 / 3.0 + 1 / 4.0 + 1 / 5.0),
              0.01);
  // Every row holds at most 1 + 5 + 20 entries: all of it is inside the top 26.
  EXPECT_NEAR(optimalHitRate(chain, sources, 26), 1.0, 1e-9);
}

TEST_F(SynthYoochoose, BuysAreFromClickedItemsAtTheTargetRate) {
  std::map<long long, std::set<long long>> clicked;
  std::map<long long, int> length;
  std::map<long long, long long> lastClick;
  for (const Click& c : *s_clicks) {
    clicked[c.session].insert(c.item);
    ++length[c.session];
    lastClick[c.session] = c.ts;
  }
  std::map<long long, int> itemsBought;
  for (const std::string& line : readLines(s_dir->file("yoochoose-buys.dat"))) {
    const auto f = split(line, ',');
    ASSERT_EQ(f.size(), 5U) << line;
    const long long session = std::stoll(f[0]);
    const auto ts = text::parseIso8601Millis(f[1]);
    ASSERT_TRUE(ts) << f[1];
    ASSERT_EQ(clicked.count(session), 1U);
    EXPECT_EQ(clicked[session].count(std::stoll(f[2])), 1U) << "bought an unclicked item";
    EXPECT_GT(*ts.value, lastClick[session]);
    EXPECT_GT(std::stoll(f[3]), 0);
    const int quantity = std::stoi(f[4]);
    EXPECT_GE(quantity, 1);
    EXPECT_LE(quantity, 4);
    ++itemsBought[session];
  }
  const double rate = itemsBought.size() / 20000.0;
  EXPECT_NEAR(rate, 0.05, 0.006);
  EXPECT_NEAR(s_truth->at("buy_model")["realised_rate"].get<double>(), rate, 1e-12);
  double longBuy = 0, longN = 0, singleBuy = 0, singleN = 0;
  for (const auto& [s, l] : length) {
    const bool bought = itemsBought.count(s) > 0;
    EXPECT_LE(itemsBought[s], 3);
    if (l == 1) {
      singleN += 1;
      singleBuy += bought;
    } else if (l >= 6) {
      longN += 1;
      longBuy += bought;
    }
  }
  EXPECT_GT(longBuy / longN, 2.0 * singleBuy / singleN);
}

TEST(SynthYoochooseChain, RowsAreDistributionsWithTheirPlantedParts) {
  ItemChainParams p;
  p.items = 200;
  p.clusters = 10;
  const ItemChain chain = ItemChain::build(p);
  ASSERT_EQ(chain.size(), 200U);
  EXPECT_EQ(chain.hubs().size(), 20U);
  for (std::size_t i = 0; i < chain.size(); ++i) {
    double sum = 0.0, stay = 0.0;
    for (std::size_t r = 0; r < chain.rowSize(i); ++r) {
      const std::uint32_t j = chain.rowItems(i)[r];
      sum += chain.rowProbs(i)[r];
      if (r > 0) {
        EXPECT_LE(chain.rowProbs(i)[r], chain.rowProbs(i)[r - 1]);
      }
      if (j != i && chain.cluster(j) == chain.cluster(i)) stay += chain.rowProbs(i)[r];
    }
    EXPECT_NEAR(sum, 1.0, 1e-12);
    EXPECT_NEAR(stay, 0.8, 1e-12);
    EXPECT_DOUBLE_EQ(chain.probability(i, i), 0.05);
  }
  const ItemChain back = ItemChain::fromJson(chain.toJson());
  for (std::size_t i = 0; i < chain.size(); ++i) {
    ASSERT_EQ(back.rowSize(i), chain.rowSize(i));
    for (std::size_t r = 0; r < chain.rowSize(i); ++r) {
      EXPECT_EQ(back.rowItems(i)[r], chain.rowItems(i)[r]);
      EXPECT_EQ(back.rowProbs(i)[r], chain.rowProbs(i)[r]);
    }
  }
  EXPECT_THROW(ItemChain::fromJson(nlohmann::json::object()), InputError);
}

TEST(SynthYoochooseChain, HitRateGolden) {
  // Item 0's row: {1: 0.6, 2: 0.3, 0: 0.1}; item 1's row: {0: 1}. Sources 0 x3, 1 x1.
  const nlohmann::json j = {{"items", {10, 11, 12}},
                            {"cluster", {0, 0, 1}},
                            {"hubs", {2}},
                            {"popularity", {1.0, 1.0, 1.0}},
                            {"successor_items", {{1, 2, 0}, {0}, {2}}},
                            {"successor_probs", {{0.6, 0.3, 0.1}, {1.0}, {1.0}}}};
  const ItemChain chain = ItemChain::fromJson(j);
  const std::vector<std::uint64_t> sources = {3, 1, 0};
  EXPECT_NEAR(optimalHitRate(chain, sources, 1), (3 * 0.6 + 1 * 1.0) / 4, 1e-12);
  EXPECT_NEAR(optimalHitRate(chain, sources, 2), (3 * 0.9 + 1 * 1.0) / 4, 1e-12);
  EXPECT_NEAR(optimalHitRate(chain, sources, 5), 1.0, 1e-12);
  EXPECT_EQ(optimalHitRate(chain, {0, 0, 0}, 5), 0.0);
  EXPECT_EQ(chain.sampleNext(0, 0.0), 1U);
  EXPECT_EQ(chain.sampleNext(0, 0.61), 2U);
  EXPECT_EQ(chain.sampleNext(0, 0.95), 0U);
}

TEST(SynthYoochooseConfig, BadValuesAreRefused) {
  auto message = [](auto mutate) {
    YoochooseConfig c = YoochooseConfig::defaults();
    mutate(c);
    try {
      c.validate();
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(message([](YoochooseConfig& c) { c.sessions = 0; }),
            "synth yoochoose: sessions must be > 0, got 0");
  EXPECT_EQ(message([](YoochooseConfig& c) { c.pStay = 0.99; }),
            "synth yoochoose: p_stay + p_repeat must be <= 1, got 1.04");
  EXPECT_EQ(message([](YoochooseConfig& c) { c.clusters = 5000; }),
            "synth yoochoose: clusters must be <= items (2000), got 5000");
  EXPECT_EQ(message([](YoochooseConfig& c) { c.meanSessionLength = 0.5; }),
            "synth yoochoose: mean_session_length must be in [1, 1000], got 0.5");
  EXPECT_EQ(message([](YoochooseConfig&) {}), "no error");
}

TEST(SynthYoochooseConfig, DegenerateSizesStillWork) {
  YoochooseConfig c = YoochooseConfig::defaults();
  c.sessions = 50;
  c.items = 1;
  c.clusters = 1;
  TempDir dir;
  const SynthResult r = generateYoochoose(c, dir.str(), nullObserver(), StopToken());
  EXPECT_GT(r.rows, 0U);
  const auto truth = readJson(dir.file("ground_truth.json"));
  EXPECT_DOUBLE_EQ(truth["optimal_hit_rate_at"]["1"].get<double>(), 1.0);
}

}  // namespace
}  // namespace reclab::synth
