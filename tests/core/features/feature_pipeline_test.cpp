// The feature pipeline: each encoder's values by hand, fitting on training rows only (OOV,
// train mean, leakage guard), state round trip, appended rows, and the label-leak check.

#include "features/feature_pipeline.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <numbers>
#include <random>
#include <thread>

#include "common/errors.h"
#include "feature_test_log.h"
#include "split/splits.h"

namespace reclab::features {
namespace {

using nlohmann::json;
using Rows = std::vector<std::uint32_t>;
using testing::derived;
using testing::makeFeatureLog;
using testing::spec;

Rows allRows(const data::InteractionLog& log) {
  Rows r(log.numRows());
  for (std::uint32_t i = 0; i < r.size(); ++i) r[i] = i;
  return r;
}

FeatureConfig configOf(std::vector<AttributeSpec> attributes) {
  FeatureConfig c;
  c.attributes = std::move(attributes);
  return c;
}

/// Encoded value of `name` (continuous) at position `i` of the transformed rows.
float continuousAt(const EncodedFeatures& e, const std::string& name, std::size_t i) {
  const auto it = std::find(e.continuousNames.begin(), e.continuousNames.end(), name);
  EXPECT_NE(it, e.continuousNames.end()) << name;
  const auto col = static_cast<std::size_t>(it - e.continuousNames.begin());
  return e.continuous[i * e.continuousNames.size() + col];
}

std::int64_t categoricalAt(const EncodedFeatures& e, const std::string& name, std::size_t i) {
  const auto it = std::find(e.categoricalNames.begin(), e.categoricalNames.end(), name);
  EXPECT_NE(it, e.categoricalNames.end()) << name;
  const auto col = static_cast<std::size_t>(it - e.categoricalNames.begin());
  return e.categorical[i * e.categoricalNames.size() + col];
}

TEST(FeaturePipeline, EncodersByHand) {
  const auto log = makeFeatureLog();
  FeaturePipeline p(configOf({
      spec("price_std", Source::Derived, "price", Encoder::Standardise, Missing::Mean),
      spec("price_mm", Source::Derived, "price", Encoder::MinMax, Missing::Zero),
      spec("price_log", Source::Derived, "price", Encoder::Log, Missing::Zero),
      derived("hour", Encoder::CyclicHour),
      spec("dow", Source::Derived, "day_of_week", Encoder::CyclicWeekday),
      spec("views", Source::Derived, "user_views_so_far", Encoder::Identity),
      derived("category", Encoder::Index, Missing::Bucket),
      derived("available", Encoder::Index, Missing::Bucket),
      derived("age", Encoder::Standardise, Missing::Mean),
  }));
  split::LeakageGuard guard;
  // Training rows r0 r1 r2 r4 r5: prices 10, -, 10, -, 100 -> mean 40, population std
  // sqrt((900 + 900 + 3600) / 3) = sqrt(1800), min 10, max 100.
  p.fit(log, {0, 1, 2, 4, 5}, guard, StopToken());
  ASSERT_EQ(p.fitted().size(), 9u);
  EXPECT_DOUBLE_EQ(p.fitted()[0].mean, 40.0);
  EXPECT_DOUBLE_EQ(p.fitted()[0].std, std::sqrt(1800.0));
  EXPECT_EQ(p.fitted()[0].count, 3u);

  const auto e = p.transform(log, allRows(log));
  EXPECT_EQ(e.rows, 10u);
  EXPECT_EQ(e.categoricalNames, (std::vector<std::string>{"category", "available"}));
  EXPECT_EQ(e.continuousNames,
            (std::vector<std::string>{"price_std", "price_mm", "price_log", "hour_sin", "hour_cos",
                                      "dow_sin", "dow_cos", "views", "age"}));
  EXPECT_NEAR(continuousAt(e, "price_std", 5), 60.0 / std::sqrt(1800.0), 1e-6);
  EXPECT_NEAR(continuousAt(e, "price_std", 0), -30.0 / std::sqrt(1800.0), 1e-6);
  EXPECT_FLOAT_EQ(continuousAt(e, "price_std", 1), 0.0f);  // missing -> training mean
  EXPECT_FLOAT_EQ(continuousAt(e, "price_mm", 5), 1.0f);
  EXPECT_FLOAT_EQ(continuousAt(e, "price_mm", 0), 0.0f);
  EXPECT_NEAR(continuousAt(e, "price_mm", 1), -10.0 / 90.0, 1e-6);  // missing -> raw 0
  EXPECT_NEAR(continuousAt(e, "price_log", 0), std::log(11.0), 1e-6);
  EXPECT_FLOAT_EQ(continuousAt(e, "price_log", 1), 0.0f);
  const double pi = std::numbers::pi;
  EXPECT_NEAR(continuousAt(e, "hour_sin", 7), std::sin(2 * pi * 23 / 24), 1e-6);
  EXPECT_NEAR(continuousAt(e, "hour_cos", 7), std::cos(2 * pi * 23 / 24), 1e-6);
  EXPECT_NEAR(continuousAt(e, "hour_sin", 8), 0.0, 1e-6);
  EXPECT_NEAR(continuousAt(e, "hour_cos", 8), 1.0, 1e-6);
  EXPECT_NEAR(continuousAt(e, "dow_sin", 8), std::sin(2 * pi * 6 / 7), 1e-6);
  EXPECT_NEAR(continuousAt(e, "dow_cos", 8), std::cos(2 * pi * 6 / 7), 1e-6);
  EXPECT_FLOAT_EQ(continuousAt(e, "views", 8), 3.0f);
  // Ages on training rows: 30 30 - 30 30: std 0 is replaced by 1; missing -> mean -> 0.
  EXPECT_FLOAT_EQ(continuousAt(e, "age", 0), 0.0f);
  EXPECT_FLOAT_EQ(continuousAt(e, "age", 2), 0.0f);
  // Categories on training rows: A (r0 r2 r5) 3 times, B twice -> A = 2, B = 3.
  EXPECT_EQ(p.fitted()[6].vocabulary, (std::vector<std::string>{"A", "B"}));
  EXPECT_EQ(categoricalAt(e, "category", 0), 2);
  EXPECT_EQ(categoricalAt(e, "category", 1), 3);
  EXPECT_EQ(e.cardinalities[0], 4);
  // Availability "1" (r0 r2) and "0" (r1 r4) tie: "1" comes first in the log (r0), so
  // "1" = 2 and "0" = 3; r5 (i3) is missing -> 1.
  EXPECT_EQ(p.fitted()[7].vocabulary, (std::vector<std::string>{"1", "0"}));
  EXPECT_EQ(categoricalAt(e, "available", 0), 2);
  EXPECT_EQ(categoricalAt(e, "available", 1), 3);
  EXPECT_EQ(categoricalAt(e, "available", 5), 1);
}

TEST(FeaturePipeline, FitsOnTrainingRowsOnly) {
  const auto log = makeFeatureLog();
  FeaturePipeline p(configOf({
      spec("user", Source::Column, "user", Encoder::Index, Missing::Bucket),
      spec("item", Source::Column, "item", Encoder::Index, Missing::Bucket, 1),
      spec("t", Source::Column, "timestamp", Encoder::Standardise),
  }));
  const Rows train = {0, 1, 3, 4, 5, 8};  // u1's rows
  split::LeakageGuard guard;
  p.fit(log, train, guard, StopToken());
  const auto e = p.transform(log, allRows(log));
  // u2 appears only in the other rows: out of vocabulary.
  EXPECT_EQ(e.cardinalities[0], 3);
  for (std::uint32_t r : {2u, 6u, 7u, 9u}) EXPECT_EQ(categoricalAt(e, "user", r), 0) << r;
  for (std::uint32_t r : train) EXPECT_EQ(categoricalAt(e, "user", r), 2) << r;
  // max_categories 1 keeps i2 (3 training rows) and sends i1 and i3 to OOV.
  EXPECT_EQ(p.fitted()[1].vocabulary, (std::vector<std::string>{"i2"}));
  EXPECT_EQ(categoricalAt(e, "item", 1), 2);
  EXPECT_EQ(categoricalAt(e, "item", 0), 0);
  EXPECT_EQ(categoricalAt(e, "item", 9), 0);
  // The standardiser's mean is the mean of the training rows' timestamps.
  double mean = 0;
  for (std::uint32_t r : train) mean += static_cast<float>(log.timestamp[r] / 1000.0);
  mean /= static_cast<double>(train.size());
  EXPECT_DOUBLE_EQ(p.fitted()[2].mean, mean);
}

TEST(FeaturePipeline, GuardRecordsWhatEveryEncoderWasFittedOn) {
  const auto log = makeFeatureLog();
  const FeatureConfig config = defaultFeatureConfig(log);
  split::Split s;
  s.train = {0, 1, 2, 3, 4, 5, 6};
  s.test = {7, 8, 9};
  split::LeakageGuard guard;
  FeaturePipeline p(config);
  p.fit(log, s.train, guard, StopToken());
  ASSERT_EQ(guard.records().size(), config.attributes.size());
  EXPECT_EQ(guard.records()[0].statistic, "features.timestamp");
  EXPECT_EQ(guard.records()[0].rows.count(), 7u);
  EXPECT_NO_THROW(guard.check(s));

  split::LeakageGuard leaky;
  p.fit(log, allRows(log), leaky, StopToken());
  try {
    leaky.check(s);
    FAIL() << "no leak reported";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("'features.timestamp' was fitted on 10 rows of which 3 "
                                         "are test rows (first: row 7)"),
              std::string::npos)
        << e.what();
  }
}

TEST(FeaturePipeline, StateRoundTripEncodesIdentically) {
  const auto log = makeFeatureLog();
  FeatureConfig config = defaultFeatureConfig(log);
  config.attributes.push_back(spec("u", Source::Column, "user", Encoder::Index));
  config.attributes.push_back(
      spec("mm", Source::Derived, "time_since_previous", Encoder::MinMax, Missing::Mean));
  FeaturePipeline p(config);
  split::LeakageGuard guard;
  p.fit(log, {0, 2, 3, 5, 6, 8}, guard, StopToken());
  const std::string saved = p.state().dump();
  const FeaturePipeline q = FeaturePipeline::fromState(json::parse(saved));
  EXPECT_EQ(q.config(), config);
  EXPECT_EQ(q.state().dump(), saved);
  const auto a = p.transform(log, allRows(log));
  const auto b = q.transform(log, allRows(log));
  EXPECT_EQ(a.categoricalNames, b.categoricalNames);
  EXPECT_EQ(a.cardinalities, b.cardinalities);
  EXPECT_EQ(a.categorical, b.categorical);
  EXPECT_EQ(a.continuousNames, b.continuousNames);
  EXPECT_EQ(a.continuous, b.continuous);
}

TEST(FeaturePipeline, CopiesEncodeIdenticallyAfterTheOriginalIsGone) {
  const auto log = makeFeatureLog();
  FeatureConfig config = defaultFeatureConfig(log);
  config.attributes.push_back(spec("u", Source::Column, "user", Encoder::Index));
  auto original = std::make_unique<FeaturePipeline>(config);
  split::LeakageGuard guard;
  original->fit(log, {0, 1, 2, 3}, guard, StopToken());
  const auto expected = original->transform(log, allRows(log));
  FeaturePipeline copy(*original);
  FeaturePipeline assigned(configOf({derived("hour")}));
  assigned = *original;
  original.reset();
  EXPECT_EQ(copy.transform(log, allRows(log)).categorical, expected.categorical);
  EXPECT_EQ(assigned.transform(log, allRows(log)).categorical, expected.categorical);
  EXPECT_EQ(assigned.transform(log, allRows(log)).continuous, expected.continuous);
}

TEST(FeaturePipeline, SameEncodingThroughEveryCodePath) {
  const auto log = makeFeatureLog();
  FeaturePipeline p(defaultFeatureConfig(log));
  const RawFeatures raw = p.derive(log, StopToken());
  split::LeakageGuard guard;
  p.fit(raw, {0, 1, 2, 3, 4, 5}, guard);
  // The raw values fit saw (codes map through fit's table), a fresh derivation (a table over
  // all codes) and one row at a time (a hash map: 1 row for 5 sessions).
  const auto fromFit = p.transform(raw, allRows(log));
  const auto fresh = p.transform(log, allRows(log));
  EXPECT_EQ(fromFit.categorical, fresh.categorical);
  EXPECT_EQ(fromFit.continuous, fresh.continuous);
  const std::size_t nCat = fresh.categoricalNames.size();
  for (std::uint32_t r = 0; r < log.numRows(); ++r) {
    const auto one = p.transform(log, {r});
    const std::vector<std::int64_t> expected(fresh.categorical.begin() + r * nCat,
                                             fresh.categorical.begin() + (r + 1) * nCat);
    EXPECT_EQ(one.categorical, expected) << "row " << r;
  }
  // Rows 7 and 8 are sessions of their own, with no training row: out of vocabulary. Row 9
  // shares u2's first session with training row 2.
  EXPECT_EQ(categoricalAt(fresh, "session_id", 7), 0);
  EXPECT_EQ(categoricalAt(fresh, "session_id", 8), 0);
  EXPECT_EQ(categoricalAt(fresh, "session_id", 9), categoricalAt(fresh, "session_id", 2));
  EXPECT_GE(categoricalAt(fresh, "session_id", 9), 2);
  EXPECT_EQ(categoricalAt(fresh, "session_id", 0), categoricalAt(fresh, "session_id", 4));
}

TEST(FeaturePipeline, StateErrors) {
  const auto log = makeFeatureLog();
  FeaturePipeline p(configOf({derived("hour")}));
  EXPECT_THROW(p.state(), std::logic_error);
  split::LeakageGuard guard;
  p.fit(log, {0, 1}, guard, StopToken());
  json s = p.state();
  s["fitted"][0]["name"] = "minute";
  try {
    FeaturePipeline::fromState(s);
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()),
              "feature pipeline state: fitted[0].name: 'minute' does not "
              "match the config's attribute 'hour'");
  }
  s = p.state();
  s["config"]["attributes"][0]["encoder"] = "zscore";
  try {
    FeaturePipeline::fromState(s);
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("feature pipeline state: config: attributes[0].encoder: "
                                          "'zscore' is not one of",
                                          0),
              0u)
        << e.what();
  }
}

