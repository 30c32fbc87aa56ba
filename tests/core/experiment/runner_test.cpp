#include "experiment/runner.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/errors.h"
#include "experiment/inspect.h"
#include "store/store.h"
#include "test_data.h"
#include "support/experiment_fixtures.h"

namespace reclab::experiment {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class RunnerTest : public reclab::testing::TempStoreTest {
 protected:
  void SetUp() override {
    TempStoreTest::SetUp();
    std::ofstream(m_dir / "u.data") << "placeholder: data is preloaded in memory\n";
    auto result = std::make_shared<data::LoadResult>();
    result->log = testdata::plantedRatings(120, 60, 20, 0.3, 4);
    result->format = data::Format::MovieLens;
    m_data = result;
  }

  ExperimentConfig config(const json& model, const json& split,
                          const json& metrics = {"rmse", "mae", "recall"}) {
    json j = {{"dataset", {{"format", "movielens"}, {"path", (m_dir / "u.data").string()}}},
              {"split", split},
              {"model", model},
              {"eval", {{"metrics", metrics}, {"k", {10}}}},
              {"seed", 1},
              {"threads", 1}};
    return ExperimentConfig::fromJson(j);
  }

  std::shared_ptr<const data::LoadResult> m_data;
};

TEST_F(RunnerTest, StoresCurvesMetricsAndArtifacts) {
  auto c = config({{"name", "torch_mf"}, {"params", {{"factors", 4}, {"epochs", 3}}}},
                  {{"kind", "random"}, {"test_ratio", 0.2}, {"valid_ratio", 0.1}});
  StopToken stop;
  auto out = executeRun(c, m_db, std::nullopt, nullObserver(), stop, m_data);
  ASSERT_EQ(out.status, store::RunStatus::Finished) << out.error;
  EXPECT_GT(out.metrics.at("rmse"), 0.0);
  EXPECT_GT(out.metrics.at("mae"), 0.0);
  EXPECT_TRUE(out.metrics.count("recall@10"));
  store::Store st(m_db);
  auto run = st.run(out.runId);
  ASSERT_TRUE(run);
  EXPECT_EQ(run->status, store::RunStatus::Finished);
  EXPECT_EQ(run->epochsDone, 3);
  EXPECT_FALSE(run->startedAt.empty());
  EXPECT_NE(run->versionsJson.find("libtorch"), std::string::npos);
  int valPoints = 0;
  for (const auto& p : st.curve(out.runId)) valPoints += p.metric == "val_rmse";
  EXPECT_EQ(valPoints, 3);
  EXPECT_DOUBLE_EQ(st.metrics(out.runId).at("rmse"), out.metrics.at("rmse"));
  EXPECT_TRUE(st.artifact(out.runId, "model.bin").has_value());
  EXPECT_TRUE(st.artifact(out.runId, "per_user_metrics.json").has_value());
}

TEST_F(RunnerTest, KFoldStoresEveryFoldAndMeanAndStd) {
  auto c = config({{"name", "torch_mf"}, {"params", {{"factors", 4}, {"epochs", 2}}}},
                  {{"kind", "kfold"}, {"folds", 3}});
  StopToken stop;
  auto out = executeRun(c, m_db, std::nullopt, nullObserver(), stop, m_data);
  ASSERT_EQ(out.status, store::RunStatus::Finished) << out.error;
  EXPECT_TRUE(out.metrics.count("rmse"));
  EXPECT_TRUE(out.metrics.count("rmse_std"));
  store::Store st(m_db);
  int children = 0;
  for (const auto& r : st.runs()) children += r.parentRunId == out.runId;
  EXPECT_EQ(children, 3);
}

TEST_F(RunnerTest, EarlyStoppingEndsAnOverfittingRunAsFinished) {
  // No regularisation and a large learning rate: validation RMSE turns up within a few epochs.
  auto c = config({{"name", "torch_mf"},
                   {"params", {{"factors", 32}, {"epochs", 200}, {"reg", 0.0}, {"lr", 0.05}}}},
                  {{"kind", "random"}, {"valid_ratio", 0.2}});
  c.earlyStopping.metric = "val_rmse";
  c.earlyStopping.patience = 2;
  StopToken stop;
  auto out = executeRun(c, m_db, std::nullopt, nullObserver(), stop, m_data);
  ASSERT_EQ(out.status, store::RunStatus::Finished) << out.error;
  store::Store st(m_db);
  EXPECT_LT(st.run(out.runId)->epochsDone, 50);
  EXPECT_GE(st.run(out.runId)->epochsDone, 3);
}

TEST_F(RunnerTest, LeaveLastNWithItemSupportFilterRuns) {
  auto c = config({{"name", "popularity"}}, {{"kind", "leave_last_n"}, {"n", 2}}, {"recall", "hit_rate"});
  c.preprocess.minItemSupport = 3;
  StopToken stop;
  auto out = executeRun(c, m_db, std::nullopt, nullObserver(), stop, m_data);
  ASSERT_EQ(out.status, store::RunStatus::Finished) << out.error;
  // 120 users, each with 2 test rows: every user is evaluated, hit rate is a valid share.
  EXPECT_GE(out.metrics.at("hit_rate@10"), 0.0);
  EXPECT_LE(out.metrics.at("hit_rate@10"), 1.0);
}

TEST_F(RunnerTest, ReopenedRunRecommendsUnseenItemsAndMarksHits) {
  auto c = config({{"name", "torch_mf"}, {"params", {{"factors", 4}, {"epochs", 2}}}},
                  {{"kind", "kfold"}, {"folds", 3}});
  StopToken stop;
  auto out = executeRun(c, m_db, std::nullopt, nullObserver(), stop, m_data);
  ASSERT_EQ(out.status, store::RunStatus::Finished) << out.error;
  store::Store st(m_db);
  // The k-fold parent stores no model; its second fold does, and reopens with fold 1's split.
  EXPECT_THROW(openRun(st, out.runId, nullObserver(), stop, m_data), InputError);
  std::int64_t fold2 = 0;
  for (const auto& r : st.runs())
    if (r.parentRunId == out.runId && r.name.find("fold 2") != std::string::npos) fold2 = r.id;
  ASSERT_GT(fold2, 0);
  auto run = openRun(st, fold2, nullObserver(), stop, m_data);
  EXPECT_EQ(run.config.split.fold, 1);
  EXPECT_EQ(run.split.test, split::kfoldSplit(m_data->log, 3, 1, 0.0, 1).test);
  for (std::int32_t u = 0; u < 20; ++u) {
    auto recs = recommendFor(run, u, 10);
    ASSERT_EQ(recs.size(), 10u);
    const auto& seen = run.trainItems[static_cast<std::size_t>(u)];
    const auto& test = run.testItems[static_cast<std::size_t>(u)];
    for (const auto& r : recs) {
      EXPECT_FALSE(std::binary_search(seen.begin(), seen.end(), r.item)) << "seen item recommended";
      EXPECT_EQ(r.hit, std::binary_search(test.begin(), test.end(), r.item));
    }
    // Without filtering the list may contain training items.
    EXPECT_EQ(recommendFor(run, u, 10, false).size(), 10u);
  }
}

TEST_F(RunnerTest, EarlyStoppingAlsoEndsClassicModels) {
  // SVD without regularisation at a high learning rate overfits the small planted set quickly.
  auto c = config({{"name", "svd"},
                   {"params", {{"n_factors", 50}, {"n_epochs", 300}, {"lr_all", 0.05},
                               {"reg_all", 0.0}}}},
                  {{"kind", "random"}, {"valid_ratio", 0.2}}, {"rmse"});
  c.earlyStopping.metric = "val_rmse";
  c.earlyStopping.patience = 3;
  StopToken stop;
  auto out = executeRun(c, m_db, std::nullopt, nullObserver(), stop, m_data);
  ASSERT_EQ(out.status, store::RunStatus::Finished) << out.error;
  store::Store st(m_db);
  EXPECT_LT(st.run(out.runId)->epochsDone, 100);
}

struct StopAfterFirstBatch : Observer {
  explicit StopAfterFirstBatch(StopToken t) : token(std::move(t)) {}
  void onBatch(const TrainingReport&) override { token.requestStop(); }
  StopToken token;
};

TEST_F(RunnerTest, CancelledRunIsStoredAsCancelled) {
  auto c = config({{"name", "torch_mf"}, {"params", {{"epochs", 500}}}}, {{"kind", "random"}});
  StopToken stop;
  StopAfterFirstBatch obs(stop);
  auto out = executeRun(c, m_db, std::nullopt, obs, stop, m_data);
  EXPECT_EQ(out.status, store::RunStatus::Cancelled);
  store::Store st(m_db);
  EXPECT_EQ(st.run(out.runId)->status, store::RunStatus::Cancelled);
  EXPECT_LT(st.run(out.runId)->epochsDone, 500);
}

TEST_F(RunnerTest, MissingDatasetFailsWithAPreciseMessage) {
  auto c = config({{"name", "popularity"}}, {{"kind", "random"}}, {"recall"});
  c.dataset.paths = {(m_dir / "absent.data").string()};
  StopToken stop;
  auto out = executeRun(c, m_db, std::nullopt, nullObserver(), stop);
  EXPECT_EQ(out.status, store::RunStatus::Failed);
  EXPECT_NE(out.error.find("absent.data: no such file"), std::string::npos) << out.error;
  store::Store st(m_db);
  EXPECT_EQ(st.run(out.runId)->errorText, out.error);
}

}  // namespace
}  // namespace reclab::experiment
