// The thesis' top-k models (SPEC B Problem 2): the NORM.* training data and candidate sampling
// (hand-computed), each model overfitting a tiny set, every model beating session POP on
// planted-Markov sessions in the thesis protocol, GNN.K's depth layer learning, save / load and
// the graphs seeing training rows only.

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <set>

#include "../classic/session_test_data.h"
#include "common/errors.h"
#include "data/load.h"
#include "data/synth/yoochoose.h"
#include "eval/session_evaluator.h"
#include "features/session_graphs.h"
#include "models/classic/session_pop.h"
#include "models/neural/session_thesis.h"
#include "models/neural/session_thesis_data.h"
#include "models/registry.h"
#include "support/planted_yoochoose.h"
#include "split/leakage.h"
#include "split/session_split.h"

using namespace reclab;
using namespace reclab::models;
using namespace reclab::models::neural;
using reclab::sessiontest::makeSessionLog;

namespace {

data::SessionSequences sequencesOf(const std::vector<std::vector<int>>& sessions) {
  data::SessionSequences s;
  for (std::size_t k = 0; k < sessions.size(); ++k) {
    s.session.push_back(static_cast<std::int32_t>(k));
    s.lastTime.push_back(0);
    s.items.insert(s.items.end(), sessions[k].begin(), sessions[k].end());
    s.offsets.push_back(static_cast<std::uint32_t>(s.items.size()));
  }
  return s;
}

std::vector<std::uint32_t> allRows(const data::InteractionLog& log) {
  std::vector<std::uint32_t> rows(log.numRows());
  for (std::size_t r = 0; r < rows.size(); ++r) rows[r] = static_cast<std::uint32_t>(r);
  return rows;
}

ThesisGraph graphOf(const data::InteractionLog& log, int maxDistance = 4) {
  features::SessionGraphConfig gc;
  gc.maxDistance = maxDistance;
  split::LeakageGuard guard;
  const auto rows = allRows(log);
  return ThesisGraph::fromSessionGraphs(features::SessionGraphs::build(log, rows, gc, guard));
}

const std::vector<ThesisModel> kAllModels = {ThesisModel::FnnBase, ThesisModel::GnnG,
                                             ThesisModel::GnnH,    ThesisModel::GnnK,
                                             ThesisModel::FnnBin,  ThesisModel::GnnBinK};

/// Small, fast settings for the tests.
SessionThesisConfig smallConfig(ThesisModel kind, int epochs) {
  auto c = SessionThesisConfig::defaults(kind);
  c.embeddingDim = 16;
  c.denseLayers = "32,16";
  c.trainer.epochs = epochs;
  c.trainer.batchSize = 8;
  c.trainer.learningRate = 0.01;
  c.trainer.keepBest = false;
  return c;
}

std::vector<std::vector<std::int32_t>> toPrefixes(const std::vector<std::vector<int>>& sessions) {
  std::vector<std::vector<std::int32_t>> out;
  for (const auto& s : sessions) out.emplace_back(s.begin(), s.end());
  return out;
}

}  // namespace

// --------------------------------------------------------------------------------------------
// NORM.FNN / NORM.GNN, prefixes, the graph

