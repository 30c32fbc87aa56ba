#include "data/synth/generate.h"

#include <cmath>
#include <limits>
#include <set>

#include <fmt/format.h>

#include "common/errors.h"
#include "common/text.h"

namespace reclab::synth {

namespace {

/// Reads typed options out of a JSON object and remembers which keys it was asked about, so
/// that anything left over can be reported as unknown.
class OptionReader {
 public:
  OptionReader(std::string what, const nlohmann::json& options)
      : m_what(std::move(what)), m_options(options) {
    if (!m_options.is_null() && !m_options.is_object()) {
      throw InputError(m_what + ": options must be a JSON object, got " + m_options.dump());
    }
  }

  template <typename T>
  void read(const std::string& key, T& target) {
    m_accepted.insert(key);
    if (!m_options.is_object() || !m_options.contains(key)) return;
    const nlohmann::json& v = m_options.at(key);
    if constexpr (std::is_same_v<T, bool>) {
      target = readBool(key, v);
    } else if constexpr (std::is_integral_v<T>) {
      const double lo = static_cast<double>(std::numeric_limits<T>::min());
      const double hi = static_cast<double>(std::numeric_limits<T>::max());
      const std::int64_t x = readInteger(key, v);
      if (static_cast<double>(x) < lo || static_cast<double>(x) > hi) {
        fail(key, v, "out of range");
      }
      target = static_cast<T>(x);
    } else {
      target = readNumber(key, v);
    }
  }

  /// Reads `alias` into `target` too (after `key`, so that both cannot be given).
  template <typename T>
  void readAlias(const std::string& key, const std::string& alias, T& target) {
    if (m_options.is_object() && m_options.contains(key) && m_options.contains(alias)) {
      throw InputError(m_what + ": give either '" + key + "' or '" + alias + "', not both");
    }
    read(alias, target);
  }

  /// Throws for keys never asked about.
  void finish() const {
    if (!m_options.is_object()) return;
    for (auto it = m_options.begin(); it != m_options.end(); ++it) {
      if (m_accepted.count(it.key()) == 0) {
        std::string accepted;
        for (const std::string& k : m_accepted) accepted += (accepted.empty() ? "" : ", ") + k;
        throw InputError(m_what + ": unknown option '" + it.key() + "' (accepted: " + accepted +
                         ")");
      }
    }
  }

 private:
  [[noreturn]] void fail(const std::string& key, const nlohmann::json& v,
                         const std::string& reason) const {
    throw InputError(m_what + ": option '" + key + "': " + reason + ": " + v.dump());
  }

  std::int64_t readInteger(const std::string& key, const nlohmann::json& v) const {
    if (v.is_number_integer()) {
      if (v.is_number_unsigned() &&
          v.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)) {
        fail(key, v, "out of range");
      }
      return v.get<std::int64_t>();
    }
    if (v.is_number_float()) {
      const double d = v.get<double>();
      if (std::floor(d) != d || std::abs(d) > 9e18) fail(key, v, "not an integer");
      return static_cast<std::int64_t>(d);
    }
    if (v.is_string()) {
      const auto parsed = text::parseInt64(text::trim(v.get<std::string>()));
      if (!parsed) fail(key, v, parsed.error);
      return *parsed.value;
    }
    fail(key, v, "not an integer");
  }

  double readNumber(const std::string& key, const nlohmann::json& v) const {
    if (v.is_number()) return v.get<double>();
    if (v.is_string()) {
      const auto parsed = text::parseDouble(text::trim(v.get<std::string>()));
      if (!parsed) fail(key, v, parsed.error);
      return *parsed.value;
    }
    fail(key, v, "not a number");
  }

  bool readBool(const std::string& key, const nlohmann::json& v) const {
    if (v.is_boolean()) return v.get<bool>();
    if (v.is_number_integer() && (v.get<std::int64_t>() == 0 || v.get<std::int64_t>() == 1)) {
      return v.get<std::int64_t>() == 1;
    }
    if (v.is_string()) {
      const std::string s = v.get<std::string>();
      if (s == "true" || s == "1") return true;
      if (s == "false" || s == "0") return false;
    }
    fail(key, v, "not a boolean");
  }

  std::string m_what;
  const nlohmann::json& m_options;
  std::set<std::string> m_accepted;
};

}  // namespace

std::vector<std::string> generatorKinds() { return {"ratings", "retailrocket", "yoochoose"}; }

