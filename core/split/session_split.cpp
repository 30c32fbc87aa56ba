#include "split/session_split.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

#include "common/errors.h"

namespace reclab::split {

namespace {

constexpr double kMillisPerDay = 86'400'000.0;
constexpr std::int64_t kNoRows = std::numeric_limits<std::int64_t>::min();

enum class Part : std::uint8_t { Train, Valid, Test };

std::int64_t daysToMillis(double days) { return std::llround(days * kMillisPerDay); }

/// Applies the session-rec post-filters to the rows of `part`, given the items seen in train.
void postFilter(const data::InteractionLog& log, const SessionSplitConfig& c,
                const std::vector<bool>& trainItem, std::vector<std::uint32_t>& rows) {
  if (c.dropUnseenTestItems) {
    std::erase_if(rows, [&](std::uint32_t r) {
      const auto it = static_cast<std::size_t>(log.item[r]);
      return it >= trainItem.size() || !trainItem[it];
    });
  }
  if (c.minTestSessionLength > 1) {
    std::vector<std::uint32_t> length(static_cast<std::size_t>(log.numSessions()), 0);
    for (auto r : rows) ++length[static_cast<std::size_t>(log.session[r])];
    const auto minLen = static_cast<std::uint32_t>(c.minTestSessionLength);
    std::erase_if(rows, [&](std::uint32_t r) {
      return length[static_cast<std::size_t>(log.session[r])] < minLen;
    });
  }
}

}  // namespace

void SessionSplitConfig::validate() const {
  if (!(testDays > 0.0) || !std::isfinite(testDays)) {
    throw InputError(fmt::format("session_split: test_days must be > 0, got {}", testDays));
  }
  if (!(validDays >= 0.0) || !std::isfinite(validDays)) {
    throw InputError(fmt::format("session_split: valid_days must be >= 0, got {}", validDays));
  }
  if (minTestSessionLength < 1) {
    throw InputError(fmt::format("session_split: min_test_session_length must be >= 1, got {}",
                                 minTestSessionLength));
  }
}

Split sessionTimeSplit(const data::InteractionLog& log, const SessionSplitConfig& config) {
  config.validate();
  if (!log.hasSessions()) {
    throw InputError("session_split: the log has no session column");
  }
  if (!log.hasTimestamps()) {
    throw InputError("session_split: the log has no timestamp column");
  }
  const std::size_t nRows = log.numRows();
  const auto nSessions = static_cast<std::size_t>(log.numSessions());
  std::vector<std::int64_t> last(nSessions, kNoRows);
  std::int64_t maxTs = kNoRows;
  for (std::size_t r = 0; r < nRows; ++r) {
    const auto sess = static_cast<std::size_t>(log.session[r]);
    const std::int64_t t = log.timestamp[r];
    last[sess] = std::max(last[sess], t);
    maxTs = std::max(maxTs, t);
  }
  Split s;
  if (nRows == 0) return s;

  std::vector<Part> part(nSessions, Part::Train);
  const std::int64_t testCut = maxTs - daysToMillis(config.testDays);
  std::int64_t trainMax = kNoRows;
  for (std::size_t i = 0; i < nSessions; ++i) {
    if (last[i] == kNoRows) continue;
    if (last[i] >= testCut) {
      part[i] = Part::Test;
    } else {
      trainMax = std::max(trainMax, last[i]);
    }
  }
  if (trainMax == kNoRows) {
    throw InputError(fmt::format(
        "session_split: test_days = {} puts every session in test (the log spans {:.3g} days)",
        config.testDays,
        static_cast<double>(maxTs - *std::min_element(log.timestamp.begin(), log.timestamp.end())) /
            kMillisPerDay));
  }
  if (config.validDays > 0) {
    const std::int64_t validCut = trainMax - daysToMillis(config.validDays);
    bool anyTrain = false;
    for (std::size_t i = 0; i < nSessions; ++i) {
      if (last[i] == kNoRows || part[i] != Part::Train) continue;
      if (last[i] >= validCut) {
        part[i] = Part::Valid;
      } else {
        anyTrain = true;
      }
    }
    if (!anyTrain) {
      throw InputError(
          fmt::format("session_split: valid_days = {} puts every training session in validation",
                      config.validDays));
    }
  }
  for (std::size_t r = 0; r < nRows; ++r) {
    switch (part[static_cast<std::size_t>(log.session[r])]) {
      case Part::Train:
        s.train.push_back(static_cast<std::uint32_t>(r));
        break;
      case Part::Valid:
        s.valid.push_back(static_cast<std::uint32_t>(r));
        break;
      case Part::Test:
        s.test.push_back(static_cast<std::uint32_t>(r));
        break;
    }
  }
  if (config.dropUnseenTestItems || config.minTestSessionLength > 1) {
    std::vector<bool> trainItem(static_cast<std::size_t>(std::max(log.numItems(), 0)), false);
    for (auto r : s.train) {
      const auto it = static_cast<std::size_t>(log.item[r]);
      if (it >= trainItem.size()) trainItem.resize(it + 1, false);
      trainItem[it] = true;
    }
    postFilter(log, config, trainItem, s.test);
    postFilter(log, config, trainItem, s.valid);
  }
  return s;
}

Split randomSessionSplit(const data::InteractionLog& log, double testRatio, double validRatio,
                         std::uint64_t seed) {
  if (!(testRatio >= 0 && testRatio < 1)) {
    throw InputError(fmt::format("session_random split: test_ratio must be in [0, 1), got {}", testRatio));
  }
  if (!(validRatio >= 0 && validRatio < 1) || testRatio + validRatio >= 1) {
    throw InputError(fmt::format(
        "session_random split: valid_ratio must be in [0, 1) with test_ratio + valid_ratio < 1, "
        "got {} + {}",
        testRatio, validRatio));
  }
  if (!log.hasSessions()) throw InputError("session_random split: the log has no session column");
  const auto nSessions = static_cast<std::size_t>(log.numSessions());
  std::vector<char> present(nSessions, 0);
  for (auto sess : log.session) present[static_cast<std::size_t>(sess)] = 1;
  std::vector<std::uint32_t> sessions;
  for (std::size_t i = 0; i < nSessions; ++i)
    if (present[i]) sessions.push_back(static_cast<std::uint32_t>(i));
  std::mt19937_64 rng(seed);
  std::shuffle(sessions.begin(), sessions.end(), rng);
  const auto nTest = static_cast<std::size_t>(std::llround(static_cast<double>(sessions.size()) * testRatio));
  const auto nValid = static_cast<std::size_t>(std::llround(static_cast<double>(sessions.size()) * validRatio));
  std::vector<Part> part(nSessions, Part::Train);
  for (std::size_t j = 0; j < sessions.size(); ++j) {
    if (j < nTest) part[sessions[j]] = Part::Test;
    else if (j < nTest + nValid) part[sessions[j]] = Part::Valid;
  }
  Split s;
  for (std::size_t r = 0; r < log.numRows(); ++r) {
    switch (part[static_cast<std::size_t>(log.session[r])]) {
      case Part::Train: s.train.push_back(static_cast<std::uint32_t>(r)); break;
      case Part::Valid: s.valid.push_back(static_cast<std::uint32_t>(r)); break;
      case Part::Test: s.test.push_back(static_cast<std::uint32_t>(r)); break;
    }
  }
  if (s.train.empty()) throw InputError("session_random split: no training session left");
  return s;
}

}  // namespace reclab::split
