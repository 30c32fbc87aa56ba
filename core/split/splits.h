#pragma once
/// Train / validation / test splits over the rows of an InteractionLog. Every split is
/// deterministic from its seed; `checkDisjoint` is the leakage guard for row sets.

#include <cstdint>
#include <string>
#include <vector>

#include "data/interaction_log.h"

namespace reclab::split {

struct Split {
  std::vector<std::uint32_t> train, valid, test;  ///< row indices, ascending
};

/// Each row goes to test with probability ~testRatio (exactly round(n * testRatio) rows, chosen
/// by a seeded shuffle); `validRatio` of the remaining rows are carved out as validation.
Split randomSplit(const data::InteractionLog& log, double testRatio, double validRatio,
                  std::uint64_t seed);

/// Fold `fold` (0-based) of `folds`: rows are shuffled once with the seed and dealt round-robin.
Split kfoldSplit(const data::InteractionLog& log, int folds, int fold, double validRatio,
                 std::uint64_t seed);

/// Global temporal cut: the latest testRatio share of rows (by timestamp, ties by row) is test.
Split temporalSplit(const data::InteractionLog& log, double testRatio, double validRatio,
                    std::uint64_t seed);

/// Throws InputError when any row is in two of train / valid / test.
void checkDisjoint(const Split& s);

}  // namespace reclab::split
