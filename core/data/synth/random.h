#pragma once
/// Deterministic random numbers for the synthetic generators.
///
/// The standard distributions (std::normal_distribution, ...) are implementation-defined, so
/// only the engine std::mt19937_64 is taken from the library and every distribution is written
/// here: the same seed gives the same files with any standard library.

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

namespace reclab::synth {

/// SplitMix64 of (seed, stream): derives independent engine seeds from one user seed, so that
/// e.g. the item factors do not change when only the number of users changes.
std::uint64_t mixSeed(std::uint64_t seed, std::uint64_t stream);

/// A 64-bit Mersenne Twister with hand-written, portable distributions.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : m_engine(seed) {}

  std::uint64_t bits() { return m_engine(); }
  /// Uniform in [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(m_engine() >> 11) * 0x1.0p-53; }
  /// Uniform in (0, 1], safe as an argument of log().
  double uniformPositive() { return (static_cast<double>(m_engine() >> 11) + 1.0) * 0x1.0p-53; }
  /// Uniform integer in [0, n); n must be > 0. Unbiased (Lemire's multiply-shift).
  std::uint64_t below(std::uint64_t n);
  /// Uniform integer in [lo, hi] (inclusive).
  std::int64_t between(std::int64_t lo, std::int64_t hi) {
    return lo + static_cast<std::int64_t>(below(static_cast<std::uint64_t>(hi - lo) + 1));
  }
  bool bernoulli(double p) { return uniform() < p; }
  /// Standard normal (Box-Muller, the second value of each pair is kept for the next call).
  double normal();
  double normal(double mean, double sd) { return mean + sd * normal(); }
  double exponential(double mean) { return -mean * std::log(uniformPositive()); }
  /// exp(N(ln median, sigma^2)).
  double logNormal(double median, double sigma) { return median * std::exp(sigma * normal()); }
  /// Geometric on {1, 2, ...} with the given mean (>= 1), by inverse CDF.
  std::uint64_t geometric(double mean);

  /// Fisher-Yates shuffle.
  template <typename T>
  void shuffle(std::vector<T>& v) {
    for (std::size_t i = v.size(); i > 1; --i) {
      std::size_t j = static_cast<std::size_t>(below(i));
      std::swap(v[i - 1], v[j]);
    }
  }

 private:
  std::mt19937_64 m_engine;
  double m_spare = 0.0;
  bool m_hasSpare = false;
};

/// Walker's alias table: O(1) sampling from a fixed discrete distribution.
class AliasTable {
 public:
  AliasTable() = default;
  /// `weights` must be non-negative with a positive sum.
  explicit AliasTable(const std::vector<double>& weights);
  std::size_t sample(Rng& rng) const;
  std::size_t size() const { return m_prob.size(); }

 private:
  std::vector<double> m_prob;
  std::vector<std::uint32_t> m_alias;
};

/// Zipf weights 1 / (rank + 1)^exponent for ranks 0..n-1 (exponent 0 gives uniform weights).
std::vector<double> zipfWeights(std::size_t n, double exponent);

/// `count` distinct integers drawn uniformly from [lo, hi), in draw order.
std::vector<std::int64_t> distinctIntegers(Rng& rng, std::size_t count, std::int64_t lo,
                                           std::int64_t hi);

/// Rounds to `decimals` decimal places (ground-truth values are stored rounded so that the
/// JSON written is short and reads back exactly).
inline double roundTo(double x, int decimals) {
  const double scale = std::pow(10.0, decimals);
  return std::round(x * scale) / scale;
}

inline double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

/// Relative activity per UTC hour 0..23 (an evening peak around 20:30 and a smaller one at
/// noon), rounded to 4 decimals; the session start-hour profile of the event generators.
std::vector<double> dailyActivityProfile();

}  // namespace reclab::synth