TEST(FeaturePipeline, MissingValueWithErrorPolicyNamesTheRow) {
  const auto log = makeFeatureLog();
  FeaturePipeline p(configOf({derived("price", Encoder::Identity, Missing::Error)}));
  split::LeakageGuard guard;
  EXPECT_NO_THROW(p.fit(log, {0, 2, 5}, guard, StopToken()));
  try {
    p.transform(log, {0, 1});
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()),
              "features: 'price' (item property 'price'): value missing "
              "at row 1, and its missing policy is 'error'");
  }
  EXPECT_THROW(p.fit(log, {0, 4}, guard, StopToken()), InputError);
}

TEST(FeaturePipeline, BadRowsAndEmptyTraining) {
  const auto log = makeFeatureLog();
  FeaturePipeline p(configOf({derived("hour")}));
  split::LeakageGuard guard;
  try {
    p.fit(log, {}, guard, StopToken());
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), "features: cannot fit on an empty set of training rows");
  }
  try {
    p.fit(log, {3, 10}, guard, StopToken());
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()),
              "features: training row 10 is out of range (the log has 10 rows)");
  }
  EXPECT_THROW(p.transform(log, {0}), std::logic_error);  // before fit
}

TEST(FeaturePipeline, AppendedRowsKeepEarlierEncodingsAndUnseenValuesAreOov) {
  const auto log = makeFeatureLog();
  FeatureConfig config = defaultFeatureConfig(log);
  config.attributes.push_back(spec("item", Source::Column, "item", Encoder::Index));
  FeaturePipeline p(config);
  split::LeakageGuard guard;
  p.fit(log, allRows(log), guard, StopToken());

  // A new user buys a new item a week later.
  data::InteractionLog grown = makeFeatureLog();
  const std::int32_t u3 = grown.users.intern("u3");
  const std::int32_t i4 = grown.items.intern("i4");
  grown.user.push_back(u3);
  grown.item.push_back(i4);
  grown.event.push_back(2);
  grown.timestamp.push_back((testing::kMonday + 14 * 86400) * 1000);
  grown.itemAttributes.setCategorical("category", i4, "Z");
  grown.itemAttributes.resize(grown.numItems());
  grown.userAttributes.resize(grown.numUsers());

  const auto before = p.transform(log, allRows(log));
  const auto after = p.transform(grown, allRows(log));
  EXPECT_EQ(before.categorical, after.categorical);
  EXPECT_EQ(before.continuous, after.continuous);
  const auto added = p.transform(grown, {10});
  EXPECT_EQ(categoricalAt(added, "item", 0), 0);      // unseen item
  EXPECT_EQ(categoricalAt(added, "category", 0), 0);  // unseen category "Z"
  EXPECT_EQ(categoricalAt(added, "gender", 0), 1);    // u3 has no gender: missing bucket
}

