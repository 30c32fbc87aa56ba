// Incremental updates end to end: the bundled ratings sample split into two MovieLens files,
// the first trained by the runner, the second added with updateRun.

#include "experiment/update.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "common/errors.h"
#include "experiment/inspect.h"
#include "experiment/runner.h"
#include "models/classic/svd.h"
#include "store/store.h"
#include "support/experiment_fixtures.h"

namespace reclab::experiment {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

/// Users above kLastOldUser and items above kLastOldItem appear only in the second file.
constexpr int kLastOldUser = 850;
constexpr int kLastOldItem = 1650;

class UpdateTest : public reclab::testing::TempStoreTest {
 protected:
  void SetUp() override {
    TempStoreTest::SetUp();
    fs::create_directories(m_dir / "old");
    fs::create_directories(m_dir / "new");
    std::ifstream in(std::string(RECLAB_SOURCE_DIR) + "/datasets/ratings-sample/u.data");
    std::ofstream oldFile(m_dir / "old" / "u.data"), newFile(m_dir / "new" / "u.data");
    std::string line;
    while (std::getline(in, line)) {
      std::istringstream fields(line);
      int user = 0, item = 0;
      fields >> user >> item;
      const bool isNew = user > kLastOldUser || item > kLastOldItem;
      (isNew ? newFile : oldFile) << line << '\n';
      if (isNew) {
        ++m_newRows;
        m_newUsers.insert(user);
        m_newItems.insert(item);
      } else {
        m_oldUsers.insert(user);
        m_oldItems.insert(item);
      }
    }
  }

  /// Trains the parent run on the first file; returns its id.
  std::int64_t trainParent(const json& model) {
    json j = {{"name", "parent"},
              {"dataset", {{"format", "movielens"}, {"path", (m_dir / "old" / "u.data").string()}}},
              {"split", {{"kind", "random"}, {"test_ratio", 0.2}, {"valid_ratio", 0.05}}},
              {"model", model},
              {"eval", {{"metrics", {"rmse", "mae", "recall", "ndcg"}}, {"k", {10}}}},
              {"seed", 3},
              {"threads", 2}};
    if (model.at("name") != "svd") j["eval"]["metrics"] = {"recall", "ndcg"};
    StopToken stop;
    auto out = executeRun(ExperimentConfig::fromJson(j), m_db, std::nullopt, nullObserver(), stop);
    EXPECT_EQ(out.status, store::RunStatus::Finished) << out.error;
    return out.runId;
  }

  static json svdModel() {
    return {{"name", "svd"},
            {"params", {{"n_factors", 16}, {"n_epochs", 15}, {"lr_all", 0.01}, {"reg_all", 0.05}}}};
  }

  std::size_t countUnseen(const std::set<int>& added, const std::set<int>& old) const {
    std::size_t n = 0;
    for (int x : added) n += old.count(x) == 0;
    return n;
  }

  std::size_t m_newRows = 0;
  std::set<int> m_oldUsers, m_newUsers, m_oldItems, m_newItems;
};

/// Requests a stop at the first epoch report it sees.
class StopAtFirstEpoch : public Observer {
 public:
  explicit StopAtFirstEpoch(const StopToken& stop) : m_stop(stop) {}
  void onEpoch(const TrainingReport&) override { m_stop.requestStop(); }

