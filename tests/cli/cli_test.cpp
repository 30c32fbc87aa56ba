// End-to-end tests of reclab-cli: synth -> stats -> run -> list / show, and the exit codes.

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <sys/wait.h>

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct Result {
  int code = -1;
  std::string out;
};

/// Runs reclab-cli with `args`; stdout is captured, stderr goes to `errFile`.
Result cli(const std::string& args, const fs::path& errFile) {
  std::string cmd = std::string(RECLAB_CLI) + " " + args + " 2>" + errFile.string();
  Result r;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf{};
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = fs::temp_directory_path() /
            ("reclab_cli_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(m_dir);
    fs::create_directories(m_dir);
    m_err = m_dir / "stderr.txt";
  }
  void TearDown() override { fs::remove_all(m_dir); }
  fs::path m_dir, m_err;
};

TEST_F(CliTest, SynthStatsRunListShow) {
  auto data = m_dir / "ml";
  auto r = cli("synth ratings --out " + data.string() +
                   " --seed 3 --set users=80 --set items=60 --set ratings_per_user=25",
               m_err);
  ASSERT_EQ(r.code, 0) << slurp(m_err);
  ASSERT_TRUE(fs::exists(data / "u.data"));

  r = cli("stats --format movielens " + (data / "u.data").string(), m_err);
  ASSERT_EQ(r.code, 0) << slurp(m_err);
  auto stats = json::parse(r.out);
  EXPECT_EQ(stats.at("n_users"), 80);
  EXPECT_LE(stats.at("n_items").get<int>(), 60);
  auto ground = json::parse(slurp(data / "ground_truth.json"));
  EXPECT_EQ(stats.at("n_events"), ground.at("ratings"));
  EXPECT_EQ(stats.at("n_sessions"), 0);
  EXPECT_TRUE(stats.contains("events_by_type"));

  json config = {{"dataset", {{"format", "movielens"}, {"path", "ml/u.data"}}},
                 {"split", {{"kind", "random"}, {"test_ratio", 0.2}, {"valid_ratio", 0.1}}},
                 {"model", {{"name", "torch_mf"}, {"params", {{"factors", 8}, {"epochs", 3}}}}},
                 {"eval", {{"metrics", {"rmse", "mae", "recall"}}, {"k", {10}}}},
                 {"seed", 0},
                 {"threads", 1}};
  std::ofstream(m_dir / "config.json") << config.dump(2);
  auto db = (m_dir / "runs.sqlite").string();
  r = cli("run " + (m_dir / "config.json").string() + " --db " + db + " --quiet", m_err);
  ASSERT_EQ(r.code, 0) << slurp(m_err);
  auto outcome = json::parse(r.out);
  EXPECT_EQ(outcome.at("status"), "finished");
  EXPECT_GT(outcome.at("metrics").at("rmse").get<double>(), 0.3);
  EXPECT_LT(outcome.at("metrics").at("rmse").get<double>(), 2.0);
  EXPECT_TRUE(outcome.at("metrics").contains("recall@10"));

  r = cli("list --db " + db, m_err);
  ASSERT_EQ(r.code, 0) << slurp(m_err);
  auto runs = json::parse(r.out);
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].at("status"), "finished");

  r = cli("show " + std::to_string(outcome.at("run_id").get<long long>()) + " --db " + db, m_err);
  ASSERT_EQ(r.code, 0) << slurp(m_err);
  auto shown = json::parse(r.out);
  EXPECT_EQ(shown.at("curves").at("val_rmse").size(), 3u);
  EXPECT_EQ(shown.at("config").at("model").at("params").at("factors"), 8);
  EXPECT_EQ(shown.at("versions").at("threads"), 1);

  const std::string run = std::to_string(outcome.at("run_id").get<long long>());
  r = cli("recommend " + run + " --db " + db + " --user 1 --n 7", m_err);
  ASSERT_EQ(r.code, 0) << slurp(m_err);
  auto rec = json::parse(r.out);
  EXPECT_EQ(rec.at("recommendations").size(), 7u);
  EXPECT_TRUE(rec.at("filter_seen").get<bool>());
  EXPECT_GT(rec.at("training_items").get<int>(), 0);

  r = cli("similar " + run + " --db " + db + " --item 1 --n 4", m_err);
  ASSERT_EQ(r.code, 0) << slurp(m_err);
  auto sim = json::parse(r.out).at("similar");
  ASSERT_EQ(sim.size(), 4u);
  EXPECT_GE(sim[0].at("cosine").get<double>(), sim[3].at("cosine").get<double>());

  r = cli("cluster " + run + " --db " + db + " --of users --k 3", m_err);
  ASSERT_EQ(r.code, 0) << slurp(m_err);
  auto clusters = json::parse(r.out);
  long long total = 0;
  for (const auto& size : clusters.at("sizes")) total += size.get<long long>();
  EXPECT_EQ(total, 80);
  r = cli("show " + run + " --db " + db, m_err);
  EXPECT_NE(r.out.find("kmeans_users.json"), std::string::npos);

  r = cli("recommend " + run + " --db " + db + " --user nobody", m_err);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(slurp(m_err).find("no user with id 'nobody'"), std::string::npos);
}

