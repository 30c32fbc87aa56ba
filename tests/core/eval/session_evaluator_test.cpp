#include "eval/session_evaluator.h"

#include <gtest/gtest.h>

#include <random>

#include "common/errors.h"

namespace reclab::eval {
namespace {

using Sessions = std::vector<std::vector<std::int32_t>>;

/// Scores every prefix with the same fixed vector over 5 items:
///   item   0    1    2    3    4
///   score 0.1  0.5  0.3  0.9  0.2   -> ranking 3, 1, 2, 4, 0.
/// Records the prefixes it was asked about.
class FixedScores : public models::SessionRecommender {
 public:
  std::string name() const override { return "fixed"; }
  models::Task task() const override { return models::Task::SessionNext; }
  void fit(const models::TrainContext&) override {}
  void save(const std::string&) const override {}
  void load(const std::string&) override {}
  std::int32_t numItems() const override { return 5; }
  void scorePrefixes(const Sessions& prefixes, models::ScoreMatrix& out) const override {
    out.resize(static_cast<Eigen::Index>(prefixes.size()), 5);
    for (Eigen::Index r = 0; r < out.rows(); ++r) out.row(r) << 0.1f, 0.5f, 0.3f, 0.9f, 0.2f;
#pragma omp critical(fixed_scores_seen)
    seen.insert(seen.end(), prefixes.begin(), prefixes.end());
  }
  mutable Sessions seen;
};

/// Predicts item (last + 1) mod n with score 1, everything else 0: depends on the prefix.
class Successor : public models::SessionRecommender {
 public:
  explicit Successor(std::int32_t n) : m_n(n) {}
  std::string name() const override { return "successor"; }
  models::Task task() const override { return models::Task::SessionNext; }
  void fit(const models::TrainContext&) override {}
  void save(const std::string&) const override {}
  void load(const std::string&) override {}
  std::int32_t numItems() const override { return m_n; }
  void scorePrefixes(const Sessions& prefixes, models::ScoreMatrix& out) const override {
    out.setZero(static_cast<Eigen::Index>(prefixes.size()), m_n);
    for (std::size_t r = 0; r < prefixes.size(); ++r)
      out(static_cast<Eigen::Index>(r), (prefixes[r].back() + 1) % m_n) = 1.0f;
  }

