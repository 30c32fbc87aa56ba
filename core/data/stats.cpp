#include "data/stats.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace reclab::data {

namespace {

constexpr std::size_t kHistogramMax = 50;
constexpr std::size_t kCurvePoints = 200;

/// Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
void civilFromDays(std::int64_t z, int& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<int>(static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2 ? 1 : 0));
}

/// Session id per row from an index (rows not in any session get -1).
std::vector<std::int32_t> sessionOfRows(const SessionIndex& idx, std::size_t rows) {
  std::vector<std::int32_t> out(rows, -1);
  for (std::size_t s = 0; s < idx.numSessions(); ++s) {
    for (std::uint32_t k = idx.offsets[s]; k < idx.offsets[s + 1]; ++k)
      out[idx.order[k]] = static_cast<std::int32_t>(s);
  }
  return out;
}

/// Distinct (group, item) pairs over rows, where group[row] is in [0, nGroups) or -1.
std::uint64_t distinctPairs(const std::vector<std::int32_t>& group, std::size_t nGroups,
                            const std::vector<std::int32_t>& item, std::size_t nItems) {
  // Group the rows (counting sort), then count distinct items per group with a marker array.
  std::vector<std::uint32_t> offsets(nGroups + 1, 0);
  for (auto g : group)
    if (g >= 0) ++offsets[static_cast<std::size_t>(g) + 1];
  for (std::size_t g = 0; g < nGroups; ++g) offsets[g + 1] += offsets[g];
  std::vector<std::int32_t> items(offsets.back());
  {
    std::vector<std::uint32_t> fill(offsets.begin(), offsets.end() - 1);
    for (std::size_t r = 0; r < group.size(); ++r) {
      if (group[r] >= 0) items[fill[static_cast<std::size_t>(group[r])]++] = item[r];
    }
  }
  std::vector<std::int32_t> lastGroup(nItems, -1);
  std::uint64_t pairs = 0;
  for (std::size_t g = 0; g < nGroups; ++g) {
    for (std::uint32_t k = offsets[g]; k < offsets[g + 1]; ++k) {
      auto& mark = lastGroup[static_cast<std::size_t>(items[k])];
      if (mark != static_cast<std::int32_t>(g)) {
        mark = static_cast<std::int32_t>(g);
        ++pairs;
      }
    }
  }
  return pairs;
}

void fillSessionLengths(std::vector<std::uint64_t> lengths, DatasetStats::SessionLengths& out) {
  out.histogram.assign(kHistogramMax + 1, 0);
  lengths.erase(std::remove(lengths.begin(), lengths.end(), 0u), lengths.end());
  if (lengths.empty()) return;
  std::uint64_t total = 0;
  for (auto len : lengths) {
    total += len;
    ++out.histogram[std::min<std::uint64_t>(len, kHistogramMax + 1) - 1];
  }
  out.mean = static_cast<double>(total) / static_cast<double>(lengths.size());
  std::sort(lengths.begin(), lengths.end());
  out.min = lengths.front();
  out.max = lengths.back();
  const std::size_t n = lengths.size();
  out.median =
      n % 2 == 1
          ? static_cast<double>(lengths[n / 2])
          : (static_cast<double>(lengths[n / 2 - 1]) + static_cast<double>(lengths[n / 2])) / 2.0;
}

void fillPopularity(const InteractionLog& log, DatasetStats& st) {
  const auto nItems = static_cast<std::size_t>(log.numItems());
  std::vector<std::uint64_t> counts(nItems, 0);
  for (auto i : log.item) ++counts[static_cast<std::size_t>(i)];
  std::sort(counts.begin(), counts.end(), std::greater<>());
  st.nItemsWithEvents = static_cast<std::int64_t>(
      std::count_if(counts.begin(), counts.end(), [](std::uint64_t c) { return c > 0; }));
  const auto total = static_cast<double>(log.numRows());
  if (nItems == 0 || total == 0) return;

  auto topShare = [&](double fraction) {
    auto k = static_cast<std::size_t>(std::ceil(fraction * static_cast<double>(nItems) - 1e-9));
    k = std::clamp<std::size_t>(k, 1, nItems);
    const auto sum =
        std::accumulate(counts.begin(), counts.begin() + static_cast<long>(k), std::uint64_t{0});
    return static_cast<double>(sum) / total;
  };
  st.top1Share = topShare(0.01);
  st.top10Share = topShare(0.10);
  st.top20Share = topShare(0.20);

  // Gini over counts sorted ascending: sum_i (2i - n - 1) x_i / (n sum x), i = 1..n.
  const auto n = static_cast<double>(nItems);
  double weighted = 0;
  for (std::size_t k = 0; k < nItems; ++k) {
    const double i = static_cast<double>(nItems - k);  // ascending rank of counts[k]
    weighted += (2 * i - n - 1) * static_cast<double>(counts[k]);
  }
  st.gini = weighted / (n * total);

  if (nItems <= kCurvePoints) {
    for (std::size_t k = 0; k < nItems; ++k)
      st.popularityCurve.emplace_back(static_cast<std::int64_t>(k), counts[k]);
  } else {
    for (std::size_t j = 0; j < kCurvePoints; ++j) {
      const std::size_t k = static_cast<std::size_t>(std::llround(
          static_cast<double>(j) * static_cast<double>(nItems - 1) / (kCurvePoints - 1)));
      st.popularityCurve.emplace_back(static_cast<std::int64_t>(k), counts[k]);
    }
  }
}

}  // namespace

