#pragma once
// Small hand-built logs for the classic model tests.

#include <cstdint>
#include <filesystem>
#include <string>
#include <tuple>
#include <vector>

#include "common/observer.h"
#include "data/interaction_log.h"
#include "models/model.h"

namespace reclab::classictest {

struct Entry {
  int user;
  int item;
  float value = 1.0f;
};

/// A log with `users` users and `items` items (ids 1..n) holding `entries` as rows.
inline data::InteractionLog makeLog(int users, int items, const std::vector<Entry>& entries,
                                    bool withValues = false) {
  data::InteractionLog log;
  for (int u = 0; u < users; ++u) log.users.internInt(u + 1);
  for (int i = 0; i < items; ++i) log.items.internInt(i + 1);
  if (withValues) log.valueName = "rating";
  for (const auto& e : entries) {
    log.user.push_back(e.user);
    log.item.push_back(e.item);
    if (withValues) log.value.push_back(e.value);
  }
  return log;
}

inline std::vector<std::uint32_t> allRows(const data::InteractionLog& log) {
  std::vector<std::uint32_t> rows(log.numRows());
  for (std::size_t r = 0; r < rows.size(); ++r) rows[r] = static_cast<std::uint32_t>(r);
  return rows;
}

/// Fits `model` on every row of `log`.
inline void fitAll(models::Model& model, const data::InteractionLog& log, int threads = 2) {
  const auto rows = allRows(log);
  StopToken stop;
  models::TrainContext ctx{log, rows, nullptr, 1, threads, nullObserver(), stop};
  model.fit(ctx);
}

inline models::ScoreMatrix scores(const models::Recommender& m, std::vector<std::int32_t> users) {
  models::ScoreMatrix out;
  m.scoreUsers(users, out);
  return out;
}

inline std::string tempPath(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("reclab_classic_" + name)).string();
}

}  // namespace reclab::classictest
