#pragma once
/// Synthetic click sessions from a clustered item Markov chain, with a planted buy model,
/// written in the Yoochoose (RecSys Challenge 2015) format.
///
/// Session k starts on day floor(k * days / sessions) (so session ids are roughly
/// chronological) at an hour from the daily profile. Its length is a mixture of two
/// geometrics (90% with mean 0.75 L, 10% with mean 3.25 L, L = mean_session_length), capped at
/// max_session_length. The first click is drawn from the item popularity, each next one from
/// the chain (see item_chain.h). Clicks are 1 s to 30 min apart (log-normal, median 30 s).
/// The session buys with probability
///   sigmoid(b0 + b_len ln(length) + b_dwell (ln(mean gap s) - ln 30) + b_reclick reclicked)
/// (dwell term 0 for one-click sessions; reclicked = distinct items clicked more than once),
/// b0 calibrated on simulated sessions so that buy_rate of the sessions buy. A buying session
/// buys 1-3 distinct clicked items (drawn by click count) after its last click.
///
/// Files written into the output directory:
///  - `yoochoose-clicks.dat`  session,timestamp,item,category (no header; ISO-8601 UTC with
///                            ms; category "0", "1".."12" or "S")
///  - `yoochoose-buys.dat`    session,timestamp,item,price,quantity (no header)
///  - `ground_truth.json`     chain (ItemChain::toJson plus p_stay, p_repeat), optimal_hit_rate_at
///                            {"1","5","10","20"} (weights: transition sources in the clicks
///                            file), transition_source_counts, buy_model {intercept, length,
///                            dwell, reclick, dwell_log_median_seconds, target_rate,
///                            realised_rate}, counts, mean_session_length, item_price,
///                            item_category, config, seed, files

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/observer.h"
#include "data/synth/output.h"

namespace reclab::synth {

struct YoochooseConfig {
  std::int64_t sessions = 20000;
  std::int64_t items = 2000;
  int clusters = 40;
  int successors = 5;               ///< strong within-cluster successors per item
  int popularItems = 20;            ///< hubs that out-of-cluster jumps land on
  double pStay = 0.8;               ///< probability of moving to a within-cluster successor
  double pRepeat = 0.05;            ///< probability of re-clicking the same item
  double popularityExponent = 1.0;  ///< Zipf exponent of the first-click popularity
  double meanSessionLength = 4.0;
  int maxSessionLength = 200;
  int days = 30;
  std::int64_t startMillis = 1396310400000;  ///< 2014-04-01T00:00:00Z
  double categorisedShare = 0.15;   ///< items listed under a numbered category 1..12 (else "0")
  double specialOfferShare = 0.03;  ///< clicks whose category reads "S"
  double buyRate = 0.05;            ///< target share of sessions that buy
  double buyLength = 0.8;           ///< coefficient of ln(session length)
  double buyDwell = 0.5;            ///< coefficient of the log mean gap (centred at 30 s)
  double buyReclick = 0.7;          ///< coefficient of the number of re-clicked items
  std::uint64_t seed = 42;
  bool overwrite = false;

  static YoochooseConfig defaults() { return {}; }
  /// Throws InputError("synth yoochoose: sessions must be > 0, got 0") and the like.
  void validate() const;
  nlohmann::json toJson() const;
};

std::vector<std::string> yoochooseFileNames();

SynthResult generateYoochoose(const YoochooseConfig& config, const std::string& outDir,
                              Observer& observer, const StopToken& stop);

}  // namespace reclab::synth
