#pragma once
/// The leakage guard for fitted statistics. Anything fitted on data (item filters,
/// normalisers, encoder vocabularies) is fitted through an API that takes the rows it is
/// fitted on and records them in a `LeakageGuard`; `LeakageGuard::check(split)` then fails
/// when a recorded statistic saw a test (or validation) row. Row sets of the split itself
/// are checked with `checkDisjoint` (splits.h), which `check` also runs.
///
/// Pattern for a new statistic (e.g. an encoder in core/features):
///   void MyEncoder::fit(const data::InteractionLog& log, std::span<const std::uint32_t> rows,
///                       split::LeakageGuard& guard) {
///     m_fittedOn = guard.record("category_vocabulary", rows);
///     ... fit on `rows` only ...
///   }

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "split/splits.h"

namespace reclab::split {

/// A compact identity of a row set: how many distinct rows and a hash of them (order and
/// duplicates do not matter). Stored with a fitted statistic as its provenance.
struct RowFingerprint {
  std::uint64_t count = 0;
  std::uint64_t hash = 0;
  friend bool operator==(const RowFingerprint&, const RowFingerprint&) = default;
};

/// A set of row indices stored as a bitset (one bit per row up to the largest), so a record
/// of a 40M-row fit costs 5 MB and overlap with a test set is exact.
class RowSet {
 public:
  RowSet() = default;
  /// Rows in any order; duplicates are counted once.
  explicit RowSet(std::span<const std::uint32_t> rows);

  bool contains(std::uint32_t row) const {
    const std::size_t w = row >> 6;
    return w < m_words.size() && ((m_words[w] >> (row & 63)) & 1ULL) != 0;
  }
  std::uint64_t count() const { return m_count; }
  const RowFingerprint& fingerprint() const { return m_fingerprint; }

  /// How many of `rows` are in the set, and the smallest of them (valid when count > 0).
  struct Overlap {
    std::uint64_t count = 0;
    std::uint32_t first = 0;
  };
  Overlap overlap(std::span<const std::uint32_t> rows) const;

 private:
  std::vector<std::uint64_t> m_words;
  std::uint64_t m_count = 0;
  RowFingerprint m_fingerprint;
};

/// Fingerprint of a row set without keeping the set.
RowFingerprint fingerprintRows(std::span<const std::uint32_t> rows);

/// One fitted statistic and the rows it was fitted on.
struct FitRecord {
  std::string statistic;  ///< e.g. "item_min_support", "value_standardiser"
  RowSet rows;
};

/// Collects the row sets that statistics were fitted on during a run and checks them
/// against the run's split. Not thread-safe: record from one thread (fits are sequential).
class LeakageGuard {
 public:
  /// Records that `statistic` was fitted on `rows` and returns their fingerprint (for the
  /// statistic to keep). Recording the same name twice keeps both records.
  RowFingerprint record(std::string statistic, std::span<const std::uint32_t> rows);

  const std::vector<FitRecord>& records() const { return m_records; }
  void clear() { m_records.clear(); }

  /// Runs checkDisjoint(split), then throws InputError when a recorded statistic was fitted
  /// on any test row, e.g. "leakage: statistic 'item_min_support' was fitted on 1,234 rows
  /// of which 17 are test rows (first: row 42)". Validation rows are a leak as well unless
  /// `allowValidRows` (a final refit on train + validation).
  void check(const Split& split, bool allowValidRows = false) const;

 private:
  std::vector<FitRecord> m_records;
};

/// "1234567" -> "1,234,567" (used in leakage messages).
std::string groupThousands(std::uint64_t n);

}  // namespace reclab::split
