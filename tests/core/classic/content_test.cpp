// TF-IDF and Jaccard content rankers on hand-computed examples; the item metadata reader.

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>

#include "classic_test_data.h"
#include "models/classic/content.h"
#include "models/classic/item_meta.h"
#include "models/classic/popularity.h"
#include "eval/ranking_evaluator.h"
#include <algorithm>
#include <random>

using namespace reclab;
using namespace reclab::models;
using namespace reclab::classictest;

namespace {

float weightOf(const TfIdf& m, int item, const std::string& term) {
  const auto& p = m.profiles();
  for (auto e = p.begin(item); e < p.end(item); ++e) {
    const auto t = p.cols[static_cast<std::size_t>(e)];
    if (m.vocabulary()[static_cast<std::size_t>(t)] == term)
      return p.weights[static_cast<std::size_t>(e)];
  }
  return 0.0f;
}

// Three documents over "keywords": d0 = {apple, banana}, d1 = {apple},
// d2 = {cherry, "Banana banana"} (tf banana = 2). N = 3, df: apple 2, banana 2, cherry 1.
data::InteractionLog fruitLog() {
  auto log = makeLog(2, 3, {{0, 1}, {1, 2}});
  auto& a = log.itemAttributes;
  a.addMulti("keywords", 0, "apple");
  a.addMulti("keywords", 0, "banana");
  a.addMulti("keywords", 1, "apple");
  a.addMulti("keywords", 2, "cherry");
  a.addMulti("keywords", 2, "Banana banana");
  a.setNumeric("price", 0, 1.5);
  return log;
}

}  // namespace

TEST(Content, Tokenizer) {
  EXPECT_EQ(tokenizeText("Children's Sci-Fi 2001: A x"),
            (std::vector<std::string>{"children", "sci", "fi", "2001"}));
  EXPECT_TRUE(tokenizeText(" - ").empty());
}

TEST(Content, TfIdfWeightsOnThreeDocuments) {
  auto log = fruitLog();
  TfIdf m;
  fitAll(m, log);
  const double idfShared = std::log(4.0 / 3.0) + 1.0;  // ln((1+3)/(1+2)) + 1
  const double idfCherry = std::log(4.0 / 2.0) + 1.0;  // ln((1+3)/(1+1)) + 1
  EXPECT_NEAR(weightOf(m, 0, "apple"), 1.0 / std::sqrt(2.0), 1e-6);
  EXPECT_NEAR(weightOf(m, 0, "banana"), 1.0 / std::sqrt(2.0), 1e-6);
  EXPECT_NEAR(weightOf(m, 1, "apple"), 1.0, 1e-6);
  const double b = 2 * idfShared, c = idfCherry, n = std::sqrt(b * b + c * c);
  EXPECT_NEAR(weightOf(m, 2, "banana"), b / n, 1e-6);  // 0.835594...
  EXPECT_NEAR(weightOf(m, 2, "cherry"), c / n, 1e-6);  // 0.549351...
  EXPECT_EQ(weightOf(m, 2, "apple"), 0.0f);
  EXPECT_EQ(m.vocabulary().size(), 3u);

  // u0's history is d1 (= apple): cosine to d0 = 1/sqrt2, to d1 = 1, to d2 = 0.
  // u1's history is d2: cosine to d0 = (b/n)/sqrt2.
  auto s = scores(m, {0, 1});
  EXPECT_NEAR(s(0, 0), 1.0 / std::sqrt(2.0), 1e-6);
  EXPECT_NEAR(s(0, 1), 1.0, 1e-6);
  EXPECT_NEAR(s(0, 2), 0.0, 1e-6);
  EXPECT_NEAR(s(1, 0), (b / n) / std::sqrt(2.0), 1e-6);

  const auto path = tempPath("tfidf.bin");
  m.save(path);
  TfIdf loaded;
  loaded.load(path);
  std::remove(path.c_str());
  EXPECT_TRUE(scores(loaded, {0, 1}).isApprox(s));
}

