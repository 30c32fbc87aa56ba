#include "split/splits.h"

#include <fmt/format.h>

#include <algorithm>
#include <numeric>
#include <random>

#include "common/errors.h"

namespace reclab::split {

namespace {

void checkRatio(const char* what, double r, bool allowZero) {
  if (!(r >= 0.0 && r < 1.0) || (!allowZero && r == 0.0)) {
    throw InputError(fmt::format("split: {} must be in {}0, 1), got {}", what,
                                 allowZero ? "[" : "(", r));
  }
}

void carveValidation(Split& s, double validRatio, std::uint64_t seed) {
  if (validRatio <= 0 || s.train.empty()) return;
  std::vector<std::uint32_t> shuffled = s.train;
  std::mt19937_64 rng(seed ^ 0x9E3779B97F4A7C15ULL);
  std::shuffle(shuffled.begin(), shuffled.end(), rng);
  const auto nValid = static_cast<std::size_t>(
      std::llround(validRatio * static_cast<double>(shuffled.size())));
  s.valid.assign(shuffled.begin(), shuffled.begin() + static_cast<std::ptrdiff_t>(nValid));
  s.train.assign(shuffled.begin() + static_cast<std::ptrdiff_t>(nValid), shuffled.end());
  std::sort(s.valid.begin(), s.valid.end());
  std::sort(s.train.begin(), s.train.end());
}

std::vector<std::uint32_t> shuffledRows(std::size_t n, std::uint64_t seed) {
  std::vector<std::uint32_t> rows(n);
  std::iota(rows.begin(), rows.end(), 0u);
  std::mt19937_64 rng(seed);
  std::shuffle(rows.begin(), rows.end(), rng);
  return rows;
}

}  // namespace

Split randomSplit(const data::InteractionLog& log, double testRatio, double validRatio,
                  std::uint64_t seed) {
  checkRatio("test_ratio", testRatio, false);
  checkRatio("valid_ratio", validRatio, true);
  auto rows = shuffledRows(log.numRows(), seed);
  const auto nTest =
      static_cast<std::size_t>(std::llround(testRatio * static_cast<double>(rows.size())));
  Split s;
  s.test.assign(rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(nTest));
  s.train.assign(rows.begin() + static_cast<std::ptrdiff_t>(nTest), rows.end());
  std::sort(s.test.begin(), s.test.end());
  std::sort(s.train.begin(), s.train.end());
  carveValidation(s, validRatio, seed);
  return s;
}

Split kfoldSplit(const data::InteractionLog& log, int folds, int fold, double validRatio,
                 std::uint64_t seed) {
  if (folds < 2) throw InputError(fmt::format("split: folds must be >= 2, got {}", folds));
  if (fold < 0 || fold >= folds) {
    throw InputError(fmt::format("split: fold must be in [0, {}), got {}", folds, fold));
  }
  checkRatio("valid_ratio", validRatio, true);
  auto rows = shuffledRows(log.numRows(), seed);
  Split s;
  for (std::size_t j = 0; j < rows.size(); ++j) {
    (static_cast<int>(j % static_cast<std::size_t>(folds)) == fold ? s.test : s.train)
        .push_back(rows[j]);
  }
  std::sort(s.test.begin(), s.test.end());
  std::sort(s.train.begin(), s.train.end());
  carveValidation(s, validRatio, seed + static_cast<std::uint64_t>(fold));
  return s;
}

Split temporalSplit(const data::InteractionLog& log, double testRatio, double validRatio,
                    std::uint64_t seed) {
  checkRatio("test_ratio", testRatio, false);
  checkRatio("valid_ratio", validRatio, true);
  if (!log.hasTimestamps()) throw InputError("split: temporal split needs timestamps");
  std::vector<std::uint32_t> rows(log.numRows());
  std::iota(rows.begin(), rows.end(), 0u);
  std::stable_sort(rows.begin(), rows.end(), [&](std::uint32_t a, std::uint32_t b) {
    return log.timestamp[a] < log.timestamp[b];
  });
  const auto nTest =
      static_cast<std::size_t>(std::llround(testRatio * static_cast<double>(rows.size())));
  Split s;
  s.train.assign(rows.begin(), rows.end() - static_cast<std::ptrdiff_t>(nTest));
  s.test.assign(rows.end() - static_cast<std::ptrdiff_t>(nTest), rows.end());
  std::sort(s.test.begin(), s.test.end());
  std::sort(s.train.begin(), s.train.end());
  carveValidation(s, validRatio, seed);
  return s;
}

void checkDisjoint(const Split& s) {
  auto overlap = [](const std::vector<std::uint32_t>& a, const std::vector<std::uint32_t>& b,
                    const char* an, const char* bn) {
    std::vector<std::uint32_t> both;
    std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(both));
    if (!both.empty()) {
      throw InputError(fmt::format("leakage: {} row(s) are in both {} and {} (first: row {})",
                                   both.size(), an, bn, both.front()));
    }
  };
  overlap(s.train, s.test, "train", "test");
  overlap(s.train, s.valid, "train", "validation");
  overlap(s.valid, s.test, "validation", "test");
}

}  // namespace reclab::split
