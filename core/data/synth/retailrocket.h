#pragma once
/// Synthetic implicit-feedback event log with a planted purchase funnel, written in the
/// RetailRocket format.
///
/// Visitors and items have latent vectors (affinity a = dot(visitor, item)); items also have
/// a leaf category (the leaf prototype closest to the item vector) and a price. Each visitor
/// has a geometric number of sessions; a session starts at an hour drawn from a daily profile
/// and holds a geometric number of views; each viewed item is the affinity-softmax pick among
/// a few popularity-drawn candidates. Then
///   P(addtocart | view)       = sigmoid(c0 + c_a a + c_p z_price + c_h h)
///   P(transaction | addtocart) = sigmoid(t0 + t_a a + t_p z_price + t_h h)
/// with z_price = (ln price - price_log_mean) / price_log_sd and h = cos(2 pi (hour - 20) / 24)
/// at the view's UTC hour. The intercepts c0, t0 are calibrated on a simulated sample so that
/// the class shares of all events land on the targets (default 96.7 / 2.5 / 0.8 %). The items
/// bought in one session share one transaction id, at the end of the session (one row per
/// converted addtocart, so an item carted twice and bought twice appears twice).
///
/// Files written into the output directory:
///  - `events.csv`  timestamp,visitorid,event,itemid,transactionid (ms; transactionid only on
///                  transaction rows); rows grouped by visitor, in time order per visitor
///  - `item_properties_part1.csv`  timestamp,itemid,property,value: categoryid, available
///                  (several weekly snapshots in shuffled order, the latest wins), 790 (price
///                  as "n<price>.000"), 888 (space-separated hashed tokens), 364 (one token)
///  - `category_tree.csv`  categoryid,parentid (roots with an empty parent)
///  - `factors.json`  visitor_ids, visitor_factors, item_ids, item_factors (rounded to 4
///                  decimals; the affinity is computed from exactly these values)
///  - `ground_truth.json`  funnel {cart, transaction: {intercept, affinity, price, hour},
///                  price_log_mean, price_log_sd}, hour_profile (24 weights), target_shares,
///                  class_shares (realised), counts, items {itemid, price, category,
///                  available (final)}, category_parent {leaf: parent}, config, seed, files

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/observer.h"
#include "data/synth/output.h"

namespace reclab::synth {

struct RetailRocketConfig {
  std::int64_t visitors = 2000;
  std::int64_t items = 1000;
  int rank = 8;                     ///< latent dimension; dot products have unit variance
  double sessionsPerVisitor = 4.0;  ///< mean of a geometric count >= 1
  double viewsPerSession = 7.5;     ///< mean of a geometric count >= 1
  int candidates = 8;               ///< popularity-drawn candidates per view
  double viewAffinity = 1.0;        ///< softmax weight of the affinity among the candidates
  double popularityExponent = 0.9;  ///< Zipf exponent of the item popularity
  int days = 137;                   ///< time span of the sessions
  std::int64_t startMillis = 1430622000000;  ///< 2015-05-03T03:00:00Z, as the real log
  double cartShare = 0.025;                  ///< target share of addtocart rows among all events
  double transactionShare = 0.008;           ///< target share of transaction rows among all events
  double cartAffinity = 1.5;
  double cartPrice = -0.5;
  double cartHour = 0.3;
  double buyAffinity = 1.0;
  double buyPrice = -0.7;
  double buyHour = 0.2;
  int rootCategories = 4;
  int midCategories = 16;
  int leafCategories = 60;
  std::uint64_t seed = 42;
  bool overwrite = false;

  static RetailRocketConfig defaults() { return {}; }
  /// Throws InputError("synth retailrocket: visitors must be > 0, got 0") and the like.
  void validate() const;
  nlohmann::json toJson() const;
};

std::vector<std::string> retailRocketFileNames();

/// The UTC-hour feature of the funnel: cos(2 pi (hour - 20) / 24).
double retailRocketHourFeature(std::int64_t millis);

SynthResult generateRetailRocket(const RetailRocketConfig& config, const std::string& outDir,
                                 Observer& observer, const StopToken& stop);

}  // namespace reclab::synth
