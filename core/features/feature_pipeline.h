#pragma once
/// The feature pipeline: derives every enabled attribute of a FeatureConfig from a log, fits
/// the encoders on training rows only (recorded in the leakage guard), and encodes any rows
/// into a categorical block (embedding indices) and a continuous block (floats).
///
/// Typical use by a model:
///   FeaturePipeline p(FeatureConfig::load(path));
///   p.fit(log, split.train, guard, stop);
///   EncodedFeatures x = p.transform(log, split.test);
///   json saved = p.state();  // stored with the model; FeaturePipeline::fromState(saved) later

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/observer.h"
#include "data/interaction_log.h"
#include "features/derivations.h"
#include "features/feature_config.h"
#include "split/leakage.h"

namespace reclab::features {

/// Encoded rows. Categorical index layout per feature: 0 = out of vocabulary (a value not
/// kept from the training rows), 1 = missing, 2.. = training values by decreasing frequency.
struct EncodedFeatures {
  std::size_t rows = 0;
  std::vector<std::string> categoricalNames;
  std::vector<std::int32_t> cardinalities;   ///< per categorical feature, incl. OOV / missing
  std::vector<std::int64_t> categorical;     ///< rows x categoricalNames.size(), row-major
  std::vector<std::string> continuousNames;  ///< cyclic encoders give "<name>_sin", "<name>_cos"
  std::vector<float> continuous;             ///< rows x continuousNames.size(), row-major
};

/// What an encoder learnt from the training rows for one attribute.
struct FittedAttribute {
  std::string name;
  /// Index encoder: kept training values, most frequent first, ties in the order the log
  /// numbers them (first appearance for ids); encoded index = 2 + position.
  std::vector<std::string> vocabulary;
  /// Over the non-missing raw values of the training rows (population std).
  std::uint64_t count = 0;
  double mean = 0, std = 0, min = 0, max = 0;
  /// The training rows' identity (provenance; the rows themselves are in the guard).
  split::RowFingerprint fittedOn;
};

class FeaturePipeline {
 public:
  /// Validates the config (without a log): InputError when it is inconsistent.
  explicit FeaturePipeline(FeatureConfig config);
  FeaturePipeline(const FeaturePipeline& other);
  FeaturePipeline& operator=(const FeaturePipeline& other);
  FeaturePipeline(FeaturePipeline&&) noexcept = default;
  FeaturePipeline& operator=(FeaturePipeline&&) noexcept = default;

  /// Derives the raw values of every enabled attribute for every row of `log` (derivations use
  /// only events strictly earlier in time for the "so far" counts and time-since-previous),
  /// then fits each encoder on `trainRows` only, recording each fitted statistic in `guard`
  /// ("features.<name>") so the leakage check sees what every encoder was fitted on.
  /// Throws InputError when the config does not fit the log, `trainRows` is empty or out of
  /// range, or a missing value meets the "error" policy; Cancelled when `stop` is triggered.
  void fit(const data::InteractionLog& log, const std::vector<std::uint32_t>& trainRows,
           split::LeakageGuard& guard, const StopToken& stop);
  /// As above on already derived raw values (of the log `trainRows` index).
  void fit(const RawFeatures& raw, const std::vector<std::uint32_t>& trainRows,
           split::LeakageGuard& guard, const StopToken& stop = StopToken());

  /// Encodes `rows` (any rows of the same log, or of a log that extends it with appended rows:
  /// unseen categorical values -> the OOV index). Thread-safe after fit.
  EncodedFeatures transform(const data::InteractionLog& log,
                            const std::vector<std::uint32_t>& rows) const;
  /// As above on already derived raw values: derive once with `derive`, encode many batches.
  /// Fastest on the very RawFeatures passed to fit (categorical codes map without their text).
  EncodedFeatures transform(const RawFeatures& raw, const std::vector<std::uint32_t>& rows) const;
  /// The raw values of every enabled attribute for every row of `log` (see deriveRaw).
  RawFeatures derive(const data::InteractionLog& log, const StopToken& stop) const;

  /// Fitted state (config, vocabularies, means, std, min/max) as JSON, and back, so a trained
  /// model can store its pipeline with itself and encode new rows identically after reload.
  nlohmann::json state() const;
  /// Throws InputError naming the broken field of a malformed state.
  static FeaturePipeline fromState(const nlohmann::json& state);

  const FeatureConfig& config() const { return m_config; }
  bool isFitted() const { return m_fitted; }
  /// Per enabled attribute, in config order (empty before fit).
  const std::vector<FittedAttribute>& fitted() const { return m_fittedAttributes; }

  /// Human-readable preview: the first `n` of `rows` with raw and (once fitted) encoded values,
  /// for the GUI. {"attributes": [names], "encoded_names": [names], "rows": [{"row": r,
  /// "raw": [one per attribute: number, text or null], "encoded": [one per encoded name]}]}.
  nlohmann::json preview(const data::InteractionLog& log, const std::vector<std::uint32_t>& rows,
                         std::size_t n) const;

 private:
  void requireFitted() const;
  void buildLookups();

  FeatureConfig m_config;
  bool m_fitted = false;
  std::vector<FittedAttribute> m_fittedAttributes;
  /// Per enabled attribute: vocabulary text -> encoded index (index encoders only). The keys
  /// view the strings of m_fittedAttributes[k].vocabulary (kept once: a session vocabulary can
  /// hold millions); a copy of the pipeline rebuilds them.
  std::vector<std::unordered_map<std::string_view, std::int32_t>> m_lookup;
  /// The RawFeatures::id fit() saw (0: none) and, per enabled attribute, its codes' encoded
  /// indices (index encoders only): transform() of those same raw values skips the text.
  std::uint64_t m_fitRawId = 0;
  std::vector<std::vector<std::int32_t>> m_fitCodeIndex;
};

}  // namespace reclab::features
