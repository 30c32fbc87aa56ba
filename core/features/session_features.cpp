#include "features/session_features.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>

#include "common/errors.h"
#include "features/session_events.h"

namespace reclab::features {

namespace {

constexpr std::size_t kStopEvery = 1 << 16;
constexpr std::uint32_t kNotRequested = std::numeric_limits<std::uint32_t>::max();
constexpr std::int64_t kMissingCode = 1;
constexpr std::int64_t kFirstCode = 2;

enum Categorical : std::size_t {
  kProduct,
  kCategory,
  kFirstProduct,
  kPreviousProduct,
  kStartHour,
  kStartMinute,
  kStartSecond,
  kFirstClickHour,
  kFirstClickMinute,
  kFirstClickSecond,
  kClickHour,
  kClickMinute,
  kClickSecond,
  kNumCategorical
};

enum Continuous : std::size_t {
  kSessionDuration,
  kDurationSoFar,
  kSessionClicks,
  kSessionProducts,
  kClicksSoFar,
  kProductsSoFar,
  kProductViews,
  kSameCategoryProducts,
  kProductCategories,
  kIsMostClicked,
  kIsMostViewed,
  kIsFirstClicked,
  kIsMostViewedCategory,
  kNumContinuous
};

std::int64_t floorDiv(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

/// Writes the hour, minute and second (UTC) codes of `millis` into out[0..2].
void writeClock(std::int64_t millis, std::int64_t* out) {
  const std::int64_t secs = floorDiv(millis, 1000);
  const std::int64_t ofDay = secs - floorDiv(secs, 86'400) * 86'400;
  out[0] = kFirstCode + ofDay / 3600;
  out[1] = kFirstCode + (ofDay / 60) % 60;
  out[2] = kFirstCode + ofDay % 60;
}

/// Primary category (first listed; -1: none) and number of categories of every item.
struct ItemCategories {
  std::vector<std::int32_t> primary;
  std::vector<std::int32_t> count;
  std::int32_t numCategories = 0;
};

ItemCategories itemCategories(const data::InteractionLog& log, const std::string& name) {
  const auto n = static_cast<std::size_t>(log.numItems());
  ItemCategories c;
  c.primary.assign(n, -1);
  c.count.assign(n, 0);
  if (name.empty()) return c;
  const data::Attribute* a = log.itemAttributes.find(name);
  if (a == nullptr) {
    throw InputError(fmt::format(
        "session_features: the log has no item attribute '{}' (set category_attribute to \"\" "
        "to compute the features without categories)",
        name));
  }
  if (a->kind == data::Attribute::Kind::Numeric) {
    throw InputError(fmt::format(
        "session_features: item attribute '{}' is numeric; categories must be categorical", name));
  }
  c.numCategories = static_cast<std::int32_t>(a->vocabulary.size());
  for (std::size_t i = 0; i < n; ++i) {
    if (a->kind == data::Attribute::Kind::MultiCategorical) {
      if (i < a->multi.size() && !a->multi[i].empty()) {
        c.primary[i] = a->multi[i].front();
        c.count[i] = static_cast<std::int32_t>(a->multi[i].size());
      }
    } else if (i < a->categorical.size() && a->categorical[i] >= 0) {
      c.primary[i] = a->categorical[i];
      c.count[i] = 1;
    }
  }
  return c;
}

/// Click counts and dwell of the items and categories of one session (or of its prefix),
/// in dense arrays reset item by item after the session.
class Aggregates {
 public:
  Aggregates(std::size_t items, std::size_t categories)
      : m_count(items, 0),
        m_dwell(items, 0),
        m_catProducts(categories, 0),
        m_catDwell(categories, 0) {}

  void addClick(std::int32_t item, std::int32_t cat) {
    std::uint32_t& c = m_count[static_cast<std::size_t>(item)];
    if (c++ == 0) {
      ++m_distinct;
      if (cat >= 0) ++m_catProducts[static_cast<std::size_t>(cat)];
    }
    m_maxCount = std::max(m_maxCount, c);
  }
  void addDwell(std::int32_t item, std::int32_t cat, std::int64_t ms) {
    std::int64_t& d = m_dwell[static_cast<std::size_t>(item)];
    d += ms;
    m_maxDwell = std::max(m_maxDwell, d);
    if (cat >= 0) {
      std::int64_t& cd = m_catDwell[static_cast<std::size_t>(cat)];
      cd += ms;
      m_maxCatDwell = std::max(m_maxCatDwell, cd);
    }
  }
  void reset(std::int32_t item, std::int32_t cat) {
    m_count[static_cast<std::size_t>(item)] = 0;
    m_dwell[static_cast<std::size_t>(item)] = 0;
    if (cat >= 0) {
      m_catProducts[static_cast<std::size_t>(cat)] = 0;
      m_catDwell[static_cast<std::size_t>(cat)] = 0;
    }
    m_distinct = 0;
    m_maxCount = 0;
    m_maxDwell = 0;
    m_maxCatDwell = 0;
  }

  std::uint32_t count(std::int32_t item) const { return m_count[static_cast<std::size_t>(item)]; }
  std::uint32_t distinct() const { return m_distinct; }
  std::uint32_t categoryProducts(std::int32_t cat) const {
    return cat < 0 ? 0 : m_catProducts[static_cast<std::size_t>(cat)];
  }
  bool mostClicked(std::int32_t item) const { return count(item) == m_maxCount; }
  bool mostViewed(std::int32_t item) const {
    return m_dwell[static_cast<std::size_t>(item)] == m_maxDwell;
  }
  bool mostViewedCategory(std::int32_t cat) const {
    return cat >= 0 && m_catDwell[static_cast<std::size_t>(cat)] == m_maxCatDwell;
  }

 private:
  std::vector<std::uint32_t> m_count;
  std::vector<std::int64_t> m_dwell;  ///< ms
  std::vector<std::uint32_t> m_catProducts;
  std::vector<std::int64_t> m_catDwell;  ///< ms
  std::uint32_t m_distinct = 0;
  std::uint32_t m_maxCount = 0;
  std::int64_t m_maxDwell = 0;
  std::int64_t m_maxCatDwell = 0;
};

float flag(bool b) { return b ? 1.0f : 0.0f; }
float seconds(std::int64_t ms) { return static_cast<float>(static_cast<double>(ms) / 1000.0); }

}  // namespace

void SessionFeatureConfig::validate() const {
  if (clickEvents.empty()) throw InputError("session_features: click_events must not be empty");
  if (label != SessionLabel::None && buyEvents.empty()) {
    throw InputError("session_features: buy_events must not be empty when a label is asked for");
  }
  for (const auto& c : clickEvents) {
    if (std::find(buyEvents.begin(), buyEvents.end(), c) != buyEvents.end()) {
      throw InputError(
          fmt::format("session_features: event '{}' is both a click and a buy event", c));
    }
  }
}

const std::vector<std::string>& sessionCategoricalNames() {
  static const std::vector<std::string> names = {
      "product_id",         "category_id",        "first_product", "previous_product",
      "start_hour",         "start_minute",       "start_second",  "first_click_hour",
      "first_click_minute", "first_click_second", "click_hour",    "click_minute",
      "click_second"};
  return names;
}

const std::vector<std::string>& sessionContinuousNames() {
  static const std::vector<std::string> names = {
      "session_duration",        "duration_so_far",        "session_clicks",
      "session_products",        "clicks_so_far",          "products_so_far",
      "product_views",           "same_category_products", "product_categories",
      "is_most_clicked_product", "is_most_viewed_product", "is_first_clicked_product",
      "is_most_viewed_category"};
  return names;
}

SessionFeatureRows computeSessionFeatures(const data::InteractionLog& log,
                                          std::span<const std::uint32_t> rows,
                                          const SessionFeatureConfig& config, Observer& observer,
                                          const StopToken& stop) {
  config.validate();
  if (!log.hasSessions()) throw InputError("session_features: the log has no session column");
  if (!log.hasTimestamps()) throw InputError("session_features: the log has no timestamps");
  const EventMask clicks(log, config.clickEvents, true);
  if (!clicks.any()) {
    throw InputError(fmt::format(
        "session_features: none of the click events {} occurs in the log (its events: {})",
        quotedList(config.clickEvents), quotedList(log.eventNames)));
  }
  const EventMask buys(log, config.buyEvents, false);
  const bool labelled = config.label != SessionLabel::None;
  if (labelled && !buys.any()) {
    throw InputError(fmt::format(
        "session_features: no buy event ({}) occurs in the log, so there is no label; load the "
        "buys with the clicks (yoochoose-buys.dat) or ask for no label",
        quotedList(config.buyEvents)));
  }
  const ItemCategories cats = itemCategories(log, config.categoryAttribute);

  // Output position of every requested click row.
  const std::size_t numRows = log.numRows();
  std::vector<std::uint32_t> posOf(numRows, kNotRequested);
  SessionFeatureRows out;
  std::size_t requestedClicks = 0;
  for (const std::uint32_t r : rows) {
    if (r >= numRows) {
      throw InputError(
          fmt::format("session_features: row {} out of range (the log has {} rows)", r, numRows));
    }
    requestedClicks += clicks.contains(log.eventAt(r)) ? 1 : 0;
  }
  out.rows.reserve(requestedClicks);
  for (const std::uint32_t r : rows) {
    if (!clicks.contains(log.eventAt(r))) continue;
    if (posOf[r] != kNotRequested) {
      throw InputError(fmt::format("session_features: row {} is listed twice", r));
    }
    posOf[r] = static_cast<std::uint32_t>(out.rows.size());
    out.rows.push_back(r);
  }
  const std::size_t m = out.rows.size();
  EncodedFeatures& f = out.features;
  f.rows = m;
  f.categoricalNames = sessionCategoricalNames();
  f.continuousNames = sessionContinuousNames();
  const std::int32_t itemCard = log.numItems() + 2;
  f.cardinalities = {
      itemCard, cats.numCategories + 2, itemCard, itemCard, 26, 62, 62, 26, 62, 62, 26, 62, 62};
  f.categorical.assign(m * kNumCategorical, 0);
  f.continuous.assign(m * kNumContinuous, 0.0f);
  if (labelled) out.labels.assign(m, 0.0f);

  const data::SessionIndex index = data::SessionIndex::build(log);
  const auto numItems = static_cast<std::size_t>(log.numItems());
  const auto numCats = static_cast<std::size_t>(cats.numCategories);
  Aggregates whole(numItems, numCats), prefix(numItems, numCats);
  std::vector<std::int64_t> firstTime(numItems, 0);
  std::vector<std::uint8_t> bought(numItems, 0);
  std::vector<std::uint32_t> session;  // click rows of the current session, in time order
  const std::size_t numSessions = index.numSessions();
  for (std::size_t s = 0; s < numSessions; ++s) {
    if (s % kStopEvery == 0) {
      stop.throwIfStopped();
      observer.onProgress(static_cast<double>(s) / static_cast<double>(numSessions),
                          "session features");
    }
    session.clear();
    bool requested = false, sessionBuys = false;
    for (auto o = index.offsets[s]; o < index.offsets[s + 1]; ++o) {
      const std::uint32_t r = index.order[o];
      const std::uint8_t e = log.eventAt(r);
      if (clicks.contains(e)) {
        session.push_back(r);
        requested = requested || posOf[r] != kNotRequested;
      } else if (buys.contains(e)) {
        sessionBuys = true;
        bought[static_cast<std::size_t>(log.item[r])] = 1;
      }
    }
    if (requested) {
      const std::size_t C = session.size();
      auto itemAt = [&](std::size_t j) { return log.item[session[j]]; };
      auto catOf = [&](std::int32_t item) { return cats.primary[static_cast<std::size_t>(item)]; };
      const std::int64_t t1 = log.timestamp[session.front()];
      const std::int64_t tC = log.timestamp[session.back()];
      if (!config.prefixOnly) {
        for (std::size_t j = 0; j < C; ++j) {
          const std::int32_t item = itemAt(j);
          whole.addClick(item, catOf(item));
          if (j + 1 < C) {
            whole.addDwell(item, catOf(item),
                           log.timestamp[session[j + 1]] - log.timestamp[session[j]]);
          }
        }
      }
      const Aggregates& agg = config.prefixOnly ? prefix : whole;
      const std::int32_t first = itemAt(0);
      for (std::size_t k = 0; k < C; ++k) {
        const std::uint32_t r = session[k];
        const std::int32_t item = log.item[r];
        const std::int32_t cat = catOf(item);
        const std::int64_t t = log.timestamp[r];
        if (k > 0) {
          const std::int32_t prev = itemAt(k - 1);
          prefix.addDwell(prev, catOf(prev), t - log.timestamp[session[k - 1]]);
        }
        if (prefix.count(item) == 0) firstTime[static_cast<std::size_t>(item)] = t;
        prefix.addClick(item, cat);
        const std::uint32_t pos = posOf[r];
        if (pos == kNotRequested) continue;

        std::int64_t* c = &f.categorical[static_cast<std::size_t>(pos) * kNumCategorical];
        c[kProduct] = kFirstCode + item;
        c[kCategory] = cat >= 0 ? kFirstCode + cat : kMissingCode;
        c[kFirstProduct] = kFirstCode + first;
        c[kPreviousProduct] = k > 0 ? kFirstCode + itemAt(k - 1) : kMissingCode;
        writeClock(t1, c + kStartHour);
        writeClock(firstTime[static_cast<std::size_t>(item)], c + kFirstClickHour);
        writeClock(t, c + kClickHour);

        float* x = &f.continuous[static_cast<std::size_t>(pos) * kNumContinuous];
        x[kSessionDuration] = seconds((config.prefixOnly ? t : tC) - t1);
        x[kDurationSoFar] = seconds(t - t1);
        x[kSessionClicks] = static_cast<float>(config.prefixOnly ? k + 1 : C);
        x[kSessionProducts] = static_cast<float>(agg.distinct());
        x[kClicksSoFar] = static_cast<float>(k + 1);
        x[kProductsSoFar] = static_cast<float>(prefix.distinct());
        x[kProductViews] = static_cast<float>(agg.count(item));
        x[kSameCategoryProducts] = static_cast<float>(agg.categoryProducts(cat));
        x[kProductCategories] = static_cast<float>(cats.count[static_cast<std::size_t>(item)]);
        x[kIsMostClicked] = flag(agg.mostClicked(item));
        x[kIsMostViewed] = flag(agg.mostViewed(item));
        x[kIsFirstClicked] = flag(item == first);
        x[kIsMostViewedCategory] = flag(agg.mostViewedCategory(cat));
        if (labelled) {
          out.labels[pos] = flag(config.label == SessionLabel::SessionBuys
                                     ? sessionBuys
                                     : bought[static_cast<std::size_t>(item)] != 0);
        }
      }
      for (const std::uint32_t r : session) {
        whole.reset(log.item[r], catOf(log.item[r]));
        prefix.reset(log.item[r], catOf(log.item[r]));
      }
    }
    for (auto o = index.offsets[s]; o < index.offsets[s + 1]; ++o) {
      bought[static_cast<std::size_t>(log.item[index.order[o]])] = 0;
    }
  }
  observer.onProgress(1.0, "session features");
  return out;
}

}  // namespace reclab::features
