#include "eval/significance.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <vector>

#include "common/errors.h"

namespace reclab::eval {
namespace {

using Values = std::vector<double>;

// ---------------------------------------------------------------- incomplete beta

TEST(RegularizedIncompleteBeta, ClosedForms) {
  // I_x(a, 1) = x^a: I_0.3(2.5, 1) = 0.3^2.5 = 0.0492950.
  EXPECT_NEAR(regularizedIncompleteBeta(2.5, 1.0, 0.3), std::pow(0.3, 2.5), 1e-13);
  // I_x(1, b) = 1 - (1 - x)^b: I_0.4(1, 3) = 1 - 0.6^3 = 0.784.
  EXPECT_NEAR(regularizedIncompleteBeta(1.0, 3.0, 0.4), 0.784, 1e-13);
  // I_x(1/2, 1/2) = (2 / pi) asin(sqrt x): x = 1/4 -> (2 / pi)(pi / 6) = 1/3.
  EXPECT_NEAR(regularizedIncompleteBeta(0.5, 0.5, 0.25), 1.0 / 3.0, 1e-13);
  // Symmetric parameters at x = 1/2 -> 1/2; the end points are 0 and 1.
  EXPECT_NEAR(regularizedIncompleteBeta(3.0, 3.0, 0.5), 0.5, 1e-13);
  EXPECT_EQ(regularizedIncompleteBeta(2.0, 5.0, 0.0), 0.0);
  EXPECT_EQ(regularizedIncompleteBeta(2.0, 5.0, 1.0), 1.0);
}

TEST(RegularizedIncompleteBeta, BinomialTails) {
  // For integers, I_p(k, n - k + 1) = P(Binomial(n, p) >= k) (sums computed term by term):
  // P(Bin(10, .3) >= 3) = 1 - (.7^10 + 10 (.3)(.7^9) + 45 (.09)(.7^8)) = 0.6172172136.
  EXPECT_NEAR(regularizedIncompleteBeta(3, 8, 0.3), 0.6172172136, 1e-10);
  // P(Bin(6, .9) >= 5) = 6 (.9^5)(.1) + .9^6 = 0.354294 + 0.531441 = 0.885735 (x above the
  // switch point (a + 1)/(a + b + 2): exercises the symmetry branch).
  EXPECT_NEAR(regularizedIncompleteBeta(5, 2, 0.9), 0.885735, 1e-12);
  // P(Bin(100, .45) >= 40) = 0.86574595894531 (large parameters).
  EXPECT_NEAR(regularizedIncompleteBeta(40, 61, 0.45), 0.8657459589453125, 1e-11);
}

// ---------------------------------------------------------------- Student t

TEST(StudentTwoSidedP, ClosedFormsAndTableValues) {
  // df 1 (Cauchy): p = 1 - (2 / pi) atan|t|; t = 2 -> 0.2951672353.
  EXPECT_NEAR(studentTwoSidedP(2.0, 1.0), 1.0 - 2.0 / std::numbers::pi * std::atan(2.0), 1e-12);
  // df 2: p = 1 - |t| / sqrt(2 + t^2); t = -1 -> 1 - 1/sqrt 3.
  EXPECT_NEAR(studentTwoSidedP(-1.0, 2.0), 1.0 - 1.0 / std::sqrt(3.0), 1e-12);
  // Printed t tables: t(0.975; 10) = 2.228138852, t(0.975; 30) = 2.042272456,
  // t(0.995; 5) = 4.032142984 -> two-sided 0.05, 0.05, 0.01.
  EXPECT_NEAR(studentTwoSidedP(2.228138851986, 10), 0.05, 1e-9);
  EXPECT_NEAR(studentTwoSidedP(2.042272456301, 30), 0.05, 1e-9);
  EXPECT_NEAR(studentTwoSidedP(4.032142983557, 5), 0.01, 1e-9);
  EXPECT_DOUBLE_EQ(studentTwoSidedP(0.0, 7), 1.0);
}

// ---------------------------------------------------------------- paired t-test

TEST(PairedTTest, ThreePairsByHand) {
  // d = 1, 2, 3: mean 2, sd 1, t = 2 / (1 / sqrt 3) = 2 sqrt 3 = 3.4641, df 2,
  // p = 1 - t / sqrt(2 + t^2) = 1 - sqrt(12 / 14) = 0.0741799.
  auto r = pairedTTest(Values{1, 2, 3}, Values{0, 0, 0});
  EXPECT_EQ(r.n, 3u);
  EXPECT_DOUBLE_EQ(r.meanDiff, 2.0);
  EXPECT_DOUBLE_EQ(r.sdDiff, 1.0);
  EXPECT_NEAR(r.t, 2.0 * std::sqrt(3.0), 1e-12);
  EXPECT_DOUBLE_EQ(r.df, 2.0);
  EXPECT_NEAR(r.pValue, 1.0 - std::sqrt(6.0 / 7.0), 1e-12);
}

TEST(PairedTTest, TwoPairsIsCauchy) {
  // d = 1, 3: mean 2, sd sqrt 2, t = 2 / (sqrt 2 / sqrt 2) = 2, df 1 -> 1 - (2/pi) atan 2.
  auto r = pairedTTest(Values{1, 3}, Values{0, 0});
  EXPECT_NEAR(r.t, 2.0, 1e-12);
  EXPECT_NEAR(r.pValue, 0.2951672353008665, 1e-12);
}

TEST(PairedTTest, StudentSleepData) {
  // Cushny & Peebles' sleep data (Student 1908; R: t.test(extra ~ group, data = sleep,
  // paired = TRUE) gives t = -4.0621, df = 9, p-value = 0.002833). Mean difference -1.58,
  // sd 1.229995; p from numerical integration of the t density: 0.0028328902.
  const Values g1{0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0};
  const Values g2{1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4};
  auto r = pairedTTest(g1, g2);
  EXPECT_NEAR(r.meanDiff, -1.58, 1e-12);
  EXPECT_NEAR(r.t, -4.062127683382037, 1e-9);
  EXPECT_DOUBLE_EQ(r.df, 9.0);
  EXPECT_NEAR(r.pValue, 0.0028328902, 1e-9);
}

TEST(PairedTTest, DegenerateInputs) {
  auto same = pairedTTest(Values{1, 2, 3}, Values{1, 2, 3});
  EXPECT_TRUE(std::isnan(same.t));
  EXPECT_TRUE(std::isnan(same.pValue));
  auto shifted = pairedTTest(Values{2, 3, 4}, Values{1, 2, 3});  // d = 1, 1, 1
  EXPECT_TRUE(std::isinf(shifted.t));
  EXPECT_EQ(shifted.pValue, 0.0);
  EXPECT_TRUE(std::isnan(pairedTTest(Values{1}, Values{0}).pValue));
  EXPECT_THROW(pairedTTest(Values{1, 2}, Values{1}), InputError);
}

// ---------------------------------------------------------------- Wilcoxon

TEST(Wilcoxon, ExactAllPositive) {
  // d = 1..5, all positive: W+ = 15, W- = 0. Only 1 of the 2^5 sign patterns has W+ >= 15,
  // so p = 2 / 32 = 0.0625.
  auto r = wilcoxonSignedRank(Values{1, 2, 3, 4, 5}, Values{0, 0, 0, 0, 0});
  EXPECT_TRUE(r.exact);
  EXPECT_EQ(r.n, 5u);
  EXPECT_DOUBLE_EQ(r.wPlus, 15.0);
  EXPECT_DOUBLE_EQ(r.wMinus, 0.0);
  EXPECT_DOUBLE_EQ(r.statistic, 0.0);
  EXPECT_DOUBLE_EQ(r.pValue, 0.0625);
}

TEST(Wilcoxon, ExactOneNegative) {
  // d = -1, 2, 3, 4, 5, 6: W- = 1, W+ = 20. Subsets of {1..6} with sum <= 1: {} and {1},
  // so P(W- <= 1) = 2 / 64 and p = 4 / 64 = 0.0625.
  auto r = wilcoxonSignedRank(Values{-1, 2, 3, 4, 5, 6}, Values(6, 0.0));
  EXPECT_DOUBLE_EQ(r.wPlus, 20.0);
  EXPECT_DOUBLE_EQ(r.statistic, 1.0);
  EXPECT_DOUBLE_EQ(r.pValue, 0.0625);
}

TEST(Wilcoxon, ExactMatchesTableCriticalValue) {
  // n = 10, negatives at ranks 1 and 7: W- = 8, the tabled two-sided 5% critical value.
  // Subsets of {1..10} with sum <= 8: 1+1+1+2+2+3+4+5+6 = 25 (sums 0..8), so
  // p = 2 * 25 / 1024 = 0.048828125.
  auto r = wilcoxonSignedRank(Values{-1, 2, 3, 4, 5, 6, -7, 8, 9, 10}, Values(10, 0.0));
  EXPECT_DOUBLE_EQ(r.statistic, 8.0);
  EXPECT_DOUBLE_EQ(r.pValue, 0.048828125);
}

TEST(Wilcoxon, ZerosDroppedTiesAveraged) {
  // d = 0, 1, -1, 2, 2, 3: the zero is dropped (n = 5); |d| 1, 1, 2, 2, 3 get ranks
  // 1.5, 1.5, 3.5, 3.5, 5. W+ = 1.5 + 3.5 + 3.5 + 5 = 13.5, W- = 1.5.
  // Exact over 32 sign patterns of ranks {1.5, 1.5, 3.5, 3.5, 5}: W- <= 1.5 for {}, {1.5a},
  // {1.5b} -> 3 / 32; p = 6 / 32 = 0.1875.
  auto r = wilcoxonSignedRank(Values{0, 1, -1, 2, 2, 3}, Values(6, 0.0));
  EXPECT_EQ(r.n, 5u);
  EXPECT_EQ(r.zeros, 1u);
  EXPECT_DOUBLE_EQ(r.wPlus, 13.5);
  EXPECT_DOUBLE_EQ(r.wMinus, 1.5);
  EXPECT_DOUBLE_EQ(r.pValue, 0.1875);
}

TEST(Wilcoxon, NormalApproximationAbove25) {
  // d = -1..-10, 11..30 (n = 30): W- = 55, W+ = 465 - 55 = 410. mu = 30*31/4 = 232.5,
  // sigma^2 = 30*31*61/24 = 2363.75; z = (410 - 232.5 - 0.5) / sqrt(2363.75) = 3.6405961,
  // p = erfc(z / sqrt 2) = 0.000272008.
  Values a;
  for (int i = 1; i <= 30; ++i) a.push_back(i <= 10 ? -i : i);
  auto r = wilcoxonSignedRank(a, Values(30, 0.0));
  EXPECT_FALSE(r.exact);
  EXPECT_DOUBLE_EQ(r.wPlus, 410.0);
  EXPECT_NEAR(r.z, 3.6405960658162564, 1e-12);
  EXPECT_NEAR(r.pValue, 0.00027200759312066754, 1e-15);
}

TEST(Wilcoxon, NormalApproximationTieCorrection) {
  // d = ten 1s, ten 2s, ten -3s: ranks 5.5, 15.5, 25.5. W+ = 55 + 155 = 210, W- = 255.
  // Tie term 3 * (10^3 - 10) / 48 = 61.875 -> sigma^2 = 2363.75 - 61.875 = 2301.875;
  // z = (210 - 232.5 + 0.5) / sqrt(2301.875) = -0.45854484, p = 0.64656105.
  Values a(10, 1.0);
  a.insert(a.end(), 10, 2.0);
  a.insert(a.end(), 10, -3.0);
  auto r = wilcoxonSignedRank(a, Values(30, 0.0));
  EXPECT_DOUBLE_EQ(r.wPlus, 210.0);
  EXPECT_DOUBLE_EQ(r.statistic, 210.0);
  EXPECT_NEAR(r.z, -0.4585448421374756, 1e-12);
  EXPECT_NEAR(r.pValue, 0.6465610538419846, 1e-12);
}

TEST(Wilcoxon, AllZeroIsNaN) {
  auto r = wilcoxonSignedRank(Values{1, 2}, Values{1, 2});
  EXPECT_EQ(r.n, 0u);
  EXPECT_EQ(r.zeros, 2u);
  EXPECT_TRUE(std::isnan(r.pValue));
  EXPECT_THROW(wilcoxonSignedRank(Values{1}, Values{}), InputError);
}

}  // namespace
}  // namespace reclab::eval
