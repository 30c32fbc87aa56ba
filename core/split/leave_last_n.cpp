#include "split/leave_last_n.h"

#include <fmt/format.h>

#include <algorithm>
#include <numeric>

#include "common/errors.h"

namespace reclab::split {

void LeaveLastNConfig::validate() const {
  if (n < 1) throw InputError(fmt::format("leave_last_n: n must be >= 1, got {}", n));
  if (validN < 0) {
    throw InputError(fmt::format("leave_last_n: valid_n must be >= 0, got {}", validN));
  }
  if (minTrainRows < 0) {
    throw InputError(
        fmt::format("leave_last_n: min_train_rows must be >= 0, got {}", minTrainRows));
  }
}

Split leaveLastNSplit(const data::InteractionLog& log, const LeaveLastNConfig& config) {
  config.validate();
  if (!log.hasUsers()) {
    throw InputError("leave_last_n: the log has no user column (needed to group rows by user)");
  }
  if (!log.hasTimestamps()) {
    throw InputError(
        "leave_last_n: the log has no timestamp column (needed to find the latest rows)");
  }
  const std::size_t nRows = log.numRows();
  // Counting sort by user (stable, so rows stay ascending), then order each user by time.
  std::int32_t maxUser = -1;
  for (auto u : log.user) maxUser = std::max(maxUser, u);
  const std::size_t nUsers = static_cast<std::size_t>(maxUser + 1);
  std::vector<std::uint32_t> offsets(nUsers + 1, 0);
  for (auto u : log.user) {
    if (u < 0) throw InputError(fmt::format("leave_last_n: negative user index {}", u));
    ++offsets[static_cast<std::size_t>(u) + 1];
  }
  for (std::size_t u = 0; u < nUsers; ++u) offsets[u + 1] += offsets[u];
  std::vector<std::uint32_t> order(nRows);
  {
    std::vector<std::uint32_t> fill(offsets.begin(), offsets.end() - 1);
    for (std::size_t r = 0; r < nRows; ++r) {
      order[fill[static_cast<std::size_t>(log.user[r])]++] = static_cast<std::uint32_t>(r);
    }
  }
  const auto n = static_cast<std::size_t>(config.n);
  const auto m = static_cast<std::size_t>(config.validN);
  const auto keep = static_cast<std::size_t>(config.minTrainRows);
  Split s;
  s.train.reserve(nRows);
  for (std::size_t u = 0; u < nUsers; ++u) {
    auto b = order.begin() + offsets[u];
    auto e = order.begin() + offsets[u + 1];
    const auto count = static_cast<std::size_t>(e - b);
    if (count == 0) continue;
    // Rows are ascending within the user, so a stable sort by time breaks ties by row.
    std::stable_sort(b, e, [&](std::uint32_t x, std::uint32_t y) {
      return log.timestamp[x] < log.timestamp[y];
    });
    std::size_t nTest = 0, nValid = 0;
    if (count >= n + keep) {
      nTest = n;
      if (m > 0 && count - n >= m + keep) nValid = m;
    }
    const std::size_t nTrain = count - nTest - nValid;
    s.train.insert(s.train.end(), b, b + static_cast<std::ptrdiff_t>(nTrain));
    s.valid.insert(s.valid.end(), b + static_cast<std::ptrdiff_t>(nTrain),
                   b + static_cast<std::ptrdiff_t>(nTrain + nValid));
    s.test.insert(s.test.end(), b + static_cast<std::ptrdiff_t>(nTrain + nValid), e);
  }
  std::sort(s.train.begin(), s.train.end());
  std::sort(s.valid.begin(), s.valid.end());
  std::sort(s.test.begin(), s.test.end());
  return s;
}

}  // namespace reclab::split
