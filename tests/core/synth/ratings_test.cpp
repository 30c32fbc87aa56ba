#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "common/errors.h"
#include "common/text.h"
#include "data/synth/ratings.h"
#include "data/synth/vocabulary.h"
#include "synth_test_util.h"

namespace reclab::synth {
namespace {

using testing::readFile;
using testing::readJson;
using testing::readLines;
using testing::split;
using testing::TempDir;

RatingsConfig smallConfig() {
  RatingsConfig c = RatingsConfig::defaults();
  c.users = 300;
  c.items = 500;
  c.ratingsPerUser = 60;
  return c;
}

/// One generated data set shared by the property tests (generated once).
class SynthRatings : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    s_dir = new TempDir();
    generateRatings(smallConfig(), s_dir->str(), nullObserver(), StopToken());
    s_truth = new nlohmann::json(readJson(s_dir->file("ground_truth.json")));
    s_factors = new nlohmann::json(readJson(s_dir->file("factors.json")));
  }
  static void TearDownTestSuite() {
    delete s_factors;
    delete s_truth;
    delete s_dir;
  }
  static TempDir* s_dir;
  static nlohmann::json* s_truth;
  static nlohmann::json* s_factors;
};
TempDir* SynthRatings::s_dir = nullptr;
nlohmann::json* SynthRatings::s_truth = nullptr;
nlohmann::json* SynthRatings::s_factors = nullptr;

double expectedRating(const nlohmann::json& f, std::size_t u, std::size_t i) {
  const auto& p = f["user_factors"][u];
  const auto& q = f["item_factors"][i];
  double dot = 0.0;
  for (std::size_t k = 0; k < p.size(); ++k) dot += p[k].get<double>() * q[k].get<double>();
  return f["global_mean"].get<double>() + f["user_bias"][u].get<double>() +
         f["item_bias"][i].get<double>() + dot;
}

TEST(SynthRatingsDeterminism, SameSeedSameBytesOtherSeedOtherBytes) {
  RatingsConfig c = smallConfig();
  c.users = 80;
  TempDir a, b, other;
  generateRatings(c, a.str(), nullObserver(), StopToken());
  generateRatings(c, b.str(), nullObserver(), StopToken());
  testing::expectSameFiles(ratingsFileNames(), a, b);
  c.seed = 43;
  generateRatings(c, other.str(), nullObserver(), StopToken());
  EXPECT_NE(readFile(a.file("u.data")), readFile(other.file("u.data")));
  EXPECT_NE(readFile(a.file("u.item")), readFile(other.file("u.item")));
}

TEST_F(SynthRatings, RmseAgainstNoiseFreeTruthIsTheReportedNoiseFloor) {
  const auto lines = readLines(s_dir->file("u.data"));
  ASSERT_EQ(lines.size(), s_truth->at("ratings").get<std::size_t>());
  double sq = 0.0, sum = 0.0;
  std::set<std::pair<int, int>> pairs;
  for (const std::string& line : lines) {
    const auto f = split(line, '\t');
    ASSERT_EQ(f.size(), 4U) << line;
    const int u = std::stoi(f[0]), i = std::stoi(f[1]), r = std::stoi(f[2]);
    const long long t = std::stoll(f[3]);
    ASSERT_GE(u, 1);
    ASSERT_LE(u, 300);
    ASSERT_GE(i, 1);
    ASSERT_LE(i, 500);
    ASSERT_GE(r, 1);
    ASSERT_LE(r, 5);
    EXPECT_GE(t, 874724710);
    EXPECT_LE(t, 893286638);
    EXPECT_TRUE(pairs.insert({u, i}).second) << "duplicate pair " << line;
    const double truth = std::clamp(expectedRating(*s_factors, u - 1, i - 1), 1.0, 5.0);
    sq += (r - truth) * (r - truth);
    sum += r;
  }
  const double n = static_cast<double>(lines.size());
  EXPECT_NEAR(std::sqrt(sq / n), s_truth->at("noise_floor_rmse").get<double>(), 1e-9);
  // sigma 0.9 plus rounding, minus what clipping removes.
  EXPECT_GT(s_truth->at("noise_floor_rmse").get<double>(), 0.7);
  EXPECT_LT(s_truth->at("noise_floor_rmse").get<double>(), 1.0);
  EXPECT_NEAR(sum / n, 3.5, 0.3);
  EXPECT_NEAR(sum / n, s_truth->at("mean_rating").get<double>(), 1e-9);
  // ~20 + Exp(40) per user.
  EXPECT_NEAR(n / 300.0, 60.0, 8.0);
}

