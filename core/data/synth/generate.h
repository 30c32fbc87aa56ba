#pragma once
/// One entry point for all synthetic generators, used by `reclab-cli synth KIND --out DIR
/// --seed N [--users N --items N --sessions N ...]`.
///
/// `sizeOptions` is a JSON object; every key is optional, unknown keys are refused with an
/// InputError naming the accepted ones. Values may be JSON numbers / booleans or strings that
/// parse as such ("2000"). Integer options must be whole numbers. Each kind also accepts
/// "overwrite" (bool, default false: refuse to replace existing files in the output dir).
///
/// kind "ratings" (MovieLens-100k files, see ratings.h):
///   users 943, items 1682, rank 8, ratings_per_user 100 (mean), min_ratings_per_user 20,
///   popularity_exponent 0.9, global_mean 3.6, user_bias_std 0.4, item_bias_std 0.5,
///   interaction_std 0.7, sigma 0.9, min_keywords 3, max_keywords 6
///
/// kind "retailrocket" (events.csv etc., see retailrocket.h):
///   visitors 2000 (alias: users), items 1000, rank 8, sessions_per_visitor 4,
///   views_per_session 7.5, candidates 8, view_affinity 1, popularity_exponent 0.9, days 137,
///   start_millis 1430622000000, cart_share 0.025, transaction_share 0.008, cart_affinity 1.5,
///   cart_price -0.5, cart_hour 0.3, buy_affinity 1.0, buy_price -0.7, buy_hour 0.2,
///   root_categories 4, mid_categories 16, leaf_categories 60
///
/// kind "yoochoose" (yoochoose-clicks.dat / -buys.dat, see yoochoose.h):
///   sessions 20000, items 2000, clusters 40, successors 5, popular_items 20, p_stay 0.8,
///   p_repeat 0.05, popularity_exponent 1.0, mean_session_length 4, max_session_length 200,
///   days 30, start_millis 1396310400000, categorised_share 0.15, special_offer_share 0.03,
///   buy_rate 0.05, buy_length 0.8, buy_dwell 0.5, buy_reclick 0.7
///   (about 42 bytes per click: sessions = 6,000,000 gives ~1 GB of clicks)

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/observer.h"
#include "data/synth/output.h"
#include "data/synth/ratings.h"
#include "data/synth/retailrocket.h"
#include "data/synth/yoochoose.h"

namespace reclab::synth {

/// The kinds `generate` accepts: {"ratings", "retailrocket", "yoochoose"}.
std::vector<std::string> generatorKinds();

/// Config of each kind from options (defaults for missing keys) and a seed; validated.
RatingsConfig ratingsConfigFromOptions(const nlohmann::json& options, std::uint64_t seed);
RetailRocketConfig retailRocketConfigFromOptions(const nlohmann::json& options, std::uint64_t seed);
YoochooseConfig yoochooseConfigFromOptions(const nlohmann::json& options, std::uint64_t seed);

/// Generates data set `kind` into `outDir` (created when missing). Throws InputError for an
/// unknown kind, a bad option or existing files, Cancelled when `stop` is triggered.
SynthResult generate(const std::string& kind, const nlohmann::json& sizeOptions, std::uint64_t seed,
                     const std::string& outDir, Observer& observer, const StopToken& stop);

}  // namespace reclab::synth
