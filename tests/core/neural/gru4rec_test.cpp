#include "models/neural/gru4rec.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "../classic/session_test_data.h"
#include "common/errors.h"
#include "eval/session_evaluator.h"
#include "models/classic/session_pop.h"
#include "models/registry.h"
#include "planted_sessions.h"

using namespace reclab;
using namespace reclab::models;
using namespace reclab::models::neural;

namespace {

struct EpochLog : Observer {
  std::vector<TrainingReport> epochs;
  void onEpoch(const TrainingReport& r) override {
    if (r.values.contains("train_loss")) epochs.push_back(r);
  }
};

std::vector<std::uint32_t> allRows(const data::InteractionLog& log) {
  std::vector<std::uint32_t> rows(log.numRows());
  for (std::size_t r = 0; r < rows.size(); ++r) rows[r] = static_cast<std::uint32_t>(r);
  return rows;
}

}  // namespace

TEST(Gru4Rec, DefaultsAreTheOfficialOnes) {
  const auto* info = Registry::instance().find("gru4rec");
  ASSERT_NE(info, nullptr);
  EXPECT_EQ(info->task, Task::SessionNext);
  const auto p = Registry::instance().validate("gru4rec", nlohmann::json::object());
  EXPECT_EQ(p.at("layers"), "100");
  EXPECT_EQ(p.at("loss"), "cross-entropy");
  EXPECT_EQ(p.at("batch_size"), 64);
  EXPECT_EQ(p.at("optimizer"), "adagrad");
  EXPECT_DOUBLE_EQ(p.at("lr").get<double>(), 0.05);
  EXPECT_EQ(p.at("n_sample"), 2048);
  EXPECT_DOUBLE_EQ(p.at("sample_alpha").get<double>(), 0.5);
  EXPECT_EQ(p.at("epochs"), 10);
  Gru4RecConfig bad;
  bad.loss = "hinge";
  try {
    Gru4Rec m(bad);
    FAIL() << "loss hinge accepted";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(),
                 "gru4rec: loss must be one of cross-entropy, bpr-max, top1-max, got 'hinge'");
  }
}

// Sessions of lengths 3, 2, 4, 1, 2 in two slots. Session 3 (one click) has no target.
//   step 1: slot 0 = s0 click 0 (reset), slot 1 = s1 click 0 (reset); s1 ends -> slot 1 takes s2
//   step 2: slot 0 = s0 click 1,         slot 1 = s2 click 0 (reset); s0 ends -> s4 (s3 skipped)
//   step 3: slot 0 = s4 click 0 (reset), slot 1 = s2 click 1;        s4 ends, nothing left
//   step 4: slot 0 idle,                 slot 1 = s2 click 2;        s2 ends: done
TEST(Gru4Rec, SessionParallelBatchesAHandWorkedOrder) {
  const std::vector<std::uint32_t> lengths = {3, 2, 4, 1, 2};
  SessionParallelBatcher batcher(lengths, {0, 1, 2, 3, 4}, 2);
  std::vector<SessionParallelStep> steps;
  SessionParallelStep s;
  while (batcher.next(s)) steps.push_back(s);
  ASSERT_EQ(steps.size(), 4u);
  using V = std::vector<std::int32_t>;
  using R = std::vector<std::uint8_t>;
  EXPECT_EQ(steps[0].session, (V{0, 1}));
  EXPECT_EQ(steps[0].position, (V{0, 0}));
  EXPECT_EQ(steps[0].reset, (R{1, 1}));
  EXPECT_EQ(steps[1].session, (V{0, 2}));
  EXPECT_EQ(steps[1].position, (V{1, 0}));
  EXPECT_EQ(steps[1].reset, (R{0, 1}));
  EXPECT_EQ(steps[2].session, (V{4, 2}));
  EXPECT_EQ(steps[2].position, (V{0, 1}));
  EXPECT_EQ(steps[2].reset, (R{1, 0}));
  EXPECT_EQ(steps[3].session[0], -1);
  EXPECT_EQ(steps[3].session[1], 2);
  EXPECT_EQ(steps[3].position[1], 2);
  EXPECT_EQ(steps[3].reset[1], 0);
  // Another order: the sessions enter in the order given.
  SessionParallelBatcher reversed(lengths, {4, 2, 1, 0}, 3);
  ASSERT_TRUE(reversed.next(s));
  EXPECT_EQ(s.session, (V{4, 2, 1}));
  ASSERT_TRUE(reversed.next(s));
  EXPECT_EQ(s.session, (V{0, 2, -1}));  // s4 and s1 ended; s0 took slot 0, nothing for slot 2
  EXPECT_EQ(s.reset, (R{1, 0, 0}));
}