TEST(Content, FieldSelectionErrors) {
  auto log = fruitLog();
  TfIdf numeric(TfIdfConfig{"price", false});
  try {
    fitAll(numeric, log);
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("'price' is not a text attribute"), std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("usable: keywords"), std::string::npos) << e.what();
  }
  auto bare = makeLog(1, 2, {{0, 0}});
  TfIdf none;
  EXPECT_THROW(fitAll(none, bare), InputError);
}

// Sets (category is categorical, genres multi-categorical):
//   S0 = {cat A, x, y}, S1 = {cat A, y}, S2 = {cat B, x, y, z}
//   J(0,1) = 2/3, J(0,2) = |{x,y}| / |{A,B,x,y,z}| = 2/5, J(1,2) = |{y}| / 5 = 1/5.
data::InteractionLog setsLog() {
  auto log = makeLog(2, 3, {{0, 0}, {1, 1}, {1, 2}});
  auto& a = log.itemAttributes;
  a.setCategorical("category", 0, "A");
  a.setCategorical("category", 1, "A");
  a.setCategorical("category", 2, "B");
  a.addMulti("genres", 0, "x");
  a.addMulti("genres", 0, "y");
  a.addMulti("genres", 1, "y");
  a.addMulti("genres", 2, "x");
  a.addMulti("genres", 2, "y");
  a.addMulti("genres", 2, "z");
  return log;
}

TEST(Content, JaccardHandExample) {
  EXPECT_DOUBLE_EQ(jaccard({1, 2, 3}, {2, 3, 4}), 0.5);
  EXPECT_DOUBLE_EQ(jaccard({}, {}), 0.0);
  auto log = setsLog();
  JaccardRanker maxR(JaccardConfig{"", JaccardConfig::Aggregate::Max});
  fitAll(maxR, log);
  auto s = scores(maxR, {0, 1});
  EXPECT_NEAR(s(0, 0), 1.0, 1e-6);
  EXPECT_NEAR(s(0, 1), 2.0 / 3.0, 1e-6);
  EXPECT_NEAR(s(0, 2), 2.0 / 5.0, 1e-6);
  EXPECT_NEAR(s(1, 0), 2.0 / 3.0, 1e-6);  // max(J(0,1), J(0,2))
  EXPECT_NEAR(s(1, 1), 1.0, 1e-6);
  JaccardRanker meanR(JaccardConfig{"", JaccardConfig::Aggregate::Mean});
  fitAll(meanR, log);
  auto m = scores(meanR, {1});
  EXPECT_NEAR(m(0, 0), (2.0 / 3.0 + 2.0 / 5.0) / 2.0, 1e-6);
  EXPECT_NEAR(m(0, 1), (1.0 + 1.0 / 5.0) / 2.0, 1e-6);
  // Only the genres field: S0 = {x,y}, S2 = {x,y,z} -> J = 2/3.
  JaccardRanker genres(JaccardConfig{"genres", JaccardConfig::Aggregate::Max});
  fitAll(genres, log);
  EXPECT_NEAR(scores(genres, {0})(0, 2), 2.0 / 3.0, 1e-6);

  const auto path = tempPath("jaccard.bin");
  maxR.save(path);
  JaccardRanker loaded;
  loaded.load(path);
  std::remove(path.c_str());
  EXPECT_TRUE(scores(loaded, {0, 1}).isApprox(s));
}

TEST(Content, RegistryHasTfIdfAndJaccard) {
  Registry reg;
  registerContent(reg);
  ASSERT_NE(reg.find("tfidf"), nullptr);
  ASSERT_NE(reg.find("jaccard"), nullptr);
  auto p = reg.validate("jaccard", nlohmann::json::object());
  EXPECT_EQ(p["aggregate"], "max");
  EXPECT_NE(dynamic_cast<JaccardRanker*>(reg.create("jaccard", p).get()), nullptr);
}

