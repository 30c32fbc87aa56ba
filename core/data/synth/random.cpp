#include "data/synth/random.h"

#include <algorithm>
#include <numbers>
#include <stdexcept>
#include <unordered_set>

namespace reclab::synth {

std::uint64_t mixSeed(std::uint64_t seed, std::uint64_t stream) {
  std::uint64_t z = seed + 0x9E3779B97F4A7C15ULL * (stream + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

std::uint64_t Rng::below(std::uint64_t n) {
  std::uint64_t x = m_engine();
  unsigned __int128 m = static_cast<unsigned __int128>(x) * n;
  auto low = static_cast<std::uint64_t>(m);
  if (low < n) {
    const std::uint64_t threshold = (0 - n) % n;
    while (low < threshold) {
      x = m_engine();
      m = static_cast<unsigned __int128>(x) * n;
      low = static_cast<std::uint64_t>(m);
    }
  }
  return static_cast<std::uint64_t>(m >> 64);
}

double Rng::normal() {
  if (m_hasSpare) {
    m_hasSpare = false;
    return m_spare;
  }
  const double r = std::sqrt(-2.0 * std::log(uniformPositive()));
  const double theta = 2.0 * std::numbers::pi * uniform();
  m_spare = r * std::sin(theta);
  m_hasSpare = true;
  return r * std::cos(theta);
}

std::uint64_t Rng::geometric(double mean) {
  if (mean <= 1.0) return 1;
  const double p = 1.0 / mean;
  const double k = std::floor(std::log(uniformPositive()) / std::log1p(-p));
  if (!(k < 1e15)) return static_cast<std::uint64_t>(1e15);
  return 1 + static_cast<std::uint64_t>(k);
}

AliasTable::AliasTable(const std::vector<double>& weights) {
  const std::size_t n = weights.size();
  double total = 0.0;
  for (double w : weights) {
    if (!(w >= 0.0)) throw std::invalid_argument("AliasTable: negative weight");
    total += w;
  }
  if (n == 0 || !(total > 0.0)) throw std::invalid_argument("AliasTable: no positive weight");
  m_prob.assign(n, 0.0);
  m_alias.assign(n, 0);
  std::vector<double> scaled(n);
  std::vector<std::uint32_t> small, large;
  for (std::size_t i = 0; i < n; ++i) {
    scaled[i] = weights[i] * static_cast<double>(n) / total;
    (scaled[i] < 1.0 ? small : large).push_back(static_cast<std::uint32_t>(i));
  }
  while (!small.empty() && !large.empty()) {
    const std::uint32_t s = small.back();
    small.pop_back();
    const std::uint32_t l = large.back();
    m_prob[s] = scaled[s];
    m_alias[s] = l;
    scaled[l] = (scaled[l] + scaled[s]) - 1.0;
    if (scaled[l] < 1.0) {
      large.pop_back();
      small.push_back(l);
    }
  }
  for (std::uint32_t i : large) m_prob[i] = 1.0;
  for (std::uint32_t i : small) m_prob[i] = 1.0;
}

std::size_t AliasTable::sample(Rng& rng) const {
  const std::size_t column = static_cast<std::size_t>(rng.below(m_prob.size()));
  return rng.uniform() < m_prob[column] ? column : m_alias[column];
}

std::vector<double> zipfWeights(std::size_t n, double exponent) {
  std::vector<double> w(n);
  for (std::size_t r = 0; r < n; ++r) w[r] = std::pow(static_cast<double>(r + 1), -exponent);
  return w;
}

std::vector<std::int64_t> distinctIntegers(Rng& rng, std::size_t count, std::int64_t lo,
                                           std::int64_t hi) {
  if (hi - lo < static_cast<std::int64_t>(count)) {
    throw std::invalid_argument("distinctIntegers: range too small");
  }
  std::vector<std::int64_t> out;
  out.reserve(count);
  std::unordered_set<std::int64_t> seen;
  seen.reserve(count * 2);
  while (out.size() < count) {
    const std::int64_t v = rng.between(lo, hi - 1);
    if (seen.insert(v).second) out.push_back(v);
  }
  return out;
}

std::vector<double> dailyActivityProfile() {
  std::vector<double> w(24);
  for (int h = 0; h < 24; ++h) {
    const auto circular = [h](double centre) {
      const double d = std::fmod(std::abs(h - centre), 24.0);
      return std::min(d, 24.0 - d);
    };
    const double evening = circular(20.5), noon = circular(12.5);
    w[static_cast<std::size_t>(h)] =
        roundTo(0.15 + std::exp(-evening * evening / 12.5) + 0.5 * std::exp(-noon * noon / 8.0), 4);
  }
  return w;
}

}  // namespace reclab::synth