TEST(Gru4Rec, OverfitsATinySetOfSessions) {
  const std::vector<std::vector<int>> sessions = {{0, 1, 2, 3, 4}, {5, 6, 7, 8}, {9, 10, 11}};
  auto log = sessiontest::makeSessionLog(sessions, 12);
  Gru4RecConfig c;
  c.layers = "32";
  c.nSample = 16;
  c.sampleAlpha = 0.0;
  c.trainer.batchSize = 3;
  c.trainer.epochs = 150;
  c.trainer.learningRate = 0.1;
  Gru4Rec model(c);
  const auto rows = allRows(log);
  StopToken stop;
  EpochLog obs;
  TrainContext ctx{log, rows, nullptr, 5, 1, obs, stop};
  model.fit(ctx);
  ASSERT_EQ(obs.epochs.size(), 150u);
  EXPECT_LT(obs.epochs.back().values.at("train_loss"),
            0.5 * obs.epochs.front().values.at("train_loss"));
  std::vector<std::vector<std::int32_t>> prefixes;
  std::vector<int> targets;
  for (const auto& s : sessions) {
    for (std::size_t t = 1; t < s.size(); ++t) {
      prefixes.emplace_back(s.begin(), s.begin() + static_cast<std::ptrdiff_t>(t));
      targets.push_back(s[t]);
    }
  }
  ScoreMatrix scores;
  model.scorePrefixes(prefixes, scores);
  for (std::size_t j = 0; j < prefixes.size(); ++j) {
    Eigen::Index best = 0;
    scores.row(static_cast<Eigen::Index>(j)).maxCoeff(&best);
    EXPECT_EQ(best, targets[j]) << "prefix " << j;
  }
}

TEST(Gru4Rec, RankingLossesTrain) {
  const std::vector<std::vector<int>> sessions = {
      {0, 1, 2, 3, 4}, {5, 6, 7, 8}, {9, 10, 11}, {1, 2, 3}};
  auto log = sessiontest::makeSessionLog(sessions, 12);
  for (const std::string loss : {"bpr-max", "top1-max"}) {
    Gru4RecConfig c;
    c.layers = "16";
    c.loss = loss;
    c.finalAct = loss == "bpr-max" ? "elu" : "linear";
    c.nSample = 8;
    c.trainer.batchSize = 3;
    c.trainer.epochs = 60;
    c.trainer.learningRate = 0.1;
    Gru4Rec model(c);
    const auto rows = allRows(log);
    StopToken stop;
    EpochLog obs;
    TrainContext ctx{log, rows, nullptr, 5, 1, obs, stop};
    model.fit(ctx);
    const double first = obs.epochs.front().values.at("train_loss");
    const double last = obs.epochs.back().values.at("train_loss");
    EXPECT_TRUE(std::isfinite(last)) << loss;
    EXPECT_LT(last, first) << loss;
    // The ranking it learned: most training prefixes rank their next click first (chance 1/12).
    int top1 = 0, total = 0;
    for (const auto& s : sessions) {
      for (std::size_t t = 1; t < s.size(); ++t, ++total) {
        const auto row = sessiontest::scoreOne(
            model,
            std::vector<std::int32_t>(s.begin(), s.begin() + static_cast<std::ptrdiff_t>(t)));
        top1 += std::max_element(row.begin(), row.end()) - row.begin() == s[t];
      }
    }
    EXPECT_GE(top1, total * 3 / 4) << loss << ": " << top1 << " of " << total;
  }
}

TEST(Gru4Rec, SaveLoadGivesIdenticalScores) {
  auto log = sessiontest::makeSessionLog({{0, 1, 2, 3}, {3, 2, 1}, {4, 0, 4, 1}}, 5);
  Gru4RecConfig c;
  c.layers = "8,6";
  c.constrainedEmbedding = false;
  c.embedding = 4;
  c.nSample = 4;
  c.trainer.epochs = 3;
  c.trainer.batchSize = 2;
  Gru4Rec model(c);
  sessiontest::fitAll(model, log, 1);
  const auto path =
      (std::filesystem::temp_directory_path() / ("reclab_gru4rec_" + std::to_string(::getpid())))
          .string();
  model.save(path);
  Gru4Rec loaded;
  loaded.load(path);
  std::filesystem::remove(path);
  EXPECT_EQ(loaded.config().layers, "8,6");
  EXPECT_EQ(loaded.numItems(), 5);
  const std::vector<std::vector<std::int32_t>> prefixes = {{0}, {0, 1, 2}, {4, 0, 4}, {3, 2, 3, 2}};
  ScoreMatrix a, b;
  model.scorePrefixes(prefixes, a);
  loaded.scorePrefixes(prefixes, b);
  EXPECT_EQ(a, b);
  // A prefix is scored from a reset state: alone or in a batch, the same row.
  ScoreMatrix single;
  loaded.scorePrefixes({{4, 0, 4}}, single);
  EXPECT_TRUE(single.row(0).isApprox(b.row(2), 1e-6f));
  EXPECT_THROW(loaded.load("/nonexistent/gru4rec.pt"), InputError);
}

TEST(Gru4Rec, BeatsSessionPopOnPlantedMarkovSessions) {
  auto data = neuraltest::plantedSessions(4000, 300, 12);
  const auto& log = data.log;
  StopToken stop;
  EpochLog obs;
  TrainContext ctx{log, data.split.train, &data.split.valid, 1, 2, obs, stop};
  SessionPop pop;
  pop.fit(ctx);
  Gru4RecConfig c;  // the official defaults, fewer samples for 300 items
  c.nSample = 256;
  c.trainer.epochs = 8;
  c.trainer.threads = 1;
  Gru4Rec gru(c);
  gru.fit(ctx);
  ASSERT_FALSE(obs.epochs.empty());
  for (const auto& e : obs.epochs)
    std::printf("epoch %d: loss %.4f, %.0f events/s, val_recall@20 %.4f\n", e.epoch,
                e.values.at("train_loss"), e.values.at("samples_per_second"),
                e.values.at("val_recall@20"));
  neuraltest::expectNearThePlantedOptimum(data, pop, gru);
}
