// The runner with the neural models: pretrained embeddings from another run, the
// classification report of a classifier, the cold-start breakdown of a regressor, presets whose
// runs start from an earlier run's embeddings.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/errors.h"
#include "experiment/preset.h"
#include "experiment/runner.h"
#include "store/store.h"
#include "support/experiment_fixtures.h"

namespace reclab::experiment {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string datasetDir(const std::string& name) {
  return std::string(RECLAB_SOURCE_DIR) + "/datasets/" + name;
}

class NeuralRunnerTest : public reclab::testing::TempStoreTest {
 protected:
  RunOutcome run(const json& j) {
    StopToken stop;
    return executeRun(ExperimentConfig::fromJson(j), m_db, std::nullopt, nullObserver(), stop);
  }

};

json retailRocket(const json& model, const json& metrics) {
  return {{"dataset", {{"format", "retailrocket"}, {"path", datasetDir("retailrocket-sample")}}},
          {"split", {{"kind", "random"}, {"test_ratio", 0.2}, {"valid_ratio", 0.1}}},
          {"model", model},
          {"eval", {{"metrics", metrics}, {"k", {10}}}},
          {"seed", 1},
          {"threads", 1}};
}

const json kSmallHybrid = {{"epochs", 1}, {"conv_filters", 4}, {"dense_layers", "32,16"},
                           {"continuous_units", 8}};

TEST_F(NeuralRunnerTest, ClassifierOverAnotherRunsEmbeddingsStoresItsReport) {
  auto lightfm = run(retailRocket({{"name", "lightfm"}, {"params", {{"no_components", 8}, {"epochs", 2}}}},
                                  {"precision"}));
  ASSERT_EQ(lightfm.status, store::RunStatus::Finished) << lightfm.error;
  json params = kSmallHybrid;
  params["embeddings_run"] = lightfm.runId;
  auto hybrid = run(retailRocket({{"name", "hybrid_cnn"}, {"params", params}},
                                 {"accuracy", "auc", "log_loss", "macro_f1"}));
  ASSERT_EQ(hybrid.status, store::RunStatus::Finished) << hybrid.error;
  for (const char* m : {"accuracy", "auc", "log_loss", "macro_f1"}) EXPECT_TRUE(hybrid.metrics.count(m)) << m;
  store::Store st(m_db);
  auto report = json::parse(*st.artifact(hybrid.runId, "classification.json"));
  EXPECT_EQ(report["split"], "test");
  EXPECT_EQ(report["classes"], json({"view", "addtocart", "transaction"}));
  std::int64_t rows = 0;
  for (const auto& r : report["confusion"])
    for (const auto& v : r) rows += v.get<std::int64_t>();
  EXPECT_EQ(rows, report["rows"].get<std::int64_t>());
  EXPECT_NEAR(report["report"]["accuracy"].get<double>(), hybrid.metrics.at("accuracy"), 1e-12);
  // Validation passes were reported as curves.
  bool sawValAuc = false;
  for (const auto& p : st.curve(hybrid.runId)) sawValAuc = sawValAuc || p.metric == "val_auc";
  EXPECT_TRUE(sawValAuc);
}

TEST_F(NeuralRunnerTest, EmbeddingsOfAnotherDatasetAreRefused) {
  json ratings = {{"dataset", {{"format", "movielens"}, {"path", datasetDir("ratings-sample/u.data")}}},
                  {"split", {{"kind", "random"}, {"test_ratio", 0.2}}},
                  {"model", {{"name", "svd"}, {"params", {{"n_factors", 4}, {"n_epochs", 1}}}}},
                  {"eval", {{"metrics", {"rmse"}}}},
                  {"seed", 1}};
  auto svd = run(ratings);
  ASSERT_EQ(svd.status, store::RunStatus::Finished) << svd.error;
  json params = kSmallHybrid;
  params["embeddings_run"] = svd.runId;
  auto hybrid = run(retailRocket({{"name", "hybrid_cnn"}, {"params", params}}, {"accuracy"}));
  EXPECT_EQ(hybrid.status, store::RunStatus::Failed);
  EXPECT_NE(hybrid.error.find("was trained on another dataset"), std::string::npos) << hybrid.error;
  params["embeddings_run"] = 999;
  hybrid = run(retailRocket({{"name", "hybrid_cnn"}, {"params", params}}, {"accuracy"}));
  EXPECT_NE(hybrid.error.find("there is no run 999"), std::string::npos) << hybrid.error;
}

TEST_F(NeuralRunnerTest, RatingModelsReportTheColdStartBreakdown) {
  json j = {{"dataset", {{"format", "movielens"}, {"path", datasetDir("ratings-sample/u.data")}}},
            {"split", {{"kind", "temporal"}, {"test_ratio", 0.2}}},
            {"model", {{"name", "svd"}, {"params", {{"n_factors", 8}, {"n_epochs", 3}}}}},
            {"eval", {{"metrics", {"rmse", "mae", "r2"}}}},
            {"seed", 1}};
  auto svd = run(j);
  ASSERT_EQ(svd.status, store::RunStatus::Finished) << svd.error;
  const auto& m = svd.metrics;
  EXPECT_TRUE(m.count("r2"));
  // A global time cut leaves later users unseen in training: every part is reported.
  const double rows = m.at("rows_cold_user") + m.at("rows_cold_item") + m.at("rows_warm");
  EXPECT_GT(m.at("rows_cold_user"), 0);
  EXPECT_GT(m.at("rows_warm"), 0);
  EXPECT_GT(rows, 1000);
  EXPECT_TRUE(m.count("rmse_cold_user"));
  EXPECT_TRUE(m.count("rmse_warm"));
  // The total RMSE lies between its parts'.
  EXPECT_LE(std::min(m.at("rmse_warm"), m.at("rmse_cold_user")), m.at("rmse") + 1e-9);
  EXPECT_GE(std::max(m.at("rmse_warm"), m.at("rmse_cold_user")), m.at("rmse") - 1e-9);
  store::Store st(m_db);
  auto sample = json::parse(*st.artifact(svd.runId, "predictions_sample.json"));
  ASSERT_EQ(sample.size(), 200u);
  EXPECT_TRUE(sample[0].contains("actual"));
  EXPECT_TRUE(sample[0].contains("predicted"));
}

TEST_F(NeuralRunnerTest, ClassificationMetricsOnlyForClassifiers) {
  json j = retailRocket({{"name", "popularity"}}, {"accuracy"});
  try {
    ExperimentConfig::fromJson(j);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("asks for 'accuracy' but model 'popularity' is a ranking model"),
              std::string::npos)
        << e.what();
  }
  auto c = ExperimentConfig::fromJson(retailRocket({{"name", "hybrid_cnn"}}, json::array()));
  EXPECT_EQ(c.eval.metrics, (std::vector<std::string>{"accuracy", "auc", "log_loss", "macro_f1"}));
}

TEST_F(NeuralRunnerTest, PresetRunsStartFromAnEarlierRunsEmbeddings) {
  json first = retailRocket({{"name", "lightfm"}}, {"precision"});
  first["name"] = "embeddings";
  json second = retailRocket({{"name", "hybrid_cnn"}, {"params", kSmallHybrid}}, {"accuracy"});
  second["name"] = "classifier";
  second["embeddings_from"] = "embeddings";
  const auto path = (m_dir / "p.json").string();
  std::ofstream(path) << json{{"title", "t"}, {"runs", {first, second}}}.dump();
  auto preset = loadPreset(path);
  ASSERT_EQ(preset.embeddingsFrom, (std::vector<std::string>{"", "embeddings"}));
  EXPECT_EQ(preset.resolved(1, {{"embeddings", 42}}).model.params.at("embeddings_run"), 42);
  EXPECT_THROW(preset.resolved(1, {}), InputError);
  second["embeddings_from"] = "later";
  std::ofstream(path) << json{{"title", "t"}, {"runs", {first, second}}}.dump();
  try {
    loadPreset(path);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("runs[1]: embeddings_from: 'later' is not the name of an earlier run"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace reclab::experiment
