// Session preprocessing in the experiment config and the runner: round trip, errors naming
// the field, RetailRocket sessionised by the inactivity gap for the session models and
// splits, and the leaky classic SR-GNN option flagged on the stored run.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/errors.h"
#include "experiment/config.h"
#include "experiment/runner.h"
#include "store/store.h"
#include "support/experiment_fixtures.h"

namespace reclab::experiment {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const std::string kRetailRocket = std::string(RECLAB_SOURCE_DIR) + "/datasets/retailrocket-sample";
const std::string kClicks =
    std::string(RECLAB_SOURCE_DIR) + "/datasets/yoochoose-sample/yoochoose-clicks.dat";

json retailRocketConfig(const std::string& model) {
  return {{"dataset", {{"format", "retailrocket"}, {"path", kRetailRocket}}},
          {"split", {{"kind", "session_time"}, {"test_days", 7}}},
          {"model", {{"name", model}}},
          {"seed", 0},
          {"threads", 2}};
}

using reclab::testing::configErrorOf;

/// Keeps the log lines of a run.
class LinesObserver : public Observer {
 public:
  void onLog(LogLevel level, std::string_view message) override {
    lines.push_back({level, std::string(message)});
  }
  bool has(LogLevel level, const std::string& part) const {
    for (const auto& [l, m] : lines)
      if (l == level && m.find(part) != std::string::npos) return true;
    return false;
  }
  std::vector<std::pair<LogLevel, std::string>> lines;
};

TEST(SessionPreprocessConfig, RoundTripsAndDefaultsStayOff) {
  auto j = retailRocketConfig("sknn");
  const auto plain = ExperimentConfig::fromJson(j);
  EXPECT_FALSE(plain.dataset.sessionGapMinutes.has_value());
  EXPECT_EQ(plain.preprocess.minSessionLength, 0);
  EXPECT_EQ(plain.preprocess.dedup, "off");
  EXPECT_FALSE(plain.preprocess.classicSrgnn);
  EXPECT_FALSE(plain.toJson().contains("preprocess"));
  EXPECT_FALSE(plain.toJson().at("dataset").contains("session_gap_minutes"));

  j["dataset"]["session_gap_minutes"] = 45.5;
  j["preprocess"] = {{"min_session_length", 2},
                     {"dedup", "consecutive"},
                     {"min_item_support", 5},
                     {"classic_srgnn", true}};
  const auto c = ExperimentConfig::fromJson(j);
  EXPECT_DOUBLE_EQ(*c.dataset.sessionGapMinutes, 45.5);
  EXPECT_EQ(c.preprocess.minSessionLength, 2);
  EXPECT_EQ(c.preprocess.dedup, "consecutive");
  EXPECT_EQ(c.preprocess.minItemSupport, 5);
  EXPECT_TRUE(c.preprocess.classicSrgnn);
  const auto back = ExperimentConfig::fromJson(c.toJson());
  EXPECT_EQ(back.toJson(), c.toJson());
  EXPECT_TRUE(back.preprocess.classicSrgnn);
  EXPECT_DOUBLE_EQ(*back.dataset.sessionGapMinutes, 45.5);
  // 0 (do not cut) is a value of its own and survives the round trip.
  j["dataset"]["session_gap_minutes"] = 0;
  EXPECT_DOUBLE_EQ(
      *ExperimentConfig::fromJson(ExperimentConfig::fromJson(j).toJson()).dataset.sessionGapMinutes,
      0.0);
}

TEST(SessionPreprocessConfig, ErrorsNameTheField) {
  auto with = [](const char* section, const char* key, const json& value) {
    auto j = retailRocketConfig("sknn");
    j[section][key] = value;
    return configErrorOf(j);
  };
  EXPECT_EQ(with("dataset", "session_gap_minutes", -5),
            "config: dataset.session_gap_minutes must be a number >= 0 (0 = do not cut "
            "sessions), got -5");
  EXPECT_EQ(with("dataset", "session_gap_minutes", "30"),
            "config: dataset.session_gap_minutes must be a number >= 0 (0 = do not cut "
            "sessions), got \"30\"");
  EXPECT_EQ(with("preprocess", "dedup", "all"),
            "config: preprocess.dedup must be 'off' or 'consecutive', got 'all'");
  EXPECT_EQ(with("preprocess", "min_session_length", -1),
            "config: preprocess.min_session_length must be an integer in [0, 1000000], got -1");
  EXPECT_EQ(with("preprocess", "classic_srgnn", "yes"),
            "config: preprocess.classic_srgnn must be true or false, got \"yes\"");
  EXPECT_EQ(with("preprocess", "min_length", 2),
            "config: preprocess.min_length is not a known key (known: min_item_support, "
            "min_session_length, dedup, classic_srgnn)");
}

class SessionPreprocessRunnerTest : public reclab::testing::TempStoreTest {
};

TEST_F(SessionPreprocessRunnerTest, RetailRocketSampleRunsSessionModelsAfterSessionising) {
  StopToken stop;
  const auto first = ExperimentConfig::fromJson(retailRocketConfig("session_pop"));
  const auto data = loadForConfig(first, nullObserver(), stop);
  // The generator planted 8,169 sessions separated by more than 30 minutes
  // (datasets/retailrocket-sample/ground_truth.json, counts.sessions).
  std::ifstream truthFile(kRetailRocket + "/ground_truth.json");
  const auto truth = json::parse(truthFile);
  ASSERT_TRUE(data->log.hasSessions());
  EXPECT_EQ(data->log.numSessions(), truth.at("counts").at("sessions").get<int>());
  for (const char* model : {"session_pop", "sknn"}) {
    for (const char* kind : {"session_time", "session_random"}) {
      auto j = retailRocketConfig(model);
      j["split"] = {{"kind", kind}, {"test_days", 7}, {"test_ratio", 0.2}};
      j["preprocess"] = {{"min_session_length", 2}, {"dedup", "consecutive"}};
      const auto c = ExperimentConfig::fromJson(j);
      LinesObserver lines;
      const auto out = executeRun(c, m_db, std::nullopt, lines, stop, data);
      ASSERT_EQ(out.status, store::RunStatus::Finished)
          << model << " " << kind << ": " << out.error;
      EXPECT_GT(out.metrics.at("hit_rate@20"), 0.0) << model << " " << kind;
      EXPECT_LE(out.metrics.at("hit_rate@20"), 1.0);
      EXPECT_FALSE(out.metrics.count("leaky_preprocessing"));
      EXPECT_TRUE(lines.has(LogLevel::Info, "min_session_length 2: kept"));
      EXPECT_TRUE(lines.has(LogLevel::Info, "dedup consecutive: dropped"));
      EXPECT_FALSE(lines.has(LogLevel::Warning, "LEAKY"));
    }
  }
}

TEST_F(SessionPreprocessRunnerTest, ClassicSrgnnIsFlaggedLeakyOnTheStoredRun) {
  StopToken stop;
  json j = {{"dataset", {{"format", "yoochoose"}, {"path", kClicks}}},
            {"split", {{"kind", "session_time"}, {"test_days", 1}}},
            {"model", {{"name", "session_pop"}}},
            {"preprocess", {{"classic_srgnn", true}}},
            {"seed", 0},
            {"threads", 2}};
  const auto c = ExperimentConfig::fromJson(j);
  LinesObserver lines;
  const auto out = executeRun(c, m_db, std::nullopt, lines, stop, nullptr);
  ASSERT_EQ(out.status, store::RunStatus::Finished) << out.error;
  EXPECT_DOUBLE_EQ(out.metrics.at("leaky_preprocessing"), 1.0);
  EXPECT_TRUE(lines.has(LogLevel::Warning, "preprocess.classic_srgnn is LEAKY"));
  EXPECT_TRUE(lines.has(LogLevel::Info, "classic_srgnn (LEAKY"));
  store::Store st(m_db);
  EXPECT_DOUBLE_EQ(st.metrics(out.runId).at("leaky_preprocessing"), 1.0);
  const auto stored = ExperimentConfig::fromJson(json::parse(st.run(out.runId)->configJson));
  EXPECT_TRUE(stored.preprocess.classicSrgnn);
}

}  // namespace
}  // namespace reclab::experiment