TEST(SessionThesisData, NormPadsShortSessionsWithNoneAndLabelsLaterClicks) {
  const std::int32_t none = 10;
  const auto seqs = sequencesOf({{1, 2, 3, 4, 5, 6, 5}, {7, 8}, {1, 2, 3, 4}, {2, 3, 4, 5, 9}});
  const auto s = buildThesisSamples(seqs, 4, none, true);
  ASSERT_EQ(s.size(), 4u);
  EXPECT_EQ(std::vector<std::int32_t>(s.input(0).begin(), s.input(0).end()),
            (std::vector<std::int32_t>{1, 2, 3, 4}));
  EXPECT_EQ(std::vector<std::int32_t>(s.label(0).begin(), s.label(0).end()),
            (std::vector<std::int32_t>{5, 6}));  // id5..idc, the re-click of 5 once
  EXPECT_EQ(std::vector<std::int32_t>(s.input(1).begin(), s.input(1).end()),
            (std::vector<std::int32_t>{7, 8, none, none}));
  EXPECT_EQ(std::vector<std::int32_t>(s.label(1).begin(), s.label(1).end()),
            (std::vector<std::int32_t>{none}));
  EXPECT_EQ(std::vector<std::int32_t>(s.label(2).begin(), s.label(2).end()),
            (std::vector<std::int32_t>{none}));  // 4 clicks: id5 is the padding None
  EXPECT_EQ(std::vector<std::int32_t>(s.label(3).begin(), s.label(3).end()),
            (std::vector<std::int32_t>{9}));

  const auto skipped = buildThesisSamples(seqs, 4, none, false);
  ASSERT_EQ(skipped.size(), 2u);
  EXPECT_EQ(skipped.input(1)[0], 2);
}

TEST(SessionThesisData, PrefixInputIsTheLastFourClicksLeftPadded) {
  std::vector<std::int32_t> out(4);
  prefixInput(std::vector<std::int32_t>{1, 2, 3, 4, 5, 6}, 4, 9, out);
  EXPECT_EQ(out, (std::vector<std::int32_t>{3, 4, 5, 6}));
  prefixInput(std::vector<std::int32_t>{7, 8}, 4, 9, out);
  EXPECT_EQ(out, (std::vector<std::int32_t>{9, 9, 7, 8}));
  prefixInput(std::vector<std::int32_t>{1, 2, 3, 4}, 4, 9, out);  // the thesis input itself
  EXPECT_EQ(out, (std::vector<std::int32_t>{1, 2, 3, 4}));
  prefixInput(std::vector<std::int32_t>{12, 3}, 4, 9, out);  // unknown item -> None
  EXPECT_EQ(out, (std::vector<std::int32_t>{9, 9, 9, 3}));
}

TEST(SessionThesisData, GraphHoldsKChannelsOnHsPatternAndRanksNeighbours) {
  // 0 -> 1 -> 2 -> 1 and 0 -> 2: M_K[0,1] = (1,0,0,0) + (0,0,0,0); M_K[0,2] = (0,1,0,0) + (1,0,0,0)
  const auto log = makeSessionLog({{0, 1, 2, 1}, {0, 2}}, 4);
  const auto g = graphOf(log);
  ASSERT_EQ(g.numChannels, 4);
  std::vector<float> e(4);
  g.edge(0, 1, e);
  EXPECT_EQ(e, (std::vector<float>{1, 0, 1, 0}));  // 0->1 at distance 1, and 0 -> 1 at distance 3
  g.edge(0, 2, e);
  EXPECT_EQ(e, (std::vector<float>{1, 1, 0, 0}));
  g.edge(1, 1, e);  // re-click of 1 two clicks later
  EXPECT_EQ(e, (std::vector<float>{0, 1, 0, 0}));
  g.edge(2, 0, e);
  EXPECT_EQ(e, (std::vector<float>{0, 0, 0, 0}));
  EXPECT_FLOAT_EQ(g.rowTotals[0], 4.0f);
  // Summed H weights from {0, 1}: item 1 = 2 + 1, item 2 = 2 + 1; tie -> lower index first.
  const std::vector<std::int32_t> clicks{0, 1};
  EXPECT_EQ(g.topNeighbours(clicks, 5), (std::vector<std::int32_t>{1, 2}));
  EXPECT_EQ(g.topNeighbours(clicks, 1), (std::vector<std::int32_t>{1}));
  EXPECT_TRUE(g.topNeighbours(std::vector<std::int32_t>{3, 4}, 5).empty());
}

