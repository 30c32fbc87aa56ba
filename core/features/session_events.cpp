#include "features/session_events.h"

#include <algorithm>

namespace reclab::features {

EventMask::EventMask(const data::InteractionLog& log, const std::vector<std::string>& names,
                     bool noColumnMeans)
    : m_marked(256, false) {
  if (!log.hasEvents()) {
    m_marked[0] = noColumnMeans;
    return;
  }
  for (std::size_t e = 0; e < log.eventNames.size() && e < m_marked.size(); ++e) {
    m_marked[e] = std::find(names.begin(), names.end(), log.eventNames[e]) != names.end();
  }
}

bool EventMask::any() const {
  return std::find(m_marked.begin(), m_marked.end(), true) != m_marked.end();
}

std::string quotedList(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) {
    if (!out.empty()) out += ", ";
    out += "'" + n + "'";
  }
  return out;
}

}  // namespace reclab::features
