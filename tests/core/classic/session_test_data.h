#pragma once
// Small hand-built session logs for the session baseline tests.

#include <cstdint>
#include <vector>

#include "common/observer.h"
#include "data/interaction_log.h"
#include "models/model.h"

namespace reclab::sessiontest {

/// A log over `items` items whose session s (id 100 + s) clicks sessions[s] in order, click t
/// at time 1000 s + t: later sessions are more recent.
inline data::InteractionLog makeSessionLog(const std::vector<std::vector<int>>& sessions,
                                           int items) {
  data::InteractionLog log;
  for (int i = 0; i < items; ++i) log.items.internInt(i + 1);
  log.eventNames = {data::event_names::kClick};
  for (std::size_t s = 0; s < sessions.size(); ++s) {
    log.sessions.internInt(static_cast<std::int64_t>(100 + s));
    for (std::size_t t = 0; t < sessions[s].size(); ++t) {
      log.session.push_back(static_cast<std::int32_t>(s));
      log.item.push_back(sessions[s][t]);
      log.timestamp.push_back(static_cast<std::int64_t>(1000 * s + t));
    }
  }
  return log;
}

/// Fits `model` on every row of `log`.
inline void fitAll(models::Model& model, const data::InteractionLog& log, int threads = 2) {
  std::vector<std::uint32_t> rows(log.numRows());
  for (std::size_t r = 0; r < rows.size(); ++r) rows[r] = static_cast<std::uint32_t>(r);
  StopToken stop;
  models::TrainContext ctx{log, rows, nullptr, 1, threads, nullObserver(), stop};
  model.fit(ctx);
}

/// The score row of one prefix.
inline std::vector<float> scoreOne(const models::SessionRecommender& m,
                                   const std::vector<std::int32_t>& prefix) {
  models::ScoreMatrix out;
  m.scorePrefixes({prefix}, out);
  return {out.data(), out.data() + out.cols()};
}

}  // namespace reclab::sessiontest
