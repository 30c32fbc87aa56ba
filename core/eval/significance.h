#pragma once
/// Paired significance tests over per-user (or per-fold) metric values of two runs, as the
/// GUI's run comparison uses them. Both take the two samples in the same order (a[i] and b[i]
/// belong to the same user) and test the differences d_i = a_i - b_i; p-values are two-sided.
/// Definitions are repeated in docs/metrics.md.

#include <cstddef>
#include <span>

namespace reclab::eval {

/// Regularised incomplete beta function I_x(a, b) = B(x; a, b) / B(a, b), a, b > 0,
/// 0 <= x <= 1, evaluated with the continued fraction of Numerical Recipes (3rd ed., 6.4):
///   I_x(a, b) = x^a (1 - x)^b / (a B(a, b)) * 1 / (1 + d1 / (1 + d2 / (1 + ...))),
///   d_{2m+1} = -(a + m)(a + b + m) x / ((a + 2m)(a + 2m + 1)),
///   d_{2m}   = m (b - m) x / ((a + 2m - 1)(a + 2m)),
/// using I_x(a, b) = 1 - I_{1-x}(b, a) when x > (a + 1) / (a + b + 2) so the fraction converges
/// fast (modified Lentz evaluation, relative tolerance 1e-15).
double regularizedIncompleteBeta(double a, double b, double x);

/// Two-sided p-value of Student's t with `df` degrees of freedom:
/// P(|T| >= |t|) = I_{df / (df + t^2)}(df / 2, 1 / 2).
double studentTwoSidedP(double t, double df);

/// Paired t-test (scipy.stats.ttest_rel): n pairs, d_i = a_i - b_i,
/// mean = sum d / n, sd = sqrt(sum (d - mean)^2 / (n - 1)), t = mean / (sd / sqrt(n)),
/// df = n - 1, p = studentTwoSidedP(t, df).
/// n < 2, or all differences equal to zero: t and p are NaN (scipy's nan); differences all
/// equal but non-zero (sd = 0): t = +-inf, p = 0.
struct TTestResult {
  std::size_t n = 0;
  double meanDiff = 0, sdDiff = 0, t = 0, df = 0, pValue = 0;
};
TTestResult pairedTTest(std::span<const double> a, std::span<const double> b);

/// Wilcoxon signed-rank test on d_i = a_i - b_i:
/// - zero differences are dropped (scipy's default zero_method="wilcox"); n = the number of
///   non-zero differences;
/// - |d_i| are ranked 1..n ascending, ties sharing their average rank;
///   W+ = sum of the ranks of positive d_i, W- = sum for negative d_i (W+ + W- = n(n+1)/2);
///   statistic = min(W+, W-) (scipy's two-sided statistic);
/// - n <= 25: exact p-value from the null distribution of W+ given the observed ranks (each of
///   the 2^n sign assignments equally likely; counted by dynamic programming over doubled
///   ranks, so it stays exact with tied average ranks; without ties it is the classical table
///   distribution, scipy's method="exact"): p = min(1, 2 min(P(W+ <= w), P(W+ >= w)));
/// - n > 25: normal approximation with tie and continuity correction (scipy's
///   method="approx", correction=True): mu = n(n+1)/4,
///   sigma^2 = n(n+1)(2n+1)/24 - sum over tie groups of (t^3 - t)/48,
///   z = (W+ - mu - 0.5 sign(W+ - mu)) / sigma, p = 2 (1 - Phi(|z|)) = erfc(|z| / sqrt 2).
/// n = 0 (all differences zero): statistic 0, p = NaN.
struct WilcoxonResult {
  std::size_t n = 0;      ///< non-zero differences used
  std::size_t zeros = 0;  ///< zero differences dropped
  double wPlus = 0, wMinus = 0, statistic = 0;
  double z = 0;  ///< NaN when exact
  double pValue = 0;
  bool exact = false;
};
WilcoxonResult wilcoxonSignedRank(std::span<const double> a, std::span<const double> b);

/// Largest n for which wilcoxonSignedRank uses the exact distribution.
inline constexpr std::size_t kWilcoxonExactMaxN = 25;

}  // namespace reclab::eval
