// The metadata feature configuration: JSON round trip, files, every error message for a bad
// config, and the default config for what a log has.

#include "features/feature_config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/errors.h"
#include "feature_test_log.h"

namespace reclab::features {
namespace {

using nlohmann::json;
using testing::derived;
using testing::makeFeatureLog;
using testing::spec;

FeatureConfig sampleConfig() {
  FeatureConfig c;
  c.description = "test";
  c.sessionGapMinutes = 45;
  c.attributes = {derived("hour", Encoder::CyclicHour),
                  spec("cat", Source::ItemProperty, "category", Encoder::Index, Missing::Bucket, 5),
                  spec("sex", Source::UserProperty, "gender", Encoder::Index, Missing::Error),
                  spec("t", Source::Column, "timestamp", Encoder::MinMax, Missing::Mean),
                  derived("price", Encoder::Log, Missing::Mean)};
  c.attributes[4].enabled = false;
  return c;
}

std::string errorOf(const json& j) {
  try {
    FeatureConfig::fromJson(j, "f.json");
  } catch (const InputError& e) {
    return e.what();
  }
  return "no error";
}

/// A valid one-attribute config with `key` of the attribute set to `value`.
json withAttributeKey(const std::string& key, const json& value) {
  json a = {{"name", "h"}, {"source", "derived"}, {"from", "hour"}, {"encoder", "identity"}};
  a[key] = value;
  return json{{"attributes", json::array({a})}};
}

std::string tempPath(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("reclab_features_" + name)).string();
}

TEST(FeatureConfig, JsonRoundTrip) {
  const FeatureConfig c = sampleConfig();
  const json j = c.toJson();
  EXPECT_EQ(j["attributes"][1]["encoder"], "index");
  EXPECT_EQ(j["attributes"][1]["source"], "item_property");
  EXPECT_EQ(j["attributes"][1]["max_categories"], 5);
  EXPECT_EQ(j["attributes"][2]["missing"], "error");
  EXPECT_EQ(j["attributes"][4]["enabled"], false);
  EXPECT_EQ(FeatureConfig::fromJson(j, "x"), c);
  EXPECT_EQ(FeatureConfig::fromJson(json::parse(j.dump()), "x"), c);
}

TEST(FeatureConfig, MinimalAttributesTakeDefaults) {
  const auto c = FeatureConfig::fromJson(
      json::parse(R"({"attributes": [{"name": "h", "from": "hour"}]})"), "x");
  EXPECT_EQ(c.version, 1);
  EXPECT_EQ(c.sessionGapMinutes, 30);
  ASSERT_EQ(c.attributes.size(), 1u);
  EXPECT_EQ(c.attributes[0].source, Source::Derived);
  EXPECT_EQ(c.attributes[0].encoder, Encoder::Identity);
  EXPECT_EQ(c.attributes[0].missing, Missing::Zero);
  EXPECT_TRUE(c.attributes[0].enabled);
}

TEST(FeatureConfig, SaveAndLoadFile) {
  const std::string path = tempPath("roundtrip.json");
  sampleConfig().save(path);
  EXPECT_EQ(FeatureConfig::load(path), sampleConfig());
  std::filesystem::remove(path);
}

TEST(FeatureConfig, ErrorUnknownKeys) {
  EXPECT_EQ(errorOf(json{{"attributes", json::array()}, {"gap", 3}}),
            "f.json: 'gap' is not a known key (known: version, description, "
            "session_gap_minutes, attributes)");
  EXPECT_EQ(errorOf(withAttributeKey("encoding", "log")),
            "f.json: attributes[0]: 'encoding' is not a known key (known: name, source, from, "
            "encoder, missing, enabled, max_categories)");
}

TEST(FeatureConfig, ErrorBadEnumValues) {
  EXPECT_EQ(errorOf(withAttributeKey("encoder", "zscore")),
            "f.json: attributes[0].encoder: 'zscore' is not one of index, standardise, minmax, "
            "log, cyclic_hour, cyclic_weekday, identity");
  EXPECT_EQ(errorOf(withAttributeKey("source", "property")),
            "f.json: attributes[0].source: 'property' is not one of column, item_property, "
            "user_property, derived");
  EXPECT_EQ(errorOf(withAttributeKey("missing", "drop")),
            "f.json: attributes[0].missing: 'drop' is not one of zero, mean, bucket, error");
  EXPECT_EQ(errorOf(withAttributeKey("encoder", 3)),
            "f.json: attributes[0].encoder: must be a string, one of index, standardise, minmax, "
            "log, cyclic_hour, cyclic_weekday, identity; got 3");
}

TEST(FeatureConfig, ErrorBadValues) {
  EXPECT_EQ(errorOf(withAttributeKey("enabled", 1)),
            "f.json: attributes[0].enabled: must be true or false, got 1");
  EXPECT_EQ(errorOf(withAttributeKey("max_categories", -2)),
            "f.json: attributes[0].max_categories: must be an integer >= 0 (0 keeps every "
            "value), got -2");
  EXPECT_EQ(errorOf(json{{"attributes", 3}}), "f.json: attributes: must be an array, got number");
  EXPECT_EQ(errorOf(json::object()), "f.json: 'attributes' is required");
  EXPECT_EQ(errorOf(json{{"attributes", json::array({json{{"from", "hour"}}})}}),
            "f.json: attributes[0]: 'name' is required");
  EXPECT_EQ(errorOf(json{{"attributes", json::array()}, {"version", 2}}),
            "f.json: version: 2 is newer than this RecLab reads (1); update RecLab");
  EXPECT_EQ(errorOf(json{{"attributes", json::array()}, {"session_gap_minutes", 0}}),
            "f.json: session_gap_minutes: must be > 0, got 0");
}

TEST(FeatureConfig, ErrorDuplicateName) {
  json j = withAttributeKey("encoder", "identity");
  j["attributes"].push_back({{"name", "h"}, {"from", "day_of_week"}});
  EXPECT_EQ(errorOf(j), "f.json: attributes[1].name: 'h' is already the name of attributes[0]");
  // Two outputs of the same name: a cyclic "h" gives h_sin, which another attribute takes.
  json k = withAttributeKey("encoder", "cyclic_hour");
  k["attributes"].push_back({{"name", "h_sin"}, {"from", "day_of_week"}});
  EXPECT_EQ(errorOf(k),
            "f.json: attributes[1].name: encoded feature 'h_sin' of 'h_sin' clashes "
            "with one of 'h'");
}

TEST(FeatureConfig, ErrorUnknownSources) {
  EXPECT_EQ(errorOf(withAttributeKey("from", "hours")),
            "f.json: attributes[0].from: 'hours' is not a derivation (derivations: timestamp, "
            "hour, day_of_week, price, category, available, age, gender, session_id, "
            "session_position, session_length, session_duration, time_since_previous, "
            "user_views_so_far, user_addtocarts_so_far, user_transactions_so_far, "
            "item_popularity_so_far)");
  json j = withAttributeKey("source", "column");
  j["attributes"][0]["from"] = "visitor";
  EXPECT_EQ(errorOf(j),
            "f.json: attributes[0].from: 'visitor' is not a column (columns: user, "
            "item, event, timestamp, value, session)");
}

TEST(FeatureConfig, ErrorEncoderDoesNotFitTheAttribute) {
  json j = withAttributeKey("from", "user");
  j["attributes"][0]["source"] = "column";
  j["attributes"][0]["encoder"] = "standardise";
  EXPECT_EQ(errorOf(j),
            "f.json: attributes[0].encoder: 'standardise' needs a number, but "
            "column 'user' is categorical (use index)");
  EXPECT_EQ(errorOf(withAttributeKey("missing", "bucket")),
            "f.json: attributes[0].missing: 'bucket' applies to the index encoder only, not "
            "'identity' (use zero, mean or error)");
  EXPECT_EQ(errorOf(withAttributeKey("max_categories", 3)),
            "f.json: attributes[0].max_categories: applies to the index encoder only, not "
            "'identity'");
  json m = withAttributeKey("encoder", "index");
  m["attributes"][0]["missing"] = "mean";
  EXPECT_EQ(errorOf(m),
            "f.json: attributes[0].missing: 'mean' applies to numeric encoders "
            "only, not 'index' (use bucket, zero or error)");
}

TEST(FeatureConfig, ErrorSourceMissingInTheLog) {
  const auto log = makeFeatureLog();
  auto errorWith = [&](const AttributeSpec& a) {
    FeatureConfig c;
    c.attributes = {a};
    try {
      c.validate(&log);
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(errorWith(spec("brand", Source::ItemProperty, "brand", Encoder::Index)),
            "feature config: attributes[0]: 'brand' (item property 'brand'): the log has no item "
            "property 'brand' (it has: price, category, available)");
  EXPECT_EQ(errorWith(spec("job", Source::UserProperty, "occupation", Encoder::Index)),
            "feature config: attributes[0]: 'job' (user property 'occupation'): the log has no "
            "user property 'occupation' (it has: age, gender)");
  EXPECT_EQ(errorWith(spec("c", Source::ItemProperty, "category", Encoder::Log)),
            "feature config: attributes[0]: 'c' (item property 'category'): the property is "
            "categorical; encoder 'log' needs a number (use index)");
  EXPECT_EQ(errorWith(spec("s", Source::Column, "session", Encoder::Index)),
            "feature config: attributes[0]: 's' (column 'session'): the log has no 'session' "
            "column");
  EXPECT_EQ(errorWith(derived("age", Encoder::Standardise)), "no error");
  // A disabled attribute is not checked against the log.
  auto off = spec("brand", Source::ItemProperty, "brand", Encoder::Index);
  off.enabled = false;
  EXPECT_EQ(errorWith(off), "no error");
}

TEST(FeatureConfig, LoadReportsPathLineAndColumnOfBadJson) {
  const std::string path = tempPath("bad.json");
  {
    std::ofstream out(path);
    out << "{\n  \"attributes\": [\n    {\"name\": \"h\",, \"from\": \"hour\"}\n  ]\n}\n";
  }
  try {
    FeatureConfig::load(path);
    FAIL() << "no error";
  } catch (const InputError& e) {
    // The second comma of line 3 is its 18th character.
    EXPECT_EQ(std::string(e.what()),
              path +
                  ":3:18: not valid JSON: syntax error while parsing object key - unexpected "
                  "','; expected string literal");
  }
  {
    std::ofstream out(path);
    out << R"({"attributes": [{"name": "h", "from": "hour", "encoder": "zscore"}]})";
  }
  try {
    FeatureConfig::load(path);
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()),
              path +
                  ": attributes[0].encoder: 'zscore' is not one of index, standardise, "
                  "minmax, log, cyclic_hour, cyclic_weekday, identity");
  }
  std::filesystem::remove(path);
  try {
    FeatureConfig::load(path);
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), path + ": cannot open feature config");
  }
}

