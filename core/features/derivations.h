#pragma once
/// Raw attribute values for every row of a log: columns, item / user properties and the
/// derivations of docs/features.md, computed in a few linear passes over the log (one sort
/// of the rows by time, a counting sort by user), before any encoder is applied.
///
/// No derivation reads the row's own event type (the classification target): the "so far"
/// counts and time_since_previous use only events strictly earlier in time, and the session
/// derivations count events whatever their type.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/observer.h"
#include "data/interaction_log.h"
#include "features/feature_config.h"

namespace reclab::features {

/// Raw values of one attribute for every row of a log.
struct RawColumn {
  bool categorical = false;
  std::vector<float> numeric;       ///< per row (numeric columns), NaN when missing
  std::vector<std::int32_t> codes;  ///< per row (categorical columns), -1 when missing
  std::int32_t numCodes = 0;        ///< codes lie in [0, numCodes)
  /// The text of a code, stable across logs: an original id, a property value, a number.
  /// Refers to the log the column was derived from.
  std::function<std::string(std::int32_t)> keyOf;
  /// The source, for messages: "item property 'price'".
  std::string source;
};

/// Raw values of every enabled attribute of a config. Valid while the log it was derived
/// from lives and is unchanged.
struct RawFeatures {
  std::size_t rows = 0;
  /// Unique per deriveRaw call (never 0): lets a pipeline fitted on these values encode them
  /// without going through the values' text.
  std::uint64_t id = 0;
  std::vector<RawColumn> columns;        ///< one per enabled attribute, in config order
  std::vector<std::size_t> attributeOf;  ///< columns[k] is config.attributes[attributeOf[k]]
};

/// Derives the raw values of every enabled attribute of `config` for every row of `log`.
/// An attribute encoded with Encoder::Index is categorical (numbers become categories written
/// as text, e.g. "13"); the others are numeric. Validates the config against the log first
/// (InputError). Checks `stop` every 64k rows.
RawFeatures deriveRaw(const FeatureConfig& config, const data::InteractionLog& log,
                      const StopToken& stop);

/// Why `spec` (a Derived attribute) cannot be computed on `log`, e.g. "needs timestamps; the
/// log has none"; empty when it can.
std::string derivationUnavailable(const AttributeSpec& spec, const data::InteractionLog& log);

/// Event names counted by the user_*_so_far derivations: views = view or click,
/// addtocarts = addtocart, transactions = transaction or buy.
std::vector<std::string> countedEvents(const std::string& derivation);

}  // namespace reclab::features
