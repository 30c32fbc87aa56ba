#include "data/sessionise.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "common/errors.h"

namespace reclab::data {

void SessioniseConfig::validate() const {
  if (!std::isfinite(gapMinutes) || gapMinutes <= 0) {
    throw InputError(
        fmt::format("sessionise: gap_minutes must be a finite number > 0, got {}", gapMinutes));
  }
}

SessioniseReport sessioniseByGap(InteractionLog& log, const SessioniseConfig& config,
                                 const StopToken& stop) {
  config.validate();
  if (!log.hasTimestamps()) {
    throw InputError(
        fmt::format("sessionise (gap {} min): the log has no timestamp column to measure gaps with",
                    config.gapMinutes));
  }
  const bool byUser = !log.hasSessions();
  if (byUser && !log.hasUsers()) {
    throw InputError(fmt::format(
        "sessionise (gap {} min): the log has neither a user nor a session column to cut "
        "sessions from",
        config.gapMinutes));
  }
  SessioniseReport report;
  report.actor = byUser ? "user" : "session";
  report.gapMillis = std::llround(config.gapMinutes * 60'000.0);
  const std::vector<std::int32_t>& actor = byUser ? log.user : log.session;
  const IdMap& actorIds = byUser ? log.users : log.sessions;
  const std::size_t n = log.numRows();

  // Rows by (actor, time, row).
  std::vector<std::uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0U);
  std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    if (actor[a] != actor[b]) return actor[a] < actor[b];
    const std::int64_t ta = log.timestamp[a], tb = log.timestamp[b];
    if (ta != tb) return ta < tb;
    return a < b;
  });
  stop.throwIfStopped();

  // Provisional sessions in walk order: their actor and start time.
  std::vector<std::int32_t> provisional(n);
  std::vector<std::int32_t> sessionActor;
  std::vector<std::int64_t> sessionStart;
  for (std::size_t k = 0; k < n; ++k) {
    const std::uint32_t r = order[k];
    const std::int64_t t = log.timestamp[r];
    const bool starts =
        k == 0 || actor[order[k - 1]] != actor[r] ||
        t - static_cast<std::int64_t>(log.timestamp[order[k - 1]]) > report.gapMillis;
    if (starts) {
      sessionActor.push_back(actor[r]);
      sessionStart.push_back(t);
    }
    provisional[r] = static_cast<std::int32_t>(sessionActor.size() - 1);
  }
  stop.throwIfStopped();

  // Dense indices by (start, actor).
  const std::size_t numSessions = sessionActor.size();
  std::vector<std::int32_t> byStart(numSessions);
  std::iota(byStart.begin(), byStart.end(), 0);
  std::sort(byStart.begin(), byStart.end(), [&](std::int32_t a, std::int32_t b) {
    const auto ia = static_cast<std::size_t>(a), ib = static_cast<std::size_t>(b);
    if (sessionStart[ia] != sessionStart[ib]) return sessionStart[ia] < sessionStart[ib];
    return sessionActor[ia] < sessionActor[ib];
  });
  std::vector<std::int32_t> dense(numSessions);
  IdMap ids;
  for (std::size_t d = 0; d < numSessions; ++d) {
    const auto p = static_cast<std::size_t>(byStart[d]);
    dense[p] = static_cast<std::int32_t>(d);
    ids.intern(fmt::format("{}@{}", actorIds.original(sessionActor[p]), sessionStart[p]));
  }
  stop.throwIfStopped();
  ids.dropLookup();
  log.session.resize(n);
  for (std::size_t r = 0; r < n; ++r) {
    log.session[r] = dense[static_cast<std::size_t>(provisional[r])];
  }
  log.sessions = std::move(ids);
  report.sessions = numSessions;
  return report;
}

}  // namespace reclab::data