TEST(FeaturePipeline, TransformIsThreadSafeAfterFit) {
  const auto log = makeFeatureLog();
  FeaturePipeline p(defaultFeatureConfig(log));
  split::LeakageGuard guard;
  p.fit(log, allRows(log), guard, StopToken());
  const auto expected = p.transform(log, allRows(log));
  EncodedFeatures a, b;
  std::thread t1([&] { a = p.transform(log, allRows(log)); });
  std::thread t2([&] { b = p.transform(log, allRows(log)); });
  t1.join();
  t2.join();
  EXPECT_EQ(a.categorical, expected.categorical);
  EXPECT_EQ(b.continuous, expected.continuous);
}

TEST(FeaturePipeline, PreviewShowsRawAndEncodedValues) {
  const auto log = makeFeatureLog();
  FeaturePipeline p(
      configOf({derived("category", Encoder::Index, Missing::Bucket),
                derived("price", Encoder::Log), derived("hour", Encoder::CyclicHour)}));
  const json before = p.preview(log, {1, 0, 5}, 2);
  EXPECT_EQ(before["attributes"], json::parse(R"(["category", "price", "hour"])"));
  ASSERT_EQ(before["rows"].size(), 2u);
  EXPECT_EQ(before["rows"][0]["row"], 1);
  EXPECT_EQ(before["rows"][0]["raw"], json::parse(R"(["B", null, 10.0])"));
  EXPECT_TRUE(before["rows"][0]["encoded"].empty());
  split::LeakageGuard guard;
  p.fit(log, allRows(log), guard, StopToken());
  const json after = p.preview(log, {1, 0, 5}, 2);
  EXPECT_EQ(after["encoded_names"],
            json::parse(R"(["category", "price", "hour_sin", "hour_cos"])"));
  EXPECT_EQ(after["rows"][1]["encoded"][0], 2);  // A: 6 of 10 rows
  EXPECT_NEAR(after["rows"][1]["encoded"][1].get<double>(), std::log(11.0), 1e-6);
}

