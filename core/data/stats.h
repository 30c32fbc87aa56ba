#pragma once
/// Descriptive statistics of an interaction log: sizes, event mix, session lengths, sparsity,
/// time range and the popularity long tail (for the dataset page and `reclab-cli stats`).

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "data/interaction_log.h"

namespace reclab::data {

struct DatasetStats {
  std::int64_t nUsers = 0;   ///< size of the user dictionary (0 without a user column)
  std::int64_t nItems = 0;   ///< size of the item dictionary (items without events included)
  std::int64_t nEvents = 0;  ///< rows
  std::map<std::string, std::uint64_t> eventsByType;  ///< event name -> rows
  std::int64_t nSessions = 0;                         ///< sessions (0 when the log has none)

  /// Length (events) of sessions with at least one event; all zero without sessions.
  struct SessionLengths {
    std::uint64_t min = 0, max = 0;
    double mean = 0, median = 0;
    /// histogram[k] = sessions of length k + 1 for k < 50; histogram[50] = longer than 50.
    std::vector<std::uint64_t> histogram;
  } sessionLengths;

  /// 1 - distinct (entity, item) pairs / (entities * items), where the entities are sessions
  /// for session data and users otherwise; NaN when there are neither.
  double sparsity = 0;
  std::string sparsityBasis;  ///< "sessions", "users" or "" (none)

  bool hasTime = false;
  std::int64_t minTimestamp = 0, maxTimestamp = 0;  ///< ms since the epoch
  std::string minTime, maxTime;                     ///< ISO-8601 UTC, e.g. 2014-04-01T03:00:00.000Z

  /// Share of all events that go to the most popular 1 %, 10 %, 20 % of items (at least one
  /// item each), the Gini coefficient of the events-per-item distribution (0 = even, -> 1 =
  /// concentrated), and the per-item counts sorted descending, downsampled to <= 200 points
  /// as (rank, count) with rank 0 the most popular.
  double top1Share = 0, top10Share = 0, top20Share = 0, gini = 0;
  std::vector<std::pair<std::int64_t, std::uint64_t>> popularityCurve;
  std::int64_t nItemsWithEvents = 0;
};

/// Computes the statistics. Sessions come from `sessions` when given, else from log.session.
DatasetStats computeStats(const InteractionLog& log, const SessionIndex* sessions = nullptr);

/// Keys: n_users, n_items, n_events, events_by_type, n_sessions, session_length {min, max,
/// mean, median, histogram, histogram_labels}, sparsity (null when undefined),
/// sparsity_basis, time_range {min_ms, max_ms, min, max} (null without timestamps),
/// popularity {top1_share, top10_share, top20_share, gini, curve [[rank, count], ...]},
/// n_items_with_events.
nlohmann::json toJson(const DatasetStats& stats);

/// Milliseconds since the epoch as "YYYY-MM-DDTHH:MM:SS.mmmZ".
std::string formatIsoMillis(std::int64_t ms);

}  // namespace reclab::data