TEST(SessionThesisData, CandidateSamplingPrefersTrueLaterClicks) {
  // 40 items; session k clicks (k, k+1, k+2, k+3) then 6 later clicks; every click also has
  // many other neighbours from noise sessions, so later clicks are a small share of them.
  std::vector<std::vector<int>> sessions;
  for (int k = 0; k < 20; ++k) {
    std::vector<int> s{k, k + 1, k + 2, k + 3};
    for (int t = 0; t < 6; ++t) s.push_back(20 + (k + 3 * t) % 20);
    sessions.push_back(s);
  }
  for (int k = 0; k < 60; ++k) sessions.push_back({k % 23, (k * 7 + 5) % 40, (k * 11 + 3) % 40});
  const auto log = makeSessionLog(sessions, 40);
  const auto g = graphOf(log);
  const auto samples =
      buildThesisSamples(sequencesOf({sessions.begin(), sessions.begin() + 20}), 4, 40, true);
  CandidateSampling cs;
  cs.perSession = 10;
  cs.maxPositiveShare = 0.5;
  const auto b = sampleCandidates(samples, g, cs, 7);
  ASSERT_EQ(b.size(), 20u * 10u);
  std::size_t positives = 0;
  double neighbourShare = 0;
  for (std::size_t s = 0; s < samples.size(); ++s) {
    const auto z = samples.label(s);
    std::set<std::int32_t> neighbours;
    for (auto i : samples.input(s))
      for (auto e = g.offsets[i]; e < g.offsets[i + 1]; ++e) neighbours.insert(g.columns[e]);
    std::size_t zIn = 0;
    for (auto o : z) zIn += neighbours.count(o);
    neighbourShare += static_cast<double>(zIn) / static_cast<double>(neighbours.size());
    std::size_t pos = 0;
    for (std::size_t c = s * 10; c < (s + 1) * 10; ++c) {
      EXPECT_EQ(b.labels[c] == 1, std::binary_search(z.begin(), z.end(), b.candidates[c]));
      pos += static_cast<std::size_t>(b.labels[c]);
    }
    // Preferred: as many true later clicks as the share allows (6 distinct, cap 5).
    EXPECT_EQ(pos, std::min<std::size_t>(zIn, 5));
    positives += pos;
  }
  neighbourShare /= static_cast<double>(samples.size());
  EXPECT_EQ(positives, 20u * 5u);
  // Uniform draws among the neighbours would give ~neighbourShare positives.
  EXPECT_GT(0.5, 1.5 * neighbourShare);
}

// --------------------------------------------------------------------------------------------
// The models

namespace {

const std::vector<std::vector<int>> kTiny = {
    {0, 1, 2, 3, 4, 5}, {6, 7, 8, 9, 10, 11}, {1, 3, 5, 7, 9, 11}, {2, 4, 6, 8, 0, 10}};

std::unique_ptr<SessionThesis> fitTiny(ThesisModel kind, int epochs) {
  auto c = smallConfig(kind, epochs);
  c.testCandidates = 12;
  auto model = std::make_unique<SessionThesis>(c);
  const auto log = makeSessionLog(kTiny, 12);
  reclab::sessiontest::fitAll(*model, log, 1);
  return model;
}

}  // namespace

TEST(SessionThesis, EveryModelOverfitsATinySet) {
  for (auto kind : kAllModels) {
    auto model = fitTiny(kind, 150);
    const std::vector<std::string> ids{"a", "b", "c", "d"};
    auto opt = eval::SessionEvalOptions::defaults();
    opt.protocol = eval::SessionProtocol::Thesis;
    StopToken stop;
    const auto r = eval::evaluateSessionSequences(*model, toPrefixes(kTiny), ids, nullptr, opt,
                                                  nullObserver(), stop);
    ASSERT_EQ(r.units.size(), 4u);
    // Each session's two later clicks are its top 2.
    EXPECT_DOUBLE_EQ(r.means.at("recall@5"), 1.0) << model->name();
    EXPECT_GT(r.means.at("mrr@1"), 0.99) << model->name();
  }
}