RatingsConfig ratingsConfigFromOptions(const nlohmann::json& options, std::uint64_t seed) {
  RatingsConfig c = RatingsConfig::defaults();
  OptionReader r("synth ratings", options);
  r.read("users", c.users);
  r.read("items", c.items);
  r.read("rank", c.rank);
  r.read("ratings_per_user", c.ratingsPerUser);
  r.read("min_ratings_per_user", c.minRatingsPerUser);
  r.read("popularity_exponent", c.popularityExponent);
  r.read("global_mean", c.globalMean);
  r.read("user_bias_std", c.userBiasStd);
  r.read("item_bias_std", c.itemBiasStd);
  r.read("interaction_std", c.interactionStd);
  r.read("sigma", c.sigma);
  r.read("min_keywords", c.minKeywords);
  r.read("max_keywords", c.maxKeywords);
  r.read("overwrite", c.overwrite);
  r.finish();
  c.seed = seed;
  c.validate();
  return c;
}

RetailRocketConfig retailRocketConfigFromOptions(const nlohmann::json& options,
                                                 std::uint64_t seed) {
  RetailRocketConfig c = RetailRocketConfig::defaults();
  OptionReader r("synth retailrocket", options);
  r.read("visitors", c.visitors);
  r.readAlias("visitors", "users", c.visitors);
  r.read("items", c.items);
  r.read("rank", c.rank);
  r.read("sessions_per_visitor", c.sessionsPerVisitor);
  r.read("views_per_session", c.viewsPerSession);
  r.read("candidates", c.candidates);
  r.read("view_affinity", c.viewAffinity);
  r.read("popularity_exponent", c.popularityExponent);
  r.read("days", c.days);
  r.read("start_millis", c.startMillis);
  r.read("cart_share", c.cartShare);
  r.read("transaction_share", c.transactionShare);
  r.read("cart_affinity", c.cartAffinity);
  r.read("cart_price", c.cartPrice);
  r.read("cart_hour", c.cartHour);
  r.read("buy_affinity", c.buyAffinity);
  r.read("buy_price", c.buyPrice);
  r.read("buy_hour", c.buyHour);
  r.read("root_categories", c.rootCategories);
  r.read("mid_categories", c.midCategories);
  r.read("leaf_categories", c.leafCategories);
  r.read("overwrite", c.overwrite);
  r.finish();
  c.seed = seed;
  c.validate();
  return c;
}

YoochooseConfig yoochooseConfigFromOptions(const nlohmann::json& options, std::uint64_t seed) {
  YoochooseConfig c = YoochooseConfig::defaults();
  OptionReader r("synth yoochoose", options);
  r.read("sessions", c.sessions);
  r.read("items", c.items);
  r.read("clusters", c.clusters);
  r.read("successors", c.successors);
  r.read("popular_items", c.popularItems);
  r.read("p_stay", c.pStay);
  r.read("p_repeat", c.pRepeat);
  r.read("popularity_exponent", c.popularityExponent);
  r.read("mean_session_length", c.meanSessionLength);
  r.read("max_session_length", c.maxSessionLength);
  r.read("days", c.days);
  r.read("start_millis", c.startMillis);
  r.read("categorised_share", c.categorisedShare);
  r.read("special_offer_share", c.specialOfferShare);
  r.read("buy_rate", c.buyRate);
  r.read("buy_length", c.buyLength);
  r.read("buy_dwell", c.buyDwell);
  r.read("buy_reclick", c.buyReclick);
  r.read("overwrite", c.overwrite);
  r.finish();
  c.seed = seed;
  c.validate();
  return c;
}

SynthResult generate(const std::string& kind, const nlohmann::json& sizeOptions, std::uint64_t seed,
                     const std::string& outDir, Observer& observer, const StopToken& stop) {
  if (kind == "ratings") {
    return generateRatings(ratingsConfigFromOptions(sizeOptions, seed), outDir, observer, stop);
  }
  if (kind == "retailrocket") {
    return generateRetailRocket(retailRocketConfigFromOptions(sizeOptions, seed), outDir, observer,
                                stop);
  }
  if (kind == "yoochoose") {
    return generateYoochoose(yoochooseConfigFromOptions(sizeOptions, seed), outDir, observer, stop);
  }
  throw InputError("synth: unknown kind '" + kind +
                   "' (expected ratings, retailrocket or yoochoose)");
}

}  // namespace reclab::synth
