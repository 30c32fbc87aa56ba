#pragma once
/// Synthetic explicit ratings with planted low-rank structure, written as MovieLens-100k.
///
/// Model: for user u and item i,
///   r*(u, i)  = global_mean + user_bias[u] + item_bias[i] + dot(user_factors[u], item_factors[i])
///   rating    = clamp(round(r* + N(0, sigma^2)), 1, 5)
/// Items are drawn per user without repetition from a Zipf popularity (long tail). Each item's
/// genre is the genre prototype closest to its factor vector (so genres correlate with the
/// factors), its 3-6 keywords are drawn with weights exp(4 cos(keyword prototype, factor)),
/// and a user's age follows factor 0 (gender leans on factor 1).
///
/// Files written into the output directory:
///  - `u.data`   user \t item \t rating \t unix-seconds (ids are 1-based)
///  - `u.item`   id|title|release date|video release date|IMDb URL|19 genre flags (Latin-1;
///               a few titles hold 'é' as byte 0xE9, exactly one genre flag is set)
///  - `u.user`   id|age|gender|occupation|zip
///  - `items_meta.csv`  item,title,category,keywords (UTF-8, RFC-4180, keywords ';'-separated)
///  - `factors.json`    global_mean, user_bias, item_bias, user_factors, item_factors,
///                      genre_prototypes (index k holds id k + 1; values rounded to 4 decimals,
///                      and r* is computed from exactly these values)
///  - `ground_truth.json`  rank, sigma, global_mean, noise_floor_rmse (RMSE of the written
///                      ratings against clamp(r*, 1, 5) over all rows), noise_floor_mae,
///                      ratings, mean_rating, rating_counts [1..5], categories (genre names),
///                      item_category (genre name per item, index k = item k + 1),
///                      user_age_factor, config, seed, files

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/observer.h"
#include "data/synth/output.h"

namespace reclab::synth {

struct RatingsConfig {
  std::int64_t users = 943;
  std::int64_t items = 1682;
  int rank = 8;                         ///< dimension of the planted factors
  double ratingsPerUser = 100.0;        ///< mean ratings per user (exponential tail)
  std::int64_t minRatingsPerUser = 20;  ///< every user has at least this many (<= items)
  double popularityExponent = 0.9;      ///< Zipf exponent of the item popularity
  double globalMean = 3.6;
  double userBiasStd = 0.4;
  double itemBiasStd = 0.5;
  double interactionStd = 0.7;  ///< standard deviation of dot(p_u, q_i)
  double sigma = 0.9;           ///< Gaussian rating noise
  int minKeywords = 3;
  int maxKeywords = 6;
  std::uint64_t seed = 42;
  bool overwrite = false;  ///< replace existing files in the output directory

  static RatingsConfig defaults() { return {}; }
  /// Throws InputError("synth ratings: users must be > 0, got 0") and the like.
  void validate() const;
  nlohmann::json toJson() const;
};

/// The file names generateRatings writes.
std::vector<std::string> ratingsFileNames();

/// Generates the data set into `outDir` (created when missing). Throws InputError for a bad
/// config or existing files (unless overwrite), Cancelled when `stop` is triggered.
SynthResult generateRatings(const RatingsConfig& config, const std::string& outDir,
                            Observer& observer, const StopToken& stop);

}  // namespace reclab::synth
