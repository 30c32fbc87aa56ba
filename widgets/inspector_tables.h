#pragma once
/// Table filling for the recommendation inspector: a user's history or a session's clicks, a
/// top-N list and an item's nearest neighbours, from an opened run. Every item cell keeps the dense
/// item index in Qt::UserRole so that a row can be followed to its similar items.

#include <QString>
#include <cstdint>
#include <vector>

#include "experiment/inspect.h"

class QTableWidget;

namespace reclab::widgets::inspector {

/// Item categories joined by ", " from the item attributes "category", "genres" and
/// "categories" (whichever exist); empty when none.
QString itemCategories(const data::InteractionLog& log, std::int32_t item);
/// True when the log has any of those category attributes.
bool hasItemCategories(const data::InteractionLog& log);
/// The item's "title" attribute, empty when absent.
QString itemTitle(const data::InteractionLog& log, std::int32_t item);

/// Rows of `user` in the log, ordered by time (then row).
std::vector<std::uint32_t> userRows(const data::InteractionLog& log, std::int32_t user);

/// Fills `table` with the user's rows (at most `maxRows`, the earliest): item, title, event,
/// time (ISO-8601 UTC), value, categories (columns only when the log has them) and the split
/// part of the row (train / valid / test), test rows tinted. Returns the user's total rows.
std::size_t fillHistory(QTableWidget* table, const experiment::OpenedRun& run, std::int32_t user,
                        std::size_t maxRows);

/// Fills `table` with rank, item, title, categories, score and hit (hits tinted). With
/// `nextItem` >= 0 (session mode: the click that followed the prefix) the hit column says "next"
/// for that item and "later" for the other hits (the rest of the session), tinted apart. The
/// hit cell keeps the hit flag in Qt::UserRole and "hit" / "next" / "later" / "" in
/// Qt::UserRole + 1.
void fillTopN(QTableWidget* table, const experiment::OpenedRun& run,
              const std::vector<experiment::Recommendation>& recs, std::int32_t nextItem = -1);

/// Fills `table` with a session's clicks: position, part ("prefix" for the first
/// `prefixLength` clicks, then "next", tinted, and "later", lightly tinted; kept in Qt::UserRole),
/// item (column 2), title, categories and time (when `rows`, the log rows of `items`, are given
/// and the log has timestamps). A typed prefix passes no rows.
void fillSessionClicks(QTableWidget* table, const experiment::OpenedRun& run,
                       const std::vector<std::int32_t>& items,
                       const std::vector<std::uint32_t>& rows, std::size_t prefixLength);

/// Fills `table` with item, title, categories and cosine.
void fillSimilar(QTableWidget* table, const experiment::OpenedRun& run,
                 const std::vector<std::pair<std::int32_t, float>>& items);

}  // namespace reclab::widgets::inspector