TEST_F(CliTest, BadInputExitsWithTwoAndAMessage) {
  auto r = cli("stats --format movielens " + (m_dir / "absent.data").string(), m_err);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(slurp(m_err).find("absent.data: no such file"), std::string::npos) << slurp(m_err);

  r = cli("stats --format parquet x", m_err);
  EXPECT_EQ(r.code, 2);

  std::ofstream(m_dir / "bad.json") << R"({"dataset": {"path": "u.data"}, "model": {"name": "torch_mf", "params": {"factors": 0}}})";
  r = cli("run " + (m_dir / "bad.json").string() + " --db " + (m_dir / "r.sqlite").string(), m_err);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(slurp(m_err).find("parameter 'factors' must be an integer in [1, 1024], got 0"),
            std::string::npos)
      << slurp(m_err);

  std::ofstream(m_dir / "broken.json") << "{not json";
  r = cli("run " + (m_dir / "broken.json").string() + " --db " + (m_dir / "r.sqlite").string(), m_err);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(slurp(m_err).find("not valid JSON"), std::string::npos);

  r = cli("show 42 --db " + (m_dir / "r.sqlite").string(), m_err);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(slurp(m_err).find("no run with id 42"), std::string::npos);

  r = cli("frobnicate", m_err);
  EXPECT_EQ(r.code, 2);
}

TEST_F(CliTest, UpdateAddsNewInteractionsAsAChildRun) {
  auto data = m_dir / "ml";
  auto r = cli("synth ratings --out " + data.string() +
                   " --seed 4 --set users=120 --set items=80 --set ratings_per_user=25",
               m_err);
  ASSERT_EQ(r.code, 0) << slurp(m_err);
  // Users 1..100 are trained; the ratings of users 101..120 arrive later.
  fs::create_directories(m_dir / "old");
  fs::create_directories(m_dir / "new");
  {
    std::ifstream in(data / "u.data");
    std::ofstream oldFile(m_dir / "old" / "u.data"), newFile(m_dir / "new" / "u.data");
    std::string line;
    while (std::getline(in, line)) (std::stoi(line) > 100 ? newFile : oldFile) << line << '\n';
  }
  json config = {{"name", "svd base"},
                 {"dataset", {{"format", "movielens"}, {"path", "old/u.data"}}},
                 {"split", {{"kind", "random"}, {"test_ratio", 0.2}}},
                 {"model", {{"name", "svd"}, {"params", {{"n_factors", 8}, {"n_epochs", 10}}}}},
                 {"eval", {{"metrics", {"rmse", "recall"}}, {"k", {10}}}},
                 {"seed", 0},
                 {"threads", 1}};
  std::ofstream(m_dir / "config.json") << config.dump(2);
  const auto db = (m_dir / "runs.sqlite").string();
  r = cli("run " + (m_dir / "config.json").string() + " --db " + db + " --quiet", m_err);
  ASSERT_EQ(r.code, 0) << slurp(m_err);
  const auto parent = std::to_string(json::parse(r.out).at("run_id").get<long long>());

  r = cli("update " + parent + " " + (m_dir / "new" / "u.data").string() +
              " --format movielens --epochs 3 --replay-ratio 0.5 --db " + db + " --quiet",
          m_err);
  ASSERT_EQ(r.code, 0) << slurp(m_err);
  auto out = json::parse(r.out);
  EXPECT_EQ(out.at("status"), "finished");
  EXPECT_EQ(std::to_string(out.at("parent_run_id").get<long long>()), parent);
  EXPECT_EQ(out.at("new_users"), 20);
  EXPECT_TRUE(out.at("incremental").get<bool>());
  EXPECT_EQ(out.at("users_folded_in"), 20);
  EXPECT_TRUE(out.at("before").contains("rmse"));
  EXPECT_TRUE(out.at("after").contains("recall@10"));
  EXPECT_TRUE(out.at("metrics").contains("before_recall@10"));
  const auto child = std::to_string(out.at("run_id").get<long long>());

  r = cli("show " + child + " --db " + db, m_err);
  ASSERT_EQ(r.code, 0) << slurp(m_err);
  auto shown = json::parse(r.out);
  EXPECT_EQ(std::to_string(shown.at("parent_run_id").get<long long>()), parent);
  EXPECT_EQ(shown.at("name"), "svd base + update");
  EXPECT_EQ(shown.at("config").at("update").at("replay_ratio"), 0.5);
  EXPECT_EQ(shown.at("curves").at("train_rmse").size(), 3u);

  // A user who arrived with the update is recommendable from the new run, not the parent.
  r = cli("recommend " + child + " --db " + db + " --user 110 --n 5", m_err);
  ASSERT_EQ(r.code, 0) << slurp(m_err);
  auto rec = json::parse(r.out);
  EXPECT_EQ(rec.at("recommendations").size(), 5u);
  EXPECT_GT(rec.at("training_items").get<int>(), 0);
  r = cli("recommend " + parent + " --db " + db + " --user 110", m_err);
  EXPECT_EQ(r.code, 2);

  // Bad input: exit code 2 with a message, nothing recorded.
  r = cli("update " + parent + " " + (m_dir / "absent.data").string() +
              " --format movielens --db " + db,
          m_err);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(slurp(m_err).find("absent.data"), std::string::npos) << slurp(m_err);
  r = cli("update 99 " + (m_dir / "new" / "u.data").string() + " --db " + db, m_err);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(slurp(m_err).find("no run with id 99"), std::string::npos) << slurp(m_err);
  r = cli(
      "update " + parent + " " + (m_dir / "new" / "u.data").string() + " --epochs -2 --db " + db,
      m_err);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(slurp(m_err).find("epochs must be >= 0, got -2"), std::string::npos) << slurp(m_err);
  r = cli("list --db " + db, m_err);
  EXPECT_EQ(json::parse(r.out).size(), 2u);
}

TEST_F(CliTest, ModelsListsTheRegistry) {
  auto r = cli("models", m_err);
  ASSERT_EQ(r.code, 0);
  auto models = json::parse(r.out);
  bool found = false;
  for (const auto& m : models) {
    if (m.at("name") == "torch_mf") {
      found = true;
      EXPECT_EQ(m.at("task"), "rating");
      EXPECT_FALSE(m.at("params").empty());
    }
  }
  EXPECT_TRUE(found);
}

}  // namespace
