#include "data/session_sequences.h"

#include <algorithm>

#include "common/errors.h"

namespace reclab::data {

SessionSequences buildSessionSequences(const InteractionLog& log,
                                       const std::vector<std::uint32_t>& rows) {
  if (!log.hasSessions()) {
    throw InputError(
        "session sequences: the data set has no session column (session models need a "
        "Yoochoose, Diginetica or session-rec file, or a CSV mapping with a session column)");
  }
  const int buy = log.findEvent(event_names::kBuy);
  std::vector<std::uint32_t> kept;
  kept.reserve(rows.size());
  for (auto r : rows) {
    if (r >= log.numRows()) {
      throw InputError("session sequences: row " + std::to_string(r) + " is outside the log (" +
                       std::to_string(log.numRows()) + " rows)");
    }
    if (buy >= 0 && log.eventAt(r) == buy) continue;
    kept.push_back(r);
  }
  const bool timed = log.hasTimestamps();
  std::sort(kept.begin(), kept.end(), [&](std::uint32_t a, std::uint32_t b) {
    if (log.session[a] != log.session[b]) return log.session[a] < log.session[b];
    if (timed && log.timestamp[a] != log.timestamp[b]) return log.timestamp[a] < log.timestamp[b];
    return a < b;
  });
  SessionSequences out;
  out.items.reserve(kept.size());
  for (std::size_t j = 0; j < kept.size(); ++j) {
    const auto r = kept[j];
    if (j == 0 || log.session[r] != log.session[kept[j - 1]]) {
      if (j > 0) out.offsets.push_back(static_cast<std::uint32_t>(out.items.size()));
      out.session.push_back(log.session[r]);
      out.lastTime.push_back(0);
    }
    out.items.push_back(log.item[r]);
    if (timed) out.lastTime.back() = log.timestamp[r];
  }
  if (!kept.empty()) out.offsets.push_back(static_cast<std::uint32_t>(out.items.size()));
  return out;
}

}  // namespace reclab::data
