#pragma once
/// Sessions cut from a log by an inactivity gap: RetailRocket's events.csv (and any log with
/// users and timestamps but no session column) has no sessions, the session models and splits
/// need them.
///
/// Rule: the events of one actor are taken in time order (equal timestamps in row order); an
/// event starts a new session when the time since the actor's previous event is STRICTLY
/// greater than the gap. A gap of exactly `gapMinutes` stays in the session (the rule of the
/// feature derivations' session_gap_minutes, docs/features.md). The actor is the user when
/// the log has no session column; when it has one, each existing session is the actor, so its
/// sessions are only ever split at long gaps, never merged.
///
/// Id scheme (deterministic, and stable when other actors' rows are added to the file):
/// a session's original id is "<actor original id>@<start timestamp in ms>", e.g.
/// "1206317@1432117710500" for visitor 1206317's session whose first event is at
/// 1432117710500. Dense indices follow (start timestamp, actor dense index): session 0 starts
/// first.

#include <cstdint>
#include <string>

#include "common/observer.h"
#include "data/interaction_log.h"

namespace reclab::data {

struct SessioniseConfig {
  double gapMinutes = 30.0;  ///< > 0; the session-rec / RetailRocket convention is 30

  static SessioniseConfig defaults() { return {}; }
  /// Throws InputError "sessionise: gap_minutes must be a finite number > 0, got 0".
  void validate() const;
};

struct SessioniseReport {
  std::size_t sessions = 0;  ///< sessions made
  std::string actor;         ///< "user" or "session"
  std::int64_t gapMillis = 0;
};

/// Replaces log.session and log.sessions with sessions cut by `config.gapMinutes` (rule and id
/// scheme above). Throws InputError when the log has no timestamp column, or neither a user
/// nor a session column. Checks `stop` between its passes.
SessioniseReport sessioniseByGap(InteractionLog& log, const SessioniseConfig& config,
                                 const StopToken& stop);

}  // namespace reclab::data