 private:
  std::int32_t m_n;
};

class BadShape : public FixedScores {
 public:
  void scorePrefixes(const Sessions& prefixes, models::ScoreMatrix& out) const override {
    out.setZero(static_cast<Eigen::Index>(prefixes.size()), 3);
  }
};

SessionEvalOptions options(SessionProtocol p, std::vector<int> ks) {
  auto o = SessionEvalOptions::defaults();
  o.protocol = p;
  o.ks = std::move(ks);
  return o;
}

SessionEvalResult run(const models::SessionRecommender& m, const Sessions& s,
                      const std::vector<std::string>& ids, const SessionEvalOptions& o,
                      const std::vector<bool>* train = nullptr) {
  StopToken stop;
  return evaluateSessionSequences(m, s, ids, train, o, nullObserver(), stop);
}

TEST(SessionEvaluatorNextItem, EveryPrefixPredictsTheNextClick) {
  // Session A = [0, 3, 1, 4]: prefixes [0] -> 3 (rank 1), [0,3] -> 1 (rank 2),
  // [0,3,1] -> 4 (rank 4). Items of the prefix are not masked.
  // Recall@1 = (1+0+0)/3, Recall@3 = (1+1+0)/3; MRR@1 = 1/3, MRR@3 = (1 + 1/2 + 0)/3 = 1/2.
  FixedScores m;
  auto r = run(m, {{0, 3, 1, 4}}, {"A"}, options(SessionProtocol::NextItem, {1, 3}));
  EXPECT_EQ(r.units, (std::vector<std::string>{"A:1", "A:2", "A:3"}));
  EXPECT_NEAR(r.means.at("recall@1"), 1.0 / 3, 1e-12);
  EXPECT_NEAR(r.means.at("recall@3"), 2.0 / 3, 1e-12);
  EXPECT_NEAR(r.means.at("mrr@1"), 1.0 / 3, 1e-12);
  EXPECT_NEAR(r.means.at("mrr@3"), 0.5, 1e-12);
  EXPECT_EQ(r.perUnit.at("hit_rate@3"), r.perUnit.at("recall@3"));  // one target per prefix
  EXPECT_EQ(r.perUnit.at("mrr@3"), (std::vector<double>{1.0, 0.5, 0.0}));
  EXPECT_EQ(m.seen, (Sessions{{0}, {0, 3}, {0, 3, 1}}));
  EXPECT_EQ(r.evaluatedSessions, 1U);
  EXPECT_EQ(r.skippedShort, 0U);
}

TEST(SessionEvaluatorNextItem, RepeatClicksCountUnlessMasked) {
  // B = [3, 3]: the re-click of 3 is a hit at rank 1 without masking.
  // With masking: A's prefix [0] -> 3 rank 1; [0,3] -> 1 among (1,2,4) rank 1;
  // [0,3,1] -> 4 among (2,4) rank 2; B's [3] -> 3 is masked, no hit.
  // Recall@1 = (1+1+0+0)/4 = 1/2; MRR@3 = (1+1+1/2+0)/4 = 5/8.
  FixedScores m;
  const Sessions s{{0, 3, 1, 4}, {3, 3}};
  auto plain = run(m, s, {"A", "B"}, options(SessionProtocol::NextItem, {1, 3}));
  EXPECT_EQ(plain.perUnit.at("recall@1").back(), 1.0);
  auto o = options(SessionProtocol::NextItem, {1, 3});
  o.maskInputItems = true;
  auto masked = run(m, s, {"A", "B"}, o);
  EXPECT_NEAR(masked.means.at("recall@1"), 0.5, 1e-12);
  EXPECT_NEAR(masked.means.at("mrr@3"), 5.0 / 8, 1e-12);
  EXPECT_EQ(masked.perUnit.at("recall@3").back(), 0.0);
}

TEST(SessionEvaluatorNextItem, ShortSessionsAndUnseenTargets) {
  // C = [2] has no target. D = [1, 0, 2] with item 0 unseen in training: target 0 dropped,
  // prefix [1, 0] -> 2 ranks 3rd: Recall@3 = 1, MRR@3 = 1/3, Recall@1 = 0.
  FixedScores m;
  const std::vector<bool> train{false, true, true, true, true};
  auto o = options(SessionProtocol::NextItem, {1, 3});
  o.trainItemsOnly = true;
  auto r = run(m, {{2}, {1, 0, 2}}, {"C", "D"}, o, &train);
  EXPECT_EQ(r.units, (std::vector<std::string>{"D:2"}));
  EXPECT_EQ(r.skippedShort, 1U);
  EXPECT_EQ(r.droppedTargets, 1U);
  EXPECT_EQ(r.testSessions, 2U);
  EXPECT_EQ(r.evaluatedSessions, 1U);
  EXPECT_NEAR(r.means.at("recall@3"), 1.0, 1e-12);
  EXPECT_NEAR(r.means.at("mrr@3"), 1.0 / 3, 1e-12);
  EXPECT_NEAR(r.means.at("recall@1"), 0.0, 1e-12);
}

TEST(SessionEvaluatorThesis, FirstFourClicksPredictTheRest) {
  // E = [0,1,2,4 | 3,2,0]: labels {0,2,3}. Top-1 = (3): 1 hit -> recall 1/3, MRR 1, ACCs 1.
  //   Top-3 = (3,1,2): 2 hits -> recall 2/3, MRR 1, ACCs 1.
  // F = [1,1,1,1] has length 4 < 5: skipped.
  // G = [3,3,3,3 | 4]: label {4} ranks 4th -> 0 at k = 1 and 3.
  // Means over E and G: Recall@1 = 1/6, Recall@3 = 1/3, MRR@3 = 1/2, ACCs@3 = 1/2.
  FixedScores m;
  auto r = run(m, {{0, 1, 2, 4, 3, 2, 0}, {1, 1, 1, 1}, {3, 3, 3, 3, 4}}, {"E", "F", "G"},
               options(SessionProtocol::Thesis, {1, 3}));
  EXPECT_EQ(r.units, (std::vector<std::string>{"E", "G"}));
  EXPECT_EQ(r.skippedShort, 1U);
  EXPECT_NEAR(r.means.at("recall@1"), 1.0 / 6, 1e-12);
  EXPECT_NEAR(r.means.at("recall@3"), 1.0 / 3, 1e-12);
  EXPECT_NEAR(r.means.at("mrr@3"), 0.5, 1e-12);
  EXPECT_NEAR(r.means.at("hit_rate@3"), 0.5, 1e-12);
  EXPECT_NEAR(r.perUnit.at("recall@3")[0], 2.0 / 3, 1e-12);
  EXPECT_EQ(m.seen, (Sessions{{0, 1, 2, 4}, {3, 3, 3, 3}}));
}

TEST(SessionEvaluatorThesis, MaskingAndUnseenLabels) {
  // Masked inputs: E's input {0,1,2,4} leaves only item 3 rankable; top-3 = (3): labels
  // {0,2,3} -> recall 1/3. G's input {3}: ranking (1,2,4,0), label 4 at rank 3 -> recall 1,
  // MRR 1/3.
  FixedScores m;
  const Sessions s{{0, 1, 2, 4, 3, 2, 0}, {3, 3, 3, 3, 4}, {1, 1, 1, 1, 0, 0}};
  auto o = options(SessionProtocol::Thesis, {3});
  o.maskInputItems = true;
  auto masked = run(m, {s[0], s[1]}, {"E", "G"}, o);
  EXPECT_NEAR(masked.perUnit.at("recall@3")[0], 1.0 / 3, 1e-12);
  EXPECT_NEAR(masked.perUnit.at("recall@3")[1], 1.0, 1e-12);
  EXPECT_NEAR(masked.perUnit.at("mrr@3")[1], 1.0 / 3, 1e-12);
  // Item 0 unseen in training: E's labels become {2,3} (top-3 (3,1,2) holds both -> recall 1);
  // H = [1,1,1,1 | 0,0] has no label left and is dropped.
  const std::vector<bool> train{false, true, true, true, true};
  auto o2 = options(SessionProtocol::Thesis, {3});
  o2.trainItemsOnly = true;
  auto r = run(m, s, {"E", "G", "H"}, o2, &train);
  EXPECT_EQ(r.units, (std::vector<std::string>{"E", "G"}));
  EXPECT_EQ(r.droppedTargets, 2U);  // 0 from E's labels, 0 from H's
  EXPECT_EQ(r.skippedNoLabels, 1U);
  EXPECT_NEAR(r.perUnit.at("recall@3")[0], 1.0, 1e-12);
}

TEST(SessionEvaluator, BatchesAndThreadsDoNotChangeValues) {
  // Sessions that follow "next = last + 1" are hit at rank 1 by the successor model.
  std::mt19937 rng(7);
  Sessions s;
  std::vector<std::string> ids;
  for (int i = 0; i < 60; ++i) {
    std::vector<std::int32_t> seq{static_cast<std::int32_t>(rng() % 20)};
    const int len = 1 + static_cast<int>(rng() % 6);
    for (int t = 1; t < len; ++t)
      seq.push_back(rng() % 3 == 0 ? static_cast<std::int32_t>(rng() % 20) : (seq.back() + 1) % 20);
    s.push_back(seq);
    ids.push_back(std::to_string(i));
  }
  Successor m(20);
  auto one = options(SessionProtocol::NextItem, {1, 5});
  auto many = one;
  many.batchSize = 3;
  many.threads = 2;
  auto a = run(m, s, ids, one), b = run(m, s, ids, many);
  EXPECT_EQ(a.units, b.units);
  EXPECT_EQ(a.perUnit, b.perUnit);
  // Hand check: the hit rate equals the share of transitions that follow the rule.
  double follow = 0, total = 0;
  for (const auto& q : s)
    for (std::size_t t = 1; t < q.size(); ++t, ++total) follow += q[t] == (q[t - 1] + 1) % 20;
  EXPECT_NEAR(a.means.at("recall@1"), follow / total, 1e-12);
}

TEST(SessionEvaluator, GroupsTestRowsOfALog) {
  // Session "100" written out of time order (items 2 then 1 by time), "101" has one click
  // and a buy (left out), "102" is a training session whose item 4 is the only item seen.
  data::InteractionLog log;
  for (int s = 0; s < 3; ++s) log.sessions.internInt(100 + s);
  for (int i = 0; i < 5; ++i) log.items.internInt(i + 1);
  log.eventNames = {data::event_names::kClick, data::event_names::kBuy};
  struct R {
    int s, i;
    std::int64_t t;
    std::uint8_t e;
  };
  for (const R& r :
       std::vector<R>{{0, 1, 20, 0}, {0, 2, 10, 0}, {1, 3, 5, 0}, {1, 3, 6, 1}, {2, 4, 1, 0}}) {
    log.session.push_back(r.s);
    log.item.push_back(r.i);
    log.timestamp.push_back(r.t);
    log.event.push_back(r.e);
  }
  FixedScores m;
  StopToken stop;
  auto r = evaluateSessions(m, log, {4}, {0, 1, 2, 3}, options(SessionProtocol::NextItem, {1}),
                            nullObserver(), stop);
  EXPECT_EQ(r.units, (std::vector<std::string>{"100:1"}));
  EXPECT_EQ(m.seen, (Sessions{{2}}));
  EXPECT_EQ(r.skippedShort, 1U);                // "101" is one click once the buy is left out
  EXPECT_EQ(r.perUnit.at("recall@1")[0], 0.0);  // target 1 ranks 2nd
  const auto j = r.perUnitJson();
  EXPECT_EQ(j.at("unit"), "prefix");
  EXPECT_EQ(j.at("users").size(), 1U);
  EXPECT_EQ(r.summaryJson().at("k"), nlohmann::json::array({1}));
}

TEST(SessionEvaluator, BadOptionsAndBadModelsAreReported) {
  FixedScores m;
  auto o = options(SessionProtocol::NextItem, {0});
  try {
    run(m, {{0, 1}}, {"A"}, o);
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "session evaluation: k must be >= 1, got 0");
  }
  EXPECT_THROW(parseSessionProtocol("last_item"), InputError);
  EXPECT_EQ(parseSessionProtocol("thesis"), SessionProtocol::Thesis);
  BadShape bad;  // claims 5 items, returns 3 columns: an internal error, not a crash
  EXPECT_THROW(run(bad, {{0, 1}}, {"A"}, options(SessionProtocol::NextItem, {1})),
               std::logic_error);
  StopToken stop;
  stop.requestStop();
  EXPECT_THROW(
      evaluateSessionSequences(m, {{0, 1}}, {"A"}, nullptr, options(SessionProtocol::NextItem, {1}),
                               nullObserver(), stop),
      Cancelled);
}

}  // namespace
}  // namespace reclab::eval
