#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "common/errors.h"
#include "common/text.h"
#include "data/synth/file_writer.h"
#include "data/synth/output.h"
#include "data/synth/random.h"
#include "data/synth/vocabulary.h"
#include "synth_test_util.h"

namespace reclab::synth {
namespace {

using testing::readFile;
using testing::TempDir;

TEST(SynthRng, EngineIsTheStandardMt19937_64) {
  Rng rng(5489);  // the standard's check value: the 10000th output for the default seed
  for (int i = 0; i < 9999; ++i) rng.bits();
  EXPECT_EQ(rng.bits(), 9981545732273789042ULL);
}

TEST(SynthRng, SameSeedSameStreamDifferentSeedDifferentStream) {
  Rng a(7), b(7), c(8);
  bool differs = false;
  for (int i = 0; i < 100; ++i) {
    const double x = a.normal();
    EXPECT_EQ(x, b.normal());
    differs = differs || x != c.normal();
  }
  EXPECT_TRUE(differs);
  EXPECT_NE(mixSeed(1, 1), mixSeed(1, 2));
  EXPECT_NE(mixSeed(1, 1), mixSeed(2, 1));
}

TEST(SynthRng, DistributionsHaveTheirMoments) {
  Rng rng(123);
  const int n = 200000;
  double sum = 0, sumSq = 0, geo = 0, expo = 0, uni = 0;
  for (int i = 0; i < n; ++i) {
    const double z = rng.normal();
    sum += z;
    sumSq += z * z;
    geo += static_cast<double>(rng.geometric(4.0));
    expo += rng.exponential(2.0);
    uni += rng.uniform();
  }
  EXPECT_NEAR(sum / n, 0.0, 0.01);
  EXPECT_NEAR(sumSq / n, 1.0, 0.02);
  EXPECT_NEAR(geo / n, 4.0, 0.05);
  EXPECT_NEAR(expo / n, 2.0, 0.03);
  EXPECT_NEAR(uni / n, 0.5, 0.005);
  EXPECT_EQ(rng.geometric(1.0), 1U);
}

TEST(SynthRng, BelowStaysInRangeAndCoversIt) {
  Rng rng(9);
  std::set<std::uint64_t> seen;
  for (int i = 0; i < 1000; ++i) {
    const auto v = rng.below(7);
    ASSERT_LT(v, 7U);
    seen.insert(v);
  }
  EXPECT_EQ(seen.size(), 7U);
  for (int i = 0; i < 100; ++i) {
    const auto v = rng.between(-3, 3);
    EXPECT_GE(v, -3);
    EXPECT_LE(v, 3);
  }
}

TEST(SynthRng, AliasTableFollowsTheWeights) {
  Rng rng(5);
  const AliasTable table({1.0, 0.0, 3.0, 4.0});
  std::vector<int> count(4, 0);
  const int n = 80000;
  for (int i = 0; i < n; ++i) ++count[table.sample(rng)];
  EXPECT_EQ(count[1], 0);
  EXPECT_NEAR(count[0] / double(n), 0.125, 0.006);
  EXPECT_NEAR(count[2] / double(n), 0.375, 0.008);
  EXPECT_NEAR(count[3] / double(n), 0.5, 0.008);
  EXPECT_THROW(AliasTable({0.0, 0.0}), std::invalid_argument);
}

TEST(SynthRng, ZipfWeightsAndDistinctIntegers) {
  const auto w = zipfWeights(3, 1.0);
  EXPECT_DOUBLE_EQ(w[0], 1.0);
  EXPECT_DOUBLE_EQ(w[1], 0.5);
  EXPECT_DOUBLE_EQ(w[2], 1.0 / 3.0);
  Rng rng(3);
  const auto ids = distinctIntegers(rng, 50, 100, 160);
  std::set<std::int64_t> unique(ids.begin(), ids.end());
  EXPECT_EQ(unique.size(), 50U);
  EXPECT_GE(*unique.begin(), 100);
  EXPECT_LT(*unique.rbegin(), 160);
}

TEST(SynthWriter, IsoTimestampsGolden) {
  EXPECT_EQ(isoMillis(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(isoMillis(951782400000), "2000-02-29T00:00:00.000Z");
  EXPECT_EQ(isoMillis(1396867869277), "2014-04-07T10:51:09.277Z");
  EXPECT_EQ(isoMillis(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(daysFromCivil(2000, 2, 29), 11016);
  const CivilDate d = civilFromDays(11016);
  EXPECT_EQ(d.year, 2000);
  EXPECT_EQ(d.month, 2U);
  EXPECT_EQ(d.day, 29U);
}

TEST(SynthWriter, WritesNumbersTimestampsAndQuotedFields) {
  TempDir dir;
  std::filesystem::create_directories(dir.str());
  const std::string path = dir.file("w.txt");
  Rng rng(1);
  std::vector<std::int64_t> stamps;
  {
    FileWriter out(path, 256);  // tiny buffer: exercises the flushes
    out.writeInt(-42);
    out.put(' ');
    out.writeInt(9223372036854775807LL);
    out.put(' ');
    out.writeFixed(12000.0, 3);
    out.put(' ');
    out.writeFixed(0.125, 2);
    out.put('\n');
    out.writeCsvField("plain");
    out.put(',');
    out.writeCsvField("a, \"b\"");
    out.put('\n');
    for (int i = 0; i < 300; ++i) {
      stamps.push_back(rng.between(0, 4102444800000));
      out.writeIsoMillis(stamps.back());
      out.put('\n');
    }
    out.close();
    EXPECT_EQ(out.bytesWritten(), readFile(path).size());
  }
  const auto lines = testing::readLines(path);
  ASSERT_EQ(lines.size(), 302U);
  EXPECT_EQ(lines[0], "-42 9223372036854775807 12000.000 0.12");
  EXPECT_EQ(lines[1], "plain,\"a, \"\"b\"\"\"");
  for (std::size_t i = 0; i < stamps.size(); ++i) {
    EXPECT_EQ(lines[i + 2], isoMillis(stamps[i]));
    const auto parsed = text::parseIso8601Millis(lines[i + 2]);
    ASSERT_TRUE(parsed) << lines[i + 2];
    EXPECT_EQ(*parsed.value, stamps[i]);
  }
}

TEST(SynthWriter, CannotOpenIsAnInputError) {
  EXPECT_THROW(FileWriter("/nonexistent-dir-reclab/x.txt"), InputError);
}

TEST(SynthOutput, CreatesTheDirectoryAndRefusesToOverwrite) {
  TempDir dir;
  const std::string nested = dir.file("a/b");
  prepareOutputDir("synth test", nested, {"x.csv"}, false);
  EXPECT_TRUE(std::filesystem::is_directory(nested));
  { std::ofstream(nested + "/x.csv") << "1\n"; }
  try {
    prepareOutputDir("synth test", nested, {"y.csv", "x.csv"}, false);
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("synth test: "), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("x.csv: already exists"), std::string::npos);
  }
  EXPECT_NO_THROW(prepareOutputDir("synth test", nested, {"x.csv"}, true));
  EXPECT_THROW(prepareOutputDir("synth test", nested + "/x.csv", {}, true), InputError);
}

TEST(SynthOutput, JsonFileReadsBack) {
  TempDir dir;
  std::filesystem::create_directories(dir.str());
  const nlohmann::json j = {{"b", {1, 2, 3}}, {"a", 0.1234}, {"c", "é"}};
  writeJsonFile(dir.file("g.json"), j);
  EXPECT_EQ(testing::readJson(dir.file("g.json")), j);
}

TEST(SynthVocabulary, WordListsAreCompleteAndDistinct) {
  const auto& k = vocabulary::kKeywords;
  std::set<std::string_view> unique(k.begin(), k.end());
  EXPECT_EQ(unique.size(), 200U);
  for (std::string_view w : k) {
    EXPECT_FALSE(w.empty());
    EXPECT_EQ(w.find_first_of(",;|\" "), std::string_view::npos) << w;
  }
  EXPECT_EQ(vocabulary::kMovieLensGenres[0], "unknown");
  EXPECT_EQ(vocabulary::kMovieLensGenres[18], "Western");
  for (std::string_view w : vocabulary::kAccentedNouns) {
    EXPECT_TRUE(text::isValidUtf8(w));
    EXPECT_NE(w.find("\xC3\xA9"), std::string_view::npos);
  }
}

}  // namespace
}  // namespace reclab::synth
