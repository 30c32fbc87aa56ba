#pragma once
/// The columnar interaction log: one row per event, each column a dense array.
///
/// Columns that a format does not have are left empty (size 0) rather than filled with a
/// placeholder, so a Yoochoose clicks file costs item + timestamp + session only.
/// `hasUsers()`, `hasEvents()`, `hasValues()`, `hasSessions()` tell which are present.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "data/attributes.h"
#include "data/id_map.h"
#include "data/timestamp_column.h"

namespace reclab::data {

/// Well-known event-type names. Formats register the names they use in `eventNames`;
/// an empty `event` column means every row is of type 0.
namespace event_names {
inline constexpr const char* kView = "view";
inline constexpr const char* kAddToCart = "addtocart";
inline constexpr const char* kTransaction = "transaction";
inline constexpr const char* kClick = "click";
inline constexpr const char* kBuy = "buy";
inline constexpr const char* kRating = "rating";
}  // namespace event_names

struct InteractionLog {
  // --- columns (all of length numRows() when present, else empty) ---
  std::vector<std::int32_t> user;     ///< dense user index
  std::vector<std::int32_t> item;     ///< dense item index (always present)
  std::vector<std::uint8_t> event;    ///< index into eventNames
  TimestampColumn timestamp;          ///< milliseconds since the Unix epoch (UTC), 6 bytes/row
  std::vector<float> value;           ///< rating, price, quantity... (meaning in valueName)
  std::vector<std::int32_t> session;  ///< dense session index

  // --- dictionaries ---
  IdMap users;
  IdMap items;
  IdMap sessions;
  std::vector<std::string> eventNames;  ///< e.g. {"view","addtocart","transaction"}
  std::string valueName;                ///< e.g. "rating"; empty when there is no value column

  // --- side tables ---
  AttributeTable itemAttributes;  ///< keyed by dense item index
  AttributeTable userAttributes;  ///< keyed by dense user index
  /// (categoryid, parentid) pairs as written (RetailRocket category_tree.csv); parentid is
  /// empty for a root category.
  std::vector<std::pair<std::string, std::string>> categoryTree;

  std::size_t numRows() const { return item.size(); }
  bool hasUsers() const { return !user.empty(); }
  bool hasEvents() const { return !event.empty(); }
  bool hasTimestamps() const { return !timestamp.empty(); }
  bool hasValues() const { return !value.empty(); }
  bool hasSessions() const { return !session.empty(); }

  std::int32_t numUsers() const { return users.size(); }
  std::int32_t numItems() const { return items.size(); }
  std::int32_t numSessions() const { return sessions.size(); }

  /// Event type index of a row (0 when there is no event column).
  std::uint8_t eventAt(std::size_t row) const { return event.empty() ? 0 : event[row]; }
  /// Index of an event name, registering it if new.
  std::uint8_t internEvent(const std::string& name);
  /// Index of an event name or -1.
  int findEvent(const std::string& name) const;

  /// Checks that every present column has numRows() entries and every index is in range.
  /// Throws std::logic_error naming the broken column.
  void validate() const;

  /// Releases excess capacity and the id maps' load-time lookup tables.
  void shrinkToFit();

  /// Bytes held by columns, id maps and attribute tables (an estimate of resident size).
  std::size_t memoryBytes() const;

  /// Keeps only rows where keep[row] is true (same order); dictionaries are unchanged.
  void filterRows(const std::vector<bool>& keep);
};

/// Row offsets of each session, in time order within a session (CSR layout):
/// rows of session s are order[offsets[s] .. offsets[s+1]).
struct SessionIndex {
  std::vector<std::uint32_t> offsets;  ///< numSessions + 1 entries
  std::vector<std::uint32_t> order;    ///< row indices grouped by session, sorted by time

  /// Builds the index from log.session (and log.timestamp when present; ties keep file order).
  static SessionIndex build(const InteractionLog& log);
  std::size_t numSessions() const { return offsets.empty() ? 0 : offsets.size() - 1; }
  std::size_t length(std::size_t s) const { return offsets[s + 1] - offsets[s]; }
};

}  // namespace reclab::data