/// A random log with ties in time: 6 users, 8 items, 3 event types, 300 rows.
data::InteractionLog randomLog() {
  data::InteractionLog log;
  log.eventNames = {"view", "addtocart", "transaction"};
  std::mt19937 rng(7);
  for (int u = 0; u < 6; ++u) log.users.intern(fmt::format("u{}", u));
  for (int i = 0; i < 8; ++i) log.items.intern(fmt::format("i{}", i));
  for (int r = 0; r < 300; ++r) {
    log.user.push_back(static_cast<std::int32_t>(rng() % 6));
    log.item.push_back(static_cast<std::int32_t>(rng() % 8));
    log.event.push_back(static_cast<std::uint8_t>(rng() % 3));
    // Minutes over two days: gaps both under and over 30 minutes, and ties.
    log.timestamp.push_back((testing::kMonday + 60 * static_cast<std::int64_t>(rng() % 2880)) *
                            1000);
  }
  for (int i = 0; i < 8; ++i) {
    if (i % 3 != 0) log.itemAttributes.setNumeric("price", i, 5.0 + i);
    log.itemAttributes.setCategorical("category", i, i % 2 ? "odd" : "even");
    log.itemAttributes.setNumeric("available", i, i % 2);
  }
  for (int u = 0; u < 6; ++u) {
    log.userAttributes.setNumeric("age", u, 20.0 + u);
    if (u != 3) log.userAttributes.setCategorical("gender", u, u % 2 ? "M" : "F");
  }
  log.itemAttributes.resize(8);
  log.userAttributes.resize(6);
  log.validate();
  return log;
}

