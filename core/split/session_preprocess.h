#pragma once
/// Session-data preprocessing applied to a split's rows (docs/user-guide.md, "Session
/// preprocessing"). Everything fitted on data is fitted on TRAINING rows only and recorded in
/// the LeakageGuard, except the explicitly leaky `classic_srgnn` filter.
///
/// Order of application (`preprocessSplit`):
///   1. classic_srgnn (leaky, off by default): SR-GNN's published filter over every row of
///      the split (train + validation + test), applied to every part;
///   2. dedup = consecutive: in each part, a click repeating its session's previous click
///      (same item) is dropped; no statistic, so it is the same rule for every part;
///   3. min_item_support: training rows of items with fewer training rows are dropped
///      (ItemSupportFilter, statistic "item_min_support");
///   4. min_session_length: training sessions with fewer remaining clicks are dropped
///      (SessionLengthFilter, statistic "session_min_length").
/// Validation and test rows are only touched by 1 and 2; test clicks of items unseen in
/// (filtered) training are handled by the evaluation (eval.train_items_only).
///
/// "Clicks" are the rows a session model sees (data/session_sequences.h): every row except
/// those of the event type "buy". A session's clicks are in time order, equal timestamps in
/// row order. Buy rows are never deduplicated and never count towards a length or an item
/// support of the SR-GNN filter; they are dropped with their session.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "data/interaction_log.h"
#include "split/leakage.h"
#include "split/splits.h"

namespace reclab::split {

enum class DedupMode { Off, Consecutive };

/// "off" | "consecutive".
std::string dedupModeName(DedupMode mode);
/// Inverse of dedupModeName; throws InputError "dedup must be 'off' or 'consecutive', got 'x'".
DedupMode parseDedupMode(const std::string& name);

struct SessionPreprocessConfig {
  bool classicSrgnn = false;  ///< SR-GNN's whole-dataset filter (leaky)
  DedupMode dedup = DedupMode::Off;
  int minItemSupport = 0;    ///< 0 = off
  int minSessionLength = 0;  ///< 0 or 1 = off; session-rec uses 2

  static SessionPreprocessConfig defaults() { return {}; }
  /// Throws InputError naming the field, e.g. "preprocess: min_session_length must be >= 0,
  /// got -1".
  void validate() const;
  /// True when a step needs the log's session column (classic_srgnn, dedup, min length > 1).
  bool needsSessions() const;
};

/// The rows among `rows` (any order) that are not a consecutive repeat: a click whose item
/// equals the previous click of its session among `rows`. Returned ascending.
std::vector<std::uint32_t> dropConsecutiveRepeats(const data::InteractionLog& log,
                                                  std::span<const std::uint32_t> rows);

/// Keeps sessions with at least `minLength` clicks among the rows it was fitted on.
class SessionLengthFilter {
 public:
  /// Throws InputError "session_min_length: min_length must be >= 1, got 0".
  explicit SessionLengthFilter(int minLength, std::string statisticName = "session_min_length");

  /// Counts the clicks of each session over `rows` only and records `rows` in `guard`.
  void fit(const data::InteractionLog& log, std::span<const std::uint32_t> rows,
           LeakageGuard& guard);
  /// Clicks of `session` in the fitted rows (0 for a session without any). Throws
  /// std::logic_error before fit.
  std::uint32_t length(std::int32_t session) const;
  bool keeps(std::int32_t session) const { return length(session) >= m_minLength; }
  /// Sessions with at least one fitted click that are kept.
  std::size_t numKept() const { return m_numKept; }
  /// The rows among `rows` whose session is kept, in the input order.
  std::vector<std::uint32_t> apply(const data::InteractionLog& log,
                                   std::span<const std::uint32_t> rows) const;

 private:
  std::uint32_t m_minLength;
  std::string m_name;
  bool m_fitted = false;
  std::vector<std::uint32_t> m_length;  ///< per dense session index
  std::size_t m_numKept = 0;
};

/// What SR-GNN's datasets/preprocess.py removed.
struct ClassicSrgnnReport {
  std::size_t sessionsOfLengthOne = 0;  ///< step 1
  std::size_t rareItems = 0;            ///< step 2: items with < 5 clicks after step 1
  std::size_t shortSessions = 0;        ///< step 3: sessions left with < 2 clicks
  std::size_t rowsKept = 0;
};

/// SR-GNN's published preprocessing (CRIPAC-DIG/SR-GNN datasets/preprocess.py), one pass in
/// the original's order, over `rows` as a whole: (1) sessions with exactly one click are
/// dropped; (2) clicks are counted per item over the remaining sessions and clicks of items
/// with fewer than 5 are removed; (3) sessions left with fewer than 2 clicks are dropped.
/// Not iterated to a fixed point (as the original: an item can fall below 5 in step 3).
/// LEAKY when `rows` hold test rows: the counts see the test sessions. Returns the kept rows,
/// ascending. Needs a session column (InputError otherwise).
std::vector<std::uint32_t> classicSrgnnFilter(const data::InteractionLog& log,
                                              std::span<const std::uint32_t> rows,
                                              ClassicSrgnnReport* report = nullptr);

/// Result of preprocessSplit: log lines to show, and whether a leaky step ran.
struct PreprocessOutcome {
  std::vector<std::string> messages;
  bool leaky = false;
};

/// Applies `config` to `split` in the order above; fitted statistics are recorded in `guard`.
/// Throws InputError when a step needs a session column the log lacks, or when no training
/// row is left.
PreprocessOutcome preprocessSplit(const data::InteractionLog& log,
                                  const SessionPreprocessConfig& config, Split& split,
                                  LeakageGuard& guard);

}  // namespace reclab::split
