#pragma once
/// Reads an item metadata CSV (the ratings sample's items_meta.csv) into log.itemAttributes.
///
/// Format: a header naming the columns, one of them "item" (the item id as in the ratings
/// file); the others recognised are "title" (categorical "title"), "category" (categorical
/// "category") and "keywords" (multi-categorical "keywords", values separated by ';').
/// RFC-4180 quoting. Unknown columns are ignored; rows for items absent from the log are
/// skipped and counted.

#include <cstdint>
#include <string>

#include "data/interaction_log.h"

namespace reclab::models {

struct ItemMetaStats {
  std::int64_t rows = 0;     ///< data rows read
  std::int64_t matched = 0;  ///< rows whose item is in the log
};

/// Throws InputError "path:line: ..." on a missing header column or a malformed row.
ItemMetaStats loadItemMeta(data::InteractionLog& log, const std::string& path);

}  // namespace reclab::models
