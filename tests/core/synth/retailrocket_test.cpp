#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>
#include <unordered_map>

#include "common/errors.h"
#include "data/synth/retailrocket.h"
#include "synth_test_util.h"

namespace reclab::synth {
namespace {

using testing::readFile;
using testing::readJson;
using testing::readLines;
using testing::split;
using testing::TempDir;

class SynthRetailRocket : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    s_dir = new TempDir();
    RetailRocketConfig c = RetailRocketConfig::defaults();
    c.visitors = 1500;
    c.items = 800;
    s_result = generateRetailRocket(c, s_dir->str(), nullObserver(), StopToken());
    s_truth = new nlohmann::json(readJson(s_dir->file("ground_truth.json")));
    s_factors = new nlohmann::json(readJson(s_dir->file("factors.json")));
  }
  static void TearDownTestSuite() {
    delete s_factors;
    delete s_truth;
    delete s_dir;
  }
  static TempDir* s_dir;
  static SynthResult s_result;
  static nlohmann::json* s_truth;
  static nlohmann::json* s_factors;
};
TempDir* SynthRetailRocket::s_dir = nullptr;
SynthResult SynthRetailRocket::s_result;
nlohmann::json* SynthRetailRocket::s_truth = nullptr;
nlohmann::json* SynthRetailRocket::s_factors = nullptr;

struct Event {
  long long ts;
  long long visitor;
  std::string type;
  long long item;
  std::string transaction;
};

std::vector<Event> parseEvents(const std::string& path) {
  const auto lines = readLines(path);
  EXPECT_EQ(lines.at(0), "timestamp,visitorid,event,itemid,transactionid");
  std::vector<Event> out;
  for (std::size_t k = 1; k < lines.size(); ++k) {
    const auto f = split(lines[k], ',');
    EXPECT_EQ(f.size(), 5U) << lines[k];
    if (f.size() != 5) continue;
    out.push_back({std::stoll(f[0]), std::stoll(f[1]), f[2], std::stoll(f[3]), f[4]});
  }
  return out;
}

TEST(SynthRetailRocketDeterminism, SameSeedSameBytesOtherSeedOtherBytes) {
  RetailRocketConfig c = RetailRocketConfig::defaults();
  c.visitors = 200;
  c.items = 150;
  TempDir a, b, other;
  generateRetailRocket(c, a.str(), nullObserver(), StopToken());
  generateRetailRocket(c, b.str(), nullObserver(), StopToken());
  testing::expectSameFiles(retailRocketFileNames(), a, b);
  c.seed = 7;
  generateRetailRocket(c, other.str(), nullObserver(), StopToken());
  EXPECT_NE(readFile(a.file("events.csv")), readFile(other.file("events.csv")));
}

TEST_F(SynthRetailRocket, EventsHaveTheRealFormatAndAFunnelOrder) {
  const auto events = parseEvents(s_dir->file("events.csv"));
  ASSERT_EQ(events.size(), s_result.rows);
  const long long start = 1430622000000LL;
  const long long end = start + 140LL * 86400000LL;
  std::map<long long, long long> lastTs;
  std::set<std::pair<long long, long long>> carted;
  for (const Event& e : events) {
    EXPECT_GE(e.ts, start);
    EXPECT_LT(e.ts, end);
    ASSERT_TRUE(e.type == "view" || e.type == "addtocart" || e.type == "transaction") << e.type;
    if (e.type == "transaction") {
      EXPECT_FALSE(e.transaction.empty());
      EXPECT_EQ(std::to_string(std::stoll(e.transaction)), e.transaction);
      EXPECT_EQ(carted.count({e.visitor, e.item}), 1U) << "bought without addtocart";
    } else {
      EXPECT_TRUE(e.transaction.empty());
    }
    if (e.type == "addtocart") carted.insert({e.visitor, e.item});
    auto it = lastTs.find(e.visitor);
    if (it != lastTs.end()) {
      EXPECT_GE(e.ts, it->second) << "visitor rows not in time order";
    }
    lastTs[e.visitor] = e.ts;
  }
  EXPECT_LT(readFile(s_dir->file("events.csv")).size(), 5U << 20);
}

TEST_F(SynthRetailRocket, ClassSharesLandOnTheTargets) {
  const auto events = parseEvents(s_dir->file("events.csv"));
  std::map<std::string, double> count;
  for (const Event& e : events) count[e.type] += 1.0;
  const double n = static_cast<double>(events.size());
  EXPECT_GT(n, 30000.0);
  EXPECT_NEAR(count["view"] / n, 0.967, 0.005);
  EXPECT_NEAR(count["addtocart"] / n, 0.025, 0.005);
  EXPECT_NEAR(count["transaction"] / n, 0.008, 0.005);
  const auto& shares = s_truth->at("class_shares");
  EXPECT_NEAR(shares["view"].get<double>(), count["view"] / n, 1e-12);
  EXPECT_NEAR(shares["addtocart"].get<double>(), count["addtocart"] / n, 1e-12);
  EXPECT_NEAR(shares["transaction"].get<double>(), count["transaction"] / n, 1e-12);
}