TEST_F(SynthRatings, CategoriesFollowTheFactors) {
  const auto& categories = s_truth->at("item_category");
  const auto& itemFactors = s_factors->at("item_factors");
  const auto& prototypes = s_factors->at("genre_prototypes");
  ASSERT_EQ(categories.size(), 500U);
  // Planted rule: the genre prototype with the largest dot product.
  std::map<std::string, std::vector<double>> centroid;
  std::map<std::string, int> size;
  for (std::size_t i = 0; i < categories.size(); ++i) {
    const auto q = itemFactors[i].get<std::vector<double>>();
    std::string best;
    double bestScore = -1e300;
    for (auto it = prototypes.begin(); it != prototypes.end(); ++it) {
      const auto c = it.value().get<std::vector<double>>();
      double s = 0.0;
      for (std::size_t k = 0; k < q.size(); ++k) s += c[k] * q[k];
      if (s > bestScore) {
        bestScore = s;
        best = it.key();
      }
    }
    EXPECT_EQ(categories[i].get<std::string>(), best);
    auto& m = centroid[best];
    m.resize(q.size(), 0.0);
    for (std::size_t k = 0; k < q.size(); ++k) m[k] += q[k];
    ++size[best];
  }
  // And visible without the prototypes: nearest-centroid (cosine) recovers most categories.
  int correct = 0;
  for (std::size_t i = 0; i < categories.size(); ++i) {
    const auto q = itemFactors[i].get<std::vector<double>>();
    std::string best;
    double bestCos = -2.0;
    for (const auto& [name, c] : centroid) {
      double dot = 0.0, nc = 0.0, nq = 0.0;
      for (std::size_t k = 0; k < q.size(); ++k) {
        dot += c[k] * q[k];
        nc += c[k] * c[k];
        nq += q[k] * q[k];
      }
      const double cosine = dot / std::sqrt(nc * nq + 1e-300);
      if (cosine > bestCos) {
        bestCos = cosine;
        best = name;
      }
    }
    correct += best == categories[i].get<std::string>() ? 1 : 0;
  }
  EXPECT_GT(correct / 500.0, 0.5);  // chance is about 1/18
  EXPECT_GE(size.size(), 10U);
}

TEST_F(SynthRatings, MovieLensItemFileIsLatin1WithOneGenreFlag) {
  const std::string raw = readFile(s_dir->file("u.item"));
  EXPECT_NE(raw.find('\xE9'), std::string::npos);
  EXPECT_FALSE(text::isValidUtf8(raw));
  const auto lines = readLines(s_dir->file("u.item"));
  ASSERT_EQ(lines.size(), 500U);
  const auto metaLines = readLines(s_dir->file("items_meta.csv"));
  ASSERT_EQ(metaLines.size(), 501U);
  EXPECT_EQ(metaLines[0], "item,title,category,keywords");
  EXPECT_TRUE(text::isValidUtf8(readFile(s_dir->file("items_meta.csv"))));
  const std::set<std::string_view> vocab(vocabulary::kKeywords.begin(),
                                         vocabulary::kKeywords.end());
  int quoted = 0;
  std::vector<std::string_view> fields;
  std::vector<std::string> storage;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const auto f = split(lines[i], '|');
    ASSERT_EQ(f.size(), 24U) << lines[i];
    EXPECT_EQ(f[0], std::to_string(i + 1));
    EXPECT_EQ(f[2].size(), 11U) << f[2];  // 01-Jan-1995
    EXPECT_TRUE(f[3].empty());
    EXPECT_EQ(f[4].rfind("http://us.imdb.com/M/title-exact?", 0), 0U);
    int flags = 0, flagged = -1;
    for (int g = 0; g < 19; ++g) {
      ASSERT_TRUE(f[5 + g] == "0" || f[5 + g] == "1");
      if (f[5 + g] == "1") {
        ++flags;
        flagged = g;
      }
    }
    ASSERT_EQ(flags, 1);
    const std::string genre(vocabulary::kMovieLensGenres[static_cast<std::size_t>(flagged)]);
    EXPECT_EQ(genre, s_truth->at("item_category")[i].get<std::string>());

    quoted += metaLines[i + 1].find('"') != std::string::npos ? 1 : 0;
    ASSERT_TRUE(text::splitCsvQuoted(metaLines[i + 1], ',', fields, storage));
    ASSERT_EQ(fields.size(), 4U) << metaLines[i + 1];
    EXPECT_EQ(fields[0], std::to_string(i + 1));
    EXPECT_EQ(std::string(fields[1]), text::latin1ToUtf8(f[1]));
    EXPECT_EQ(std::string(fields[2]), genre);
    const auto keywords = split(std::string(fields[3]), ';');
    EXPECT_GE(keywords.size(), 3U);
    EXPECT_LE(keywords.size(), 6U);
    EXPECT_EQ(std::set<std::string>(keywords.begin(), keywords.end()).size(), keywords.size());
    for (const auto& k : keywords) EXPECT_EQ(vocab.count(k), 1U) << k;
  }
  EXPECT_GT(quoted, 0);  // "Golden River, The (1994)" needs quoting
}

