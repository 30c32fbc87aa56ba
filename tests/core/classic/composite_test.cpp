// Seed C's composite scorer: cold-start fallback and how each weight moves the ranking.

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "classic_test_data.h"
#include "models/classic/composite.h"

using namespace reclab;
using namespace reclab::models;
using namespace reclab::classictest;

namespace {

// Items: i0..i2 category A, i3..i5 category B. Keywords: i0 {war, spy}, i4 {war}, others their
// own word. Users: u0 has {i0}; u1, u2 have {i0, i5}; u3..u7 have {i3}; u8 has no rows.
// All ratings 5: count x mean = i0 15, i5 10, i3 25 -> popularity i3 1, i0 0.6, i5 0.4.
data::InteractionLog shopLog() {
  std::vector<Entry> e = {{0, 0, 5}, {1, 0, 5}, {1, 5, 5}, {2, 0, 5}, {2, 5, 5}};
  for (int u = 3; u <= 7; ++u) e.push_back({u, 3, 5});
  auto log = makeLog(9, 6, e, true);
  auto& a = log.itemAttributes;
  const char* cats[] = {"A", "A", "A", "B", "B", "B"};
  for (int i = 0; i < 6; ++i) a.setCategorical("category", i, cats[i]);
  a.addMulti("keywords", 0, "war");
  a.addMulti("keywords", 0, "spy");
  a.addMulti("keywords", 1, "love");
  a.addMulti("keywords", 2, "romance");
  a.addMulti("keywords", 3, "comedy");
  a.addMulti("keywords", 4, "war");
  a.addMulti("keywords", 5, "heist");
  return log;
}

/// Best item for the first user among those not in `exclude`.
int best(const ScoreMatrix& s, std::vector<int> exclude) {
  int arg = -1;
  for (int i = 0; i < s.cols(); ++i) {
    if (std::find(exclude.begin(), exclude.end(), i) != exclude.end()) continue;
    if (arg < 0 || s(0, i) > s(0, arg)) arg = i;
  }
  return arg;
}

}  // namespace

TEST(Composite, ColdStartUserGetsPopularity) {
  auto log = shopLog();
  Composite m;
  fitAll(m, log);
  auto s = scores(m, {8});
  const float expected[] = {0.6f, 0, 0, 1.0f, 0, 0.4f};
  for (int i = 0; i < 6; ++i) EXPECT_NEAR(s(0, i), expected[i], 1e-6) << "item " << i;
}

TEST(Composite, DefaultWeightsHandComputed) {
  auto log = shopLog();
  Composite m;  // 0.3 cos, 0.1 pop, 0.3 cat, 0.3 kw
  fitAll(m, log);
  auto s = scores(m, {0});
  // i5: cos part 1 (its only KNN link to i0, scaled by the user's max) -> 0.3 + 0.1 * 0.4.
  EXPECT_NEAR(s(0, 5), 0.3 + 0.04, 1e-6);
  // i1: same category as the user's only item -> 0.3.
  EXPECT_NEAR(s(0, 1), 0.3, 1e-6);
  // i3: popularity alone -> 0.1.
  EXPECT_NEAR(s(0, 3), 0.1, 1e-6);
  // i4: keyword cosine between {war, spy} and {war}: N = 6, idf(war) = ln(7/3) + 1,
  // idf(spy) = ln(7/2) + 1; cos = idf(war) / sqrt(idf(war)^2 + idf(spy)^2).
  const double w = std::log(7.0 / 3.0) + 1, sp = std::log(7.0 / 2.0) + 1;
  EXPECT_NEAR(s(0, 4), 0.3 * w / std::sqrt(w * w + sp * sp), 1e-6);
  EXPECT_EQ(best(s, {0}), 5);
}

TEST(Composite, EachWeightMovesTheRanking) {
  auto log = shopLog();
  Composite m;
  fitAll(m, log);
  m.setWeights(1, 0, 0, 0);
  EXPECT_EQ(best(scores(m, {0}), {0}), 5);  // co-consumed with i0
  m.setWeights(0, 1, 0, 0);
  EXPECT_EQ(best(scores(m, {0}), {0}), 3);  // most popular
  m.setWeights(0, 0, 1, 0);
  auto cat = scores(m, {0});
  EXPECT_EQ(best(cat, {0}), 1);  // same category (ties with i2, lower index first)
  EXPECT_NEAR(cat(0, 2), 1.0, 1e-6);
  EXPECT_NEAR(cat(0, 3), 0.0, 1e-6);
  m.setWeights(0, 0, 0, 1);
  EXPECT_EQ(best(scores(m, {0}), {0}), 4);  // shares the keyword "war"
  EXPECT_THROW(m.setWeights(0, 0, 0, 0), InputError);
  EXPECT_THROW(m.setWeights(-1, 1, 0, 0), InputError);
}

TEST(Composite, SaveLoadAndRegistry) {
  auto log = shopLog();
  Registry reg;
  registerComposite(reg);
  auto p = reg.validate("composite", nlohmann::json{{"w_cat", 0.2}});
  EXPECT_DOUBLE_EQ(p["w_cos"].get<double>(), 0.3);
  EXPECT_DOUBLE_EQ(p["w_cat"].get<double>(), 0.2);
  auto model = reg.create("composite", p);
  auto* comp = dynamic_cast<Composite*>(model.get());
  ASSERT_NE(comp, nullptr);
  fitAll(*comp, log);
  const auto path = tempPath("composite.bin");
  comp->save(path);
  Composite loaded;
  loaded.load(path);
  std::remove(path.c_str());
  EXPECT_TRUE(scores(loaded, {0, 1, 8}).isApprox(scores(*comp, {0, 1, 8})));
  EXPECT_DOUBLE_EQ(loaded.config().wCat, 0.2);
}
