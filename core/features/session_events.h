#pragma once
/// Which rows of a log are clicks and which are buys, for the session graphs and the session
/// features (SPEC B): event names looked up once into a mask over the log's event indices.

#include <cstdint>
#include <string>
#include <vector>

#include "data/interaction_log.h"

namespace reclab::features {

/// Per event index of a log: whether the event is one of a list of names.
class EventMask {
 public:
  /// Marks the events of `log` named in `names`. A log without an event column has one
  /// implicit event (index 0) that is marked when `noColumnMeans` is true.
  EventMask(const data::InteractionLog& log, const std::vector<std::string>& names,
            bool noColumnMeans);
  bool contains(std::uint8_t event) const { return m_marked[event]; }
  /// True when at least one event index is marked.
  bool any() const;

 private:
  std::vector<bool> m_marked;  ///< 256 entries
};

/// "'click', 'view'" (for messages).
std::string quotedList(const std::vector<std::string>& names);

}  // namespace reclab::features