TEST_F(SynthRatings, UsersHaveMovieLensFieldsAndAgeFollowsFactorZero) {
  const auto lines = readLines(s_dir->file("u.user"));
  ASSERT_EQ(lines.size(), 300U);
  const std::set<std::string_view> occupations(vocabulary::kMovieLensOccupations.begin(),
                                               vocabulary::kMovieLensOccupations.end());
  double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
  for (std::size_t u = 0; u < lines.size(); ++u) {
    const auto f = split(lines[u], '|');
    ASSERT_EQ(f.size(), 5U) << lines[u];
    EXPECT_EQ(f[0], std::to_string(u + 1));
    const int age = std::stoi(f[1]);
    EXPECT_GE(age, 7);
    EXPECT_LE(age, 73);
    EXPECT_TRUE(f[2] == "M" || f[2] == "F");
    EXPECT_EQ(occupations.count(f[3]), 1U) << f[3];
    EXPECT_EQ(f[4].size(), 5U);
    const double x = s_factors->at("user_factors")[u][0].get<double>();
    sx += x;
    sy += age;
    sxx += x * x;
    syy += double(age) * age;
    sxy += x * age;
  }
  const double n = 300.0;
  const double corr = (sxy - sx * sy / n) / std::sqrt((sxx - sx * sx / n) * (syy - sy * sy / n));
  EXPECT_GT(corr, 0.5);
}

TEST(SynthRatingsConfig, BadValuesAreRefusedWithPreciseMessages) {
  auto message = [](auto mutate) {
    RatingsConfig c = RatingsConfig::defaults();
    mutate(c);
    try {
      c.validate();
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(message([](RatingsConfig& c) { c.users = 0; }),
            "synth ratings: users must be > 0, got 0");
  EXPECT_EQ(message([](RatingsConfig& c) { c.items = -5; }),
            "synth ratings: items must be > 0, got -5");
  EXPECT_EQ(message([](RatingsConfig& c) { c.rank = 0; }),
            "synth ratings: rank must be in [1, 256], got 0");
  EXPECT_EQ(message([](RatingsConfig& c) { c.items = 10; }),
            "synth ratings: min_ratings_per_user must be <= items (10), got 20");
  EXPECT_EQ(message([](RatingsConfig& c) { c.sigma = -1; }),
            "synth ratings: sigma must be in [0, 10], got -1");
  EXPECT_EQ(message([](RatingsConfig& c) { c.maxKeywords = 2; }),
            "synth ratings: max_keywords must be in [3, 50], got 2");
  EXPECT_EQ(message([](RatingsConfig&) {}), "no error");
}

TEST(SynthRatingsConfig, RefusesToOverwriteUnlessAsked) {
  RatingsConfig c = smallConfig();
  c.users = 20;
  c.items = 40;
  TempDir dir;
  generateRatings(c, dir.str(), nullObserver(), StopToken());
  EXPECT_THROW(generateRatings(c, dir.str(), nullObserver(), StopToken()), InputError);
  c.overwrite = true;
  const SynthResult r = generateRatings(c, dir.str(), nullObserver(), StopToken());
  EXPECT_EQ(r.files.size(), ratingsFileNames().size());
  EXPECT_EQ(r.rows, readLines(dir.file("u.data")).size());
}

TEST(SynthRatingsConfig, TinyCatalogueStillGivesDistinctPairs) {
  RatingsConfig c = RatingsConfig::defaults();
  c.users = 30;
  c.items = 25;
  c.minRatingsPerUser = 20;
  c.ratingsPerUser = 40;  // most users want more items than exist: capped at 25
  TempDir dir;
  generateRatings(c, dir.str(), nullObserver(), StopToken());
  std::map<int, std::set<int>> byUser;
  for (const auto& line : readLines(dir.file("u.data"))) {
    const auto f = split(line, '\t');
    EXPECT_TRUE(byUser[std::stoi(f[0])].insert(std::stoi(f[1])).second);
  }
  for (const auto& [u, items] : byUser) {
    EXPECT_GE(items.size(), 20U);
    EXPECT_LE(items.size(), 25U);
  }
}

TEST(SynthRatingsConfig, StopsWhenAsked) {
  TempDir dir;
  StopToken stop;
  stop.requestStop();
  EXPECT_THROW(generateRatings(smallConfig(), dir.str(), nullObserver(), stop), Cancelled);
}

}  // namespace
}  // namespace reclab::synth