TEST(FeatureConfig, DefaultHasWhatTheLogCanSupply) {
  const auto log = makeFeatureLog();
  const FeatureConfig c = defaultFeatureConfig(log);
  // The hand-built log supplies all 17 (users with age and gender, item properties, events).
  ASSERT_EQ(c.attributes.size(), 17u);
  EXPECT_NO_THROW(c.validate(&log));
  EXPECT_EQ(c.attributes[1].name, "hour");
  EXPECT_EQ(c.attributes[1].encoder, Encoder::CyclicHour);
  EXPECT_EQ(c.attributes[4].name, "category");
  EXPECT_EQ(c.attributes[4].encoder, Encoder::Index);
  EXPECT_EQ(c.attributes[4].missing, Missing::Bucket);

  // Without user properties or add-to-carts, those attributes are left out.
  data::InteractionLog plain = makeFeatureLog();
  plain.userAttributes = data::AttributeTable();
  plain.eventNames = {"view", "cart", "transaction"};
  const FeatureConfig d = defaultFeatureConfig(plain);
  EXPECT_EQ(d.attributes.size(), 14u);
  for (const auto& a : d.attributes) {
    EXPECT_NE(a.from, "age");
    EXPECT_NE(a.from, "gender");
    EXPECT_NE(a.from, "user_addtocarts_so_far");
  }
  EXPECT_NO_THROW(d.validate(&plain));
}

}  // namespace
}  // namespace reclab::features
