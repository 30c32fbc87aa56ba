#pragma once
/// Appending new interactions to an existing log (seed C's incremental learning).
///
/// The added rows' users, items, sessions and event names are matched through their ORIGINAL
/// ids (as written in the files) against the base log's dictionaries; ids the base has never
/// seen are added at the end of its id maps, so every dense index the base already had keeps
/// its meaning, and so do its rows (the new rows come after them).

#include <cstdint>
#include <string>
#include <vector>

#include "data/interaction_log.h"

namespace reclab::data {

struct AppendResult {
  std::uint32_t firstRow = 0;  ///< index of the first appended row in the base log
  std::uint32_t endRow = 0;    ///< one past the last appended row
  std::int32_t newUsers = 0;   ///< users the base did not have (dense indices at the end)
  std::int32_t newItems = 0;
  std::int32_t newSessions = 0;
  std::vector<std::string> newEvents;  ///< event names added to the base's eventNames
  /// Columns of the added rows that the base log does not have (ignored), e.g.
  /// "the added rows' timestamp column is ignored: the dataset has none".
  std::vector<std::string> warnings;

  std::uint32_t numRows() const { return endRow - firstRow; }
  /// The appended row indices, ascending.
  std::vector<std::uint32_t> rows() const;
};

/// Appends every row of `extra` to `base`, mapping extra's users / items / sessions / event
/// names through their original ids into base's dictionaries (new ones appended in order of
/// first use; ids of `extra` that no row uses are not added). Attribute
/// tables of the base are grown to the new user / item counts (new entities: missing values);
/// extra's own attribute tables are not merged. A column the base has must be in `extra` too
/// (InputError "append: the dataset has a value ('rating') column but the added rows have
/// none"), except the event column: rows without one are of the base's event type 0.
/// On error the base is left unchanged.
AppendResult appendRows(InteractionLog& base, const InteractionLog& extra);

}  // namespace reclab::data
