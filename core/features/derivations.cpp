#include "features/derivations.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cmath>
#include <limits>
#include <map>
#include <memory>
#include <set>
#include <unordered_map>

#include "common/errors.h"

namespace reclab::features {

namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr std::int64_t kMsPerHour = 3'600'000;
constexpr std::int64_t kMsPerDay = 86'400'000;
constexpr std::size_t kStopEvery = 1 << 16;

std::int64_t floorDiv(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

std::int64_t floorMod(std::int64_t a, std::int64_t b) { return a - floorDiv(a, b) * b; }

/// Checks `stop` every kStopEvery calls.
class StopCheck {
 public:
  explicit StopCheck(const StopToken& stop) : m_stop(stop) {}
  void tick() {
    if (++m_count % kStopEvery == 0) m_stop.throwIfStopped();
  }

 private:
  const StopToken& m_stop;
  std::size_t m_count = 0;
};

bool isPropertyDerivation(const std::string& name, bool* user) {
  const bool u = name == "age" || name == "gender";
  if (user) *user = u;
  return u || name == "price" || name == "category" || name == "available";
}

bool isSessionDerivation(const std::string& name) {
  return name == "session_id" || name == "session_position" || name == "session_length" ||
         name == "session_duration";
}

bool isActorDerivation(const std::string& name) {
  return name == "time_since_previous" || name == "user_views_so_far" ||
         name == "user_addtocarts_so_far" || name == "user_transactions_so_far";
}

/// A property as a raw column, looked up per row through `entity` (item or user column).
RawColumn propertyColumn(const data::Attribute& attr, const std::vector<std::int32_t>& entity,
                         std::string source) {
  RawColumn c;
  c.source = std::move(source);
  const std::size_t n = entity.size();
  if (attr.kind == data::Attribute::Kind::Numeric) {
    c.numeric.resize(n);
    for (std::size_t r = 0; r < n; ++r) {
      const auto e = static_cast<std::size_t>(entity[r]);
      c.numeric[r] =
          entity[r] >= 0 && e < attr.numeric.size() ? static_cast<float>(attr.numeric[e]) : kNaN;
    }
    return c;
  }
  c.categorical = true;
  c.codes.resize(n);
  const bool multi = attr.kind == data::Attribute::Kind::MultiCategorical;
  for (std::size_t r = 0; r < n; ++r) {
    const auto e = static_cast<std::size_t>(entity[r]);
    std::int32_t code = -1;
    if (entity[r] >= 0) {
      if (multi) {
        if (e < attr.multi.size() && !attr.multi[e].empty()) code = attr.multi[e].front();
      } else if (e < attr.categorical.size()) {
        code = attr.categorical[e];
      }
    }
    c.codes[r] = code;
  }
  c.numCodes = static_cast<std::int32_t>(attr.vocabulary.size());
  c.keyOf = [&attr](std::int32_t code) { return attr.vocabulary[static_cast<std::size_t>(code)]; };
  return c;
}

/// Turns a numeric column into categories: one code per distinct value, written as the
/// shortest text that reads back as the same float ("13", "0.5").
void makeCategorical(RawColumn& c) {
  auto keys = std::make_shared<std::vector<std::string>>();
  std::unordered_map<std::uint32_t, std::int32_t> codeOf;
  c.codes.resize(c.numeric.size());
  for (std::size_t r = 0; r < c.numeric.size(); ++r) {
    float x = c.numeric[r];
    if (std::isnan(x)) {
      c.codes[r] = -1;
      continue;
    }
    if (x == 0.0f) x = 0.0f;  // -0 and +0 are one category
    const auto [it, fresh] =
        codeOf.emplace(std::bit_cast<std::uint32_t>(x), static_cast<std::int32_t>(keys->size()));
    if (fresh) keys->push_back(fmt::format("{}", x));
    c.codes[r] = it->second;
  }
  c.numeric.clear();
  c.numeric.shrink_to_fit();
  c.categorical = true;
  c.numCodes = static_cast<std::int32_t>(keys->size());
  c.keyOf = [keys](std::int32_t code) { return (*keys)[static_cast<std::size_t>(code)]; };
}

RawColumn numericColumn(std::size_t n, std::string source) {
  RawColumn c;
  c.source = std::move(source);
  c.numeric.assign(n, kNaN);
  return c;
}

/// Computes the derivations named in `wanted` over a whole log.
class Deriver {
 public:
  Deriver(const data::InteractionLog& log, double gapMinutes, const StopToken& stop)
      : m_log(log),
        m_gapMs(static_cast<std::int64_t>(std::llround(gapMinutes * 60'000.0))),
        m_stop(stop),
        m_check(stop) {}

  std::map<std::string, RawColumn> run(const std::set<std::string>& wanted) {
    std::map<std::string, RawColumn> out;
    const std::size_t n = m_log.numRows();
    for (const auto& name : wanted) {
      bool user = false;
      if (isPropertyDerivation(name, &user)) {
        const auto& table = user ? m_log.userAttributes : m_log.itemAttributes;
        out[name] = propertyColumn(*table.find(name), user ? m_log.user : m_log.item,
                                   fmt::format("{} property '{}'", user ? "user" : "item", name));
      } else if (name == "timestamp" || name == "hour" || name == "day_of_week") {
        out[name] = clockColumn(name);
      } else {
        const bool needsTimeOrder = isActorDerivation(name) || name == "item_popularity_so_far" ||
                                    (isSessionDerivation(name) && !m_log.hasSessions());
        if (needsTimeOrder) buildTimeOrder();
        if (isSessionDerivation(name) || isActorDerivation(name)) {
          out[name] = numericColumn(n, "derivation '" + name + "'");
        }
      }
    }
    // Session derivations from the log's own sessions, or cut by the gap in the actor pass.
    const bool anySession = std::any_of(wanted.begin(), wanted.end(), isSessionDerivation);
    if (anySession && m_log.hasSessions()) logSessions(out);
    const bool anyActor = std::any_of(wanted.begin(), wanted.end(), isActorDerivation);
    if (anyActor || (anySession && !m_log.hasSessions())) actorPass(out);
    if (wanted.count("item_popularity_so_far")) {
      out["item_popularity_so_far"] = itemPopularity();
    }
    return out;
  }

 private:
  RawColumn clockColumn(const std::string& name) {
    const std::size_t n = m_log.numRows();
    RawColumn c = numericColumn(n, "derivation '" + name + "'");
    for (std::size_t r = 0; r < n; ++r) {
      const std::int64_t ms = m_log.timestamp[r];
      if (name == "timestamp") {
        c.numeric[r] = static_cast<float>(static_cast<double>(ms) / 1000.0);
      } else if (name == "hour") {
        c.numeric[r] = static_cast<float>(floorMod(ms, kMsPerDay) / kMsPerHour);
      } else {
        // 1970-01-01 was a Thursday (3 with Monday = 0).
        c.numeric[r] = static_cast<float>(floorMod(floorDiv(ms, kMsPerDay) + 3, 7));
      }
      m_check.tick();
    }
    return c;
  }

  /// Rows sorted by (timestamp, row).
  void buildTimeOrder() {
    if (!m_byTime.empty() || m_log.numRows() == 0) return;
    const std::size_t n = m_log.numRows();
    std::vector<std::pair<std::int64_t, std::uint32_t>> keyed(n);
    for (std::size_t r = 0; r < n; ++r) {
      keyed[r] = {m_log.timestamp[r], static_cast<std::uint32_t>(r)};
      m_check.tick();
    }
    std::sort(keyed.begin(), keyed.end());
    m_stop.throwIfStopped();
    m_byTime.resize(n);
    for (std::size_t k = 0; k < n; ++k) m_byTime[k] = keyed[k].second;
  }

  /// Session derivations over the log's session column (time order, ties by row).
  void logSessions(std::map<std::string, RawColumn>& out) {
    const auto idx = data::SessionIndex::build(m_log);
    m_stop.throwIfStopped();
    RawColumn* pos = find(out, "session_position");
    RawColumn* len = find(out, "session_length");
    RawColumn* dur = find(out, "session_duration");
    if (RawColumn* id = find(out, "session_id")) {
      id->categorical = true;
      id->numeric.clear();
      id->codes = m_log.session;
      id->numCodes = m_log.numSessions();
      const auto& log = m_log;
      id->keyOf = [&log](std::int32_t s) { return log.sessions.original(s); };
    }
    for (std::size_t s = 0; s < idx.numSessions(); ++s) {
      const std::uint32_t b = idx.offsets[s], e = idx.offsets[s + 1];
      if (b == e) continue;
      const float seconds =
          m_log.hasTimestamps()
              ? static_cast<float>(static_cast<double>(m_log.timestamp[idx.order[e - 1]] -
                                                       m_log.timestamp[idx.order[b]]) /
                                   1000.0)
              : kNaN;
      for (std::uint32_t k = b; k < e; ++k) {
        const std::uint32_t row = idx.order[k];
        if (pos) pos->numeric[row] = static_cast<float>(k - b + 1);
        if (len) len->numeric[row] = static_cast<float>(e - b);
        if (dur) dur->numeric[row] = seconds;
        m_check.tick();
      }
    }
  }

  /// One pass over each actor's events in time order (actor = user, or session in a log
  /// without users): time since the previous event, counts of earlier events per type, and
  /// (in a log without sessions) sessions cut by the inactivity gap.
  void actorPass(std::map<std::string, RawColumn>& out) {
    const bool byUser = m_log.hasUsers();
    const std::vector<std::int32_t>& actor = byUser ? m_log.user : m_log.session;
    const std::size_t numActors =
        static_cast<std::size_t>(byUser ? m_log.numUsers() : m_log.numSessions());
    const std::size_t n = m_log.numRows();

    // Counting sort of the time order by actor: (actor, time, row).
    std::vector<std::uint32_t> start(numActors + 1, 0);
    for (std::size_t r = 0; r < n; ++r) ++start[static_cast<std::size_t>(actor[r]) + 1];
    for (std::size_t a = 0; a < numActors; ++a) start[a + 1] += start[a];
    std::vector<std::uint32_t> byActor(n);
    {
      std::vector<std::uint32_t> fill(start.begin(), start.end() - 1);
      for (std::uint32_t row : m_byTime) {
        byActor[fill[static_cast<std::size_t>(actor[row])]++] = row;
        m_check.tick();
      }
    }

    // Event type -> 0 not counted, 1 view, 2 addtocart, 3 transaction.
    std::vector<std::uint8_t> kind(m_log.eventNames.size(), 0);
    const char* counted[] = {"user_views_so_far", "user_addtocarts_so_far",
                             "user_transactions_so_far"};
    for (std::uint8_t k = 0; k < 3; ++k) {
      for (const auto& name : countedEvents(counted[k])) {
        const int e = m_log.findEvent(name);
        if (e >= 0) kind[static_cast<std::size_t>(e)] = static_cast<std::uint8_t>(k + 1);
      }
    }
    RawColumn* since = find(out, "time_since_previous");
    RawColumn* counts[3] = {find(out, counted[0]), find(out, counted[1]), find(out, counted[2])};
    const bool cutSessions = !m_log.hasSessions();
    RawColumn* sid = cutSessions ? find(out, "session_id") : nullptr;
    RawColumn* pos = cutSessions ? find(out, "session_position") : nullptr;
    RawColumn* len = cutSessions ? find(out, "session_length") : nullptr;
    RawColumn* dur = cutSessions ? find(out, "session_duration") : nullptr;
    auto sessionUser = std::make_shared<std::vector<std::int32_t>>();
    auto sessionStart = std::make_shared<std::vector<std::int64_t>>();
    if (sid) {
      sid->categorical = true;
      sid->numeric.clear();
      sid->codes.assign(n, -1);
    }

    for (std::size_t a = 0; a < numActors; ++a) {
      const std::uint32_t b = start[a], e = start[a + 1];
      std::uint32_t seen[4] = {0, 0, 0, 0};
      std::uint32_t i = b;
      bool hasPrevious = false;
      std::int64_t previous = 0;  // latest timestamp strictly before the current group
      while (i < e) {
        const std::int64_t t = m_log.timestamp[byActor[i]];
        std::uint32_t j = i;
        while (j < e && m_log.timestamp[byActor[j]] == t) ++j;
        for (std::uint32_t k = i; k < j; ++k) {
          const std::uint32_t row = byActor[k];
          if (since && hasPrevious) {
            since->numeric[row] = static_cast<float>(static_cast<double>(t - previous) / 1000.0);
          }
          for (int c = 0; c < 3; ++c) {
            if (counts[c]) counts[c]->numeric[row] = static_cast<float>(seen[c + 1]);
          }
          m_check.tick();
        }
        // The group's own events are counted only for later groups.
        for (std::uint32_t k = i; k < j; ++k) {
          const std::uint8_t ev = m_log.eventAt(byActor[k]);
          if (ev < kind.size()) ++seen[kind[ev]];
        }
        hasPrevious = true;
        previous = t;
        i = j;
      }
      if (cutSessions && (sid || pos || len || dur)) {
        cutBySessionGap(byActor, b, e, static_cast<std::int32_t>(a), sid, pos, len, dur,
                        *sessionUser, *sessionStart);
      }
    }
    if (sid) {
      sid->numCodes = static_cast<std::int32_t>(sessionUser->size());
      const auto& log = m_log;
      sid->keyOf = [&log, sessionUser, sessionStart](std::int32_t s) {
        const auto i = static_cast<std::size_t>(s);
        return fmt::format("{}@{}", log.users.original((*sessionUser)[i]), (*sessionStart)[i]);
      };
    }
  }

  /// Sessions of one user's events byActor[b, e) (time order): a gap longer than the
  /// configured minutes starts a new session.
  void cutBySessionGap(const std::vector<std::uint32_t>& byActor, std::uint32_t b, std::uint32_t e,
                       std::int32_t user, RawColumn* sid, RawColumn* pos, RawColumn* len,
                       RawColumn* dur, std::vector<std::int32_t>& sessionUser,
                       std::vector<std::int64_t>& sessionStart) {
    std::uint32_t s = b;
    while (s < e) {
      std::uint32_t k = s + 1;
      while (k < e && m_log.timestamp[byActor[k]] - m_log.timestamp[byActor[k - 1]] <= m_gapMs) {
        ++k;
      }
      const auto id = static_cast<std::int32_t>(sessionUser.size());
      const std::int64_t first = m_log.timestamp[byActor[s]];
      sessionUser.push_back(user);
      sessionStart.push_back(first);
      const float seconds =
          static_cast<float>(static_cast<double>(m_log.timestamp[byActor[k - 1]] - first) / 1000.0);
      for (std::uint32_t q = s; q < k; ++q) {
        const std::uint32_t row = byActor[q];
        if (sid) sid->codes[row] = id;
        if (pos) pos->numeric[row] = static_cast<float>(q - s + 1);
        if (len) len->numeric[row] = static_cast<float>(k - s);
        if (dur) dur->numeric[row] = seconds;
      }
      s = k;
    }
  }

  /// Events on the row's item strictly earlier in time, any user and type.
  RawColumn itemPopularity() {
    const std::size_t n = m_log.numRows();
    RawColumn c = numericColumn(n, "derivation 'item_popularity_so_far'");
    std::vector<std::uint32_t> count(static_cast<std::size_t>(m_log.numItems()), 0);
    std::size_t i = 0;
    while (i < n) {
      const std::int64_t t = m_log.timestamp[m_byTime[i]];
      std::size_t j = i;
      while (j < n && m_log.timestamp[m_byTime[j]] == t) ++j;
      for (std::size_t k = i; k < j; ++k) {
        const std::uint32_t row = m_byTime[k];
        c.numeric[row] = static_cast<float>(count[static_cast<std::size_t>(m_log.item[row])]);
        m_check.tick();
      }
      for (std::size_t k = i; k < j; ++k)
        ++count[static_cast<std::size_t>(m_log.item[m_byTime[k]])];
      i = j;
    }
    return c;
  }

  static RawColumn* find(std::map<std::string, RawColumn>& out, const char* name) {
    auto it = out.find(name);
    return it == out.end() ? nullptr : &it->second;
  }

  const data::InteractionLog& m_log;
  std::int64_t m_gapMs;
  const StopToken& m_stop;
  StopCheck m_check;
  std::vector<std::uint32_t> m_byTime;
};

/// A log column as a raw column.
RawColumn columnOf(const std::string& name, const data::InteractionLog& log) {
  RawColumn c;
  c.source = fmt::format("column '{}'", name);
  const std::size_t n = log.numRows();
  auto categorical = [&](const std::vector<std::int32_t>& codes, std::int32_t numCodes,
                         const data::IdMap& ids) {
    c.categorical = true;
    c.codes = codes;
    c.numCodes = numCodes;
    c.keyOf = [&ids](std::int32_t code) { return ids.original(code); };
  };
  if (name == "user") {
    categorical(log.user, log.numUsers(), log.users);
  } else if (name == "item") {
    categorical(log.item, log.numItems(), log.items);
  } else if (name == "session") {
    categorical(log.session, log.numSessions(), log.sessions);
  } else if (name == "event") {
    c.categorical = true;
    c.codes.assign(log.event.begin(), log.event.end());
    c.numCodes = 256;  // every uint8 event index
    c.keyOf = [&log](std::int32_t code) {
      const auto i = static_cast<std::size_t>(code);
      return i < log.eventNames.size() ? log.eventNames[i] : std::to_string(code);
    };
  } else if (name == "timestamp") {
    c.numeric.resize(n);
    for (std::size_t r = 0; r < n; ++r) {
      c.numeric[r] = static_cast<float>(static_cast<double>(log.timestamp[r]) / 1000.0);
    }
  } else {
    c.numeric = log.value;
  }
  return c;
}

}  // namespace

std::vector<std::string> countedEvents(const std::string& derivation) {
  if (derivation == "user_views_so_far") {
    return {data::event_names::kView, data::event_names::kClick};
  }
  if (derivation == "user_addtocarts_so_far") return {data::event_names::kAddToCart};
  if (derivation == "user_transactions_so_far") {
    return {data::event_names::kTransaction, data::event_names::kBuy};
  }
  return {};
}

std::string derivationUnavailable(const AttributeSpec& spec, const data::InteractionLog& log) {
  const std::string& name = spec.from;
  const bool needsTime = name == "timestamp" || name == "hour" || name == "day_of_week" ||
                         name == "session_duration" || isActorDerivation(name) ||
                         name == "item_popularity_so_far";
  bool user = false;
  if (isPropertyDerivation(name, &user)) {
    if (user && !log.hasUsers()) return "needs a user column; the log has none";
    const auto& table = user ? log.userAttributes : log.itemAttributes;
    const data::Attribute* attr = table.find(name);
    if (!attr) {
      return fmt::format("needs the {} property '{}'; the log has no such property",
                         user ? "user" : "item", name);
    }
    if (attr->kind != data::Attribute::Kind::Numeric && spec.encoder != Encoder::Index) {
      return fmt::format(
          "the {} property '{}' is categorical; encoder '{}' needs a number (use "
          "index)",
          user ? "user" : "item", name, toString(spec.encoder));
    }
    return {};
  }
  if (isSessionDerivation(name) && !log.hasSessions() &&
      (!log.hasUsers() || !log.hasTimestamps())) {
    return "needs a session column, or users and timestamps to cut sessions by the inactivity "
           "gap; the log has neither";
  }
  if (needsTime && !log.hasTimestamps()) return "needs timestamps; the log has none";
  if (isActorDerivation(name) && !log.hasUsers() && !log.hasSessions()) {
    return "needs a user or a session column; the log has neither";
  }
  const auto events = countedEvents(name);
  if (!events.empty()) {
    const bool any = std::any_of(events.begin(), events.end(),
                                 [&](const std::string& e) { return log.findEvent(e) >= 0; });
    if (!any) {
      std::string known;
      for (const auto& e : log.eventNames) known += (known.empty() ? "" : ", ") + e;
      return fmt::format("needs event type '{}'{}; the log's event types are: {}", events[0],
                         events.size() > 1 ? " (or '" + events[1] + "')" : std::string(),
                         known.empty() ? std::string("none") : known);
    }
  }
  return {};
}

RawFeatures deriveRaw(const FeatureConfig& config, const data::InteractionLog& log,
                      const StopToken& stop) {
  config.validate(&log);
  std::set<std::string> wanted;
  for (const auto& a : config.attributes) {
    if (a.enabled && a.source == Source::Derived) wanted.insert(a.from);
  }
  Deriver deriver(log, config.sessionGapMinutes, stop);
  auto derived = deriver.run(wanted);

  // How many enabled attributes use each derivation: the last one takes the column.
  std::map<std::string, int> uses;
  for (const auto& a : config.attributes) {
    if (a.enabled && a.source == Source::Derived) ++uses[a.from];
  }
  RawFeatures raw;
  raw.rows = log.numRows();
  static std::atomic<std::uint64_t> nextId{1};
  raw.id = nextId.fetch_add(1);
  for (std::size_t i = 0; i < config.attributes.size(); ++i) {
    const AttributeSpec& a = config.attributes[i];
    if (!a.enabled) continue;
    RawColumn c;
    switch (a.source) {
      case Source::Column:
        c = columnOf(a.from, log);
        break;
      case Source::ItemProperty:
        c = propertyColumn(*log.itemAttributes.find(a.from), log.item,
                           fmt::format("item property '{}'", a.from));
        break;
      case Source::UserProperty:
        c = propertyColumn(*log.userAttributes.find(a.from), log.user,
                           fmt::format("user property '{}'", a.from));
        break;
      case Source::Derived:
        c = --uses[a.from] == 0 ? std::move(derived[a.from]) : derived[a.from];
        break;
    }
    if (a.encoder == Encoder::Index && !c.categorical) makeCategorical(c);
    stop.throwIfStopped();
    raw.columns.push_back(std::move(c));
    raw.attributeOf.push_back(i);
  }
  return raw;
}

}  // namespace reclab::features
