#pragma once
/// The metadata feature configuration (SPEC A, "metadata configuration file"): which attributes
/// feed a model, where each comes from, how it is encoded and what a missing value becomes.
/// The JSON format is documented in docs/features.md; defaults for the bundled samples are in
/// resources/features/.

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "data/interaction_log.h"

namespace reclab::features {

/// Where an attribute's raw value comes from.
enum class Source {
  Column,        ///< a column of the log: user, item, event, timestamp, value, session
  ItemProperty,  ///< a property in log.itemAttributes, looked up by the row's item
  UserProperty,  ///< a property in log.userAttributes, looked up by the row's user
  Derived,       ///< one of derivationNames(), computed from the log
};

/// How a raw value becomes model input. Index gives a categorical index (an embedding input);
/// every other encoder gives continuous values (the cyclic ones two each).
enum class Encoder { Index, Standardise, MinMax, Log, CyclicHour, CyclicWeekday, Identity };

/// What a missing raw value becomes. Bucket: (index encoder only) its own index 1. Mean:
/// (continuous encoders only) the training mean of the raw values. Zero: raw value 0 for a
/// continuous encoder, the out-of-vocabulary index 0 for the index encoder. Error: fail,
/// naming the row.
enum class Missing { Zero, Mean, Bucket, Error };

struct AttributeSpec {
  std::string name;  ///< output feature name, unique
  Source source = Source::Derived;
  /// Column name, property name or derivation name (as `source` says).
  std::string from;
  Encoder encoder = Encoder::Identity;
  Missing missing = Missing::Zero;
  bool enabled = true;
  /// Index only: keep the N most frequent training values (0 = all); the rest map to OOV.
  int maxCategories = 0;

  friend bool operator==(const AttributeSpec&, const AttributeSpec&) = default;
};

struct FeatureConfig {
  /// Format version; this build reads version 1 and refuses newer ones.
  int version = 1;
  /// Free text shown by the GUI (e.g. which dataset the file was written for).
  std::string description;
  /// Logs without a session column: a user's next event more than this many minutes after the
  /// previous one starts a new session.
  double sessionGapMinutes = 30;
  std::vector<AttributeSpec> attributes;

  /// Parses and validates (without a log) a config. `origin` prefixes every error, e.g.
  /// "<origin>: attributes[3].encoder: 'zscore' is not one of index, standardise, ...".
  static FeatureConfig fromJson(const nlohmann::json& j, const std::string& origin);
  nlohmann::json toJson() const;
  /// Reads a JSON file; errors name the path (and line and column for malformed JSON).
  static FeatureConfig load(const std::string& path);
  /// Writes the JSON (pretty-printed) to `path`, replacing it: the caller decides where.
  void save(const std::string& path) const;
  /// Throws InputError on an inconsistent config (duplicate names, an encoder that does not
  /// fit the attribute, ...). With a log, also checks that every enabled attribute's source
  /// exists in it and that the derivations have the columns they need.
  void validate(const data::InteractionLog* log = nullptr) const;

  friend bool operator==(const FeatureConfig&, const FeatureConfig&) = default;
};

/// A default config for what the log has: every one of SPEC A's 17 attributes the log can
/// supply (see docs/features.md for the encoder each gets).
FeatureConfig defaultFeatureConfig(const data::InteractionLog& log);

/// Names of the derivations (values of `from` for Source::Derived), in documentation order.
std::vector<std::string> derivationNames();
/// Names of the log columns (values of `from` for Source::Column).
std::vector<std::string> columnNames();

/// Text forms used in the JSON: "column", "item_property", "user_property", "derived"; ...
std::string toString(Source s);
std::string toString(Encoder e);
std::string toString(Missing m);

/// True for attributes whose raw value is a category whatever the log holds (the user, item,
/// event and session columns; the session_id derivation). False does not mean numeric: a
/// property's kind (and so that of the category and gender derivations) is known only with
/// the log.
bool isAlwaysCategorical(const AttributeSpec& spec);

}  // namespace reclab::features
