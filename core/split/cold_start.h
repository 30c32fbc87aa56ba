#pragma once
/// Cold-start partition of a test set: rows whose user or item never occurs in training.

#include <cstdint>
#include <vector>

#include "data/interaction_log.h"
#include "split/splits.h"

namespace reclab::split {

/// The test rows split three ways; each list is ascending and together they are exactly
/// the test rows (duplicates in the input are kept once).
struct ColdStartPartition {
  std::vector<std::uint32_t> coldUser;  ///< user unseen in training (item may be unseen too)
  std::vector<std::uint32_t> coldItem;  ///< user seen, item unseen in training
  std::vector<std::uint32_t> warm;      ///< user and item both seen in training
};

/// Partitions `testRows` by whether their user / item occurs in `trainRows`. A row whose user
/// AND item are both unseen counts as cold user (the user test comes first), so the three
/// lists never overlap. When the log has no user column (session data), no row is cold user
/// and the partition is by item only. Throws InputError for a row index outside the log.
ColdStartPartition partitionColdStart(const data::InteractionLog& log,
                                      const std::vector<std::uint32_t>& trainRows,
                                      const std::vector<std::uint32_t>& testRows);

/// `partitionColdStart(log, split.train, split.test)`: "seen" means seen in split.train
/// (validation rows do not count as training).
ColdStartPartition partitionColdStart(const data::InteractionLog& log, const Split& split);

}  // namespace reclab::split
