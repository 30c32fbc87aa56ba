#include "widgets/user_id_index.h"

#include <algorithm>
#include <numeric>

namespace reclab::widgets {

UserIdIndex::UserIdIndex(const data::IdMap& ids) : m_ids(&ids) {
  const auto n = static_cast<std::size_t>(ids.size());
  std::vector<std::string> text(n);
  for (std::size_t i = 0; i < n; ++i) text[i] = ids.original(static_cast<std::int32_t>(i));
  m_order.resize(n);
  std::iota(m_order.begin(), m_order.end(), 0);
  std::sort(m_order.begin(), m_order.end(), [&](std::int32_t a, std::int32_t b) {
    return text[static_cast<std::size_t>(a)] < text[static_cast<std::size_t>(b)];
  });
}

std::size_t UserIdIndex::lowerBound(std::string_view text) const {
  std::size_t lo = 0, hi = m_order.size();
  while (lo < hi) {
    const std::size_t mid = lo + (hi - lo) / 2;
    if (m_ids->original(m_order[mid]) < text) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

std::optional<std::int32_t> UserIdIndex::find(std::string_view original) const {
  if (!m_ids) return std::nullopt;
  const auto pos = lowerBound(original);
  if (pos < m_order.size() && m_ids->original(m_order[pos]) == original) return m_order[pos];
  return std::nullopt;
}

std::vector<std::string> UserIdIndex::startingWith(std::string_view prefix,
                                                   std::size_t limit) const {
  std::vector<std::string> out;
  if (!m_ids) return out;
  for (auto pos = lowerBound(prefix); pos < m_order.size() && out.size() < limit; ++pos) {
    auto id = m_ids->original(m_order[pos]);
    if (id.compare(0, prefix.size(), prefix) != 0) break;
    out.push_back(std::move(id));
  }
  return out;
}

std::size_t UserIdIndex::countStartingWith(std::string_view prefix) const {
  if (!m_ids) return 0;
  // Ids starting with the prefix are contiguous in text order: [lowerBound(p), first id > p...).
  std::size_t lo = lowerBound(prefix), hi = m_order.size();
  const std::size_t first = lo;
  while (lo < hi) {
    const std::size_t mid = lo + (hi - lo) / 2;
    if (m_ids->original(m_order[mid]).compare(0, prefix.size(), prefix) == 0) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo - first;
}

}  // namespace reclab::widgets
