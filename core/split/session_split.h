#pragma once
/// Session split by time, the protocol of SR-GNN and session-rec: whole sessions go to test
/// when their last event is within the last N days of the dataset.

#include "data/interaction_log.h"
#include "split/splits.h"

namespace reclab::split {

/// Settings of `sessionTimeSplit`.
struct SessionSplitConfig {
  double testDays = 1.0;   ///< sessions ending in the last testDays of the log are test (> 0)
  double validDays = 0.0;  ///< then sessions ending in the last validDays of train are valid
  /// session-rec's post-filter: drop test (validation) rows whose item never occurs in the
  /// training rows (the rows of training sessions). Off by default.
  bool dropUnseenTestItems = false;
  /// session-rec's post-filter: after dropping unseen items, drop test (validation) sessions
  /// with fewer rows than this (session-rec uses 2). 1 keeps every session.
  int minTestSessionLength = 1;

  /// Throws InputError naming the bad field, e.g.
  /// "session_split: test_days must be > 0, got 0".
  void validate() const;
};

/// Let T be the largest timestamp of the log and last(s) the largest timestamp of session s.
/// Sessions with last(s) >= T - testDays are test, the others train (session-rec's rule;
/// SR-GNN uses the same cut). When validDays > 0 the same rule is applied to the training
/// sessions with T' = the largest timestamp among them. A session never straddles parts.
/// Rows removed by the two post-filters are in no part (so the parts may not cover the log).
/// No randomness: the result depends only on the log. Needs a session and a timestamp
/// column; throws InputError when the cut leaves no training session. Parts are ascending.
Split sessionTimeSplit(const data::InteractionLog& log, const SessionSplitConfig& config);

/// The thesis' random split of whole sessions (SPEC B: 60 / 20 / 20): the sessions present in
/// the log are shuffled with `seed`; the first round(S * testRatio) are test, the next
/// round(S * validRatio) validation, the rest training; every row follows its session, so a
/// session never straddles parts. Needs a session column; ratios in [0, 1) with
/// testRatio + validRatio < 1 (InputError otherwise, naming the field). Parts are ascending.
Split randomSessionSplit(const data::InteractionLog& log, double testRatio, double validRatio,
                         std::uint64_t seed);

}  // namespace reclab::split