/// Rows whose encoded features change when only that row's own event type is changed.
std::size_t rowsLeakingTheirOwnEvent(const FeatureConfig& config, const data::InteractionLog& log) {
  FeaturePipeline p(config);
  split::LeakageGuard guard;
  p.fit(log, allRows(log), guard, StopToken());
  std::size_t leaking = 0;
  for (std::uint32_t r = 0; r < log.numRows(); ++r) {
    const auto base = p.transform(log, {r});
    bool changed = false;
    for (std::uint8_t e = 0; e < 3; ++e) {
      if (e == log.event[r]) continue;
      data::InteractionLog permuted = log;
      permuted.event[r] = e;
      const auto other = p.transform(permuted, {r});
      changed =
          changed || other.categorical != base.categorical || other.continuous != base.continuous;
    }
    leaking += changed ? 1 : 0;
  }
  return leaking;
}

TEST(FeaturePipeline, NoFeatureEncodesTheRowsOwnEventType) {
  const auto log = randomLog();
  FeatureConfig config = defaultFeatureConfig(log);
  ASSERT_EQ(config.attributes.size(), 17u);
  config.attributes.push_back(spec("u", Source::Column, "user", Encoder::Index));
  config.attributes.push_back(spec("i", Source::Column, "item", Encoder::Index));
  config.attributes.push_back(spec("t", Source::Column, "timestamp", Encoder::Standardise));
  EXPECT_EQ(rowsLeakingTheirOwnEvent(config, log), 0u);

  // The check does catch a leak: the event column itself as a feature.
  FeatureConfig leaky = config;
  leaky.attributes.push_back(spec("label", Source::Column, "event", Encoder::Index));
  EXPECT_EQ(rowsLeakingTheirOwnEvent(leaky, log), log.numRows());
}

}  // namespace
}  // namespace reclab::features