 private:
  StopToken m_stop;
};

/// Keeps the log lines.
class LogLines : public Observer {
 public:
  void onLog(LogLevel, std::string_view m) override { lines.emplace_back(m); }
  bool has(const std::string& part) const {
    for (const auto& l : lines)
      if (l.find(part) != std::string::npos) return true;
    return false;
  }
  std::vector<std::string> lines;
};

TEST_F(UpdateTest, SvdUpdateRecordsAChildRunWithBeforeAndAfterMetrics) {
  const auto parentId = trainParent(svdModel());
  store::Store st(m_db);
  const auto parentMetrics = st.metrics(parentId);

  UpdateOptions opt;
  opt.paths = {(m_dir / "new" / "u.data").string()};
  opt.format = "movielens";
  opt.epochs = 2;
  StopToken stop;
  const auto out = updateRun(st, parentId, opt, nullObserver(), stop);
  ASSERT_EQ(out.status, store::RunStatus::Finished) << out.error;
  EXPECT_TRUE(out.incremental);
  EXPECT_EQ(out.rowsAdded, m_newRows);
  EXPECT_EQ(out.newTrainRows, m_newRows);
  EXPECT_EQ(out.replayRows, m_newRows);  // replay ratio 1: as many old rows as new
  EXPECT_EQ(static_cast<std::size_t>(out.usersAdded), countUnseen(m_newUsers, m_oldUsers));
  EXPECT_EQ(static_cast<std::size_t>(out.itemsAdded), countUnseen(m_newItems, m_oldItems));
  EXPECT_GT(out.usersAdded, 80);
  EXPECT_GT(out.itemsAdded, 10);
  EXPECT_GT(out.usersFoldedIn, out.usersAdded);  // old users with new items are folded in too

  // The run: a child of the parent, named after it, the parent's config plus "update".
  const auto run = st.run(out.runId);
  ASSERT_TRUE(run);
  EXPECT_EQ(run->parentRunId, parentId);
  EXPECT_EQ(run->name, "parent + update");
  EXPECT_EQ(run->status, store::RunStatus::Finished);
  EXPECT_EQ(run->modelName, "svd");
  const auto config = json::parse(run->configJson);
  EXPECT_EQ(config.at("update").at("parent_run"), parentId);
  EXPECT_EQ(config.at("update").at("epochs"), 2);
  EXPECT_EQ(config.at("update").at("format"), "movielens");
  EXPECT_EQ(config.at("model"), json::parse(st.run(parentId)->configJson).at("model"));

  // BEFORE = the parent's own metrics (same model, same test rows, same metric set).
  const auto metrics = st.metrics(out.runId);
  for (const char* m : {"rmse", "mae", "recall@10", "ndcg@10"}) {
    ASSERT_TRUE(metrics.count(m)) << m;
    ASSERT_TRUE(metrics.count(std::string("before_") + m)) << m;
    EXPECT_DOUBLE_EQ(metrics.at(std::string("before_") + m), parentMetrics.at(m)) << m;
    EXPECT_DOUBLE_EQ(metrics.at(m), out.after.at(m)) << m;
  }
  std::printf("parent test rows: rmse %.4f -> %.4f, recall@10 %.4f -> %.4f\n",
              metrics.at("before_rmse"), metrics.at("rmse"), metrics.at("before_recall@10"),
              metrics.at("recall@10"));
  // Fine-tuning on new rows with replay and folding in the users with new rows does not make
  // the old test rows worse.
  EXPECT_LT(metrics.at("rmse"), metrics.at("before_rmse") + 0.005);
  int epochs = 0;
  for (const auto& p : st.curve(out.runId)) epochs += p.metric == "train_rmse";
  EXPECT_EQ(epochs, 2);
  EXPECT_EQ(run->epochsDone, 2);
  for (const char* a : {"model.bin", "update_rows.csv", "update.json", "per_user_metrics.json"}) {
    EXPECT_TRUE(st.artifact(out.runId, a).has_value()) << a;
  }

  // The new run opens like any run, with the new users and items, and recommends for them.
  auto opened = openRun(st, out.runId, nullObserver(), stop);
  const auto& log = opened.data->log;
  EXPECT_EQ(static_cast<std::size_t>(log.numUsers()), m_oldUsers.size() + out.usersAdded);
  EXPECT_EQ(log.numRows(),
            openRun(st, parentId, nullObserver(), stop).data->log.numRows() + m_newRows);
  const auto* svd = dynamic_cast<const models::Svd*>(opened.model.get());
  ASSERT_NE(svd, nullptr);
  EXPECT_EQ(svd->numItems(), log.numItems());
  int checked = 0;
  for (int original : m_newUsers) {
    if (m_oldUsers.count(original)) continue;
    const auto user = log.users.find(std::to_string(original));
    ASSERT_TRUE(user.has_value());
    EXPECT_TRUE(svd->userKnown(*user));
    const auto& seen = opened.trainItems[static_cast<std::size_t>(*user)];
    EXPECT_FALSE(seen.empty());
    const auto recs = recommendFor(opened, *user, 10);
    ASSERT_EQ(recs.size(), 10u);
    for (const auto& r : recs) {
      EXPECT_FALSE(std::binary_search(seen.begin(), seen.end(), r.item));
    }
    if (++checked == 5) break;
  }
  EXPECT_EQ(checked, 5);
}

TEST_F(UpdateTest, HeldOutNewRowsAreScoredBeforeAndAfter) {
  const auto parentId = trainParent(svdModel());
  store::Store st(m_db);
  UpdateOptions opt;
  opt.paths = {(m_dir / "new").string()};  // a directory, format detected
  opt.epochs = 3;
  opt.newTestRatio = 0.25;
  opt.replayRatio = 0.5;
  StopToken stop;
  const auto out = updateRun(st, parentId, opt, nullObserver(), stop);
  ASSERT_EQ(out.status, store::RunStatus::Finished) << out.error;
  EXPECT_EQ(out.newTestRows, static_cast<std::uint32_t>(std::llround(0.25 * m_newRows)));
  EXPECT_EQ(out.newTrainRows + out.newTestRows, m_newRows);
  EXPECT_EQ(out.replayRows, static_cast<std::uint32_t>(std::llround(0.5 * out.newTrainRows)));
  ASSERT_TRUE(out.metrics.count("new_rmse"));
  ASSERT_TRUE(out.metrics.count("before_new_rmse"));
  // What the parent knew of the new users (biases of known items only) vs after the update.
  std::printf("held-out new rows: RMSE before %.4f after %.4f\n", out.metrics.at("before_new_rmse"),
              out.metrics.at("new_rmse"));
  EXPECT_LT(out.metrics.at("new_rmse"), out.metrics.at("before_new_rmse") - 0.02);

  // Reopened, the held-out rows are test rows and the others training rows.
  auto opened = openRun(st, out.runId, nullObserver(), stop);
  auto parent = openRun(st, parentId, nullObserver(), stop);
  EXPECT_EQ(opened.split.train.size(), parent.split.train.size() + out.newTrainRows);
  EXPECT_EQ(opened.split.test.size(), parent.split.test.size() + out.newTestRows);
  EXPECT_TRUE(std::is_sorted(opened.split.test.begin(), opened.split.test.end()));
}

TEST_F(UpdateTest, ModelsWithoutIncrementalAreRefitAndUpdatesChain) {
  const auto parentId = trainParent({{"name", "popularity"}});
  store::Store st(m_db);
  // Rows given in code: a new user "u-new" on two old items and one new item.
  auto rows = std::make_shared<data::InteractionLog>();
  rows->valueName = "rating";
  rows->internEvent("rating");
  for (const char* item : {"1", "2", "new-item"}) {
    rows->user.push_back(rows->users.intern("u-new"));
    rows->item.push_back(rows->items.intern(item));
    rows->value.push_back(4.0f);
    rows->timestamp.push_back(890000000000);
  }
  UpdateOptions opt;
  opt.rows = rows;
  opt.name = "popularity plus one user";
  LogLines logs;
  StopToken stop;
  const auto out = updateRun(st, parentId, opt, logs, stop);
  ASSERT_EQ(out.status, store::RunStatus::Finished) << out.error;
  EXPECT_FALSE(out.incremental);
  EXPECT_TRUE(logs.has("has no incremental update: refitting it from scratch"));
  EXPECT_EQ(out.usersAdded, 1);
  EXPECT_EQ(out.itemsAdded, 1);
  EXPECT_EQ(st.run(out.runId)->name, "popularity plus one user");
  EXPECT_TRUE(st.metrics(out.runId).count("before_recall@10"));
  EXPECT_EQ(json::parse(st.run(out.runId)->configJson).at("update").at("format"), "api");

  // An update of the update: the chain is rebuilt when the second one is opened.
  rows = std::make_shared<data::InteractionLog>(*rows);
  rows->users = {};
  rows->user.assign(3, rows->users.intern("u-newer"));
  opt.rows = rows;
  opt.name.clear();
  const auto second = updateRun(st, out.runId, opt, nullObserver(), stop);
  ASSERT_EQ(second.status, store::RunStatus::Finished) << second.error;
  EXPECT_EQ(st.run(second.runId)->parentRunId, out.runId);
  EXPECT_EQ(st.run(second.runId)->name, "popularity plus one user + update");
  EXPECT_EQ(second.itemsAdded, 0);  // "new-item" came with the first update
  auto opened = openRun(st, second.runId, nullObserver(), stop);
  const auto& log = opened.data->log;
  EXPECT_TRUE(log.users.find("u-new").has_value());
  EXPECT_TRUE(log.users.find("u-newer").has_value());
  const auto newItem = log.items.find("new-item");
  ASSERT_TRUE(newItem.has_value());
  // Popularity refit on old + new training rows: one interaction of each new user on
  // "new-item", and two more on item "1" than the parent counted.
  models::ScoreMatrix scores, parentScores;
  dynamic_cast<const models::Recommender&>(*opened.model).scoreUsers({0}, scores);
  auto parent = openRun(st, parentId, nullObserver(), stop);
  dynamic_cast<const models::Recommender&>(*parent.model).scoreUsers({0}, parentScores);
  EXPECT_EQ(scores(0, *newItem), 2.0f);
  const auto item1 = *log.items.find("1");
  EXPECT_EQ(scores(0, item1), parentScores(0, item1) + 2.0f);
  EXPECT_EQ(recommendFor(opened, *log.users.find("u-newer"), 5).size(), 5u);
}

TEST_F(UpdateTest, BadInputRecordsNothing) {
  const auto parentId = trainParent(svdModel());
  store::Store st(m_db);
  const auto runsBefore = st.runs().size();
  StopToken stop;
  UpdateOptions opt;
  opt.paths = {(m_dir / "new" / "u.data").string()};
  opt.format = "movielens";
  EXPECT_THROW(updateRun(st, 999, opt, nullObserver(), stop), InputError);
  opt.epochs = -1;
  try {
    updateRun(st, parentId, opt, nullObserver(), stop);
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "update: epochs must be >= 0, got -1");
  }
  // Rows without the rating column the dataset has.
  auto rows = std::make_shared<data::InteractionLog>();
  rows->user = {rows->users.intern("1")};
  rows->item = {rows->items.intern("1")};
  rows->timestamp.push_back(0);
  UpdateOptions apiOpt;
  apiOpt.rows = rows;
  try {
    updateRun(st, parentId, apiOpt, nullObserver(), stop);
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("the added rows have none"), std::string::npos)
        << e.what();
  }
  opt.epochs = 1;
  opt.paths = {(m_dir / "missing.data").string()};
  EXPECT_THROW(updateRun(st, parentId, opt, nullObserver(), stop), InputError);
  EXPECT_EQ(st.runs().size(), runsBefore);
}

