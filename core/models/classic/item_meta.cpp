#include "models/classic/item_meta.h"

#include "common/errors.h"
#include "common/text.h"
#include "data/line_reader.h"

namespace reclab::models {

ItemMetaStats loadItemMeta(data::InteractionLog& log, const std::string& path) {
  data::LineReader reader(path);
  std::string_view line;
  std::vector<std::string_view> fields;
  std::vector<std::string> storage;
  auto where = [&](const std::string& field, const std::string& reason) {
    return InputError(formatLocated({path, reader.lineNumber(), field}, reason));
  };
  if (!reader.next(line)) throw InputError(path + ": empty file, expected a header");
  if (!text::splitCsvQuoted(line, ',', fields, storage)) throw where("", "unterminated quote");
  int colItem = -1, colTitle = -1, colCategory = -1, colKeywords = -1;
  for (std::size_t c = 0; c < fields.size(); ++c) {
    auto name = text::trim(fields[c]);
    if (c == 0 && name.substr(0, 3) == "\xEF\xBB\xBF") name.remove_prefix(3);  // UTF-8 BOM
    if (name == "item") colItem = static_cast<int>(c);
    else if (name == "title") colTitle = static_cast<int>(c);
    else if (name == "category") colCategory = static_cast<int>(c);
    else if (name == "keywords") colKeywords = static_cast<int>(c);
  }
  if (colItem < 0) throw where("item", "header has no 'item' column");
  auto& attrs = log.itemAttributes;
  if (colTitle >= 0) attrs.ensure("title", data::Attribute::Kind::Categorical);
  if (colCategory >= 0) attrs.ensure("category", data::Attribute::Kind::Categorical);
  if (colKeywords >= 0) attrs.ensure("keywords", data::Attribute::Kind::MultiCategorical);
  ItemMetaStats stats;
  std::vector<std::string_view> parts;
  while (reader.next(line)) {
    if (text::trim(line).empty()) continue;
    if (!text::splitCsvQuoted(line, ',', fields, storage)) throw where("", "unterminated quote");
    if (static_cast<int>(fields.size()) <= colItem) throw where("item", "missing field");
    ++stats.rows;
    auto item = log.items.find(text::trim(fields[static_cast<std::size_t>(colItem)]));
    if (!item) continue;
    ++stats.matched;
    auto get = [&](int c) -> std::string_view {
      return c >= 0 && c < static_cast<int>(fields.size()) ? text::trim(fields[static_cast<std::size_t>(c)])
                                                           : std::string_view{};
    };
    if (auto t = get(colTitle); !t.empty()) attrs.setCategorical("title", *item, std::string(t));
    if (auto t = get(colCategory); !t.empty())
      attrs.setCategorical("category", *item, std::string(t));
    if (auto t = get(colKeywords); !t.empty()) {
      text::splitFields(t, ';', parts);
      for (auto k : parts) {
        k = text::trim(k);
        if (!k.empty()) attrs.addMulti("keywords", *item, std::string(k));
      }
    }
  }
  attrs.resize(log.numItems());
  return stats;
}

}  // namespace reclab::models
