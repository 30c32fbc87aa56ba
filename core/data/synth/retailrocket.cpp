#include "data/synth/retailrocket.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "data/synth/config_check.h"
#include "data/synth/file_writer.h"
#include "data/synth/random.h"

namespace reclab::synth {

namespace {

constexpr std::string_view kWhat = "synth retailrocket";
constexpr std::int64_t kDayMs = 86400000;
constexpr int kCalibrationSamples = 100000;

double dot(const double* a, const double* b, int n) {
  double s = 0.0;
  for (int k = 0; k < n; ++k) s += a[k] * b[k];
  return s;
}

/// Everything planted before the first event is written.
struct World {
  int rank = 0;
  std::vector<double> visitorFactors, itemFactors;
  std::vector<std::int64_t> visitorIds, itemIds;
  std::vector<double> price, priceZ;
  double priceLogMean = 0.0, priceLogSd = 1.0;
  std::vector<std::int64_t> categoryIds;  // roots, then mids, then leaves
  std::vector<std::int64_t> parentIndex;  // -1 for roots
  std::vector<std::size_t> itemLeaf;      // index into categoryIds
  AliasTable popularity, hours;
  std::vector<double> hourProfile;
};

World buildWorld(const RetailRocketConfig& cfg) {
  World w;
  w.rank = cfg.rank;
  const double sd = std::pow(static_cast<double>(cfg.rank), -0.25);  // unit-variance dot
  Rng rng(mixSeed(cfg.seed, 11));
  const auto nVisitors = static_cast<std::size_t>(cfg.visitors);
  const auto nItems = static_cast<std::size_t>(cfg.items);
  w.visitorFactors.resize(nVisitors * cfg.rank);
  for (double& v : w.visitorFactors) v = roundTo(rng.normal(0.0, sd), 4);
  w.itemFactors.resize(nItems * cfg.rank);
  for (double& v : w.itemFactors) v = roundTo(rng.normal(0.0, sd), 4);
  w.visitorIds =
      distinctIntegers(rng, nVisitors, 0, std::max<std::int64_t>(1407580, 2 * cfg.visitors));
  w.itemIds = distinctIntegers(rng, nItems, 1, std::max<std::int64_t>(466868, 2 * cfg.items + 1));

  // Category tree: roots, mids under roots, leaves under mids (or roots when no mids).
  const int nCategories = cfg.rootCategories + cfg.midCategories + cfg.leafCategories;
  w.categoryIds = distinctIntegers(rng, static_cast<std::size_t>(nCategories), 1,
                                   std::max(1700, 2 * nCategories + 1));
  w.parentIndex.assign(static_cast<std::size_t>(nCategories), -1);
  for (int c = cfg.rootCategories; c < nCategories; ++c) {
    const bool isMid = c < cfg.rootCategories + cfg.midCategories;
    if (isMid || cfg.midCategories == 0) {
      w.parentIndex[c] = rng.between(0, cfg.rootCategories - 1);
    } else {
      w.parentIndex[c] =
          rng.between(cfg.rootCategories, cfg.rootCategories + cfg.midCategories - 1);
    }
  }
  const int firstLeaf = cfg.rootCategories + cfg.midCategories;
  std::vector<double> leafProto(static_cast<std::size_t>(cfg.leafCategories) * cfg.rank);
  for (double& v : leafProto) v = rng.normal();
  std::vector<double> leafMedianPrice(static_cast<std::size_t>(cfg.leafCategories));
  for (double& p : leafMedianPrice) p = rng.logNormal(2500.0, 0.8);

  w.itemLeaf.resize(nItems);
  w.price.resize(nItems);
  double sum = 0.0, sumSq = 0.0;
  for (std::size_t i = 0; i < nItems; ++i) {
    const double* q = w.itemFactors.data() + i * cfg.rank;
    std::size_t best = 0;
    double bestScore = -1e300;
    for (std::size_t l = 0; l < static_cast<std::size_t>(cfg.leafCategories); ++l) {
      const double s = dot(leafProto.data() + l * cfg.rank, q, cfg.rank);
      if (s > bestScore) {
        bestScore = s;
        best = l;
      }
    }
    w.itemLeaf[i] = static_cast<std::size_t>(firstLeaf) + best;
    w.price[i] = std::max(1.0, std::round(leafMedianPrice[best] * rng.logNormal(1.0, 0.4)));
    const double lp = std::log(w.price[i]);
    sum += lp;
    sumSq += lp * lp;
  }
  const double n = static_cast<double>(nItems);
  w.priceLogMean = roundTo(sum / n, 6);
  w.priceLogSd = roundTo(std::sqrt(std::max(sumSq / n - (sum / n) * (sum / n), 1e-6)), 6);
  w.priceZ.resize(nItems);
  for (std::size_t i = 0; i < nItems; ++i) {
    w.priceZ[i] = (std::log(w.price[i]) - w.priceLogMean) / w.priceLogSd;
  }
  std::vector<double> popularity = zipfWeights(nItems, cfg.popularityExponent);
  rng.shuffle(popularity);
  w.popularity = AliasTable(popularity);
  w.hourProfile = dailyActivityProfile();
  w.hours = AliasTable(w.hourProfile);
  return w;
}

/// The viewed item: affinity-softmax among popularity-drawn candidates.
std::size_t pickItem(Rng& rng, const World& w, const double* visitor, const RetailRocketConfig& cfg,
                     double& affinity) {
  std::size_t cand[64];
  double score[64];
  const int m = std::min(cfg.candidates, 64);
  double maxScore = -1e300;
  for (int c = 0; c < m; ++c) {
    cand[c] = w.popularity.sample(rng);
    score[c] = cfg.viewAffinity * dot(visitor, w.itemFactors.data() + cand[c] * w.rank, w.rank);
    maxScore = std::max(maxScore, score[c]);
  }
  double total = 0.0;
  for (int c = 0; c < m; ++c) {
    score[c] = std::exp(score[c] - maxScore);
    total += score[c];
  }
  double target = rng.uniform() * total;
  int pick = 0;
  for (; pick + 1 < m; ++pick) {
    target -= score[pick];
    if (target < 0.0) break;
  }
  affinity = dot(visitor, w.itemFactors.data() + cand[pick] * w.rank, w.rank);
  return cand[pick];
}

/// Solves sum_k weight_k sigmoid(b + x_k) / sum_k weight_k = target for b by bisection.
double calibrate(const std::vector<double>& x, const std::vector<double>& weight, double target) {
  double lo = -40.0, hi = 40.0, total = 0.0;
  for (double v : weight) total += v;
  for (int it = 0; it < 64; ++it) {
    const double mid = 0.5 * (lo + hi);
    double s = 0.0;
    for (std::size_t k = 0; k < x.size(); ++k) s += weight[k] * sigmoid(mid + x[k]);
    (s / total < target ? lo : hi) = mid;
  }
  return roundTo(0.5 * (lo + hi), 6);
}

std::int64_t hourOf(std::int64_t millis) { return ((millis / 3600000) % 24 + 24) % 24; }

void writeEvent(FileWriter& out, std::int64_t ts, std::int64_t visitor, std::string_view event,
                std::int64_t item, std::int64_t transaction) {
  out.writeInt(ts);
  out.put(',');
  out.writeInt(visitor);
  out.put(',');
  out.write(event);
  out.put(',');
  out.writeInt(item);
  out.put(',');
  if (transaction >= 0) out.writeInt(transaction);
  out.put('\n');
}

struct PropertyRow {
  std::int64_t ts;
  std::string property;
  std::string value;
};

}  // namespace

double retailRocketHourFeature(std::int64_t millis) {
  return std::cos(2.0 * std::numbers::pi * static_cast<double>(hourOf(millis) - 20) / 24.0);
}

void RetailRocketConfig::validate() const {
  check::positive(kWhat, "visitors", visitors);
  check::positive(kWhat, "items", items);
  if (visitors > 100'000'000) check::fail(kWhat, "visitors", "<= 100000000", visitors);
  if (items > 10'000'000) check::fail(kWhat, "items", "<= 10000000", items);
  check::inRange(kWhat, "rank", rank, 1, 256);
  check::inRange(kWhat, "sessions_per_visitor", sessionsPerVisitor, 1.0, 10000.0);
  check::inRange(kWhat, "views_per_session", viewsPerSession, 1.0, 10000.0);
  check::inRange(kWhat, "candidates", candidates, 1, 64);
  check::inRange(kWhat, "view_affinity", viewAffinity, -20.0, 20.0);
  check::inRange(kWhat, "popularity_exponent", popularityExponent, 0.0, 5.0);
  check::inRange(kWhat, "days", days, 1, 3650);
  check::inRange<std::int64_t>(kWhat, "start_millis", startMillis, 0, 4102444800000);
  if (!(cartShare > 0.0 && cartShare < 0.5))
    check::fail(kWhat, "cart_share", "in (0, 0.5)", cartShare);
  if (!(transactionShare > 0.0 && transactionShare < cartShare)) {
    check::fail(kWhat, "transaction_share", fmt::format("in (0, cart_share = {})", cartShare),
                transactionShare);
  }
  for (auto [name, v] : {std::pair{"cart_affinity", cartAffinity},
                         {"cart_price", cartPrice},
                         {"cart_hour", cartHour},
                         {"buy_affinity", buyAffinity},
                         {"buy_price", buyPrice},
                         {"buy_hour", buyHour}}) {
    check::inRange(kWhat, name, v, -20.0, 20.0);
  }
  check::inRange(kWhat, "root_categories", rootCategories, 1, 100000);
  check::inRange(kWhat, "mid_categories", midCategories, 0, 100000);
  check::inRange(kWhat, "leaf_categories", leafCategories, 1, 100000);
}

nlohmann::json RetailRocketConfig::toJson() const {
  return {{"visitors", visitors},
          {"items", items},
          {"rank", rank},
          {"sessions_per_visitor", sessionsPerVisitor},
          {"views_per_session", viewsPerSession},
          {"candidates", candidates},
          {"view_affinity", viewAffinity},
          {"popularity_exponent", popularityExponent},
          {"days", days},
          {"start_millis", startMillis},
          {"cart_share", cartShare},
          {"transaction_share", transactionShare},
          {"cart_affinity", cartAffinity},
          {"cart_price", cartPrice},
          {"cart_hour", cartHour},
          {"buy_affinity", buyAffinity},
          {"buy_price", buyPrice},
          {"buy_hour", buyHour},
          {"root_categories", rootCategories},
          {"mid_categories", midCategories},
          {"leaf_categories", leafCategories},
          {"seed", seed}};
}

std::vector<std::string> retailRocketFileNames() {
  return {"events.csv", "item_properties_part1.csv", "category_tree.csv", "factors.json",
          "ground_truth.json"};
}

SynthResult generateRetailRocket(const RetailRocketConfig& cfg, const std::string& outDir,
                                 Observer& observer, const StopToken& stop) {
  cfg.validate();
  prepareOutputDir(kWhat, outDir, retailRocketFileNames(), cfg.overwrite);
  SynthResult result;
  result.outDir = outDir;
  const World w = buildWorld(cfg);
  const int rank = cfg.rank;

  // Calibrate the two intercepts on a simulated sample of views.
  const double pCart = cfg.cartShare / (1.0 - cfg.cartShare - cfg.transactionShare);
  const double pBuy = cfg.transactionShare / cfg.cartShare;
  Rng calRng(mixSeed(cfg.seed, 12));
  std::vector<double> xCart(kCalibrationSamples), xBuy(kCalibrationSamples);
  for (int k = 0; k < kCalibrationSamples; ++k) {
    const auto v = static_cast<std::size_t>(calRng.below(static_cast<std::uint64_t>(cfg.visitors)));
    double a = 0.0;
    const std::size_t i = pickItem(calRng, w, w.visitorFactors.data() + v * rank, cfg, a);
    const double h =
        std::cos(2.0 * std::numbers::pi *
                 static_cast<double>(static_cast<int>(w.hours.sample(calRng)) - 20) / 24.0);
    xCart[k] = cfg.cartAffinity * a + cfg.cartPrice * w.priceZ[i] + cfg.cartHour * h;
    xBuy[k] = cfg.buyAffinity * a + cfg.buyPrice * w.priceZ[i] + cfg.buyHour * h;
  }
  const double cartIntercept = calibrate(xCart, std::vector<double>(xCart.size(), 1.0), pCart);
  std::vector<double> cartWeight(xCart.size());
  for (std::size_t k = 0; k < xCart.size(); ++k) cartWeight[k] = sigmoid(cartIntercept + xCart[k]);
  const double buyIntercept = calibrate(xBuy, cartWeight, pBuy);

  // events.csv, visitor by visitor.
  Rng rng(mixSeed(cfg.seed, 13));
  ProgressTicker ticker(observer, stop, "synth retailrocket");
  FileWriter events(joinPath(outDir, "events.csv"));
  events.write("timestamp,visitorid,event,itemid,transactionid\n");
  const std::int64_t firstMidnight = (cfg.startMillis / kDayMs) * kDayMs;
  std::int64_t nextTransaction = rng.between(0, 99);
  std::uint64_t views = 0, carts = 0, buys = 0, sessionsTotal = 0, transactions = 0;
  std::vector<std::int64_t> starts;
  std::vector<std::size_t> bought;
  for (std::int64_t v = 0; v < cfg.visitors; ++v) {
    const double* visitor = w.visitorFactors.data() + v * rank;
    const std::int64_t visitorId = w.visitorIds[static_cast<std::size_t>(v)];
    const auto nSessions = std::min<std::uint64_t>(1000, rng.geometric(cfg.sessionsPerVisitor));
    starts.clear();
    for (std::uint64_t s = 0; s < nSessions; ++s) {
      const auto day = static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(cfg.days)));
      const auto hour = static_cast<std::int64_t>(w.hours.sample(rng));
      starts.push_back(std::max(cfg.startMillis, firstMidnight + day * kDayMs + hour * 3600000 +
                                                     rng.between(0, 3599999)));
    }
    std::sort(starts.begin(), starts.end());
    std::int64_t previousEnd = 0;
    for (std::int64_t start : starts) {
      std::int64_t t = std::max(start, previousEnd + 1800000 + rng.between(0, 600000));
      const auto nViews = std::min<std::uint64_t>(500, rng.geometric(cfg.viewsPerSession));
      bought.clear();
      std::int64_t lastWritten = t;
      for (std::uint64_t k = 0; k < nViews; ++k) {
        double a = 0.0;
        const std::size_t item = pickItem(rng, w, visitor, cfg, a);
        const std::int64_t itemId = w.itemIds[item];
        writeEvent(events, t, visitorId, "view", itemId, -1);
        ++views;
        const auto gap =
            static_cast<std::int64_t>(std::min(1200000.0, 2000.0 + rng.logNormal(40000.0, 0.9)));
        const double h = retailRocketHourFeature(t);
        const double cartLogit = cartIntercept + cfg.cartAffinity * a +
                                 cfg.cartPrice * w.priceZ[item] + cfg.cartHour * h;
        if (rng.bernoulli(sigmoid(cartLogit))) {
          lastWritten = t + rng.between(1000, gap - 1);
          writeEvent(events, lastWritten, visitorId, "addtocart", itemId, -1);
          ++carts;
          const double buyLogit =
              buyIntercept + cfg.buyAffinity * a + cfg.buyPrice * w.priceZ[item] + cfg.buyHour * h;
          if (rng.bernoulli(sigmoid(buyLogit))) bought.push_back(item);
        }
        if (k + 1 < nViews) {
          t += gap;
          lastWritten = t;
        }
      }
      if (!bought.empty()) {
        const std::int64_t tx = nextTransaction++;
        std::int64_t ts =
            lastWritten + 60000 + static_cast<std::int64_t>(rng.exponential(180000.0));
        for (std::size_t item : bought) {
          writeEvent(events, ts, visitorId, "transaction", w.itemIds[item], tx);
          ts += rng.between(0, 50);
          ++buys;
        }
        ++transactions;
        lastWritten = ts;
      }
      previousEnd = lastWritten;
      ++sessionsTotal;
    }
    ticker.update(views + carts + buys,
                  static_cast<double>(v + 1) / static_cast<double>(cfg.visitors));
  }
  events.close();
  result.files.push_back(events.path());
  result.bytes += events.bytesWritten();
  result.rows = views + carts + buys;

  // item_properties_part1.csv: weekly snapshots at 03:00 UTC.
  Rng propRng(mixSeed(cfg.seed, 14));
  const std::int64_t firstSnapshot = firstMidnight + 3 * 3600000;
  const int snapshots = std::max(1, cfg.days / 7);
  FileWriter props(joinPath(outDir, "item_properties_part1.csv"));
  props.write("timestamp,itemid,property,value\n");
  std::vector<std::vector<std::int64_t>> leafTokens(w.categoryIds.size());
  for (auto& pool : leafTokens) {
    for (int k = 0; k < 12; ++k) pool.push_back(propRng.between(100000, 1400000));
  }
  std::vector<int> available(w.itemIds.size());
  std::vector<PropertyRow> rows;
  std::vector<int> snapshotOrder(static_cast<std::size_t>(snapshots));
  for (std::size_t i = 0; i < w.itemIds.size(); ++i) {
    rows.clear();
    const auto snapshotTs = [&](int s) { return firstSnapshot + s * 7 * kDayMs; };
    rows.push_back({snapshotTs(0), "categoryid", std::to_string(w.categoryIds[w.itemLeaf[i]])});
    const std::string priceText = fmt::format("n{}.000", static_cast<std::int64_t>(w.price[i]));
    rows.push_back({snapshotTs(0), "790", priceText});
    if (snapshots > 1 && propRng.bernoulli(0.3)) {
      rows.push_back(
          {snapshotTs(static_cast<int>(propRng.between(1, snapshots - 1))), "790", priceText});
    }
    for (int s = 0; s < snapshots; ++s) snapshotOrder[s] = s;
    propRng.shuffle(snapshotOrder);
    const int nAvail = static_cast<int>(std::min<std::int64_t>(snapshots, propRng.between(2, 5)));
    int latest = -1;
    for (int k = 0; k < nAvail; ++k) {
      const int value = propRng.bernoulli(0.8) ? 1 : 0;
      rows.push_back({snapshotTs(snapshotOrder[k]), "available", std::to_string(value)});
      if (snapshotOrder[k] > latest) {
        latest = snapshotOrder[k];
        available[i] = value;
      }
    }
    std::string tokens;
    const auto& pool = leafTokens[w.itemLeaf[i]];
    const auto nTokens = propRng.between(2, 6);
    for (std::int64_t k = 0; k < nTokens; ++k) {
      if (k > 0) tokens += ' ';
      tokens += propRng.bernoulli(0.15) ? fmt::format("n{}.000", propRng.between(1, 99) * 12)
                                        : std::to_string(pool[propRng.below(pool.size())]);
    }
    rows.push_back({snapshotTs(0), "888", tokens});
    rows.push_back({snapshotTs(0), "364", std::to_string(propRng.between(10000, 500000))});
    propRng.shuffle(rows);
    for (const PropertyRow& row : rows) {
      props.writeInt(row.ts);
      props.put(',');
      props.writeInt(w.itemIds[i]);
      props.put(',');
      props.write(row.property);
      props.put(',');
      props.write(row.value);
      props.put('\n');
    }
    if ((i & 1023) == 0) stop.throwIfStopped();
  }
  props.close();
  result.files.push_back(props.path());
  result.bytes += props.bytesWritten();

  FileWriter tree(joinPath(outDir, "category_tree.csv"));
  tree.write("categoryid,parentid\n");
  std::vector<std::size_t> order(w.categoryIds.size());
  for (std::size_t c = 0; c < order.size(); ++c) order[c] = c;
  propRng.shuffle(order);
  nlohmann::json categoryParent = nlohmann::json::object();
  for (std::size_t c : order) {
    tree.writeInt(w.categoryIds[c]);
    tree.put(',');
    if (w.parentIndex[c] >= 0) {
      const std::int64_t parent = w.categoryIds[static_cast<std::size_t>(w.parentIndex[c])];
      tree.writeInt(parent);
      categoryParent[std::to_string(w.categoryIds[c])] = parent;
    } else {
      categoryParent[std::to_string(w.categoryIds[c])] = nullptr;
    }
    tree.put('\n');
  }
  tree.close();
  result.files.push_back(tree.path());
  result.bytes += tree.bytesWritten();

  nlohmann::json visitorFactors = nlohmann::json::array(), itemFactors = nlohmann::json::array();
  for (std::int64_t v = 0; v < cfg.visitors; ++v) {
    auto begin = w.visitorFactors.begin() + v * rank;
    visitorFactors.push_back(std::vector<double>(begin, begin + rank));
  }
  for (std::int64_t i = 0; i < cfg.items; ++i) {
    auto begin = w.itemFactors.begin() + i * rank;
    itemFactors.push_back(std::vector<double>(begin, begin + rank));
  }
  const std::string factorsPath = joinPath(outDir, "factors.json");
  result.bytes += writeJsonFile(factorsPath, {{"visitor_ids", w.visitorIds},
                                              {"visitor_factors", visitorFactors},
                                              {"item_ids", w.itemIds},
                                              {"item_factors", itemFactors}});
  result.files.push_back(factorsPath);

  std::vector<std::int64_t> itemCategory(w.itemIds.size());
  for (std::size_t i = 0; i < itemCategory.size(); ++i)
    itemCategory[i] = w.categoryIds[w.itemLeaf[i]];
  const double total = static_cast<double>(std::max<std::uint64_t>(1, views + carts + buys));
  const auto coefficients = [](double intercept, double a, double p, double h) {
    return nlohmann::json{{"intercept", intercept}, {"affinity", a}, {"price", p}, {"hour", h}};
  };
  const nlohmann::json truth = {
      {"kind", "retailrocket"},
      {"seed", cfg.seed},
      {"config", cfg.toJson()},
      {"funnel",
       {{"cart", coefficients(cartIntercept, cfg.cartAffinity, cfg.cartPrice, cfg.cartHour)},
        {"transaction", coefficients(buyIntercept, cfg.buyAffinity, cfg.buyPrice, cfg.buyHour)},
        {"price_log_mean", w.priceLogMean},
        {"price_log_sd", w.priceLogSd},
        {"definition",
         "P(addtocart|view) = sigmoid(cart.intercept + cart.affinity*a + cart.price*z + "
         "cart.hour*h), P(transaction|addtocart) likewise with transaction.*; a = dot(visitor, "
         "item) from factors.json, z = (ln price - price_log_mean) / price_log_sd, h = "
         "cos(2 pi (utc_hour_of_view - 20) / 24)"}}},
      {"hour_profile", w.hourProfile},
      {"target_shares",
       {{"view", 1.0 - cfg.cartShare - cfg.transactionShare},
        {"addtocart", cfg.cartShare},
        {"transaction", cfg.transactionShare}}},
      {"class_shares",
       {{"view", views / total}, {"addtocart", carts / total}, {"transaction", buys / total}}},
      {"counts",
       {{"view", views},
        {"addtocart", carts},
        {"transaction", buys},
        {"events", views + carts + buys},
        {"sessions", sessionsTotal},
        {"transactions", transactions}}},
      {"items",
       {{"itemid", w.itemIds},
        {"price", w.price},
        {"category", itemCategory},
        {"available", available}}},
      {"category_parent", categoryParent},
      {"files", retailRocketFileNames()}};
  const std::string truthPath = joinPath(outDir, "ground_truth.json");
  result.bytes += writeJsonFile(truthPath, truth);
  result.files.push_back(truthPath);
  ticker.finish();
  observer.onLog(LogLevel::Info,
                 fmt::format("synth retailrocket: {} events ({} views, {} addtocart, {} "
                             "transaction) by {} visitors on {} items",
                             views + carts + buys, views, carts, buys, cfg.visitors, cfg.items));
  return result;
}

}  // namespace reclab::synth
