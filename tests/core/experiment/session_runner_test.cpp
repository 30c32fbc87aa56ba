// Session next-item models in the experiment config and the runner: defaults, validation,
// and runs over the bundled Yoochoose sample with each session baseline.

#include <gtest/gtest.h>

#include <filesystem>

#include "common/errors.h"
#include "experiment/config.h"
#include "experiment/inspect.h"
#include "experiment/runner.h"
#include "store/store.h"
#include "support/experiment_fixtures.h"

namespace reclab::experiment {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const std::string kClicks =
    std::string(RECLAB_SOURCE_DIR) + "/datasets/yoochoose-sample/yoochoose-clicks.dat";

json sessionConfig(const std::string& model, const json& eval = json::object()) {
  json j = {{"dataset", {{"format", "yoochoose"}, {"path", kClicks}}},
            {"split", {{"kind", "session_time"}, {"test_days", 1}}},
            {"model", {{"name", model}}},
            {"seed", 0},
            {"threads", 2}};
  if (!eval.empty()) j["eval"] = eval;
  return j;
}

using reclab::testing::configErrorOf;

TEST(SessionConfig, DefaultsForSessionModels) {
  const auto c = ExperimentConfig::fromJson(sessionConfig("sknn"));
  EXPECT_EQ(c.eval.metrics, (std::vector<std::string>{"recall", "mrr", "hit_rate"}));
  EXPECT_EQ(c.eval.ks, (std::vector<int>{1, 5, 10, 20}));
  EXPECT_FALSE(c.eval.maskSeen);  // re-clicks are legal next clicks
  EXPECT_EQ(c.eval.protocol, "next_item");
  EXPECT_FALSE(c.eval.trainItemsOnly);
  // Round trip keeps the session keys.
  const auto back = ExperimentConfig::fromJson(c.toJson());
  EXPECT_EQ(back.eval.protocol, "next_item");
  EXPECT_EQ(back.eval.ks, c.eval.ks);
  EXPECT_FALSE(back.eval.maskSeen);
}

TEST(SessionConfig, ProtocolAndFilterAreParsedAndChecked) {
  const auto c = ExperimentConfig::fromJson(sessionConfig(
      "s_pop", {{"protocol", "thesis"}, {"train_items_only", true}, {"mask_seen", true}}));
  EXPECT_EQ(c.eval.protocol, "thesis");
  EXPECT_TRUE(c.eval.trainItemsOnly);
  EXPECT_TRUE(c.eval.maskSeen);
  EXPECT_EQ(ExperimentConfig::fromJson(c.toJson()).eval.protocol, "thesis");
  EXPECT_EQ(configErrorOf(sessionConfig("sknn", {{"protocol", "last_click"}})),
            "config: eval.protocol must be 'next_item' or 'thesis', got 'last_click'");
  EXPECT_EQ(configErrorOf(sessionConfig("sknn", {{"metrics", {"recall", "ndcg"}}})),
            "config: eval.metrics asks for 'ndcg' but session next-item model 'sknn' is "
            "evaluated with recall, mrr and hit_rate only");
  auto ranking = sessionConfig("popularity", {{"protocol", "thesis"}});
  EXPECT_EQ(configErrorOf(ranking),
            "config: eval.protocol applies to session next-item models only; model "
            "'popularity' is a ranking model");
  // A ranking model's config does not gain the session keys.
  const auto pop = ExperimentConfig::fromJson(sessionConfig("popularity"));
  EXPECT_FALSE(pop.toJson().at("eval").contains("protocol"));
}

class SessionRunnerTest : public reclab::testing::TempStoreTest {
};

TEST_F(SessionRunnerTest, EachBaselineRunsEndToEndOnTheYoochooseSample) {
  StopToken stop;
  std::shared_ptr<const data::LoadResult> data;
  std::map<std::string, double> recall20;
  for (const char* model : {"session_pop", "s_pop", "session_item_knn", "sknn"}) {
    const auto c = ExperimentConfig::fromJson(sessionConfig(model));
    if (!data) data = loadForConfig(c, nullObserver(), stop);
    const auto out = executeRun(c, m_db, std::nullopt, nullObserver(), stop, data);
    ASSERT_EQ(out.status, store::RunStatus::Finished) << model << ": " << out.error;
    for (const char* m : {"recall@1", "recall@20", "mrr@20", "hit_rate@20"})
      EXPECT_TRUE(out.metrics.count(m)) << model << " lacks " << m;
    EXPECT_DOUBLE_EQ(out.metrics.at("recall@20"), out.metrics.at("hit_rate@20"));
    recall20[model] = out.metrics.at("recall@20");

    store::Store st(m_db);
    const auto perUnit = st.artifact(out.runId, "per_user_metrics.json");
    ASSERT_TRUE(perUnit.has_value());
    const auto j = json::parse(*perUnit);
    EXPECT_EQ(j.at("unit"), "prefix");
    const auto n = j.at("users").size();
    EXPECT_GT(n, 100U);
    EXPECT_EQ(j.at("values").at("recall@20").size(), n);
    double mean = 0;
    for (const auto& v : j.at("values").at("recall@20")) mean += v.get<double>();
    EXPECT_NEAR(mean / static_cast<double>(n), out.metrics.at("recall@20"), 1e-9);
    const auto summary = st.artifact(out.runId, "session_evaluation.json");
    ASSERT_TRUE(summary.has_value());
    EXPECT_EQ(json::parse(*summary).at("units"), n);

    // The stored model reopens and scores like the trained one did.
    const auto opened = openRun(st, out.runId, nullObserver(), stop, data);
    const auto* sr = dynamic_cast<const models::SessionRecommender*>(opened.model.get());
    ASSERT_NE(sr, nullptr);
    EXPECT_EQ(sr->numItems(), data->log.numItems());
  }
  EXPECT_GT(recall20.at("sknn"), recall20.at("session_pop"));
  EXPECT_GT(recall20.at("session_item_knn"), recall20.at("session_pop"));
}

TEST_F(SessionRunnerTest, ThesisProtocolEvaluatesLongSessionsOnly) {
  StopToken stop;
  const auto c = ExperimentConfig::fromJson(
      sessionConfig("session_item_knn", {{"protocol", "thesis"}, {"k", {5, 20}}}));
  const auto out = executeRun(c, m_db, std::nullopt, nullObserver(), stop, nullptr);
  ASSERT_EQ(out.status, store::RunStatus::Finished) << out.error;
  EXPECT_TRUE(out.metrics.count("recall@5"));
  EXPECT_TRUE(out.metrics.count("hit_rate@20"));
  EXPECT_GE(out.metrics.at("hit_rate@20"), out.metrics.at("recall@20"));  // ACCs >= recall
  store::Store st(m_db);
  const auto summary = json::parse(*st.artifact(out.runId, "session_evaluation.json"));
  EXPECT_EQ(summary.at("protocol"), "thesis");
  EXPECT_GT(summary.at("skipped_short_sessions").get<int>(), 0);  // mean length is about 4
  EXPECT_EQ(summary.at("evaluated_sessions"), summary.at("units"));
  const auto j = json::parse(*st.artifact(out.runId, "per_user_metrics.json"));
  EXPECT_EQ(j.at("unit"), "session");
}

}  // namespace
}  // namespace reclab::experiment