TEST(SessionThesis, SaveLoadScoresIdentically) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("reclab_thesis_save_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::vector<std::vector<std::int32_t>> prefixes = {
      {0, 1, 2, 3}, {7}, {2, 4, 6, 8, 0}, {11, 3}};
  for (auto kind : kAllModels) {
    auto model = fitTiny(kind, 3);
    const auto path = (dir / (model->name() + ".bin")).string();
    model->save(path);
    SessionThesis loaded(SessionThesisConfig::defaults(kind));
    loaded.load(path);
    ScoreMatrix a, b;
    model->scorePrefixes(prefixes, a);
    loaded.scorePrefixes(prefixes, b);
    ASSERT_EQ(a.rows(), b.rows());
    ASSERT_EQ(a.cols(), 12);
    EXPECT_TRUE(a == b) << model->name() << ": max difference " << (a - b).cwiseAbs().maxCoeff();
    EXPECT_EQ(loaded.config().embeddingDim, 16);
    EXPECT_EQ(loaded.depthWeights(), model->depthWeights());
  }
  // A file of another model is refused with its name.
  auto fnn = fitTiny(ThesisModel::FnnBase, 1);
  fnn->save((dir / "fnn.bin").string());
  SessionThesis gnn(SessionThesisConfig::defaults(ThesisModel::GnnK));
  try {
    gnn.load((dir / "fnn.bin").string());
    FAIL() << "loaded an fnn_base file as gnn_k";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("not a gnn_k model file"), std::string::npos) << e.what();
  }
  std::filesystem::remove_all(dir);
}

TEST(SessionThesis, GnnKDepthWeightsLearn) {
  for (const char* norm : {"l1", "none"}) {
    auto c = smallConfig(ThesisModel::GnnK, 20);
    c.normalisation = norm;
    SessionThesis model(c);
    const auto log = makeSessionLog(kTiny, 12);
    reclab::sessiontest::fitAll(model, log, 1);
    const auto w = model.depthWeights();
    ASSERT_EQ(w.size(), 4u);
    // They start at 1 (GNN.K = GNN.H); the gradient through per_sample_weights moves them.
    EXPECT_TRUE(std::any_of(w.begin(), w.end(), [](float v) { return std::abs(v - 1.0f) > 1e-3f; }))
        << norm << ": " << w[0] << " " << w[1] << " " << w[2] << " " << w[3];
  }
  auto bin = fitTiny(ThesisModel::GnnBinK, 20);
  const auto w = bin->depthWeights();
  ASSERT_EQ(w.size(), 5u);  // P weights and the bias
  EXPECT_TRUE(std::any_of(w.begin(), w.end(), [](float v) { return std::abs(v - 1.0f) > 1e-3f; }));
}

TEST(SessionThesis, BinaryModelsRankNonCandidatesBelowCandidates) {
  auto c = smallConfig(ThesisModel::FnnBin, 2);
  c.testCandidates = 2;
  SessionThesis model(c);
  const auto log = makeSessionLog(kTiny, 12);
  reclab::sessiontest::fitAll(model, log, 1);
  const std::vector<std::int32_t> prefix{0, 1, 2, 3};
  const auto cand = model.candidates(prefix);
  ASSERT_EQ(cand.size(), 2u);
  const auto row = reclab::sessiontest::scoreOne(model, prefix);
  const float lowest = std::min(row[cand[0]], row[cand[1]]);
  for (int i = 0; i < 12; ++i) {
    if (i == cand[0] || i == cand[1]) continue;
    EXPECT_LT(row[i], lowest - 0.99f) << "item " << i;
  }
}