TEST_F(SynthRetailRocket, AffinityAndPriceDriveTheFunnel) {
  std::unordered_map<long long, std::vector<double>> visitor, item;
  const auto& f = *s_factors;
  for (std::size_t v = 0; v < f["visitor_ids"].size(); ++v) {
    visitor[f["visitor_ids"][v].get<long long>()] =
        f["visitor_factors"][v].get<std::vector<double>>();
  }
  for (std::size_t i = 0; i < f["item_ids"].size(); ++i) {
    item[f["item_ids"][i].get<long long>()] = f["item_factors"][i].get<std::vector<double>>();
  }
  std::unordered_map<long long, double> price;
  const auto& items = s_truth->at("items");
  for (std::size_t i = 0; i < items["itemid"].size(); ++i) {
    price[items["itemid"][i].get<long long>()] = items["price"][i].get<double>();
  }
  std::map<std::string, double> affinitySum, logPriceSum, count;
  for (const Event& e : parseEvents(s_dir->file("events.csv"))) {
    const auto& p = visitor.at(e.visitor);
    const auto& q = item.at(e.item);
    double a = 0.0;
    for (std::size_t k = 0; k < p.size(); ++k) a += p[k] * q[k];
    affinitySum[e.type] += a;
    logPriceSum[e.type] += std::log(price.at(e.item));
    count[e.type] += 1.0;
  }
  const double viewAffinity = affinitySum["view"] / count["view"];
  const double cartAffinity = affinitySum["addtocart"] / count["addtocart"];
  const double buyAffinity = affinitySum["transaction"] / count["transaction"];
  EXPECT_GT(cartAffinity, viewAffinity + 0.5);
  EXPECT_GT(buyAffinity, cartAffinity);
  EXPECT_LT(logPriceSum["addtocart"] / count["addtocart"], logPriceSum["view"] / count["view"]);
  const auto& funnel = s_truth->at("funnel");
  EXPECT_DOUBLE_EQ(funnel["cart"]["affinity"].get<double>(), 1.5);
  EXPECT_DOUBLE_EQ(funnel["transaction"]["price"].get<double>(), -0.7);
  EXPECT_LT(funnel["cart"]["intercept"].get<double>(), -2.0);
}

TEST_F(SynthRetailRocket, PropertiesAndCategoryTreeMatchTheGroundTruth) {
  const auto& items = s_truth->at("items");
  std::unordered_map<long long, std::size_t> index;
  for (std::size_t i = 0; i < items["itemid"].size(); ++i) {
    index[items["itemid"][i].get<long long>()] = i;
  }
  const auto lines = readLines(s_dir->file("item_properties_part1.csv"));
  ASSERT_EQ(lines.at(0), "timestamp,itemid,property,value");
  std::map<long long, std::pair<long long, int>> latestAvailable;
  std::map<long long, std::string> category, price;
  for (std::size_t k = 1; k < lines.size(); ++k) {
    const auto f = split(lines[k], ',');
    ASSERT_EQ(f.size(), 4U) << lines[k];
    const long long ts = std::stoll(f[0]), id = std::stoll(f[1]);
    ASSERT_EQ(index.count(id), 1U);
    if (f[2] == "available") {
      auto& slot = latestAvailable[id];
      if (ts >= slot.first) slot = {ts, std::stoi(f[3])};
    } else if (f[2] == "categoryid") {
      category[id] = f[3];
    } else if (f[2] == "790") {
      price[id] = f[3];
    } else if (f[2] == "888") {
      EXPECT_GE(split(f[3], ' ').size(), 2U);
    } else {
      EXPECT_EQ(f[2], "364");
    }
  }
  ASSERT_EQ(latestAvailable.size(), index.size());
  std::set<std::string> leaves;
  for (const auto& [id, i] : index) {
    EXPECT_EQ(latestAvailable[id].second, items["available"][i].get<int>());
    EXPECT_EQ(category[id], std::to_string(items["category"][i].get<long long>()));
    EXPECT_EQ(
        price[id],
        std::string("n").append(std::to_string(items["price"][i].get<long long>())).append(".000"));
    leaves.insert(category[id]);
  }
  const auto tree = readLines(s_dir->file("category_tree.csv"));
  ASSERT_EQ(tree.at(0), "categoryid,parentid");
  std::map<std::string, std::string> parent;
  int roots = 0;
  for (std::size_t k = 1; k < tree.size(); ++k) {
    const auto f = split(tree[k], ',');
    ASSERT_EQ(f.size(), 2U) << tree[k];
    parent[f[0]] = f[1];
    roots += f[1].empty() ? 1 : 0;
  }
  EXPECT_EQ(roots, 4);
  EXPECT_EQ(parent.size(), 80U);
  for (const auto& [child, up] : parent) {
    if (!up.empty()) {
      EXPECT_EQ(parent.count(up), 1U) << "unknown parent " << up;
    }
  }
  for (const std::string& leaf : leaves) {
    ASSERT_EQ(parent.count(leaf), 1U);
    const std::string& mid = parent[leaf];
    ASSERT_FALSE(mid.empty());
    EXPECT_TRUE(parent[mid].empty() == false && parent[parent[mid]].empty()) << "depth != 3";
  }
}

TEST(SynthRetailRocketConfig, BadValuesAreRefused) {
  auto message = [](auto mutate) {
    RetailRocketConfig c = RetailRocketConfig::defaults();
    mutate(c);
    try {
      c.validate();
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(message([](RetailRocketConfig& c) { c.visitors = 0; }),
            "synth retailrocket: visitors must be > 0, got 0");
  EXPECT_EQ(message([](RetailRocketConfig& c) { c.transactionShare = 0.03; }),
            "synth retailrocket: transaction_share must be in (0, cart_share = 0.025), got 0.03");
  EXPECT_EQ(message([](RetailRocketConfig& c) { c.candidates = 0; }),
            "synth retailrocket: candidates must be in [1, 64], got 0");
  EXPECT_EQ(message([](RetailRocketConfig&) {}), "no error");
}

}  // namespace
}  // namespace reclab::synth
