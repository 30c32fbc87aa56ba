#pragma once
/// The feature panel's preview: raw and encoded values of the first rows of a log under a
/// feature config, with the encoders fitted on a small prefix of the log. Plain computation
/// meant for a worker thread (the panel runs it on its own pool).

#include <QString>
#include <QStringList>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "common/observer.h"
#include "data/interaction_log.h"
#include "features/feature_config.h"

namespace reclab::widgets {

/// One preview, ready to show.
struct FeaturePreview {
  /// Enabled attributes, in config order (one raw column each).
  QStringList attributes;
  /// Encoded feature names: the categorical block (index encoders), then the continuous one
  /// (cyclic encoders give "<name>_sin", "<name>_cos"), as FeaturePipeline::transform orders
  /// them.
  QStringList encodedNames;
  /// Log rows shown (0-based), in order.
  std::vector<std::uint32_t> rows;
  /// Per shown row, per attribute: the raw value as text (ids and property values as written,
  /// numbers shortest), nullopt when missing.
  std::vector<std::vector<std::optional<QString>>> raw;
  /// Per shown row, per encoded name: the encoded value (categorical indices as integers).
  std::vector<std::vector<double>> encoded;
  /// Per encoded name: true for a categorical index, false for a continuous value.
  std::vector<bool> encodedCategorical;
  /// Per attribute: the positions in encodedNames of its encoded values (one, or two for a
  /// cyclic encoder), for showing each next to its raw value.
  std::vector<std::vector<int>> encodedOf;
  /// The encoders were fitted on log rows 0 .. fittedRows - 1.
  std::size_t fittedRows = 0;
  std::size_t logRows = 0;
};

/// Derives every enabled attribute of `config` over the whole `log` (the derivations need all
/// earlier events), fits the encoders on the first min(fitRows, rows) rows and encodes the first
/// min(shownRows, rows) rows. The derivation is done once and checks `stop` (Cancelled). Throws
/// InputError when the config does not fit the log, the log is empty, or a missing value meets
/// the "error" policy.
FeaturePreview computeFeaturePreview(const features::FeatureConfig& config,
                                     const data::InteractionLog& log, std::size_t fitRows,
                                     std::size_t shownRows, const StopToken& stop);

}  // namespace reclab::widgets
