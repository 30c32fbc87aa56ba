/// RetailRocket: events.csv, item_properties_part*.csv and category_tree.csv.
///
/// events.csv gives the columns user (visitorid), item, event (view, addtocart, transaction)
/// and timestamp (ms); no sessions (they are cut later by inactivity gap). The item
/// properties keep, per item, the value with the latest timestamp (a later row with an older
/// timestamp does not win) of: "categoryid" -> categorical "category", "available" -> numeric
/// "available", "790" (price, "n12000.000") -> numeric "price"; every other property only
/// counts towards the numeric "n_properties" (distinct other properties of the item), which
/// keeps memory bounded. Items found only in the properties still get an id (after the event
/// items). category_tree.csv fills InteractionLog::categoryTree and the categorical
/// "parent_category" of each item whose category has a parent.

#include <fmt/format.h>

#include <limits>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/text.h"
#include "data/line_reader.h"
#include "data/loaders/fast_int_map.h"
#include "data/loaders/loaders.h"
#include "data/loaders/session_support.h"

namespace reclab::data::loaders {

namespace {

using session::Context;

constexpr std::string_view kEventsHeader = "timestamp,visitorid,event,itemid,transactionid";
constexpr std::string_view kPropertiesHeader = "timestamp,itemid,property,value";
constexpr std::string_view kTreeHeader = "categoryid,parentid";

enum class Role { Events, Properties, Tree };

Role roleOf(const std::string& path) {
  const std::string name = session::baseName(path);
  if (name.starts_with("item_properties")) return Role::Properties;
  if (name.starts_with("category_tree")) return Role::Tree;
  if (name.starts_with("events")) return Role::Events;
  // Unknown name: decide by the header, defaulting to events (whose header error is the
  // most helpful).
  LineReader reader(path);
  std::string_view line;
  if (reader.next(line)) {
    line = text::trim(session::stripBom(line));
    if (line == kPropertiesHeader) return Role::Properties;
    if (line == kTreeHeader) return Role::Tree;
  }
  return Role::Events;
}

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
using StringCodes = std::unordered_map<std::string, std::int32_t, StringHash, std::equal_to<>>;

/// Latest value per item of one property, by timestamp (ties: the later row wins).
template <typename T>
struct LatestPerItem {
  std::vector<std::int64_t> ts;
  std::vector<T> value;
  void offer(std::int32_t item, std::int64_t t, T v) {
    auto i = static_cast<std::size_t>(item);
    if (ts.size() <= i) {
      ts.resize(i + 1, std::numeric_limits<std::int64_t>::min());
      value.resize(i + 1);
    }
    if (t >= ts[i]) {
      ts[i] = t;
      value[i] = v;
    }
  }
  bool has(std::size_t i) const {
    return i < ts.size() && ts[i] != std::numeric_limits<std::int64_t>::min();
  }
};

struct PropertyState {
  LatestPerItem<std::int32_t> category;  ///< code into categoryText
  LatestPerItem<double> available;
  LatestPerItem<double> price;
  std::vector<std::string> categoryText;
  StringCodes categoryCodes;
  StringCodes propertyCodes;  ///< other properties
  FastU64Set itemProperty;    ///< (item << 32 | property code) pairs seen
  std::vector<std::uint32_t> otherCount;
  std::vector<bool> seen;
};

void loadEvents(Context& ctx, const std::string& path) {
  InteractionLog& log = ctx.log();
  LineReader reader(path);
  ctx.beginFile(reader);
  std::string_view line;
  reader.next(line);
  session::requireHeader(path, line, kEventsHeader, ',');

  const std::size_t estimate = static_cast<std::size_t>(reader.fileSize() / 40);
  log.user.reserve(log.user.size() + estimate);
  log.item.reserve(log.item.size() + estimate);
  log.event.reserve(log.event.size() + estimate);
  log.timestamp.reserve(log.timestamp.size() + estimate);

  std::vector<std::string_view> f;
  std::string reason;
  LoadReport& report = ctx.report();
  while (reader.next(line)) {
    ctx.tick(reader);
    if (line.empty()) continue;
    ++report.rowsRead;
    if (auto bad = session::utf8Problem(line); !bad.empty()) {
      ctx.bad(reader, std::move(bad));
      continue;
    }
    if (text::splitFields(line, ',', f) != 5) {
      ctx.bad(reader, session::fieldCountProblem(reader.lastLineUnterminated(), f.size(), 5));
      continue;
    }
    std::int64_t ts = 0, visitor = 0, itemId = 0, transaction = 0;
    if (!session::parseIntField(f[0], "timestamp", ts, reason) ||
        !session::parseIdField(f[1], "visitorid", visitor, reason) ||
        !session::parseIdField(f[3], "itemid", itemId, reason) ||
        (!f[4].empty() && !session::parseIntField(f[4], "transactionid", transaction, reason))) {
      ctx.bad(reader, std::move(reason));
      continue;
    }
    std::uint8_t ev;
    if (f[2] == event_names::kView) {
      ev = 0;
    } else if (f[2] == event_names::kAddToCart) {
      ev = 1;
    } else if (f[2] == event_names::kTransaction) {
      ev = 2;
    } else {
      ctx.bad(reader, fmt::format("field 'event': unknown event type {} (expected view, "
                                  "addtocart or transaction)",
                                  session::quoted(f[2])));
      continue;
    }
    log.user.push_back(ctx.users.intern(visitor));
    log.item.push_back(ctx.items.intern(itemId));
    log.event.push_back(ev);
    log.timestamp.push_back(ts);
    ++report.rowsLoaded;
  }
  ctx.endFile(reader);
}

void loadProperties(Context& ctx, const std::string& path, PropertyState& st) {
  LineReader reader(path);
  ctx.beginFile(reader);
  std::string_view line;
  reader.next(line);
  session::requireHeader(path, line, kPropertiesHeader, ',');

  std::vector<std::string_view> f;
  std::string reason;
  LoadReport& report = ctx.report();
  while (reader.next(line)) {
    ctx.tick(reader);
    if (line.empty()) continue;
    ++report.rowsRead;
    if (auto bad = session::utf8Problem(line); !bad.empty()) {
      ctx.bad(reader, std::move(bad));
      continue;
    }
    // The value may itself hold commas: it is the rest of the line.
    if (session::splitAtMost(line, ',', 4, f) != 4) {
      ctx.bad(reader, session::fieldCountProblem(reader.lastLineUnterminated(), f.size(), 4));
      continue;
    }
    std::int64_t ts = 0, itemId = 0;
    if (!session::parseIntField(f[0], "timestamp", ts, reason) ||
        !session::parseIdField(f[1], "itemid", itemId, reason) ||
        !session::requireNonEmpty(f[2], "property", reason)) {
      ctx.bad(reader, std::move(reason));
      continue;
    }
    const std::string_view property = f[2];
    const std::string_view value = f[3];
    double number = 0;
    std::int64_t categoryId = 0;
    if (property == "categoryid") {
      if (!session::parseIdField(value, "value", categoryId, reason)) {
        ctx.bad(reader, std::move(reason));
        continue;
      }
    } else if (property == "available") {
      if (!session::parseRealField(value, "value", number, reason)) {
        ctx.bad(reader, std::move(reason));
        continue;
      }
    } else if (property == "790") {
      // Price, written "n12000.000".
      if (value.empty() || value[0] != 'n' ||
          !session::parseRealField(value.substr(1), "value", number, reason)) {
        ctx.bad(reader, fmt::format("field 'value': price (property 790) not of the form "
                                    "'n<number>': {}",
                                    session::quoted(value)));
        continue;
      }
    }

    const std::int32_t item = ctx.items.intern(itemId);
    const auto idx = static_cast<std::size_t>(item);
    if (st.seen.size() <= idx) {
      st.seen.resize(idx + 1, false);
      st.otherCount.resize(idx + 1, 0);
    }
    st.seen[idx] = true;
    if (property == "categoryid") {
      auto [it, inserted] = st.categoryCodes.try_emplace(
          std::to_string(categoryId), static_cast<std::int32_t>(st.categoryText.size()));
      if (inserted) st.categoryText.push_back(it->first);
      st.category.offer(item, ts, it->second);
    } else if (property == "available") {
      st.available.offer(item, ts, number);
    } else if (property == "790") {
      st.price.offer(item, ts, number);
    } else {
      auto it = st.propertyCodes.find(property);
      if (it == st.propertyCodes.end()) {
        it = st.propertyCodes
                 .emplace(std::string(property), static_cast<std::int32_t>(st.propertyCodes.size()))
                 .first;
      }
      const std::uint64_t key =
          (static_cast<std::uint64_t>(item) << 32) | static_cast<std::uint32_t>(it->second);
      if (st.itemProperty.insert(key)) ++st.otherCount[idx];
    }
    ++report.rowsLoaded;
  }
  ctx.endFile(reader);
}

void loadTree(Context& ctx, const std::string& path) {
  InteractionLog& log = ctx.log();
  LineReader reader(path);
  ctx.beginFile(reader);
  std::string_view line;
  reader.next(line);
  session::requireHeader(path, line, kTreeHeader, ',');

  std::vector<std::string_view> f;
  std::string reason;
  LoadReport& report = ctx.report();
  while (reader.next(line)) {
    ctx.tick(reader);
    if (line.empty()) continue;
    ++report.rowsRead;
    if (auto bad = session::utf8Problem(line); !bad.empty()) {
      ctx.bad(reader, std::move(bad));
      continue;
    }
    if (text::splitFields(line, ',', f) != 2) {
      ctx.bad(reader, session::fieldCountProblem(reader.lastLineUnterminated(), f.size(), 2));
      continue;
    }
    std::int64_t category = 0, parent = 0;
    if (!session::parseIdField(f[0], "categoryid", category, reason) ||
        (!f[1].empty() && !session::parseIntField(f[1], "parentid", parent, reason))) {
      ctx.bad(reader, std::move(reason));
      continue;
    }
    log.categoryTree.emplace_back(std::to_string(category),
                                  f[1].empty() ? std::string() : std::to_string(parent));
    ++report.rowsLoaded;
  }
  ctx.endFile(reader);
}

/// Turns the collected property state into item attributes.
void storeProperties(InteractionLog& log, const PropertyState& st) {
  AttributeTable& attrs = log.itemAttributes;
  if (st.seen.empty()) return;
  attrs.ensure("category", Attribute::Kind::Categorical);
  attrs.ensure("available", Attribute::Kind::Numeric);
  attrs.ensure("price", Attribute::Kind::Numeric);
  attrs.ensure("n_properties", Attribute::Kind::Numeric);
  for (std::size_t i = 0; i < st.seen.size(); ++i) {
    if (!st.seen[i]) continue;
    const auto item = static_cast<std::int32_t>(i);
    if (st.category.has(i)) {
      attrs.setCategorical("category", item,
                           st.categoryText[static_cast<std::size_t>(st.category.value[i])]);
    }
    if (st.available.has(i)) attrs.setNumeric("available", item, st.available.value[i]);
    if (st.price.has(i)) attrs.setNumeric("price", item, st.price.value[i]);
    attrs.setNumeric("n_properties", item, static_cast<double>(st.otherCount[i]));
  }
}

/// "parent_category" of each item: the parent of its category in the tree, when it has one.
void storeParentCategories(InteractionLog& log) {
  const Attribute* category = log.itemAttributes.find("category");
  if (!category || log.categoryTree.empty()) return;
  std::unordered_map<std::string, std::string> parentOf;
  for (const auto& [child, parent] : log.categoryTree) parentOf[child] = parent;
  std::vector<std::string> parentByCode(category->vocabulary.size());
  for (std::size_t c = 0; c < category->vocabulary.size(); ++c) {
    auto it = parentOf.find(category->vocabulary[c]);
    if (it != parentOf.end()) parentByCode[c] = it->second;
  }
  const std::vector<std::int32_t> codes = category->categorical;  // copy: ensure() may move it
  log.itemAttributes.ensure("parent_category", Attribute::Kind::Categorical);
  for (std::size_t i = 0; i < codes.size(); ++i) {
    if (codes[i] < 0) continue;
    const std::string& parent = parentByCode[static_cast<std::size_t>(codes[i])];
    if (!parent.empty()) {
      log.itemAttributes.setCategorical("parent_category", static_cast<std::int32_t>(i), parent);
    }
  }
}

}  // namespace

void loadRetailRocket(const std::vector<std::string>& paths, const LoadOptions& options,
                      LoadResult& result, Observer& observer, const StopToken& stop) {
  session::Context ctx(options, result, observer, stop, paths);
  std::vector<std::string> events, properties, trees;
  for (const auto& p : paths) {
    switch (roleOf(p)) {
      case Role::Events:
        events.push_back(p);
        break;
      case Role::Properties:
        properties.push_back(p);
        break;
      case Role::Tree:
        trees.push_back(p);
        break;
    }
  }
  if (events.empty()) {
    throw InputError("retailrocket: no events file given (events.csv with header '" +
                     std::string(kEventsHeader) + "')");
  }
  InteractionLog& log = result.log;
  log.eventNames = {event_names::kView, event_names::kAddToCart, event_names::kTransaction};
  for (const auto& p : events) loadEvents(ctx, p);
  PropertyState st;
  for (const auto& p : properties) loadProperties(ctx, p, st);
  ctx.finishIds();
  storeProperties(log, st);
  for (const auto& p : trees) loadTree(ctx, p);
  storeParentCategories(log);
  log.itemAttributes.resize(log.numItems());
}

}  // namespace reclab::data::loaders
