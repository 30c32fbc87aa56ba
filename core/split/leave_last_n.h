#pragma once
/// Leave-last-n per user: each user's n latest rows are test, optionally the next-latest m
/// rows are validation, the rest train.

#include "data/interaction_log.h"
#include "split/splits.h"

namespace reclab::split {

/// Settings of `leaveLastNSplit`. Defaults: leave-one-out with no validation, and a user
/// must keep at least one training row to contribute test rows.
struct LeaveLastNConfig {
  int n = 1;       ///< latest rows per user that go to test (>= 1)
  int validN = 0;  ///< next-latest rows per user that go to validation (>= 0)
  /// Rows a user must keep in train for their test rows to be taken. A user with fewer than
  /// n + minTrainRows rows stays entirely in train; with the default 1, users with <= n
  /// rows stay in train. 0 allows a user's every row to go to test.
  int minTrainRows = 1;

  /// Throws InputError naming the bad field, e.g. "leave_last_n: n must be >= 1, got 0".
  void validate() const;
};

/// Per user, rows are ordered by timestamp (ties by row index, so file order); the last
/// `n` go to test when at least `minTrainRows` rows remain. Validation is then carved the
/// same way from the remaining rows: the next-latest `validN` go to validation when at
/// least `minTrainRows` rows remain after that, otherwise that user has no validation rows
/// (test takes priority). No randomness: the result depends only on the log.
/// Needs a user and a timestamp column (InputError otherwise). Every part is ascending.
Split leaveLastNSplit(const data::InteractionLog& log, const LeaveLastNConfig& config);

}  // namespace reclab::split
