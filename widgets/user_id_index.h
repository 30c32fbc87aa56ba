#pragma once
/// Original user ids in text order, for prefix search (the inspector's user completer) and exact
/// look-up, without a QStringList of every id: the index keeps one int32 per user and reads the
/// ids from the IdMap on demand, so a prefix query costs O(log n + limit) id conversions.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "data/id_map.h"

namespace reclab::widgets {

class UserIdIndex {
 public:
  UserIdIndex() = default;
  /// Sorts the dense indices of `ids` by their original text (O(n log n); run it off the GUI
  /// thread for big maps). `ids` must outlive the index.
  explicit UserIdIndex(const data::IdMap& ids);

  std::size_t size() const { return m_order.size(); }
  /// Dense index of the user whose original id is exactly `original`.
  std::optional<std::int32_t> find(std::string_view original) const;
  /// Up to `limit` original ids starting with `prefix`, in text order.
  std::vector<std::string> startingWith(std::string_view prefix, std::size_t limit) const;
  /// How many original ids start with `prefix`.
  std::size_t countStartingWith(std::string_view prefix) const;

 private:
  std::size_t lowerBound(std::string_view text) const;

  const data::IdMap* m_ids = nullptr;
  std::vector<std::int32_t> m_order;  ///< dense indices sorted by original text
};

}  // namespace reclab::widgets
