// Incremental learning for Svd: growth leaves old predictions bit-identical, the least-squares
// fold-in is the closed-form ridge solution (hand example) and recovers withheld users on
// planted data, fine-tuning trains the new rows.

#include <gtest/gtest.h>

#include <filesystem>

#include "common/binary_io.h"
#include "core/svd/svd_test_data.h"
#include "models/classic/svd.h"
#include "support/temp_path.h"

namespace reclab::models {
namespace {

namespace fs = std::filesystem;
using svdtest::Triple;

SvdConfig smallConfig(int factors, int epochs) {
  SvdConfig c;
  c.nFactors = factors;
  c.nEpochs = epochs;
  c.threads = 1;
  return c;
}

TEST(SvdIncremental, GrowLeavesOldPredictionsBitIdentical) {
  synth::RatingsConfig rc;
  rc.users = 60;
  rc.items = 50;
  rc.ratingsPerUser = 15;
  rc.minRatingsPerUser = 8;
  rc.seed = 3;
  auto p = svdtest::planted(rc, "grow");
  Svd svd(smallConfig(6, 5));
  StopToken stop;
  svd.fit(TrainContext{p.log, p.train, nullptr, 1, 1, nullObserver(), stop});

  const auto nU = p.log.numUsers(), nI = p.log.numItems();
  std::vector<std::int32_t> us, is, users;
  for (std::int32_t u = 0; u < nU; ++u) {
    users.push_back(u);
    for (std::int32_t i = 0; i < nI; ++i) {
      us.push_back(u);
      is.push_back(i);
    }
  }
  std::vector<float> before, after;
  svd.predict(us, is, before);
  ScoreMatrix scoresBefore, scoresAfter;
  svd.scoreUsers(users, scoresBefore);
  const auto pBefore = svd.userFactors();

  svd.grow(nU + 5, nI + 7, 99);
  ASSERT_EQ(svd.userFactors().rows(), nU + 5);
  ASSERT_EQ(svd.itemFactors().rows(), nI + 7);
  ASSERT_EQ(svd.numItems(), nI + 7);
  svd.predict(us, is, after);
  for (std::size_t j = 0; j < before.size(); ++j) {
    ASSERT_EQ(before[j], after[j]) << "user " << us[j] << " item " << is[j];
  }
  // Batch scores come from a matrix product whose blocking depends on the number of items, so
  // they may differ from before in the last bit only.
  svd.scoreUsers(users, scoresAfter);
  ASSERT_EQ(scoresAfter.cols(), nI + 7);
  for (std::int32_t u = 0; u < nU; ++u) {
    for (std::int32_t i = 0; i < nI; ++i)
      ASSERT_NEAR(scoresBefore(u, i), scoresAfter(u, i), 1e-5f * std::abs(scoresBefore(u, i)));
  }
  EXPECT_TRUE(svd.userFactors().topRows(nU) == pBefore);

  // New rows are drawn (not zero) but unknown: they change no prediction until trained.
  EXPECT_GT(svd.userFactors().row(nU + 4).norm(), 0.0f);
  EXPECT_EQ(svd.userBias()(nU + 4), 0.0f);
  EXPECT_FALSE(svd.userKnown(nU + 4));
  EXPECT_FALSE(svd.itemKnown(nI + 6));
  const std::int32_t oldUser = 0, oldItem = 0;
  // (planted ratings span 1..5, the clip range)
  EXPECT_EQ(svd.predictOne(nU + 4, oldItem),
            std::clamp(svd.globalMean() + svd.itemBias()(oldItem), 1.0f, 5.0f));
  EXPECT_EQ(svd.predictOne(oldUser, nI + 6),
            std::clamp(svd.globalMean() + svd.userBias()(oldUser), 1.0f, 5.0f));
  EXPECT_EQ(scoresAfter(oldUser, nI + 6), svd.globalMean() + svd.userBias()(oldUser));

  // Growing is deterministic in the seed and never shrinks.
  Svd again(smallConfig(6, 5));
  again.fit(TrainContext{p.log, p.train, nullptr, 1, 1, nullObserver(), stop});
  again.grow(nU + 5, nI + 7, 99);
  EXPECT_TRUE(again.userFactors() == svd.userFactors());
  again.grow(nU, nI, 5);
  EXPECT_EQ(again.userFactors().rows(), nU + 5);
}

/// Writes an svd model file with the given parameters (the format of Svd::save).
void writeSvdFile(const std::string& path, float mu, const std::vector<float>& bu,
                  const std::vector<float>& bi, const std::vector<float>& p,
                  const std::vector<float>& q, std::int64_t k,
                  const std::vector<std::uint8_t>& userKnown,
                  const std::vector<std::uint8_t>& itemKnown) {
  BinaryWriter w(path, "reclab.svd", 1);
  w.write<std::int64_t>(static_cast<std::int64_t>(bu.size()));
  w.write<std::int64_t>(static_cast<std::int64_t>(bi.size()));
  w.write<std::int64_t>(k);
  w.write<std::uint8_t>(1);  // biased
  w.write<std::uint8_t>(1);  // clip
  w.write(mu);
  w.write(1.0f);
  w.write(5.0f);
  w.writeVector(userKnown);
  w.writeVector(itemKnown);
  w.writeVector(bu);
  w.writeVector(bi);
  w.writeVector(p);
  w.writeVector(q);
  w.close();
}

TEST(SvdIncremental, FoldInIsTheClosedFormRidgeSolution) {
  // mu = 3, items q0 = (1, 0), q1 = (0, 1), q2 = (-1, -1), b = (0.5, -0.5, 0); user 0 rates
  // 4.5, 4.5, 3, i.e. residuals y = r - mu - b_i = (1, 2, 0). With reg 1/3 and 3 ratings the
  // penalty is 3 * 1/3 = 1 on b_u and on each p_u component. With x_i = (1, q_i):
  //   A = sum x x^T + I = [[4, 0, 0], [0, 3, 1], [0, 1, 3]],  c = sum y x = (3, 1, 2)
  //   b_u = 3 / 4;  [[3, 1], [1, 3]] p = (1, 2)  =>  p = (1/8, 5/8).
  const auto path = (reclab::testing::uniqueTempPath("reclab_svd_foldin_hand.bin")).string();
  writeSvdFile(path, 3.0f, {0.0f, 0.2f}, {0.5f, -0.5f, 0.0f}, {0.3f, -0.3f, 0.7f, 0.1f},
               {1.0f, 0.0f, 0.0f, 1.0f, -1.0f, -1.0f}, 2, {0, 1}, {1, 1, 1});
  SvdConfig c = smallConfig(2, 1);
  c.regAll = 1.0 / 3.0;
  Svd svd(c);
  svd.load(path);
  fs::remove(path);

  auto log = svdtest::makeLog(2, 3, {{0, 0, 4.5f}, {0, 1, 4.5f}, {0, 2, 3.0f}, {1, 0, 2.0f}});
  svd.foldInUser(log, 0, {0, 1, 2});
  EXPECT_TRUE(svd.userKnown(0));
  EXPECT_NEAR(svd.userBias()(0), 0.75f, 1e-6);
  EXPECT_NEAR(svd.userFactors()(0, 0), 0.125f, 1e-6);
  EXPECT_NEAR(svd.userFactors()(0, 1), 0.625f, 1e-6);
  EXPECT_NEAR(svd.predictOne(0, 0), 3.0f + 0.75f + 0.5f + 0.125f, 1e-5);
  // The other user is untouched.
  EXPECT_EQ(svd.userBias()(1), 0.2f);
  EXPECT_EQ(svd.userFactors()(1, 0), 0.7f);

  // Rows of another user are refused.
  EXPECT_THROW(svd.foldInUser(log, 0, {3}), std::invalid_argument);
  EXPECT_THROW(svd.foldInUser(log, 2, {0}), std::invalid_argument);
}

TEST(SvdIncremental, FoldInOfWithheldUsersMatchesTrainedUsers) {
  synth::RatingsConfig rc;
  rc.users = 1000;
  rc.items = 300;
  rc.ratingsPerUser = 60;
  rc.minRatingsPerUser = 30;
  rc.sigma = 0.5;  // clear planted structure: the noise floor is about 0.55
  rc.seed = 5;
  auto p = svdtest::planted(rc, "foldin");
  // Users with index % 5 == 0 are withheld from training entirely.
  auto withheld = [&](std::uint32_t r) { return p.log.user[r] % 5 == 0; };
  std::vector<std::uint32_t> train, trainedTest, withheldTest;
  std::vector<std::vector<std::uint32_t>> foldRows(static_cast<std::size_t>(p.log.numUsers()));
  for (auto r : p.train) {
    if (withheld(r)) {
      foldRows[static_cast<std::size_t>(p.log.user[r])].push_back(r);
    } else {
      train.push_back(r);
    }
  }
  for (auto r : p.test) (withheld(r) ? withheldTest : trainedTest).push_back(r);

  SvdConfig c = smallConfig(8, 40);
  c.lrAll = 0.01;
  c.regAll = 0.05;
  Svd svd(c);
  StopToken stop;
  svd.fit(TrainContext{p.log, train, nullptr, 1, 1, nullObserver(), stop});
  const double unfolded = svdtest::rmse(svd, p.log, withheldTest);
  for (std::int32_t u = 0; u < p.log.numUsers(); ++u) {
    if (u % 5 == 0) {
      ASSERT_FALSE(svd.userKnown(u));
      svd.foldInUser(p.log, u, foldRows[static_cast<std::size_t>(u)]);
    }
  }
  const double trained = svdtest::rmse(svd, p.log, trainedTest);
  const double folded = svdtest::rmse(svd, p.log, withheldTest);
  const double mean = svdtest::globalMeanRmse(p.log, train, withheldTest);
  std::printf(
      "withheld users: global mean %.4f, item biases only %.4f, folded in %.4f; "
      "trained users %.4f (noise floor %.4f)\n",
      mean, unfolded, folded, trained, p.noiseFloorRmse);
  EXPECT_LT(folded, trained * 1.05);
  EXPECT_LT(folded, mean - 0.25);
  EXPECT_LT(folded, unfolded - 0.15);
}

TEST(SvdIncremental, FineTuneTrainsNewUsersAndItems) {
  synth::RatingsConfig rc;
  rc.users = 500;
  rc.items = 200;
  rc.ratingsPerUser = 40;
  rc.minRatingsPerUser = 20;
  rc.sigma = 0.5;
  rc.seed = 8;
  auto p = svdtest::planted(rc, "finetune");
  // The first 400 users' rows are the "old" data; the model first sees only them.
  std::vector<std::uint32_t> oldRows, newRows, newTest;
  for (auto r : p.train) (p.log.user[r] < 400 ? oldRows : newRows).push_back(r);
  for (auto r : p.test)
    if (p.log.user[r] >= 400) newTest.push_back(r);
  SvdConfig c = smallConfig(8, 40);
  c.lrAll = 0.01;
  c.regAll = 0.05;
  Svd svd(c);
  StopToken stop;
  svd.fit(TrainContext{p.log, oldRows, nullptr, 1, 1, nullObserver(), stop});
  const double before = svdtest::rmse(svd, p.log, newTest);

  svdtest::RecordingObserver obs;
  svd.fineTune(TrainContext{p.log, newRows, &newTest, 2, 1, obs, stop}, 10);
  const double after = svdtest::rmse(svd, p.log, newTest);
  std::printf("new users' test RMSE: before %.4f after fine-tuning %.4f\n", before, after);
  ASSERT_EQ(obs.epochs.size(), 10u);
  EXPECT_TRUE(obs.epochs.back().values.count("train_rmse"));
  EXPECT_TRUE(obs.epochs.back().values.count("val_rmse"));
  EXPECT_LT(obs.epochs.back().values.at("train_rmse"), obs.epochs.front().values.at("train_rmse"));
  EXPECT_TRUE(svd.userKnown(499));
  EXPECT_LT(after, before - 0.1);

  // A log larger than the tables needs grow() first.
  auto bigger = p.log;
  bigger.users.intern("new-user");
  EXPECT_THROW(svd.fineTune(TrainContext{bigger, newRows, nullptr, 2, 1, obs, stop}, 1),
               std::invalid_argument);
}

}  // namespace
}  // namespace reclab::models
