#pragma once
/// A subset of a log's rows grouped into click sequences, one per session: what the
/// session-based recommenders train on and what the session evaluator feeds them.
///
/// Rules (the same for training and evaluation, so both see the same sequences):
///  - only the given rows count; a session appears when at least one of its rows is given;
///  - rows of the event type "buy" (the Yoochoose buys file) are purchases, not clicks, and
///    are left out;
///  - within a session rows are in time order, equal timestamps (or no timestamp column) in
///    ascending row order;
///  - sequences are ordered by ascending dense session index.

#include <cstdint>
#include <span>
#include <vector>

#include "data/interaction_log.h"

namespace reclab::data {

struct SessionSequences {
  std::vector<std::int32_t> session;  ///< dense session index of each sequence
  /// Timestamp (ms) of each sequence's last click; 0 when the log has no timestamps.
  std::vector<std::int64_t> lastTime;
  std::vector<std::uint32_t> offsets{0};  ///< items of sequence s: items[offsets[s], offsets[s+1])
  std::vector<std::int32_t> items;        ///< dense item indices

  std::size_t size() const { return session.size(); }
  std::size_t length(std::size_t s) const { return offsets[s + 1] - offsets[s]; }
  std::span<const std::int32_t> sequence(std::size_t s) const {
    return {items.data() + offsets[s], length(s)};
  }
};

/// Groups `rows` of `log` into sessions (rules above). Throws InputError when the log has no
/// session column ("session sequences: the data set has no session column ...").
SessionSequences buildSessionSequences(const InteractionLog& log,
                                       const std::vector<std::uint32_t>& rows);

}  // namespace reclab::data
