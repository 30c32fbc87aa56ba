#include "eval/significance.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <vector>

#include "common/errors.h"

namespace reclab::eval {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// Continued fraction of I_x(a, b) (Numerical Recipes betacf), modified Lentz's method.
double betaContinuedFraction(double a, double b, double x) {
  constexpr double kTiny = 1e-300;
  constexpr double kEps = 1e-15;
  constexpr int kMaxIter = 10000;
  const double qab = a + b, qap = a + 1.0, qam = a - 1.0;
  double c = 1.0;
  double d = 1.0 - qab * x / qap;
  if (std::abs(d) < kTiny) d = kTiny;
  d = 1.0 / d;
  double h = d;
  for (int m = 1; m <= kMaxIter; ++m) {
    const double m2 = 2.0 * m;
    // Even step d_{2m}.
    double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
    d = 1.0 + aa * d;
    if (std::abs(d) < kTiny) d = kTiny;
    c = 1.0 + aa / c;
    if (std::abs(c) < kTiny) c = kTiny;
    d = 1.0 / d;
    h *= d * c;
    // Odd step d_{2m+1}.
    aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
    d = 1.0 + aa * d;
    if (std::abs(d) < kTiny) d = kTiny;
    c = 1.0 + aa / c;
    if (std::abs(c) < kTiny) c = kTiny;
    d = 1.0 / d;
    const double del = d * c;
    h *= del;
    if (std::abs(del - 1.0) < kEps) break;
  }
  return h;
}

void checkPaired(const char* what, std::size_t a, std::size_t b) {
  if (a != b) throw InputError(fmt::format("{}: samples differ in size ({} vs {})", what, a, b));
}

}  // namespace

double regularizedIncompleteBeta(double a, double b, double x) {
  if (!(a > 0) || !(b > 0) || !(x >= 0) || !(x <= 1)) return kNaN;
  if (x == 0) return 0.0;
  if (x == 1) return 1.0;
  const double logFront = std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) +
                          a * std::log(x) + b * std::log1p(-x);
  const double front = std::exp(logFront);
  if (x < (a + 1.0) / (a + b + 2.0)) return front * betaContinuedFraction(a, b, x) / a;
  return 1.0 - front * betaContinuedFraction(b, a, 1.0 - x) / b;
}

double studentTwoSidedP(double t, double df) {
  if (std::isnan(t) || !(df > 0)) return kNaN;
  if (std::isinf(t)) return 0.0;
  return regularizedIncompleteBeta(df / 2.0, 0.5, df / (df + t * t));
}

TTestResult pairedTTest(std::span<const double> a, std::span<const double> b) {
  checkPaired("pairedTTest", a.size(), b.size());
  TTestResult r;
  r.n = a.size();
  if (r.n < 2) {
    r.meanDiff = r.n == 1 ? a[0] - b[0] : kNaN;
    r.sdDiff = r.t = r.df = r.pValue = kNaN;
    return r;
  }
  const auto n = static_cast<double>(r.n);
  double mean = 0;
  for (std::size_t i = 0; i < r.n; ++i) mean += a[i] - b[i];
  mean /= n;
  double ss = 0;
  for (std::size_t i = 0; i < r.n; ++i) {
    const double e = (a[i] - b[i]) - mean;
    ss += e * e;
  }
  r.meanDiff = mean;
  r.sdDiff = std::sqrt(ss / (n - 1.0));
  r.df = n - 1.0;
  if (r.sdDiff == 0) {
    if (mean == 0) {
      r.t = r.pValue = kNaN;
    } else {
      r.t = mean > 0 ? std::numeric_limits<double>::infinity()
                     : -std::numeric_limits<double>::infinity();
      r.pValue = 0.0;
    }
    return r;
  }
  r.t = mean / (r.sdDiff / std::sqrt(n));
  r.pValue = studentTwoSidedP(r.t, r.df);
  return r;
}

WilcoxonResult wilcoxonSignedRank(std::span<const double> a, std::span<const double> b) {
  checkPaired("wilcoxonSignedRank", a.size(), b.size());
  WilcoxonResult r;
  std::vector<double> d;
  d.reserve(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    const double v = a[i] - b[i];
    if (v == 0) {
      ++r.zeros;
    } else {
      d.push_back(v);
    }
  }
  r.n = d.size();
  if (r.n == 0) {
    r.z = r.pValue = kNaN;
    return r;
  }
  std::vector<std::size_t> idx(r.n);
  std::iota(idx.begin(), idx.end(), std::size_t{0});
  std::sort(idx.begin(), idx.end(),
            [&d](std::size_t x, std::size_t y) { return std::abs(d[x]) < std::abs(d[y]); });
  // Doubled average ranks (integers): tied block of positions i..j-1 gets (i+1 + j).
  std::vector<std::int64_t> rank2(r.n);
  double tieTerm = 0;  // sum of t^3 - t over tie groups
  std::int64_t wPlus2 = 0;
  for (std::size_t i = 0; i < r.n;) {
    std::size_t j = i + 1;
    while (j < r.n && std::abs(d[idx[j]]) == std::abs(d[idx[i]])) ++j;
    const auto avg2 = static_cast<std::int64_t>(i + 1 + j);
    const auto t = static_cast<double>(j - i);
    tieTerm += t * t * t - t;
    for (std::size_t k = i; k < j; ++k) {
      rank2[k] = avg2;
      if (d[idx[k]] > 0) wPlus2 += avg2;
    }
    i = j;
  }
  const auto n = static_cast<double>(r.n);
  const double total = n * (n + 1.0) / 2.0;
  r.wPlus = static_cast<double>(wPlus2) / 2.0;
  r.wMinus = total - r.wPlus;
  r.statistic = std::min(r.wPlus, r.wMinus);

  if (r.n <= kWilcoxonExactMaxN) {
    r.exact = true;
    r.z = kNaN;
    // counts[s] = number of sign assignments whose doubled W+ equals s.
    const auto maxSum = static_cast<std::size_t>(r.n * (r.n + 1));
    std::vector<double> counts(maxSum + 1, 0.0);
    counts[0] = 1.0;
    std::size_t reach = 0;
    for (auto rk : rank2) {
      const auto step = static_cast<std::size_t>(rk);
      for (std::size_t s = reach + 1; s-- > 0;) {
        if (counts[s] != 0) counts[s + step] += counts[s];
      }
      reach += step;
    }
    const double all = std::ldexp(1.0, static_cast<int>(r.n));
    const auto w2 = static_cast<std::size_t>(wPlus2);
    double le = 0, ge = 0;
    for (std::size_t s = 0; s <= maxSum; ++s) {
      if (s <= w2) le += counts[s];
      if (s >= w2) ge += counts[s];
    }
    r.pValue = std::min(1.0, 2.0 * std::min(le, ge) / all);
    return r;
  }
  const double mu = total / 2.0;
  const double var = n * (n + 1.0) * (2.0 * n + 1.0) / 24.0 - tieTerm / 48.0;
  const double diff = r.wPlus - mu;
  const double sign = diff > 0 ? 1.0 : (diff < 0 ? -1.0 : 0.0);
  r.z = (diff - 0.5 * sign) / std::sqrt(var);
  r.pValue = std::erfc(std::abs(r.z) / std::sqrt(2.0));
  return r;
}

}  // namespace reclab::eval
