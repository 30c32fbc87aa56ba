#include "split/cold_start.h"

#include <fmt/format.h>

#include <algorithm>

#include "common/errors.h"

namespace reclab::split {

namespace {

void checkRows(const data::InteractionLog& log, const std::vector<std::uint32_t>& rows,
               const char* what) {
  for (auto r : rows) {
    if (r >= log.numRows()) {
      throw InputError(fmt::format("cold_start: {} row {} is out of range (the log has {} rows)",
                                   what, r, log.numRows()));
    }
  }
}

void mark(std::vector<bool>& seen, std::int32_t index) {
  const auto i = static_cast<std::size_t>(index);
  if (i >= seen.size()) seen.resize(i + 1, false);
  seen[i] = true;
}

bool isSeen(const std::vector<bool>& seen, std::int32_t index) {
  const auto i = static_cast<std::size_t>(index);
  return i < seen.size() && seen[i];
}

}  // namespace

ColdStartPartition partitionColdStart(const data::InteractionLog& log,
                                      const std::vector<std::uint32_t>& trainRows,
                                      const std::vector<std::uint32_t>& testRows) {
  checkRows(log, trainRows, "training");
  checkRows(log, testRows, "test");
  const bool byUser = log.hasUsers();
  std::vector<bool> seenUser(byUser ? static_cast<std::size_t>(log.numUsers()) : 0, false);
  std::vector<bool> seenItem(static_cast<std::size_t>(log.numItems()), false);
  for (auto r : trainRows) {
    if (byUser) mark(seenUser, log.user[r]);
    mark(seenItem, log.item[r]);
  }
  std::vector<std::uint32_t> test = testRows;
  std::sort(test.begin(), test.end());
  test.erase(std::unique(test.begin(), test.end()), test.end());
  ColdStartPartition p;
  for (auto r : test) {
    if (byUser && !isSeen(seenUser, log.user[r])) {
      p.coldUser.push_back(r);
    } else if (!isSeen(seenItem, log.item[r])) {
      p.coldItem.push_back(r);
    } else {
      p.warm.push_back(r);
    }
  }
  return p;
}

ColdStartPartition partitionColdStart(const data::InteractionLog& log, const Split& split) {
  return partitionColdStart(log, split.train, split.test);
}

}  // namespace reclab::split