TEST_F(UpdateTest, CancelledUpdateIsStoredAsCancelledWithItsBeforeMetrics) {
  const auto parentId = trainParent(svdModel());
  store::Store st(m_db);
  UpdateOptions opt;
  opt.paths = {(m_dir / "new" / "u.data").string()};
  opt.format = "movielens";
  opt.epochs = 5;
  StopToken stop;
  StopAtFirstEpoch obs(stop);
  const auto out = updateRun(st, parentId, opt, obs, stop);
  EXPECT_EQ(out.status, store::RunStatus::Cancelled);
  EXPECT_EQ(st.run(out.runId)->status, store::RunStatus::Cancelled);
  EXPECT_EQ(st.run(out.runId)->epochsDone, 1);
  const auto metrics = st.metrics(out.runId);
  EXPECT_TRUE(metrics.count("before_rmse"));
  EXPECT_FALSE(metrics.count("rmse"));
  EXPECT_FALSE(st.artifact(out.runId, "model.bin").has_value());
}

TEST(UpdateSpec, RoundTripsThroughTheConfigAndIsValidated) {
  json j = {{"dataset", {{"format", "movielens"}, {"path", "/data/u.data"}}},
            {"model", {{"name", "svd"}}},
            {"update",
             {{"parent_run", 7},
              {"paths", {"/data/new.data"}},
              {"format", "movielens"},
              {"epochs", 2},
              {"replay_ratio", 0.5},
              {"fold_in", false},
              {"seed", 3}}}};
  const auto c = ExperimentConfig::fromJson(j);
  ASSERT_TRUE(c.update);
  EXPECT_EQ(c.update->parentRun, 7);
  EXPECT_EQ(c.update->paths, std::vector<std::string>{"/data/new.data"});
  EXPECT_EQ(c.update->epochs, 2);
  EXPECT_EQ(c.update->replayRatio, 0.5);
  EXPECT_FALSE(c.update->foldIn);
  EXPECT_EQ(c.update->newTestRatio, 0.0);
  EXPECT_EQ(ExperimentConfig::fromJson(c.toJson()).toJson(), c.toJson());
  EXPECT_FALSE(
      ExperimentConfig::fromJson({{"dataset", {{"path", "/u.data"}}}, {"model", {{"name", "svd"}}}})
          .toJson()
          .contains("update"));

  j["update"]["replay_ratio"] = -1;
  try {
    ExperimentConfig::fromJson(j);
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "config: update.replay_ratio must be a number >= 0, got -1");
  }
  j["update"].erase("replay_ratio");
  j["update"].erase("parent_run");
  EXPECT_THROW(ExperimentConfig::fromJson(j), InputError);
}

}  // namespace
}  // namespace reclab::experiment
