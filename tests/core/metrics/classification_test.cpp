#include "eval/classification.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "common/errors.h"

namespace reclab::eval {
namespace {

using Labels = std::vector<std::int32_t>;
using Floats = std::vector<float>;
constexpr double kTol = 1e-12;

// ---------------------------------------------------------------- AUC

TEST(Auc, ScikitLearnDocExample) {
  // Positives 0.35, 0.8; negatives 0.1, 0.4. Pairs (pos > neg): 0.35>0.1 yes, 0.35>0.4 no,
  // 0.8>0.1 yes, 0.8>0.4 yes -> 3 / 4.
  EXPECT_NEAR(auc(Floats{0.1f, 0.4f, 0.35f, 0.8f}, Labels{0, 0, 1, 1}), 0.75, kTol);
}

TEST(Auc, TiesCountOneHalf) {
  // Ranks by score: 0.2 -> 1, the two 0.5s -> 2.5 each, 0.9 -> 4. Positive ranks 2.5 + 4 = 6.5;
  // U = 6.5 - 2*3/2 = 3.5; AUC = 3.5 / (2*2) = 0.875 (pairs: 1 + 0.5 + 1 + 1).
  EXPECT_NEAR(auc(Floats{0.2f, 0.5f, 0.5f, 0.9f}, Labels{0, 0, 1, 1}), 0.875, kTol);
  // All scores equal: every pair is a tie -> 0.5.
  EXPECT_NEAR(auc(Floats{0.5f, 0.5f, 0.5f, 0.5f}, Labels{0, 1, 0, 1}), 0.5, kTol);
}

TEST(Auc, PerfectAndReversedRanking) {
  // Every positive above every negative -> 1; the reverse -> 0.
  EXPECT_NEAR(auc(Floats{3, 1, 4, 2}, Labels{1, 0, 1, 0}), 1.0, kTol);
  EXPECT_NEAR(auc(Floats{3, 1, 4, 2}, Labels{0, 1, 0, 1}), 0.0, kTol);
}

TEST(Auc, SingleClassIsNaNAndBadLabelThrows) {
  EXPECT_TRUE(std::isnan(auc(Floats{0.1f, 0.2f}, Labels{1, 1})));
  EXPECT_THROW(auc(Floats{0.1f, 0.2f}, Labels{0, 2}), InputError);
  EXPECT_THROW(auc(Floats{0.1f}, Labels{0, 1}), InputError);
}

TEST(MeanPerGroupAuc, AveragesGroupsWithBothClasses) {
  // Rows (score, label, group), groups interleaved:
  //   g0: (0.9, 1), (0.1, 0)            -> AUC 1
  //   g1: (0.3, 1), (0.6, 0), (0.6, 1)  -> pairs 0.3 vs 0.6: 0, 0.6 vs 0.6: 0.5 -> 0.25
  //   g2: (0.7, 1)                      -> one class only, skipped
  // mean = (1 + 0.25) / 2 = 0.625.
  const Floats s{0.9f, 0.3f, 0.7f, 0.6f, 0.1f, 0.6f};
  const Labels y{1, 1, 1, 0, 0, 1};
  const Labels g{0, 1, 2, 1, 0, 1};
  std::size_t used = 0;
  EXPECT_NEAR(meanPerGroupAuc(s, y, g, &used), 0.625, kTol);
  EXPECT_EQ(used, 2u);
  // Global AUC over the same rows differs: negatives 0.1, 0.6; positives 0.9 (2), 0.3 (1),
  // 0.6 (1 + 0.5), 0.7 (2) -> 6.5 / 8 = 0.8125.
  EXPECT_NEAR(auc(s, y), 0.8125, kTol);
}

TEST(MeanPerGroupAuc, NoQualifyingGroupIsNaN) {
  std::size_t used = 7;
  EXPECT_TRUE(std::isnan(meanPerGroupAuc(Floats{0.1f, 0.2f}, Labels{0, 1}, Labels{0, 1}, &used)));
  EXPECT_EQ(used, 0u);
}

TEST(OneVsRestAuc, PerClassAndMacro) {
  // Rows (label: p0 p1 p2):  r0 (0: .7 .2 .1), r1 (1: .2 .4 .4), r2 (2: .3 .3 .4),
  // r3 (0: .35 .55 .1).
  // class 0: pos {.7, .35} vs neg {.2, .3} -> 4/4 = 1.
  // class 1: pos {.4} vs neg {.2, .3, .55} -> 2/3.
  // class 2: pos {.4} vs neg {.1, .4, .1} -> (1 + .5 + 1)/3 = 5/6.
  // macro = (1 + 2/3 + 5/6) / 3 = 5/6.
  const Floats p{.7f, .2f, .1f, .2f, .4f, .4f, .3f, .3f, .4f, .35f, .55f, .1f};
  const Labels y{0, 1, 2, 0};
  auto r = oneVsRestAuc(p, 3, y);
  ASSERT_EQ(r.perClass.size(), 3u);
  EXPECT_NEAR(r.perClass[0], 1.0, kTol);
  EXPECT_NEAR(r.perClass[1], 2.0 / 3.0, kTol);
  EXPECT_NEAR(r.perClass[2], 5.0 / 6.0, kTol);
  EXPECT_NEAR(r.macro, 5.0 / 6.0, kTol);
}

TEST(OneVsRestAuc, AbsentClassIsNaNAndLeftOutOfMacro) {
  // Class 1 never true -> NaN; classes 0 and 2 both perfectly separated -> macro 1.
  const Floats p{.8f, .1f, .1f, .1f, .1f, .8f};
  auto r = oneVsRestAuc(p, 3, Labels{0, 2});
  EXPECT_NEAR(r.perClass[0], 1.0, kTol);
  EXPECT_TRUE(std::isnan(r.perClass[1]));
  EXPECT_NEAR(r.macro, 1.0, kTol);
  EXPECT_THROW(oneVsRestAuc(p, 3, Labels{0, 3}), InputError);
}

// ---------------------------------------------------------------- log loss

TEST(LogLoss, ScikitLearnDocExample) {
  // sklearn docs: log_loss(["spam","ham","ham","spam"], [[.1,.9],[.9,.1],[.8,.2],[.35,.65]])
  // = 0.21616...; P(spam) = .9, .1, .2, .65 with spam = 1:
  // -(ln .9 + ln .9 + ln .8 + ln .65) / 4 = (0.1053605 * 2 + 0.2231436 + 0.4307829) / 4
  // = 0.2161619.
  EXPECT_NEAR(logLoss(Floats{.9f, .1f, .2f, .65f}, Labels{1, 0, 0, 1}), 0.21616187468057912,
              1e-7);
  const Floats m{.1f, .9f, .9f, .1f, .8f, .2f, .35f, .65f};
  EXPECT_NEAR(logLossMulti(m, 2, Labels{1, 0, 0, 1}), 0.21616187468057912, 1e-7);
}

TEST(LogLoss, TwoRows) {
  // -(ln 0.8 + ln(1 - 0.4)) / 2 = (0.2231436 + 0.5108256) / 2 = 0.3669846.
  EXPECT_NEAR(logLoss(Floats{0.8f, 0.4f}, Labels{1, 0}), 0.3669845875401002, 1e-7);
}

TEST(LogLoss, ClipsAtSklearnEpsilon) {
  // p = 0 for a positive is clipped to 1e-15: -ln(1e-15) = 15 ln 10 = 34.5387764.
  EXPECT_NEAR(logLoss(Floats{0.0f}, Labels{1}), 34.538776394910684, 1e-9);
  // A perfect prediction costs -ln(1 - 1e-15) ~ 1e-15, not 0 and not -inf.
  EXPECT_NEAR(logLoss(Floats{1.0f}, Labels{1}), 0.0, 1e-14);
  EXPECT_TRUE(std::isnan(logLoss(Floats{}, Labels{})));
}

TEST(LogLossMulti, RowsAreRenormalisedAfterClipping) {
  // Row (.2, .2, .4), true class 2: nothing to clip; sum .8 -> p = .4/.8 = .5 -> ln 2.
  EXPECT_NEAR(logLossMulti(Floats{.2f, .2f, .4f}, 3, Labels{2}), std::log(2.0), 1e-12);
  // Row (.5, .5, 0), true class 2: 0 -> 1e-15, sum 1 + 1e-15 -> -ln(1e-15) + ~1e-15.
  EXPECT_NEAR(logLossMulti(Floats{.5f, .5f, 0.f}, 3, Labels{2}), 34.538776394910684, 1e-9);
  EXPECT_THROW(logLossMulti(Floats{.5f, .5f}, 3, Labels{0}), InputError);
}

// ---------------------------------------------------------------- accuracy, confusion

TEST(Accuracy, ScikitLearnDocExample) {
  // accuracy_score([0, 1, 2, 3], [0, 2, 1, 3]) = 2 / 4.
  EXPECT_DOUBLE_EQ(accuracy(Labels{0, 1, 2, 3}, Labels{0, 2, 1, 3}), 0.5);
  EXPECT_DOUBLE_EQ(accuracy(Labels{1, 1, 0}, Labels{1, 1, 0}), 1.0);
  EXPECT_TRUE(std::isnan(accuracy(Labels{}, Labels{})));
}

TEST(ConfusionMatrix, RowsAreTruthColumnsArePredictions) {
  // sklearn docs: y_true = [2, 0, 2, 2, 0, 1], y_pred = [0, 0, 2, 2, 0, 2]
  // -> [[2, 0, 0], [0, 0, 1], [1, 0, 2]].
  auto m = confusionMatrix(Labels{2, 0, 2, 2, 0, 1}, Labels{0, 0, 2, 2, 0, 2}, 3);
  EXPECT_EQ(m.counts, (std::vector<std::int64_t>{2, 0, 0, 0, 0, 1, 1, 0, 2}));
  EXPECT_EQ(m.at(1, 2), 1);  // the true 1 predicted as 2
  EXPECT_EQ(m.at(2, 0), 1);
  EXPECT_THROW(confusionMatrix(Labels{0}, Labels{3}, 3), InputError);
}

// ---------------------------------------------------------------- classification report

void expectRow(const ClassReportRow& r, double p, double rc, double f1, std::int64_t support) {
  EXPECT_NEAR(r.precision, p, kTol);
  EXPECT_NEAR(r.recall, rc, kTol);
  EXPECT_NEAR(r.f1, f1, kTol);
  EXPECT_EQ(r.support, support);
}

TEST(ClassificationReport, ScikitLearnDocExample) {
  // sklearn docs: y_true = [0, 1, 2, 2, 2], y_pred = [0, 0, 2, 2, 1].
  // class 0: TP 1, predicted 2, support 1 -> P .5, R 1, F1 2(.5)(1)/1.5 = 2/3.
  // class 1: TP 0, predicted 1, support 1 -> 0, 0, 0.
  // class 2: TP 2, predicted 2, support 3 -> P 1, R 2/3, F1 2(2/3)/(5/3) = .8.
  // macro: P 1.5/3 = .5, R (1 + 2/3)/3 = 5/9, F1 (2/3 + .8)/3 = 0.48889.
  // weighted: P (.5 + 3)/5 = .7, R (1 + 2)/5 = .6, F1 (2/3 + 2.4)/5 = 0.61333. accuracy 3/5.
  auto r = classificationReport(Labels{0, 1, 2, 2, 2}, Labels{0, 0, 2, 2, 1}, 3);
  ASSERT_EQ(r.labels, (std::vector<int>{0, 1, 2}));
  expectRow(r.rows[0], 0.5, 1.0, 2.0 / 3.0, 1);
  expectRow(r.rows[1], 0.0, 0.0, 0.0, 1);
  expectRow(r.rows[2], 1.0, 2.0 / 3.0, 0.8, 3);
  expectRow(r.macroAvg, 0.5, 5.0 / 9.0, (2.0 / 3.0 + 0.8) / 3.0, 5);
  expectRow(r.weightedAvg, 0.7, 0.6, (2.0 / 3.0 + 2.4) / 5.0, 5);
  EXPECT_NEAR(r.accuracy, 0.6, kTol);
  EXPECT_EQ(r.total, 5);
}

TEST(ClassificationReport, NothingPredictedGivesZeroPrecision) {
  // y_true = [0, 0, 1, 1], y_pred all 0.
  // class 0: P 2/4, R 1, F1 2/3. class 1: never predicted -> P 0 (zero_division), R 0, F1 0.
  // macro: .25, .5, 1/3. weighted (supports 2, 2): same. accuracy .5.
  auto r = classificationReport(Labels{0, 0, 1, 1}, Labels{0, 0, 0, 0}, 2);
  expectRow(r.rows[0], 0.5, 1.0, 2.0 / 3.0, 2);
  expectRow(r.rows[1], 0.0, 0.0, 0.0, 2);
  expectRow(r.macroAvg, 0.25, 0.5, 1.0 / 3.0, 4);
  expectRow(r.weightedAvg, 0.25, 0.5, 1.0 / 3.0, 4);
  EXPECT_NEAR(r.accuracy, 0.5, kTol);
}

TEST(ClassificationReport, LabelsAreClassesSeenInTruthOrPredictions) {
  // numClasses 4; class 3 occurs nowhere -> left out (sklearn's default labels); class 2 is
  // only predicted -> kept with support 0, recall 0 (zero_division).
  // y_true = [0, 0, 1], y_pred = [0, 2, 1].
  // class 0: P 1, R .5, F1 2/3. class 1: 1, 1, 1. class 2: P 0 (TP 0 of 1), R 0, F1 0.
  // macro: P 2/3, R .5, F1 (2/3 + 1)/3 = 5/9. weighted (2, 1, 0): P 1, R 2/3, F1 7/9.
  auto r = classificationReport(Labels{0, 0, 1}, Labels{0, 2, 1}, 4);
  ASSERT_EQ(r.labels, (std::vector<int>{0, 1, 2}));
  expectRow(r.rows[2], 0.0, 0.0, 0.0, 0);
  expectRow(r.macroAvg, 2.0 / 3.0, 0.5, 5.0 / 9.0, 3);
  expectRow(r.weightedAvg, 1.0, 2.0 / 3.0, 7.0 / 9.0, 3);
}

// ---------------------------------------------------------------- R^2

TEST(R2, ScikitLearnDocExample) {
  // y = [3, -.5, 2, 7], y_hat = [2.5, 0, 2, 8]; mean 2.875;
  // SS_tot = .125^2 + 3.375^2 + .875^2 + 4.125^2 = 29.1875; SS_res = .25 + .25 + 0 + 1 = 1.5;
  // R^2 = 1 - 1.5 / 29.1875 = 0.948608.
  EXPECT_NEAR(r2(Floats{3, -0.5f, 2, 7}, Floats{2.5f, 0, 2, 8}), 1.0 - 1.5 / 29.1875, kTol);
}

TEST(R2, MeanPredictionIsZeroAndWorseIsNegative) {
  // Predicting the mean 2 everywhere: SS_res = SS_tot -> 0.
  EXPECT_NEAR(r2(Floats{1, 2, 3}, Floats{2, 2, 2}), 0.0, kTol);
  // Reversed: SS_res = 4 + 0 + 4 = 8, SS_tot = 2 -> 1 - 4 = -3.
  EXPECT_NEAR(r2(Floats{1, 2, 3}, Floats{3, 2, 1}), -3.0, kTol);
}

TEST(R2, ConstantTruthFollowsSklearn) {
  EXPECT_DOUBLE_EQ(r2(Floats{1, 1, 1}, Floats{1, 1, 1}), 1.0);
  EXPECT_DOUBLE_EQ(r2(Floats{1, 1, 1}, Floats{1, 1, 2}), 0.0);
  EXPECT_TRUE(std::isnan(r2(Floats{1}, Floats{1})));
}

}  // namespace
}  // namespace reclab::eval
