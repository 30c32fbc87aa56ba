#pragma once
/// Two statistics fitted on training rows through the leakage guard: an item filter by
/// minimum support and a standardiser of the value column.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "data/interaction_log.h"
#include "split/leakage.h"

namespace reclab::split {

/// Keeps items with at least `minSupport` interactions in the rows it was fitted on.
class ItemSupportFilter {
 public:
  /// Throws InputError "item_min_support: min_support must be >= 1, got 0".
  explicit ItemSupportFilter(int minSupport, std::string statisticName = "item_min_support");

  /// Counts interactions per item over `rows` only and records `rows` in `guard`.
  void fit(const data::InteractionLog& log, std::span<const std::uint32_t> rows,
           LeakageGuard& guard);

  bool isFitted() const { return m_fitted; }
  /// True when `item` had >= minSupport interactions in the fitted rows (false for an item
  /// never seen there). Throws std::logic_error before fit.
  bool keeps(std::int32_t item) const;
  /// Interactions of `item` in the fitted rows (0 for an unseen item).
  std::uint32_t support(std::int32_t item) const;
  std::size_t numKept() const { return m_numKept; }

  /// The rows among `rows` whose item is kept, in the input order.
  std::vector<std::uint32_t> apply(const data::InteractionLog& log,
                                   std::span<const std::uint32_t> rows) const;

  int minSupport() const { return m_minSupport; }
  const std::string& statisticName() const { return m_name; }
  /// Identity of the rows the filter was fitted on (stored with a run as provenance).
  const RowFingerprint& fittedOn() const { return m_fittedOn; }

 private:
  void requireFitted() const;

  int m_minSupport;
  std::string m_name;
  bool m_fitted = false;
  std::vector<std::uint32_t> m_support;  ///< per item index
  std::size_t m_numKept = 0;
  RowFingerprint m_fittedOn;
};

/// z = (value - mean) / std over the value column, mean and population std (ddof 0, as
/// scikit-learn's StandardScaler) fitted on the given rows. A zero std is replaced by 1 so a
/// constant column maps to 0 (again as StandardScaler).
class Standardiser {
 public:
  explicit Standardiser(std::string statisticName = "value_standardiser");

  /// Fits mean and std of log.value over `rows` and records `rows` in `guard`. Throws
  /// InputError when the log has no value column or `rows` is empty.
  void fit(const data::InteractionLog& log, std::span<const std::uint32_t> rows,
           LeakageGuard& guard);

  bool isFitted() const { return m_fitted; }
  double mean() const { return m_mean; }
  double stddev() const { return m_std; }  ///< as fitted (may be 0)
  /// (v - mean) / scale, scale = std or 1 when std is 0. Throws std::logic_error before fit.
  double transform(double v) const;
  double inverse(double z) const;
  /// Standardised values of `rows`, in the input order.
  std::vector<float> apply(const data::InteractionLog& log,
                           std::span<const std::uint32_t> rows) const;

  const std::string& statisticName() const { return m_name; }
  const RowFingerprint& fittedOn() const { return m_fittedOn; }

 private:
  void requireFitted() const;
  double scale() const { return m_std > 0 ? m_std : 1.0; }

  std::string m_name;
  bool m_fitted = false;
  double m_mean = 0, m_std = 0;
  RowFingerprint m_fittedOn;
};

}  // namespace reclab::split
