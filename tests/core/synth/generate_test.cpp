#include <gtest/gtest.h>

#include <filesystem>
#include <functional>

#include "common/errors.h"
#include "data/synth/generate.h"
#include "synth_test_util.h"

namespace reclab::synth {
namespace {

using testing::readJson;
using testing::TempDir;

std::string errorOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "no error";
}

class RecordingObserver : public Observer {
 public:
  void onProgress(double fraction, std::string_view) override {
    if (fraction < last) monotonic = false;
    last = fraction;
    ++calls;
  }
  void onLog(LogLevel, std::string_view message) override { logs.emplace_back(message); }
  double last = 0.0;
  bool monotonic = true;
  int calls = 0;
  std::vector<std::string> logs;
};

TEST(SynthGenerate, OptionsFillTheConfigs) {
  const RatingsConfig r =
      ratingsConfigFromOptions({{"users", 10}, {"items", "50"}, {"sigma", 0.5}}, 7);
  EXPECT_EQ(r.users, 10);
  EXPECT_EQ(r.items, 50);
  EXPECT_DOUBLE_EQ(r.sigma, 0.5);
  EXPECT_EQ(r.rank, 8);
  EXPECT_EQ(r.seed, 7U);
  EXPECT_FALSE(r.overwrite);

  const RetailRocketConfig rr =
      retailRocketConfigFromOptions({{"users", 30}, {"overwrite", true}}, 1);
  EXPECT_EQ(rr.visitors, 30);
  EXPECT_TRUE(rr.overwrite);
  EXPECT_EQ(retailRocketConfigFromOptions({{"visitors", 31.0}}, 1).visitors, 31);

  const YoochooseConfig y = yoochooseConfigFromOptions(nlohmann::json::object(), 3);
  EXPECT_EQ(y.sessions, YoochooseConfig::defaults().sessions);
  EXPECT_EQ(yoochooseConfigFromOptions(nullptr, 3).items, 2000);
}

TEST(SynthGenerate, BadOptionsAreRefusedWithPreciseMessages) {
  EXPECT_EQ(errorOf([] {
              ratingsConfigFromOptions({{"sessions", 5}}, 1);
            }),
            "synth ratings: unknown option 'sessions' (accepted: global_mean, interaction_std, "
            "item_bias_std, items, max_keywords, min_keywords, min_ratings_per_user, overwrite, "
            "popularity_exponent, rank, ratings_per_user, sigma, user_bias_std, users)");
  EXPECT_EQ(errorOf([] {
              ratingsConfigFromOptions({{"users", "12a"}}, 1);
            }),
            "synth ratings: option 'users': not an integer: \"12a\"");
  EXPECT_EQ(errorOf([] {
              ratingsConfigFromOptions({{"users", 2.5}}, 1);
            }),
            "synth ratings: option 'users': not an integer: 2.5");
  EXPECT_EQ(errorOf([] {
              ratingsConfigFromOptions({{"rank", 1e12}}, 1);
            }),
            "synth ratings: option 'rank': out of range: 1000000000000.0");
  EXPECT_EQ(errorOf([] {
              ratingsConfigFromOptions({{"users", 0}}, 1);
            }),
            "synth ratings: users must be > 0, got 0");
  EXPECT_EQ(errorOf([] {
              yoochooseConfigFromOptions({{"overwrite", "yes"}}, 1);
            }),
            "synth yoochoose: option 'overwrite': not a boolean: \"yes\"");
  EXPECT_EQ(errorOf([] {
              retailRocketConfigFromOptions({{"users", 3}, {"visitors", 4}}, 1);
            }),
            "synth retailrocket: give either 'visitors' or 'users', not both");
  EXPECT_EQ(errorOf([] { yoochooseConfigFromOptions(nlohmann::json::array(), 1); }),
            "synth yoochoose: options must be a JSON object, got []");
  TempDir dir;
  EXPECT_EQ(errorOf([&] { generate("movielens", {}, 1, dir.str(), nullObserver(), StopToken()); }),
            "synth: unknown kind 'movielens' (expected ratings, retailrocket or yoochoose)");
}

TEST(SynthGenerate, EachKindWritesItsFilesAndReportsProgress) {
  const std::vector<std::pair<std::string, nlohmann::json>> runs = {
      {"ratings", {{"users", 60}, {"items", 80}}},
      {"retailrocket", {{"visitors", 200}, {"items", 100}}},
      {"yoochoose", {{"sessions", 3000}, {"items", 100}}}};
  for (const auto& [kind, options] : runs) {
    TempDir dir;
    RecordingObserver observer;
    const SynthResult r = generate(kind, options, 5, dir.str(), observer, StopToken());
    EXPECT_EQ(r.outDir, dir.str());
    std::uint64_t bytes = 0;
    for (const std::string& f : r.files) bytes += std::filesystem::file_size(f);
    EXPECT_EQ(bytes, r.bytes) << kind;
    EXPECT_GT(r.rows, 0U);
    const auto truth = readJson(dir.file("ground_truth.json"));
    EXPECT_EQ(truth["kind"], kind);
    EXPECT_EQ(truth["seed"], 5);
    EXPECT_TRUE(observer.monotonic);
    EXPECT_DOUBLE_EQ(observer.last, 1.0);
    ASSERT_EQ(observer.logs.size(), 1U);
    EXPECT_EQ(observer.logs[0].rfind("synth " + kind, 0), 0U);
    // Same call again: refused, then accepted with overwrite.
    EXPECT_THROW(generate(kind, options, 5, dir.str(), observer, StopToken()), InputError);
    nlohmann::json again = options;
    again["overwrite"] = true;
    EXPECT_NO_THROW(generate(kind, again, 5, dir.str(), observer, StopToken()));
  }
}

TEST(SynthGenerate, StopTokenCancels) {
  for (const std::string kind : {"ratings", "retailrocket", "yoochoose"}) {
    TempDir dir;
    StopToken stop;
    stop.requestStop();
    EXPECT_THROW(generate(kind, nlohmann::json::object(), 1, dir.str(), nullObserver(), stop),
                 Cancelled)
        << kind;
  }
}

}  // namespace
}  // namespace reclab::synth