TEST(ItemMeta, ReadsTitlesCategoriesAndKeywords) {
  const auto path = tempPath("items_meta.csv");
  {
    std::ofstream f(path);
    f << "item,title,category,keywords\n"
         "2,\"Wild Song, The (1988)\",Film-Noir,war;twins\n"
         "9,Unknown,Drama,spy\n"
         "1,Garden (1993),Adventure,chase\n";
  }
  auto log = makeLog(1, 2, {{0, 0}});
  auto stats = loadItemMeta(log, path);
  std::remove(path.c_str());
  EXPECT_EQ(stats.rows, 3);
  EXPECT_EQ(stats.matched, 2);
  const auto* title = log.itemAttributes.find("title");
  ASSERT_NE(title, nullptr);
  EXPECT_EQ(title->vocabulary[static_cast<std::size_t>(title->categorical[1])],
            "Wild Song, The (1988)");
  const auto* kw = log.itemAttributes.find("keywords");
  ASSERT_NE(kw, nullptr);
  ASSERT_EQ(kw->multi[1].size(), 2u);
  EXPECT_EQ(kw->vocabulary[static_cast<std::size_t>(kw->multi[1][1])], "twins");
  const auto* cat = log.itemAttributes.find("category");
  EXPECT_EQ(cat->vocabulary[static_cast<std::size_t>(cat->categorical[0])], "Adventure");
}

TEST(Content, PlantedTastesBeatPopularity) {
  // 6 categories x 40 items; an item's keywords come from its category's pool of 5 words.
  // Each user likes one category and consumes 10 of its items. Held-out items of the liked
  // category are what TF-IDF and Jaccard should rank first; popularity cannot tell.
  const int cats = 6, perCat = 40, items = cats * perCat, users = 300;
  std::mt19937_64 rng(21);
  std::vector<Entry> entries;
  std::uniform_int_distribution<int> pickCat(0, cats - 1), pickIn(0, perCat - 1), pickWord(0, 4);
  for (int u = 0; u < users; ++u) {
    const int c = pickCat(rng);
    std::vector<int> seen;
    while (seen.size() < 10) {
      int i = c * perCat + pickIn(rng);
      if (std::find(seen.begin(), seen.end(), i) == seen.end()) seen.push_back(i);
    }
    for (int i : seen) entries.push_back({u, i});
  }
  auto log = makeLog(users, items, entries);
  for (int i = 0; i < items; ++i) {
    const int c = i / perCat;
    log.itemAttributes.setCategorical("category", i, "cat" + std::to_string(c));
    for (int w = 0; w < 2; ++w)
      log.itemAttributes.addMulti("keywords", i,
                                  "word" + std::to_string(c) + "x" + std::to_string(pickWord(rng)));
  }
  // Hold out every 5th row.
  std::vector<std::uint32_t> train, test;
  for (std::uint32_t r = 0; r < log.numRows(); ++r) (r % 5 == 4 ? test : train).push_back(r);
  StopToken stop;
  TrainContext ctx{log, train, nullptr, 1, 2, nullObserver(), stop};
  eval::RankingOptions opt;
  auto recall = [&](Recommender& m) {
    m.fit(ctx);
    return eval::evaluateRanking(m, log, train, test, opt, nullObserver(), stop)
        .means["recall@10"];
  };
  Popularity pop;
  TfIdf tfidf;
  JaccardRanker jac(JaccardConfig{"", JaccardConfig::Aggregate::Mean});
  const double rPop = recall(pop), rTf = recall(tfidf), rJac = recall(jac);
  std::printf("[Content] planted tastes recall@10: popularity %.3f, tfidf %.3f, jaccard %.3f\n",
              rPop, rTf, rJac);
  // Within the liked category (40 items, ~8 seen) a uniform pick of 10 finds ~10/32 of the
  // held-out items; popularity over all 240 items finds far fewer.
  EXPECT_GT(rTf, 0.25);
  EXPECT_GT(rJac, 0.25);
  EXPECT_GT(rTf, 2 * rPop);
}
