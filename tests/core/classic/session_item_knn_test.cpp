#include "models/classic/session_item_knn.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "classic_test_data.h"
#include "common/errors.h"
#include "session_test_data.h"

namespace reclab::models {
namespace {

using sessiontest::fitAll;
using sessiontest::makeSessionLog;
using sessiontest::scoreOne;

// Sessions [0,1,2], [0,1], [1,2,1] over 4 items (item 3 never clicked).
// supp = (2, 3, 2, 0) (the re-click of 1 in the third session counts once);
// co(0,1) = 2, co(0,2) = 1, co(1,2) = 2.
const std::vector<std::vector<int>> kTrain{{0, 1, 2}, {0, 1}, {1, 2, 1}};

SessionItemKnnConfig config(int k, double lambda, double alpha) {
  auto c = SessionItemKnnConfig::defaults();
  c.k = k;
  c.lambda = lambda;
  c.alpha = alpha;
  return c;
}

TEST(SessionItemKnn, CosineOnThreeSessions) {
  // lambda 0, alpha 0.5: sim(0,1) = 2 / sqrt(2*3), sim(0,2) = 1 / sqrt(2*2) = 0.5,
  // sim(1,2) = 2 / sqrt(3*2). Only the last item of the prefix matters.
  const auto log = makeSessionLog(kTrain, 4);
  SessionItemKnn m(config(10, 0.0, 0.5));
  fitAll(m, log);
  const auto s = scoreOne(m, {2, 0});
  EXPECT_FLOAT_EQ(s[0], 0.0f);  // never its own neighbour
  EXPECT_FLOAT_EQ(s[1], static_cast<float>(2 / std::sqrt(6.0)));
  EXPECT_FLOAT_EQ(s[2], 0.5f);
  EXPECT_FLOAT_EQ(s[3], 0.0f);
  const auto t = scoreOne(m, {0, 1});
  EXPECT_FLOAT_EQ(t[0], static_cast<float>(2 / std::sqrt(6.0)));
  EXPECT_FLOAT_EQ(t[2], static_cast<float>(2 / std::sqrt(6.0)));
  // Item 3 was never trained on: no neighbours, all zeros.
  EXPECT_EQ(scoreOne(m, {0, 3}), (std::vector<float>(4, 0.0f)));
}

TEST(SessionItemKnn, LambdaAlphaAndTopK) {
  const auto log = makeSessionLog(kTrain, 4);
  // lambda 20: sim(0,1) = 2 / sqrt((2+20)(3+20)).
  SessionItemKnn reg(config(10, 20.0, 0.5));
  fitAll(reg, log);
  EXPECT_FLOAT_EQ(scoreOne(reg, {0})[1], static_cast<float>(2 / std::sqrt(22.0 * 23.0)));
  // alpha 1, lambda 0 (confidence): sim(0,1) = co / supp(0) = 1, sim(1,0) = co / supp(1) = 2/3.
  SessionItemKnn conf(config(10, 0.0, 1.0));
  fitAll(conf, log);
  EXPECT_FLOAT_EQ(scoreOne(conf, {0})[1], 1.0f);
  EXPECT_FLOAT_EQ(scoreOne(conf, {1})[0], 2.0f / 3.0f);
  // k = 1 keeps only the best neighbour of 0 (item 1, 0.816 > 0.5).
  SessionItemKnn top1(config(1, 0.0, 0.5));
  fitAll(top1, log);
  const auto s = scoreOne(top1, {0});
  EXPECT_GT(s[1], 0.0f);
  EXPECT_EQ(s[2], 0.0f);
  EXPECT_EQ(top1.neighbours().end(0) - top1.neighbours().begin(0), 1);
}

TEST(SessionItemKnn, SaveLoadAndConfigErrors) {
  const auto log = makeSessionLog(kTrain, 4);
  SessionItemKnn m(config(10, 0.0, 0.5));
  fitAll(m, log);
  const auto path = classictest::tempPath("session_item_knn.bin");
  m.save(path);
  SessionItemKnn back;
  back.load(path);
  EXPECT_EQ(back.config().lambda, 0.0);
  EXPECT_EQ(scoreOne(back, {2, 0}), scoreOne(m, {2, 0}));
  std::filesystem::remove(path);
  try {
    SessionItemKnn bad(config(0, 20, 0.5));
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "session_item_knn: k must be > 0, got 0");
  }
  EXPECT_THROW(SessionItemKnn(config(5, 20, 1.5)), InputError);
}

}  // namespace
}  // namespace reclab::models
