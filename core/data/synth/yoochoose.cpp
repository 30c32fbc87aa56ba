#include "data/synth/yoochoose.h"

#include <algorithm>
#include <cmath>

#include "data/synth/config_check.h"
#include "data/synth/file_writer.h"
#include "data/synth/item_chain.h"
#include "data/synth/random.h"

namespace reclab::synth {

namespace {

constexpr std::string_view kWhat = "synth yoochoose";
constexpr std::int64_t kDayMs = 86400000;
constexpr double kMedianGapMs = 30000.0;
constexpr int kCalibrationSessions = 20000;
constexpr int kSpecialOffer = -1;  // category "S"

/// One simulated session: its clicks, the gaps before them and its buy features.
struct Session {
  std::vector<std::uint32_t> items;
  std::vector<std::int64_t> gaps;  // gaps[k] = ms between click k-1 and k (gaps[0] = 0)
  std::vector<std::pair<std::uint32_t, int>> distinct;  // (item, clicks), by item
  double dwell = 0.0;
  int reclicked = 0;
};

void simulate(Rng& rng, const ItemChain& chain, const AliasTable& start, const YoochooseConfig& cfg,
              Session& s) {
  const double mean =
      rng.bernoulli(0.9) ? 0.75 * cfg.meanSessionLength : 3.25 * cfg.meanSessionLength;
  const auto length = std::min<std::uint64_t>(static_cast<std::uint64_t>(cfg.maxSessionLength),
                                              rng.geometric(mean));
  s.items.clear();
  s.gaps.clear();
  std::size_t item = start.sample(rng);
  double gapSum = 0.0;
  for (std::uint64_t k = 0; k < length; ++k) {
    if (k > 0) item = chain.sampleNext(item, rng.uniform());
    s.items.push_back(static_cast<std::uint32_t>(item));
    std::int64_t gap = 0;
    if (k > 0) {
      gap = static_cast<std::int64_t>(
          std::clamp(rng.logNormal(kMedianGapMs, 1.0), 1000.0, 1800000.0));
      gapSum += static_cast<double>(gap);
    }
    s.gaps.push_back(gap);
  }
  s.dwell = length > 1 ? std::log(gapSum / static_cast<double>(length - 1) / kMedianGapMs) : 0.0;
  s.distinct.clear();
  for (std::uint32_t i : s.items) s.distinct.emplace_back(i, 1);
  std::sort(s.distinct.begin(), s.distinct.end());
  std::size_t out = 0;
  for (std::size_t k = 0; k < s.distinct.size(); ++k) {
    if (out > 0 && s.distinct[out - 1].first == s.distinct[k].first) {
      ++s.distinct[out - 1].second;
    } else {
      s.distinct[out++] = s.distinct[k];
    }
  }
  s.distinct.resize(out);
  s.reclicked = 0;
  for (const auto& d : s.distinct) s.reclicked += d.second > 1 ? 1 : 0;
}

double buyLogit(const YoochooseConfig& cfg, double intercept, const Session& s) {
  return intercept + cfg.buyLength * std::log(static_cast<double>(s.items.size())) +
         cfg.buyDwell * s.dwell + cfg.buyReclick * s.reclicked;
}

double calibrateBuyIntercept(const YoochooseConfig& cfg, const ItemChain& chain,
                             const AliasTable& start) {
  Rng rng(mixSeed(cfg.seed, 22));
  Session s;
  std::vector<double> x(kCalibrationSessions);
  for (double& v : x) {
    simulate(rng, chain, start, cfg, s);
    v = buyLogit(cfg, 0.0, s);
  }
  double lo = -40.0, hi = 40.0;
  for (int it = 0; it < 64; ++it) {
    const double mid = 0.5 * (lo + hi);
    double sum = 0.0;
    for (double v : x) sum += sigmoid(mid + v);
    (sum / static_cast<double>(x.size()) < cfg.buyRate ? lo : hi) = mid;
  }
  return roundTo(0.5 * (lo + hi), 6);
}

int drawQuantity(Rng& rng) {
  const double u = rng.uniform();
  return u < 0.75 ? 1 : u < 0.9 ? 2 : u < 0.96 ? 3 : 4;
}

}  // namespace

void YoochooseConfig::validate() const {
  check::positive(kWhat, "sessions", sessions);
  check::positive(kWhat, "items", items);
  if (sessions > 2'000'000'000) check::fail(kWhat, "sessions", "<= 2000000000", sessions);
  if (items > 10'000'000) check::fail(kWhat, "items", "<= 10000000", items);
  check::inRange(kWhat, "clusters", clusters, 1, 1'000'000);
  if (clusters > items)
    check::fail(kWhat, "clusters", fmt::format("<= items ({})", items), clusters);
  check::inRange(kWhat, "successors", successors, 0, 1000);
  check::inRange(kWhat, "popular_items", popularItems, 0, 100000);
  check::inRange(kWhat, "p_stay", pStay, 0.0, 1.0);
  check::inRange(kWhat, "p_repeat", pRepeat, 0.0, 1.0);
  if (pStay + pRepeat > 1.0) {
    check::fail(kWhat, "p_stay + p_repeat", "<= 1", pStay + pRepeat);
  }
  check::inRange(kWhat, "popularity_exponent", popularityExponent, 0.0, 5.0);
  check::inRange(kWhat, "mean_session_length", meanSessionLength, 1.0, 1000.0);
  check::inRange(kWhat, "max_session_length", maxSessionLength, 1, 100000);
  check::inRange(kWhat, "days", days, 1, 3650);
  check::inRange<std::int64_t>(kWhat, "start_millis", startMillis, 0, 4102444800000);
  check::inRange(kWhat, "categorised_share", categorisedShare, 0.0, 1.0);
  check::inRange(kWhat, "special_offer_share", specialOfferShare, 0.0, 1.0);
  if (!(buyRate > 0.0 && buyRate < 1.0)) check::fail(kWhat, "buy_rate", "in (0, 1)", buyRate);
  check::inRange(kWhat, "buy_length", buyLength, -20.0, 20.0);
  check::inRange(kWhat, "buy_dwell", buyDwell, -20.0, 20.0);
  check::inRange(kWhat, "buy_reclick", buyReclick, -20.0, 20.0);
}

nlohmann::json YoochooseConfig::toJson() const {
  return {{"sessions", sessions},
          {"items", items},
          {"clusters", clusters},
          {"successors", successors},
          {"popular_items", popularItems},
          {"p_stay", pStay},
          {"p_repeat", pRepeat},
          {"popularity_exponent", popularityExponent},
          {"mean_session_length", meanSessionLength},
          {"max_session_length", maxSessionLength},
          {"days", days},
          {"start_millis", startMillis},
          {"categorised_share", categorisedShare},
          {"special_offer_share", specialOfferShare},
          {"buy_rate", buyRate},
          {"buy_length", buyLength},
          {"buy_dwell", buyDwell},
          {"buy_reclick", buyReclick},
          {"seed", seed}};
}

std::vector<std::string> yoochooseFileNames() {
  return {"yoochoose-clicks.dat", "yoochoose-buys.dat", "ground_truth.json"};
}

SynthResult generateYoochoose(const YoochooseConfig& cfg, const std::string& outDir,
                              Observer& observer, const StopToken& stop) {
  cfg.validate();
  prepareOutputDir(kWhat, outDir, yoochooseFileNames(), cfg.overwrite);
  SynthResult result;
  result.outDir = outDir;

  ItemChainParams params;
  params.items = cfg.items;
  params.clusters = cfg.clusters;
  params.successors = cfg.successors;
  params.popularItems = cfg.popularItems;
  params.pStay = cfg.pStay;
  params.pRepeat = cfg.pRepeat;
  params.popularityExponent = cfg.popularityExponent;
  params.seed = cfg.seed;
  const ItemChain chain = ItemChain::build(params);
  const AliasTable start(chain.popularity());
  const double intercept = calibrateBuyIntercept(cfg, chain, start);

  // Item listing category and price.
  Rng itemRng(mixSeed(cfg.seed, 23));
  const auto n = static_cast<std::size_t>(cfg.items);
  std::vector<int> category(n, 0);
  std::vector<std::int64_t> price(n);
  for (std::size_t i = 0; i < n; ++i) {
    if (itemRng.bernoulli(cfg.categorisedShare)) category[i] = 1 + chain.cluster(i) % 12;
    price[i] = std::max<std::int64_t>(1, std::llround(itemRng.logNormal(1500.0, 0.9)));
  }

  Rng rng(mixSeed(cfg.seed, 24));
  const AliasTable hours(dailyActivityProfile());
  ProgressTicker ticker(observer, stop, "synth yoochoose");
  FileWriter clicks(joinPath(outDir, "yoochoose-clicks.dat"));
  FileWriter buys(joinPath(outDir, "yoochoose-buys.dat"));
  const std::int64_t firstMidnight = (cfg.startMillis / kDayMs) * kDayMs;
  std::vector<std::uint64_t> sources(n, 0);
  std::uint64_t clickRows = 0, buyRows = 0, buySessions = 0;
  std::int64_t sessionId = 0;
  Session s;
  std::vector<std::pair<std::uint32_t, int>> basket;
  for (std::int64_t k = 0; k < cfg.sessions; ++k) {
    sessionId += (k > 0 && rng.bernoulli(0.2)) ? 2 : 1;  // gaps: sessions held out, as the real ids
    const std::int64_t day = k * cfg.days / cfg.sessions;
    std::int64_t t =
        std::max(cfg.startMillis, firstMidnight + day * kDayMs +
                                      static_cast<std::int64_t>(hours.sample(rng)) * 3600000 +
                                      rng.between(0, 3599999));
    simulate(rng, chain, start, cfg, s);
    for (std::size_t c = 0; c < s.items.size(); ++c) {
      const std::uint32_t item = s.items[c];
      t += s.gaps[c];
      clicks.writeInt(sessionId);
      clicks.put(',');
      clicks.writeIsoMillis(t);
      clicks.put(',');
      clicks.writeInt(chain.itemId(item));
      clicks.put(',');
      if (cfg.specialOfferShare > 0.0 && rng.bernoulli(cfg.specialOfferShare)) {
        clicks.put('S');
      } else {
        clicks.writeInt(category[item]);
      }
      clicks.put('\n');
      if (c + 1 < s.items.size()) ++sources[item];
    }
    clickRows += s.items.size();
    if (rng.bernoulli(sigmoid(buyLogit(cfg, intercept, s)))) {
      ++buySessions;
      const double u = rng.uniform();
      const std::size_t want = std::min<std::size_t>(s.distinct.size(), u < 0.7    ? 1
                                                                        : u < 0.92 ? 2
                                                                                   : 3);
      basket = s.distinct;
      std::int64_t ts = t + 60000 + static_cast<std::int64_t>(rng.exponential(120000.0));
      for (std::size_t b = 0; b < want; ++b) {
        int total = 0;
        for (const auto& e : basket) total += e.second;
        auto target = static_cast<int>(rng.below(static_cast<std::uint64_t>(total)));
        std::size_t pick = 0;
        while (target >= basket[pick].second) target -= basket[pick++].second;
        const std::uint32_t item = basket[pick].first;
        basket.erase(basket.begin() + static_cast<std::ptrdiff_t>(pick));
        buys.writeInt(sessionId);
        buys.put(',');
        buys.writeIsoMillis(ts);
        buys.put(',');
        buys.writeInt(chain.itemId(item));
        buys.put(',');
        buys.writeInt(price[item]);
        buys.put(',');
        buys.writeInt(drawQuantity(rng));
        buys.put('\n');
        ++buyRows;
        ts += rng.between(0, 2000);
      }
    }
    ticker.update(clickRows, static_cast<double>(k + 1) / static_cast<double>(cfg.sessions));
  }
  clicks.close();
  buys.close();
  result.files.push_back(clicks.path());
  result.files.push_back(buys.path());
  result.bytes += clicks.bytesWritten() + buys.bytesWritten();
  result.rows = clickRows;

  nlohmann::json chainJson = chain.toJson();
  chainJson["p_stay"] = cfg.pStay;
  chainJson["p_repeat"] = cfg.pRepeat;
  nlohmann::json hitRates = nlohmann::json::object();
  for (int at : {1, 5, 10, 20}) hitRates[std::to_string(at)] = optimalHitRate(chain, sources, at);
  std::vector<std::string> categoryText(n);
  for (std::size_t i = 0; i < n; ++i) categoryText[i] = std::to_string(category[i]);
  std::uint64_t transitions = 0;
  for (std::uint64_t c : sources) transitions += c;
  const double sessions = static_cast<double>(cfg.sessions);
  const nlohmann::json truth = {
      {"kind", "yoochoose"},
      {"seed", cfg.seed},
      {"config", cfg.toJson()},
      {"chain", chainJson},
      {"optimal_hit_rate_at", hitRates},
      {"transition_source_counts", sources},
      {"buy_model",
       {{"intercept", intercept},
        {"length", cfg.buyLength},
        {"dwell", cfg.buyDwell},
        {"reclick", cfg.buyReclick},
        {"dwell_log_median_seconds", std::log(kMedianGapMs / 1000.0)},
        {"target_rate", cfg.buyRate},
        {"realised_rate", static_cast<double>(buySessions) / sessions},
        {"definition",
         "P(buy) = sigmoid(intercept + length*ln(clicks) + dwell*(ln(mean gap seconds) - "
         "dwell_log_median_seconds) + reclick*(distinct items clicked more than once)); dwell "
         "term 0 for one-click sessions"}}},
      {"counts",
       {{"sessions", cfg.sessions},
        {"clicks", clickRows},
        {"buy_sessions", buySessions},
        {"buys", buyRows},
        {"transitions", transitions}}},
      {"mean_session_length", static_cast<double>(clickRows) / sessions},
      {"item_price", price},
      {"item_category", categoryText},
      {"files", yoochooseFileNames()}};
  const std::string truthPath = joinPath(outDir, "ground_truth.json");
  result.bytes += writeJsonFile(truthPath, truth);
  result.files.push_back(truthPath);
  ticker.finish();
  observer.onLog(LogLevel::Info,
                 fmt::format("synth yoochoose: {} sessions, {} clicks, {} buys ({:.2f}% of "
                             "sessions buy)",
                             cfg.sessions, clickRows, buyRows,
                             100.0 * static_cast<double>(buySessions) / sessions));
  return result;
}

}  // namespace reclab::synth