TEST(SessionThesis, GraphsSeeTrainingRowsOnly) {
  // Session 2 (the "test" session) is the only one with 20 -> 21.
  const auto log = makeSessionLog({{0, 1, 2, 3, 4}, {1, 2, 3, 4, 5}, {20, 21, 22}}, 23);
  std::vector<std::uint32_t> train;
  for (std::uint32_t r = 0; r < log.numRows(); ++r)
    if (log.session[r] != 2) train.push_back(r);
  for (auto kind : {ThesisModel::GnnG, ThesisModel::GnnK, ThesisModel::GnnBinK}) {
    SessionThesis model(smallConfig(kind, 1));
    split::LeakageGuard guard;
    StopToken stop;
    TrainContext ctx{log, train, nullptr, 1, 1, nullObserver(), stop};
    ctx.guard = &guard;
    model.fit(ctx);
    ASSERT_EQ(guard.records().size(), 1u);
    EXPECT_EQ(guard.records()[0].statistic, "session_graphs");
    EXPECT_EQ(guard.records()[0].rows.count(), train.size());
    EXPECT_EQ(model.graphEdge(20, 21), (std::vector<float>{0, 0, 0, 0}));
    EXPECT_EQ(model.graphEdge(1, 2), (std::vector<float>{2, 0, 0, 0}));
  }
}

TEST(SessionThesis, ConfigErrorsAndRegistry) {
  auto c = SessionThesisConfig::defaults(ThesisModel::GnnK);
  c.embeddingDim = 0;
  try {
    SessionThesis m(c);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "gnn_k: embedding_dim must be > 0, got 0");
  }
  c = SessionThesisConfig::defaults(ThesisModel::GnnG);
  c.normalisation = "max";
  EXPECT_THROW(SessionThesis{c}, InputError);
  for (const char* name : {"fnn_base", "gnn_g", "gnn_h", "gnn_k", "fnn_bin", "gnn_bin_k"}) {
    const auto* info = Registry::instance().find(name);
    ASSERT_NE(info, nullptr) << name;
    EXPECT_EQ(info->task, Task::SessionNext);
    auto params = Registry::instance().validate(name, {{"embedding_dim", 8}});
    auto model = Registry::instance().create(name, params);
    EXPECT_EQ(model->name(), name);
  }
}

// --------------------------------------------------------------------------------------------
// Planted Markov sessions: every model beats session POP on Recall@20 (thesis protocol).

TEST(SessionThesisPlanted, EveryModelBeatsSessionPopOnRecall20) {
  auto sc = synth::YoochooseConfig::defaults();
  sc.sessions = 5000;
  sc.items = 300;
  sc.clusters = 12;
  sc.days = 12;
  sc.seed = 5;
  const auto planted = reclab::testing::plantedYoochoose(sc);
  const auto& log = planted.log;
  StopToken stop;
  split::SessionSplitConfig split;
  split.testDays = 2.0;
  const auto s = split::sessionTimeSplit(log, split);
  TrainContext ctx{log, s.train, nullptr, 1, 2, nullObserver(), stop};
  auto opt = eval::SessionEvalOptions::defaults();
  opt.protocol = eval::SessionProtocol::Thesis;
  opt.threads = 2;
  auto recall20 = [&](SessionRecommender& m) {
    const auto t0 = std::chrono::steady_clock::now();
    m.fit(ctx);
    const auto t1 = std::chrono::steady_clock::now();
    const auto r = eval::evaluateSessions(m, log, s.train, s.test, opt, nullObserver(), stop);
    const auto t2 = std::chrono::steady_clock::now();
    std::printf(
        "[thesis planted] %-10s recall@20 %.4f  mrr@20 %.4f  hit@20 %.4f  (%zu sessions; "
        "fit %.1f s, evaluation %.1f s)\n",
        m.name().c_str(), r.means.at("recall@20"), r.means.at("mrr@20"), r.means.at("hit_rate@20"),
        r.units.size(), std::chrono::duration<double>(t1 - t0).count(),
        std::chrono::duration<double>(t2 - t1).count());
    return r.means.at("recall@20");
  };
  SessionPop pop;
  const double rPop = recall20(pop);
  for (auto kind : kAllModels) {
    auto c = SessionThesisConfig::defaults(kind);  // lr, epochs, sampling: the defaults
    const bool binary = c.binary();
    c.embeddingDim = binary ? 32 : 64;
    c.denseLayers = "64,32";
    c.trainer.keepBest = false;
    SessionThesis model(c);
    EXPECT_GT(recall20(model), rPop + 0.05) << model.name();
  }
}
