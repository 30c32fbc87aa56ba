#include "data/interaction_log.h"

#include <algorithm>
#include <numeric>
#include <stdexcept>

namespace reclab::data {

std::uint8_t InteractionLog::internEvent(const std::string& name) {
  int found = findEvent(name);
  if (found >= 0) return static_cast<std::uint8_t>(found);
  if (eventNames.size() >= 255) throw std::length_error("more than 255 event types");
  eventNames.push_back(name);
  return static_cast<std::uint8_t>(eventNames.size() - 1);
}

int InteractionLog::findEvent(const std::string& name) const {
  for (std::size_t i = 0; i < eventNames.size(); ++i)
    if (eventNames[i] == name) return static_cast<int>(i);
  return -1;
}

namespace {

template <typename Column>
void checkColumn(const Column& col, std::size_t n, const char* name) {
  if (!col.empty() && col.size() != n) {
    throw std::logic_error(std::string("InteractionLog: column '") + name + "' has " +
                           std::to_string(col.size()) + " rows, expected " + std::to_string(n));
  }
}

void checkIndex(const std::vector<std::int32_t>& col, std::int32_t limit, const char* name) {
  for (std::size_t r = 0; r < col.size(); ++r) {
    if (col[r] < 0 || col[r] >= limit) {
      throw std::logic_error(std::string("InteractionLog: column '") + name + "' row " +
                             std::to_string(r) + " holds index " + std::to_string(col[r]) +
                             " outside [0, " + std::to_string(limit) + ")");
    }
  }
}

}  // namespace

void InteractionLog::validate() const {
  const std::size_t n = numRows();
  checkColumn(user, n, "user");
  checkColumn(event, n, "event");
  checkColumn(timestamp, n, "timestamp");
  checkColumn(value, n, "value");
  checkColumn(session, n, "session");
  checkIndex(item, numItems(), "item");
  checkIndex(user, numUsers(), "user");
  checkIndex(session, numSessions(), "session");
  for (std::size_t r = 0; r < event.size(); ++r) {
    if (event[r] >= eventNames.size()) {
      throw std::logic_error("InteractionLog: column 'event' row " + std::to_string(r) +
                             " holds an unknown event type");
    }
  }
}

void InteractionLog::shrinkToFit() {
  user.shrink_to_fit();
  item.shrink_to_fit();
  event.shrink_to_fit();
  timestamp.shrink_to_fit();
  value.shrink_to_fit();
  session.shrink_to_fit();
  users.dropLookup();
  items.dropLookup();
  sessions.dropLookup();
}

std::size_t InteractionLog::memoryBytes() const {
  return user.capacity() * sizeof(std::int32_t) + item.capacity() * sizeof(std::int32_t) +
         event.capacity() + timestamp.memoryBytes() +
         value.capacity() * sizeof(float) + session.capacity() * sizeof(std::int32_t) +
         users.memoryBytes() + items.memoryBytes() + sessions.memoryBytes() +
         itemAttributes.memoryBytes() + userAttributes.memoryBytes();
}

namespace {

template <typename T>
void compact(std::vector<T>& col, const std::vector<bool>& keep) {
  if (col.empty()) return;
  std::size_t w = 0;
  for (std::size_t r = 0; r < col.size(); ++r)
    if (keep[r]) col[w++] = col[r];
  col.resize(w);
}

}  // namespace

void InteractionLog::filterRows(const std::vector<bool>& keep) {
  if (keep.size() != numRows()) throw std::logic_error("filterRows: mask size mismatch");
  compact(user, keep);
  compact(item, keep);
  compact(event, keep);
  if (!timestamp.empty()) timestamp.keepRows(keep);
  compact(value, keep);
  compact(session, keep);
}

SessionIndex SessionIndex::build(const InteractionLog& log) {
  SessionIndex idx;
  const std::size_t nSessions = static_cast<std::size_t>(log.numSessions());
  idx.offsets.assign(nSessions + 1, 0);
  if (!log.hasSessions()) return idx;
  for (auto s : log.session) ++idx.offsets[static_cast<std::size_t>(s) + 1];
  for (std::size_t s = 0; s < nSessions; ++s) idx.offsets[s + 1] += idx.offsets[s];
  idx.order.resize(log.numRows());
  std::vector<std::uint32_t> fill(idx.offsets.begin(), idx.offsets.end() - 1);
  for (std::size_t r = 0; r < log.numRows(); ++r) {
    idx.order[fill[static_cast<std::size_t>(log.session[r])]++] = static_cast<std::uint32_t>(r);
  }
  if (log.hasTimestamps()) {
    for (std::size_t s = 0; s < nSessions; ++s) {
      auto b = idx.order.begin() + idx.offsets[s];
      auto e = idx.order.begin() + idx.offsets[s + 1];
      if (!std::is_sorted(b, e, [&](std::uint32_t a, std::uint32_t c) {
            return log.timestamp[a] < log.timestamp[c];
          })) {
        std::stable_sort(b, e, [&](std::uint32_t a, std::uint32_t c) {
          return log.timestamp[a] < log.timestamp[c];
        });
      }
    }
  }
  return idx;
}

}  // namespace reclab::data