std::string formatIsoMillis(std::int64_t ms) {
  std::int64_t days = ms / 86400000;
  std::int64_t rem = ms % 86400000;
  if (rem < 0) {
    rem += 86400000;
    --days;
  }
  int y;
  unsigned m, d;
  civilFromDays(days, y, m, d);
  const auto secs = rem / 1000;
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", y, m, d, secs / 3600,
                     secs / 60 % 60, secs % 60, rem % 1000);
}

DatasetStats computeStats(const InteractionLog& log, const SessionIndex* sessions) {
  DatasetStats st;
  st.nUsers = log.hasUsers() ? log.numUsers() : 0;
  st.nItems = log.numItems();
  st.nEvents = static_cast<std::int64_t>(log.numRows());

  // Events by type.
  {
    std::vector<std::uint64_t> perType(std::max<std::size_t>(log.eventNames.size(), 1), 0);
    if (log.hasEvents()) {
      for (auto e : log.event) {
        if (e >= perType.size()) perType.resize(e + 1u, 0);
        ++perType[e];
      }
    } else {
      perType[0] = log.numRows();
    }
    for (std::size_t t = 0; t < perType.size(); ++t) {
      const std::string name = t < log.eventNames.size() ? log.eventNames[t]
                               : log.eventNames.empty()  ? std::string("interaction")
                                                         : fmt::format("type_{}", t);
      if (perType[t] > 0 || t < log.eventNames.size()) st.eventsByType[name] += perType[t];
    }
  }

  // Sessions.
  std::vector<std::int32_t> rowSession;
  const std::vector<std::int32_t>* sessionColumn = nullptr;
  std::size_t nSessions = 0;
  if (sessions) {
    nSessions = sessions->numSessions();
    std::vector<std::uint64_t> lengths(nSessions);
    for (std::size_t s = 0; s < nSessions; ++s) lengths[s] = sessions->length(s);
    fillSessionLengths(std::move(lengths), st.sessionLengths);
    rowSession = sessionOfRows(*sessions, log.numRows());
    sessionColumn = &rowSession;
  } else if (log.hasSessions()) {
    nSessions = static_cast<std::size_t>(log.numSessions());
    std::vector<std::uint64_t> lengths(nSessions, 0);
    for (auto s : log.session) ++lengths[static_cast<std::size_t>(s)];
    fillSessionLengths(std::move(lengths), st.sessionLengths);
    sessionColumn = &log.session;
  } else {
    st.sessionLengths.histogram.assign(kHistogramMax + 1, 0);
  }
  st.nSessions = static_cast<std::int64_t>(nSessions);

  // Sparsity.
  const auto nItems = static_cast<std::size_t>(log.numItems());
  if (sessionColumn && nSessions > 0 && nItems > 0) {
    const auto pairs = distinctPairs(*sessionColumn, nSessions, log.item, nItems);
    st.sparsity = 1.0 - static_cast<double>(pairs) /
                            (static_cast<double>(nSessions) * static_cast<double>(nItems));
    st.sparsityBasis = "sessions";
  } else if (log.hasUsers() && log.numUsers() > 0 && nItems > 0) {
    const auto nUsers = static_cast<std::size_t>(log.numUsers());
    const auto pairs = distinctPairs(log.user, nUsers, log.item, nItems);
    st.sparsity = 1.0 - static_cast<double>(pairs) /
                            (static_cast<double>(nUsers) * static_cast<double>(nItems));
    st.sparsityBasis = "users";
  } else {
    st.sparsity = std::numeric_limits<double>::quiet_NaN();
  }

  // Time range.
  if (log.hasTimestamps() && log.numRows() > 0) {
    auto [lo, hi] = std::minmax_element(log.timestamp.begin(), log.timestamp.end());
    st.hasTime = true;
    st.minTimestamp = *lo;
    st.maxTimestamp = *hi;
    st.minTime = formatIsoMillis(*lo);
    st.maxTime = formatIsoMillis(*hi);
  }

  fillPopularity(log, st);
  return st;
}

nlohmann::json toJson(const DatasetStats& st) {
  using nlohmann::json;
  json j;
  j["n_users"] = st.nUsers;
  j["n_items"] = st.nItems;
  j["n_events"] = st.nEvents;
  j["events_by_type"] = st.eventsByType;
  j["n_sessions"] = st.nSessions;
  j["n_items_with_events"] = st.nItemsWithEvents;

  json labels = json::array();
  for (std::size_t k = 1; k <= kHistogramMax; ++k) labels.push_back(std::to_string(k));
  labels.push_back(">" + std::to_string(kHistogramMax));
  j["session_length"] = {{"min", st.sessionLengths.min},
                         {"max", st.sessionLengths.max},
                         {"mean", st.sessionLengths.mean},
                         {"median", st.sessionLengths.median},
                         {"histogram", st.sessionLengths.histogram},
                         {"histogram_labels", labels}};

  if (std::isnan(st.sparsity)) {
    j["sparsity"] = nullptr;
  } else {
    j["sparsity"] = st.sparsity;
  }
  j["sparsity_basis"] = st.sparsityBasis;

  if (st.hasTime) {
    j["time_range"] = {{"min_ms", st.minTimestamp},
                       {"max_ms", st.maxTimestamp},
                       {"min", st.minTime},
                       {"max", st.maxTime}};
  } else {
    j["time_range"] = nullptr;
  }

  json curve = json::array();
  for (const auto& [rank, count] : st.popularityCurve) curve.push_back({rank, count});
  j["popularity"] = {{"top1_share", st.top1Share},
                     {"top10_share", st.top10Share},
                     {"top20_share", st.top20Share},
                     {"gini", st.gini},
                     {"curve", curve}};
  return j;
}

}  // namespace reclab::data
